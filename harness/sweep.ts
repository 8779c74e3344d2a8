// `simrun plan --sweep`: plans at a range of ALU budgets and shows the latency-versus-ALUs curve (table, JSON, and an
// SVG in an HTML file) with the plan the config would use marked. Every point is exactly what --alu-budget N plans.
import { esc } from './htmlEscape.js';
import { join } from 'node:path';
import Table from 'cli-table3';
import { scaleLinear } from 'd3-scale';
import { SimrunError } from '../core/errors.js';
import { loadSpec } from '../core/spec.js';
import { frameLatency } from '../sim/schedule.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';
import { makePlan } from './plan.js';
import { PLAIN } from './report.js';

/** One planned point. */
export interface SweepPoint {
  /** The budget asked for ('min' for the fewest-ALU plan). */
  readonly budget: number | 'min';
  /** ALUs the plan uses (at most the budget). */
  readonly alus: number;
  readonly cycles: number;
  readonly ms: number;
}

/** What `plan --sweep --json` prints. */
export interface SweepReport {
  readonly config: string;
  readonly clockHz: number;
  /** The plan the config uses without --alu-budget (or with the one given), as a point of the curve. */
  readonly chosen: SweepPoint;
  readonly points: readonly SweepPoint[];
}


/**
 * Plans `config` at `points` budgets spread evenly from the fewest-ALU plan to `upTo` (default: twice the fewest, or
 * the chosen budget if larger), plus the chosen plan itself.
 */
export function sweep(config: string, opts: { budget?: number | 'min'; points?: number; upTo?: number } = {}): SweepReport {
  const net = loadSpec(config);
  const n = opts.points ?? 12;
  if (!Number.isSafeInteger(n) || n < 2 || n > 200) throw new SimrunError('USAGE', `--points ${n} is not a whole number from 2 to 200`);
  const point = (budget: number | 'min'): SweepPoint => {
    const plan = makePlan(net, budget);
    const cycles = frameLatency(net, plan);
    return { budget, alus: plan.totals.alus, cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)) };
  };
  const fewest = point('min');
  const chosen = point(opts.budget ?? (net.aluBudget ?? 'min'));
  const top = opts.upTo ?? Math.max(2 * fewest.alus, typeof chosen.budget === 'number' ? chosen.budget : 0);
  if (!Number.isSafeInteger(top) || top < fewest.alus) throw new SimrunError('USAGE', `--sweep-to ${top} is below the fewest-ALU plan's ${fewest.alus} ALUs`);
  const budgets = new Set<number>();
  for (let i = 1; i < n; i++) budgets.add(Math.round(fewest.alus + ((top - fewest.alus) * i) / (n - 1)));
  const points = [fewest, ...[...budgets].filter((b) => b > fewest.alus && b !== chosen.budget).map(point)];
  if (chosen.budget !== 'min') points.push(chosen);
  points.sort((a, b) => a.alus - b.alus || a.cycles - b.cycles);
  return { config: net.name, clockHz: net.clockHz, chosen, points };
}

/** The sweep as a terminal table. */
export function formatSweep(s: SweepReport): string {
  const t = new Table({ head: ['budget', 'ALUs used', 'latency cycles', 'ms', 'vs fewest', ''], ...PLAIN, colAligns: ['right', 'right', 'right', 'right', 'right', 'left'] });
  const base = s.points[0]!.cycles;
  for (const p of s.points) {
    const mark = p.budget === s.chosen.budget ? '← chosen' : '';
    t.push([p.budget, p.alus, p.cycles, p.ms.toFixed(6), `${(((p.cycles - base) / base) * 100).toFixed(1)}%`, mark]);
  }
  return `${s.config}: latency versus ALU budget (each row is what --alu-budget plans; 'min' is the fewest-ALU plan)\n${t.toString()}\nchosen: ${s.chosen.alus} ALUs, ${s.chosen.cycles} cycles = ${s.chosen.ms} ms (budget ${s.chosen.budget})`;
}

/** The curve as a self-contained HTML page with one SVG (latency in ms over ALUs used; the chosen plan marked). */
function sweepHtml(s: SweepReport): string {
  const W = 760, H = 420, m = { l: 70, r: 20, t: 20, b: 50 };
  const all = [...s.points, s.chosen];
  const x = scaleLinear().domain([Math.min(...all.map((p) => p.alus)), Math.max(...all.map((p) => p.alus))]).range([m.l, W - m.r]).nice();
  const y = scaleLinear().domain([0, Math.max(...all.map((p) => p.ms))]).range([H - m.b, m.t]).nice();
  const path = [...s.points].sort((a, b) => a.alus - b.alus).map((p, i) => `${i ? 'L' : 'M'}${x(p.alus).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  for (const t of x.ticks(8)) parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${m.t}" y2="${H - m.b}"/><text class="tick" x="${x(t)}" y="${H - m.b + 16}" text-anchor="middle">${t.toLocaleString('en-US')}</text>`);
  for (const t of y.ticks(6)) parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  parts.push(`<path d="${path}" class="curve"/>`);
  for (const p of s.points) parts.push(`<circle cx="${x(p.alus)}" cy="${y(p.ms)}" r="3" class="pt"><title>budget ${p.budget}: ${p.alus} ALUs, ${p.cycles} cycles = ${p.ms} ms</title></circle>`);
  parts.push(`<circle id="chosen" cx="${x(s.chosen.alus)}" cy="${y(s.chosen.ms)}" r="7" class="chosen"><title>chosen: ${s.chosen.alus} ALUs, ${s.chosen.ms} ms</title></circle><text class="lbl" x="${x(s.chosen.alus) + 10}" y="${y(s.chosen.ms) - 8}">chosen: ${s.chosen.alus} ALUs, ${s.chosen.ms} ms</text>`);
  parts.push(`<text class="tick" x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">ALUs used</text><text class="tick" transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">latency, ms</text>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim plan sweep: ${esc(s.config)}</title>
<style>body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; } .grid { stroke: #e4e4e4; } .tick { font-size: 11px; fill: #555; } .lbl { font-size: 12px; fill: #c62828; }
.curve { fill: none; stroke: #1f6fb2; stroke-width: 2; } .pt { fill: #1f6fb2; } .chosen { fill: none; stroke: #c62828; stroke-width: 3; }</style></head><body>
<h1>${esc(s.config)}: latency versus ALUs</h1>
<p>Each point is the plan <code>simrun plan --alu-budget N</code> gives (latency from the last input pixel to the last output beat, one frame). The red circle is the plan this config uses.</p>
<svg id="sweep" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>
</body></html>
`;
}

/** Writes sweep.html into `out` (default: a fresh folder under ./simrun-out/) and returns its path. */
export function writeSweepHtml(s: SweepReport, out?: string): string {
  const dir = prepareOutDir(out, `${s.config}-sweep`);
  try {
    const path = join(dir, 'sweep.html');
    writeAtomic(path, sweepHtml(s));
    return path;
  } finally {
    releaseOutDir(dir);
  }
}
