// The terminal table of `simrun synth`: every module (its own cells, once) and the hierarchy's total, then per-ALU
// logic beside a published fp32 MAC figure and the published IE120R device figures for scale.
import Table from 'cli-table3';
import type { SynthReport } from './synth.js';

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
  const t = new Table({ head: ['module', 'instances', 'cells', logic, 'flip-flops', 'multipliers', 'RAM blocks', 'RAM bits'], style: { head: [], border: [] } });
  const row = (name: string, k: number | string, x: SynthReport['total']) => [name, String(k), x.cells, x.logic, x.flipFlops, x.multipliers, x.ramBlocks, x.ramBits].map(String);
  for (const [name, m] of Object.entries(r.modules).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) t.push(row(name, m.instances, m));
  t.push(row(`total (${r.top})`, '', r.total));
  const lines = [`${r.target} synthesis of ${r.design} (top ${r.top}), ${r.seconds} s`, t.toString()];
  if (r.target === 'generic') lines.push(`generic gates are Yosys's internal cells (memories become flip-flops): a size to compare designs, not an FPGA's LUTs`);
  lines.push(`for scale — ${PUBLISHED.ie120r}; an fp32 multiply-add on a 7-series FPGA: about ${PUBLISHED.macLuts} LUTs and ${PUBLISHED.macDsps} DSPs`);
  return lines.join('\n');
}
