// Timing modes and latency budgets as users write them: '900' cycles, '3.6us' (or µs, ns), and per layer '2=300' —
// from design.json's `timing.latencyBudget` and --latency-budget, parsed once into whole cycles at the spec's clock.
import { SimrunError } from '../core/errors.js';
import type { NetworkSpec } from '../core/spec.js';
import type { LatencyBudgets } from './ownTiming.js';

/** How the RTL's cycles are judged: rowsim's model beat for beat, the design's own real-time checks, or a declared model. */
export type TimingMode = 'exact' | 'own' | 'declared';

/** The timing modes, for option checking. */
export const TIMING_MODES: readonly TimingMode[] = ['exact', 'own', 'declared'];

/**
 * Whole cycles within a budget: a plain number is cycles (an integer), a number with us/µs/ns is time, rounded down to
 * the last whole cycle that fits. `what` names it in the error.
 */
export function budgetCycles(raw: string | number, clockHz: number, what: string, code: 'USAGE' | 'DESIGN_INVALID'): number {
  const text = String(raw).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(cycles?|us|µs|ns)?$/.exec(text);
  const fix = "give a positive whole number of cycles or a time such as '3.6us' or '900ns'";
  if (!m) throw new SimrunError(code, `${what} '${raw}' is not a latency budget; ${fix}`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'cycles';
  const cycles = unit.startsWith('cycle') ? n : Math.floor((n * clockHz) / (unit === 'ns' ? 1e9 : 1e6) + 1e-9);
  if (unit.startsWith('cycle') && !Number.isSafeInteger(n)) throw new SimrunError(code, `${what} '${raw}' is not a whole number of cycles; ${fix}`);
  if (!(cycles >= 1) || !Number.isSafeInteger(cycles)) throw new SimrunError(code, `${what} '${raw}' is ${cycles < 1 ? 'less than one cycle' : 'too large'}; ${fix}`);
  return cycles;
}

/** Budgets from the design folder (if any) and the command line (which wins, key by key). */
export function parseBudgets(net: NetworkSpec, folder: { total?: string | number; layers: Record<string, string | number> } | undefined, cli: readonly string[], where: string): LatencyBudgets {
  let total: number | undefined;
  const layers = new Map<number, number>();
  const layerOf = (k: string, what: string, code: 'USAGE' | 'DESIGN_INVALID') => {
    const n = Number(k);
    if (!/^\d+$/.test(k) || n < 1 || n > net.layers.length) throw new SimrunError(code, `${what}: layer '${k}' does not exist; ${net.name} has layers 1..${net.layers.length}`);
    return n;
  };
  if (folder) {
    const what = `${where}: timing.latencyBudget`;
    if (folder.total !== undefined) total = budgetCycles(folder.total, net.clockHz, `${what}.total`, 'DESIGN_INVALID');
    for (const [k, v] of Object.entries(folder.layers)) layers.set(layerOf(k, `${what}.layers`, 'DESIGN_INVALID'), budgetCycles(v, net.clockHz, `${what}.layers.${k}`, 'DESIGN_INVALID'));
  }
  for (const raw of cli) {
    const eq = raw.indexOf('=');
    if (eq < 0) total = budgetCycles(raw, net.clockHz, '--latency-budget', 'USAGE');
    else layers.set(layerOf(raw.slice(0, eq).trim(), `--latency-budget '${raw}'`, 'USAGE'), budgetCycles(raw.slice(eq + 1), net.clockHz, `--latency-budget '${raw}'`, 'USAGE'));
  }
  return { ...(total !== undefined ? { total } : {}), layers };
}
