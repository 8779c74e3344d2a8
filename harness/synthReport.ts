// The terminal table of `simrun synth`: every module (its own cells, once) and the hierarchy's total, then per-ALU
// logic beside a published fp32 MAC figure and the published IE120R device figures for scale; an estimate's costs,
// totals, outright check and Agilex fit verdict.
import Table from 'cli-table3';
import { formatFit } from './agilexFit.js';
import type { SynthReport } from './synth.js';
import type { EstimateReport } from './synthEstimate.js';
import { LAYER_ALU_TERM, LAYER_BUFFER_TERM, LAYER_CONSTANT_TERM, LAYER_LANE_TERM } from './synthCost.js';

/** Published figures the estimate is read beside (docs/synth.md gives their sources). */
export const PUBLISHED = {
  /** An fp32 multiply plus add on a 7-series FPGA: about 500 LUTs and 2 DSP blocks. */
  macLuts: 500,
  macDsps: 2,
  /** The IE120R on Agilex 7: 3,960 fp32 MAC units on 46 % of the DSP blocks, 216 Mbit of block RAM (80 %), 29 % of the ALMs. */
  ie120r: 'IE120R on Agilex 7: 3,960 fp32 MACs on 46 % of the DSP blocks, 216 Mbit of block RAM (80 %), ALMs 29 %',
} as const;

/** The report as text. */
export function formatSynth(r: SynthReport): string {
  const logic = r.target === 'generic' ? 'gates' : r.target === 'ice40' ? 'LUT4' : 'ALUTs';
  const lutRam = r.target === 'intel' ? ['MLAB cells'] : [];
  const t = new Table({ head: ['module', 'instances', 'cells', logic, 'flip-flops', 'multipliers', 'RAM blocks', 'RAM bits', ...lutRam], style: { head: [], border: [] } });
  const row = (name: string, k: number | string, x: SynthReport['total']) => [name, String(k), x.cells, x.logic, x.flipFlops, x.multipliers, x.ramBlocks, x.ramBits, ...(lutRam.length ? [x.lutRamBlocks] : [])].map(String);
  for (const [name, m] of Object.entries(r.modules).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) t.push(row(name, m.instances, m));
  t.push(row(`total (${r.top})`, '', r.total));
  const lines = [`${r.target} synthesis of ${r.design} (top ${r.top}), ${r.seconds} s`, t.toString()];
  if (r.target === 'generic') lines.push(`generic gates are Yosys's internal cells (memories become flip-flops): a size to compare designs, not an FPGA's LUTs`);
  lines.push(`for scale — ${PUBLISHED.ie120r}; an fp32 multiply-add on a 7-series FPGA: about ${PUBLISHED.macLuts} LUTs and ${PUBLISHED.macDsps} DSPs`);
  return lines.join('\n');
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** An estimate as text: its costs, per-kind and total figures, the outright check if any, and the Agilex verdict. */
export function formatEstimate(r: EstimateReport): string {
  const logic = r.target === 'generic' ? 'gates' : r.target === 'ice40' ? 'LUT4' : 'ALUTs';
  const lines = [`ESTIMATE (not a synthesis) of ${r.design} (${n(r.alus)} ALUs) for ${r.target}: per-unit costs fitted to the ${r.calibration.modules} synthesized modules of ${r.calibration.spec} (${r.calibration.cached ? 'calibration from the cache' : `calibrated in ${r.calibration.seconds} s`})`];
  const coef = (kind: keyof typeof r.costs.terms, term: number) => {
    const c = r.costs.model[kind];
    return c ? `${c.logic[term]!.toFixed(2)} ${logic}, ${c.flipFlops[term]!.toFixed(2)} FF${c.multipliers[term]! > 0 ? `, ${c.multipliers[term]!.toFixed(2)} multipliers` : ''}` : 'n/a';
  };
  lines.push(`per-unit costs (fitted) — layer: ${coef('layer', LAYER_CONSTANT_TERM)}; ALU: ${coef('layer', LAYER_ALU_TERM)}; output lane: ${coef('layer', LAYER_LANE_TERM)}; row-buffer bit: ${coef('layer', LAYER_BUFFER_TERM)}; weight-ROM lane-bit: ${coef('weights', 1)}`);
  const t = new Table({ head: ['modules', 'count', 'cells', logic, 'flip-flops', 'multipliers', 'RAM bits', 'MLAB cells'], style: { head: [], border: [] } });
  const cols = ['cells', 'logic', 'flipFlops', 'multipliers', 'ramBits', 'lutRamBlocks'] as const;
  const groups: [string, RegExp][] = [['layers', /^rs_layer/], ['weight ROMs', /^rs_wrom/], ['bias ROMs', /^rs_brom/], ['top', /^rs_top$/]];
  for (const [label, re] of groups) {
    const ms = Object.entries(r.modules).filter(([k]) => re.test(k)).map(([, m]) => m);
    t.push([label, String(ms.length), ...cols.map((k) => n(ms.reduce((s, m) => s + m[k], 0)))]);
  }
  t.push(['total (estimated)', '', ...cols.map((k) => n(r.total[k]))]);
  if (r.check) {
    const s = r.check.synthesized;
    t.push(['synthesized outright', '', ...cols.map((k) => n(s[k]))]);
    const e = (k: keyof typeof r.check.error) => { const v = r.check!.error[k]; return v === null ? '–' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} %`; };
    t.push(['estimate error', '', ...cols.map(e)]);
  }
  lines.push(t.toString());
  lines.push(`one fp32 MAC unit (an ALU: multiply, accumulate, bias add and their registers): ${n(r.perAlu.logic)} ${logic}, ${n(r.perAlu.flipFlops)} flip-flops, ${r.perAlu.multipliers} DSP multipliers; published reference: about ${PUBLISHED.macLuts} LUTs and ${PUBLISHED.macDsps} DSPs for an fp32 multiply plus add on a 7-series FPGA`);
  lines.push(...r.warnings.map((w) => `WARNING: ${w}`));
  if (r.fit) lines.push(...formatFit(r.fit, 'as emitted (ROMs and buffers where Yosys put them)'));
  if (r.fitWithMemoriesInRam) lines.push(...formatFit(r.fitWithMemoriesInRam, 'with every ROM and buffer bit in M20K (wide registered reads) and the rest as estimated'));
  else lines.push(`for scale — ${PUBLISHED.ie120r} (a fit verdict needs --target intel)`);
  return lines.join('\n');
}
