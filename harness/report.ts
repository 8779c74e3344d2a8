// The run report: report.json's shape (DESIGN §8), its assembly from engine results, and the terminal table.
import chalk from 'chalk';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { BitCompare, CycleCompare, FloatDistance } from './compare.js';

/** One layer's row of the report. */
export interface LayerReport {
  readonly index: number;
  readonly name: string;
  readonly shape: [number, number, number];
  readonly plan: { strips: number; ocmux: number; cyclesPerRow: number; cyclesAvailable: number; utilization: number; alus: number; weightBits: number; rowBufferBits: number };
  readonly compare: {
    readonly simVsGolden: BitCompare | null;
    readonly rtlVsGolden: BitCompare | null;
    readonly rtlVsSimCycles: CycleCompare | null;
    /** Distance of the float (tf.conv2d) reference from the exact golden: information, never pass/fail. */
    readonly floatVsExact: FloatDistance | null;
  };
  readonly timing: { firstBeatCycle: number; lastBeatCycle: number; beats: number; bufferHighWater: number; bufferRows: number };
}

/** report.json. */
export interface RunReport {
  readonly config: string;
  readonly engines: readonly string[];
  readonly pass: boolean;
  readonly frames: number;
  readonly images: readonly string[];
  readonly weights: string;
  readonly goldenBackend: string | null;
  readonly latency: {
    readonly cycles: number;
    readonly ms: number;
    readonly rtlCycles: number | null;
    readonly perFrameCycles: readonly number[];
    readonly steadyIntervalCycles: number | null;
    readonly publishedIe120rMs: number;
  };
  readonly totals: { readonly alus: number; readonly weightBits: number; readonly rowBufferBits: number };
  readonly layers: readonly LayerReport[];
  readonly warnings: readonly string[];
}

/** Plan columns of a layer, in report form. */
export function planColumns(plan: NetworkPlan, index: number): LayerReport['plan'] {
  const p = plan.layers[index - 1]!;
  return {
    strips: p.strips, ocmux: p.ocmux, cyclesPerRow: p.cyclesPerRow, cyclesAvailable: p.cyclesAvailable,
    utilization: Number(p.utilization.toFixed(4)), alus: p.alus, weightBits: p.weightBits, rowBufferBits: p.rowBufferBits,
  };
}

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  return left ? t.padEnd(n) : t.padStart(n);
}

/** Renders the plan as a fixed-width table (used by `simrun plan`). */
export function formatPlanTable(net: NetworkSpec, plan: NetworkPlan, latencyCycles: number): string {
  const head = `${pad('#', 3)} ${pad('layer', 9, true)} ${pad('out HxWxC', 13)} ${pad('strips', 6)} ${pad('ocmux', 5)} ${pad('cyc/row', 8)} ${pad('avail', 8)} ${pad('util', 6)} ${pad('ALUs', 5)} ${pad('weight bits', 12)} ${pad('rowbuf bits', 12)}`;
  const lines = [head];
  for (const l of net.layers) {
    const p = plan.layers[l.index - 1]!;
    lines.push(`${pad(l.index, 3)} ${pad(l.name, 9, true)} ${pad(`${l.outH}x${l.outW}x${l.outC}`, 13)} ${pad(p.strips, 6)} ${pad(p.ocmux, 5)} ${pad(p.cyclesPerRow, 8)} ${pad(p.cyclesAvailable, 8)} ${pad((p.utilization * 100).toFixed(1) + '%', 6)} ${pad(p.alus, 5)} ${pad(p.weightBits, 12)} ${pad(p.rowBufferBits, 12)}`);
  }
  const t = plan.totals;
  lines.push(`${pad('', 3)} ${pad('total', 9, true)} ${pad('', 13)} ${pad('', 6)} ${pad('', 5)} ${pad('', 8)} ${pad('', 8)} ${pad('', 6)} ${pad(t.alus, 5)} ${pad(t.weightBits, 12)} ${pad(t.rowBufferBits, 12)}`);
  const ms = (latencyCycles / net.clockHz) * 1000;
  lines.push(`latency (last input pixel → last output beat): ${latencyCycles} cycles = ${ms.toFixed(6)} ms at ${net.clockHz / 1e6} MHz${net.name === 'ie120r' ? ' (published IE120R: 11.572740 ms with 3960 ALUs)' : ''}`);
  return lines.join('\n');
}

