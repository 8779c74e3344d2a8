// The RTL's side of an explained output, read from a VCD of the layer: the emitted layer's ALU registers p_reg (the
// tap's product), acc (the running sum) and res (the output), found by the layer's own FSM signals (out_r, pos, grp,
// phase) so a design whose timing drifted from the model's is still read at its own cycles.
import type { LayerPlan } from '../core/plan.js';
import { readVcd, valueAt } from './vcd.js';

/** What the RTL's registers held for one output, or why they could not be read. */
export type RtlExplanation =
  | {
    readonly found: true; readonly slotStart: number; readonly taps: readonly { readonly product: number; readonly sum: number }[]; readonly out: number;
    /** The word the layer's output register held on the output's beat (out_data), when that cycle is known. */
    readonly outRegister?: number;
  }
  | { readonly found: false; readonly reason: string };

/** The ALU registers the explanation reads in a layer's instance (rowsim's emitted names). */
export const ALU_REGISTERS = ['out_r', 'pos', 'grp', 'phase', 'p_reg', 'acc', 'res'] as const;

/**
 * Reads output (row, col, chan) of the layer traced under `scope` (e.g. 'TOP.rs_top.u_layer3') from VCD text, in the
 * window [from, to] of cycles (the bench dumps cycle t's state at time 10t).
 */
export function explainRtl(vcd: string, scope: string, p: LayerPlan, row: number, col: number, chan: number, from: number, to: number, beatCycle?: number): RtlExplanation {
  const st = Math.floor(col / p.colsPerStrip), pos = col % p.colsPerStrip;
  const lane = Math.floor(chan / p.ocmux), grp = chan % p.ocmux;
  const idx = st * p.lanes + lane;
  const n = (s: string) => `${scope}.${s}`;
  const names = [n('out_r'), n('pos'), n('grp'), n('phase'), n(`p_reg[${idx}]`), n(`acc[${idx}]`), n(`res[${idx}]`)];
  const sig = readVcd(vcd, [...names, n('out_data')]);
  const missing = names.filter((x) => !sig.has(x));
  if (missing.length) return { found: false, reason: `the design's layer has no signal ${missing[0]!.slice(scope.length + 1)} (rowsim reads the emitted ALU registers p_reg, acc and res)` };
  const at = (name: string, cycle: number) => valueAt(sig.get(n(name)), 10 * cycle);
  // Phase 1 of the slot: the first cycle after it started (phase 0 also holds while the layer idles).
  let first = -1;
  for (let t = from; t <= to; t++) {
    if (at('phase', t) === 1 && at('out_r', t) === row && at('pos', t) === pos && at('grp', t) === grp) { first = t; break; }
  }
  if (first < 0) return { found: false, reason: `the layer did not compute row ${row} col ${col} group ${grp} within cycles ${from}..${to} of the waveform` };
  // Tap t's product is in p_reg during phase t+1; the sum through tap t is in acc during phase t+2; res during TAPS+2.
  const taps = Array.from({ length: p.taps }, (_, t) => ({ product: at(`p_reg[${idx}]`, first + t) ?? 0, sum: at(`acc[${idx}]`, first + t + 1) ?? 0 }));
  const reg = beatCycle !== undefined ? sig.get(n('out_data')) : undefined;
  const word = reg ? valueAt(reg, 10 * beatCycle!, lane * 32, 32) : undefined;
  return { found: true, slotStart: first - 1, taps, out: at(`res[${idx}]`, first + p.taps + 1) ?? 0, ...(word !== undefined ? { outRegister: word } : {}) };
}
