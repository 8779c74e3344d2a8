// The RTL's side of an explained output, read from a waveform of the layer: the emitted layer's ALU registers p_reg (the
// tap's product), acc (the running sum) and res (the output), found by the layer's own FSM signals (out_r, pos, grp,
// phase) so a design whose timing drifted from the model's is still read at its own cycles. The waveform is rowsim's
// own VCD (cycle t's state at time 10t) or the cycles sampled from any simulator's dump; both read the same way.
import { LAYER_SIGNALS } from '../core/layerSignals.js';
import type { LayerPlan } from '../core/plan.js';
import { readVcd, valueAt } from './vcd.js';

const { product: P_REG, accumulator: ACC, result: RES } = LAYER_SIGNALS;

/** What the RTL's registers held for one output, or why they could not be read. */
export type RtlExplanation =
  | {
    readonly found: true; readonly slotStart: number; readonly taps: readonly { readonly product: number; readonly sum: number }[]; readonly out: number;
    /** The word the layer's output register held on the output's beat (out_data), when that cycle is known. */
    readonly outRegister?: number;
  }
  | { readonly found: false; readonly reason: string };

/** The ALU registers the explanation reads in a layer's instance (rowsim's emitted names). */
export const ALU_REGISTERS = ['out_r', 'pos', 'grp', 'phase', P_REG, ACC, RES] as const;

/** A layer's registers by cycle, however they were read; names are relative to the layer's instance. */
export interface RegisterTrace {
  has(name: string): boolean;
  /** The value the register held in a cycle (undefined: not known then). */
  at(name: string, cycle: number): number | undefined;
  /** 32 bits of a wide register from bit `lsb` in a cycle. */
  word(name: string, cycle: number, lsb: number): number | undefined;
}

/** Where output (row, col, chan) is computed in the layer: the FSM values of its slot and the ALU index. */
function slotOf(p: LayerPlan, col: number, chan: number): { pos: number; grp: number; lane: number; idx: number } {
  const st = Math.floor(col / p.colsPerStrip), pos = col % p.colsPerStrip;
  const lane = Math.floor(chan / p.ocmux), grp = chan % p.ocmux;
  return { pos, grp, lane, idx: st * p.lanes + lane };
}

/** The registers (relative names) the explanation of output (col, chan) reads; out_data is read when present. */
export function aluSignals(p: LayerPlan, col: number, chan: number): string[] {
  const { idx } = slotOf(p, col, chan);
  // With kernel-row passes a slot's pass is its kernel row ky.
  return ['out_r', 'pos', 'grp', 'phase', ...(p.passes > 1 ? ['ky'] : []), `${P_REG}[${idx}]`, `${ACC}[${idx}]`, `${RES}[${idx}]`];
}

/** Reads output (row, col, chan) of a layer from its registers, looking for its slot in the cycles [from, to]. */
export function explainTrace(tr: RegisterTrace, p: LayerPlan, row: number, col: number, chan: number, from: number, to: number, beatCycle?: number): RtlExplanation {
  const { pos, grp, lane, idx } = slotOf(p, col, chan);
  const missing = aluSignals(p, col, chan).filter((x) => !tr.has(x));
  if (missing.length) return { found: false, reason: `the design's layer has no signal ${missing[0]} (rowsim reads the emitted ALU registers p_reg, acc and res)` };
  // Phase 1 of the slot: the first cycle after it started (phase 0 also holds while the layer idles). With kernel-row
  // passes the output's slot comes once per pass, ky = 0..K−1 in order, and each pass holds its kernel row's taps.
  const starts: number[] = [];
  let t = from;
  for (let ky = 0; ky < p.passes; ky++) {
    for (; t <= to; t++) {
      if (tr.at('phase', t) === 1 && tr.at('out_r', t) === row && tr.at('pos', t) === pos && tr.at('grp', t) === grp && (p.passes === 1 || tr.at('ky', t) === ky)) break;
    }
    if (t > to) return { found: false, reason: `the layer did not compute row ${row} col ${col} group ${grp}${p.passes > 1 ? ` (pass ky ${ky})` : ''} within cycles ${from}..${to} of the waveform` };
    starts.push(t);
  }
  // Tap t's product is in p_reg during phase t+1; the sum through tap t is in acc during phase t+2; res during TAPS+2.
  const taps = starts.flatMap((first) => Array.from({ length: p.taps }, (_, i) => ({ product: tr.at(`${P_REG}[${idx}]`, first + i) ?? 0, sum: tr.at(`${ACC}[${idx}]`, first + i + 1) ?? 0 })));
  const last = starts[starts.length - 1]!;
  const word = beatCycle !== undefined && tr.has('out_data') ? tr.word('out_data', beatCycle, lane * 32) : undefined;
  return { found: true, slotStart: starts[0]! - 1, taps, out: tr.at(`${RES}[${idx}]`, last + p.taps + 1) ?? 0, ...(word !== undefined ? { outRegister: word } : {}) };
}

/**
 * Reads output (row, col, chan) of the layer traced under `scope` (e.g. 'TOP.rs_top.u_layer3') from rowsim's own VCD
 * text, in the window [from, to] of cycles (the bench dumps cycle t's state at time 10t).
 */
export function explainRtl(vcd: string, scope: string, p: LayerPlan, row: number, col: number, chan: number, from: number, to: number, beatCycle?: number): RtlExplanation {
  const n = (s: string) => `${scope}.${s}`;
  const sig = readVcd(vcd, [...aluSignals(p, col, chan), 'out_data'].map(n));
  const trace: RegisterTrace = {
    has: (name) => sig.has(n(name)),
    at: (name, cycle) => valueAt(sig.get(n(name)), 10 * cycle),
    word: (name, cycle, lsb) => valueAt(sig.get(n(name)), 10 * cycle, lsb, 32),
  };
  return explainTrace(trace, p, row, col, chan, from, to, beatCycle);
}