function cmpCell(c: BitCompare | null): string {
  if (!c) return '-';
  return c.mismatches === 0 ? 'ok' : `${c.mismatches} bad`;
}

/** Colours a padded table cell (only when stdout is a colour terminal; chalk decides). */
function tint(cell: string): string {
  return /\bbad\b/.test(cell) ? chalk.red(cell) : /\bok\b/.test(cell) ? chalk.green(cell) : cell;
}

/** Renders the run report for a terminal: per-layer table, first mismatches, latency. */
export function formatRunReport(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`${r.config}: ${r.frames} frame(s) of ${r.images.join(', ')}, weights ${r.weights}, engines ${r.engines.join(',')}${r.goldenBackend ? ` (golden on tfjs-${r.goldenBackend})` : ''}`);
  lines.push(`${pad('#', 3)} ${pad('layer', 9, true)} ${pad('shape', 13)} ${pad('strips', 6)} ${pad('ocmux', 5)} ${pad('ALUs', 5)} ${pad('util', 6)} ${pad('sim/gold', 9)} ${pad('rtl/gold', 9)} ${pad('rtl/sim cyc', 11)} ${pad('float ULP', 9)} ${pad('first beat', 10)} ${pad('last beat', 10)}`);
  for (const l of r.layers) {
    const cyc = l.compare.rtlVsSimCycles ? (l.compare.rtlVsSimCycles.mismatches === 0 ? 'ok' : `${l.compare.rtlVsSimCycles.mismatches} bad`) : '-';
    lines.push(`${pad(l.index, 3)} ${pad(l.name, 9, true)} ${pad(l.shape.join('x'), 13)} ${pad(l.plan.strips, 6)} ${pad(l.plan.ocmux, 5)} ${pad(l.plan.alus, 5)} ${pad((l.plan.utilization * 100).toFixed(1) + '%', 6)} ${tint(pad(cmpCell(l.compare.simVsGolden), 9))} ${tint(pad(cmpCell(l.compare.rtlVsGolden), 9))} ${tint(pad(cyc, 11))} ${pad(l.compare.floatVsExact ? `~${l.compare.floatVsExact.medianUlp}` : '-', 9)} ${pad(l.timing.firstBeatCycle, 10)} ${pad(l.timing.lastBeatCycle, 10)}`);
  }
  for (const l of r.layers) {
    for (const [pair, c] of [['sim vs golden', l.compare.simVsGolden], ['rtl vs golden', l.compare.rtlVsGolden]] as const) {
      if (c && c.first) {
        const f = c.first;
        lines.push(chalk.red('MISMATCH') + ` layer ${l.index} '${l.name}' ${pair}: first at row ${f.row} col ${f.col} chan ${f.chan}: expected ${f.expected} (${f.expectedValue}) actual ${f.actual} (${f.actualValue}); ${c.mismatches} words differ, max ${c.maxUlp} ULP`);
      }
    }
    const cc = l.compare.rtlVsSimCycles;
    if (cc && cc.first) {
      const f = cc.first;
      lines.push(chalk.red('MISMATCH') + ` layer ${l.index} '${l.name}' rtl vs sim cycles: first at beat ${f.beat} (frame ${f.frame} row ${f.row} col ${f.col} group ${f.chan}): expected cycle ${f.expectedCycle} actual ${f.actualCycle}; ${cc.mismatches} beats differ`);
    }
  }
  if (r.layers.some((l) => l.compare.floatVsExact)) lines.push('float ULP: median ULP distance of the float tf.conv2d reference from the exact golden (information, not pass/fail)');
  const L = r.latency;
  lines.push(`latency: ${L.cycles} cycles = ${L.ms.toFixed(6)} ms (published IE120R: ${L.publishedIe120rMs} ms)${L.rtlCycles !== null ? `, rtl ${L.rtlCycles} cycles` : ''}`);
  if (L.perFrameCycles.length > 1) lines.push(`per frame: ${L.perFrameCycles.join(', ')} cycles; steady frame interval ${L.steadyIntervalCycles} cycles`);
  lines.push(`totals: ${r.totals.alus} ALUs, ${r.totals.weightBits} weight bits, ${r.totals.rowBufferBits} row-buffer bits`);
  lines.push(r.pass ? chalk.green('PASS: every compared engine agrees in every layer') : chalk.red('FAIL: engines disagree (see MISMATCH lines)'));
  return lines.join('\n');
}
