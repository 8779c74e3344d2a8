// The timing a microarchitecture declares: the parameters of the one timing model the planner, the model's scheduler
// and the emitted RTL share. rowsim's own design is one point of this space (the defaults); a design folder may declare
// another (design.json `timing.model`) and is then predicted beat for beat. Invariant: a plan returned by
// `applyDeclaredTiming` can keep up with its row rate in every layer; anything else is DESIGN_INVALID naming the field.
import { z } from 'zod';
import { SimrunError } from './errors.js';
import { withTotals, type LayerPlan, type NetworkPlan } from './plan.js';
import type { NetworkSpec } from './spec.js';

const cycles = z.number().int().min(0).max(1_000_000);
/** perStrip·strips + fixed cycles. */
const linear = z.object({ perStrip: cycles.default(0), fixed: cycles.default(0) }).strict();

const layerParams = z.object({
  /** Cycles from the last beat of the input row that completes a window to the row's first MAC. */
  startLatency: cycles.optional(),
  /** Cycles a slot takes besides its taps (rowsim: strips + drain; the published IE120R: strips + 10). */
  slotOverhead: linear.optional(),
  /** Cycles between slot starts besides the taps, when slots are pipelined (default: the whole slot). */
  intervalOverhead: linear.optional(),
  /** Cycles from a slot's last tap to its first beat (default: slotOverhead's fixed part). */
  beatDelay: cycles.optional(),
  beatOrder: z.enum(['position-major', 'strip-major']).optional(),
  groupOrder: z.enum(['inner', 'outer']).optional(),
  /** Extra cycles after a row's last slot before the next row may start. */
  rowTurnaround: cycles.optional(),
  /** Row pacing (the published TDMPAD): rows start at least this fraction of the layer's allowed row interval apart. */
  rowPacing: z.number().gt(0).max(1).optional(),
}).strict();

/** design.json `timing.model`: defaults for every layer, and per-layer overrides by layer number. */
export const declaredTimingSchema = layerParams.extend({
  /**
   * The input's own clock crossing into the compute clock (a design with two clocks): a completed input row is seen
   * `inputCycles` input-clock cycles later through `computeStages` compute flops (core/pacing.ts InputClock).
   */
  inputSync: z.object({ inputCycles: cycles, computeStages: z.number().int().min(1).max(16) }).strict().optional(),
  layers: z.record(z.string().regex(/^[1-9]\d*$/, 'a layer number'), layerParams).default({}),
}).strict();

/** A declared timing model as parsed. */
export type DeclaredTiming = z.infer<typeof declaredTimingSchema>;

/** Slots in a row of a layer plan. */
export function slotsPerRow(p: LayerPlan): number {
  return p.colsPerStrip * p.ocmux;
}

/** The (column position, group) slot k of a row works on, in the plan's slot order. */
export function slotAt(p: LayerPlan, k: number): { pos: number; group: number } {
  return p.groupOrder === 'inner'
    ? { pos: Math.floor(k / p.ocmux), group: k % p.ocmux }
    : { pos: k % p.colsPerStrip, group: Math.floor(k / p.colsPerStrip) };
}

/**
 * The plan with a declared timing applied to every layer (strips and ocmux unchanged). `where` names the source in
 * errors. Every layer must still fit its row: DESIGN_INVALID names the layer, the field and the shortfall otherwise.
 */
export function applyDeclaredTiming(net: NetworkSpec, plan: NetworkPlan, declared: DeclaredTiming, where: string): NetworkPlan {
  for (const k of Object.keys(declared.layers)) {
    if (Number(k) > net.layers.length) throw new SimrunError('DESIGN_INVALID', `${where}: timing.model.layers.${k}: ${net.name} has layers 1..${net.layers.length}; fix design.json`);
  }
  const layers = plan.layers.map((p) => {
    const own = declared.layers[String(p.index)] ?? {};
    const pick = <K extends keyof typeof own>(k: K) => (own[k] !== undefined ? own[k] : (declared as typeof own)[k]);
    const field = (k: string) => `${where}: timing.model${own[k as keyof typeof own] !== undefined ? `.layers.${p.index}` : ''}.${k} (layer ${p.index})`;
    // Undeclared fields keep rowsim's plan: its slot, its interval (pipelined slots), its beat delay and its pacing.
    const so = pick('slotOverhead');
    const slotCycles = so ? p.taps + so.perStrip * p.strips + so.fixed : p.slotCycles;
    const io = pick('intervalOverhead');
    const slotInterval = io ? p.taps + io.perStrip * p.strips + io.fixed : so ? slotCycles : p.slotInterval;
    const beatDelay = pick('beatDelay') ?? (so ? so.fixed : p.beatDelay);
    const beatOrder = pick('beatOrder') ?? 'position-major';
    const fail = (k: string, why: string, fix: string) => new SimrunError('DESIGN_INVALID', `${field(k)}: ${why}; ${fix}`, { layer: p.index });
    if (slotInterval > slotCycles) throw fail('intervalOverhead', `a slot interval of ${slotInterval} cycles is longer than the ${slotCycles}-cycle slot`, 'declare at most the slot overhead');
    if (slotInterval < 1) throw fail('intervalOverhead', 'slots cannot start 0 cycles apart', 'declare an interval of at least 1 cycle');
    if (beatOrder === 'position-major' && slotInterval < p.strips) throw fail('intervalOverhead', `a slot emits ${p.strips} beats (one per strip) but the next slot starts ${slotInterval} cycles later, so their beats would collide`, `declare an interval of at least ${p.strips} cycles`);
    const rowTurnaround = pick('rowTurnaround') ?? 0;
    const pacing = pick('rowPacing');
    const minRowGap = pacing !== undefined ? Math.floor(pacing * p.cyclesAvailable) : p.minRowGap;
    // With kernel-row passes every pass sweeps the row's slots once, and a turnaround follows each pass.
    const busy = p.passes * (slotsPerRow(p) * slotInterval + rowTurnaround);
    if (p.passes > 1 && minRowGap > 0) throw fail('rowPacing', `layer ${p.index} runs ${p.passes} kernel-row passes per row, and rows that start in passes cannot be paced`, 'declare no rowPacing, or plan the layer in one pass (passes: 1 in its spec)');
    const cyclesPerRow = Math.max(busy, minRowGap);
    if (cyclesPerRow > p.cyclesAvailable) {
      throw fail(busy >= minRowGap ? 'slotOverhead' : 'rowPacing', `a row then takes ${cyclesPerRow} cycles but the row rate allows ${p.cyclesAvailable} (short by ${cyclesPerRow - p.cyclesAvailable})`, 'the model cannot keep up with this declaration; check it against the design');
    }
    return {
      ...p, overhead: slotInterval - p.taps, slotCycles, slotInterval, beatDelay, beatOrder, groupOrder: pick('groupOrder') ?? 'inner',
      startLatency: pick('startLatency') ?? p.startLatency, rowTurnaround, minRowGap, busyCycles: busy, cyclesPerRow,
      utilization: busy / p.cyclesAvailable,
    } satisfies LayerPlan;
  });
  return withTotals(layers);
}
