// Faults built into a layer (rowsim --inject): a stall that makes input rows seen late, a delay that holds the FSM
// before one beat, bit flips on the output beat — fixed, or as hooks whose values come from plusargs at run time.
import type { Fault } from '../../core/faults.js';
import { SimrunError } from '../../core/errors.js';
import { LAYER_SIGNALS } from '../../core/layerSignals.js';
import { vFor, vIf, type VModule, type VStmt } from '../../core/vbuild.js';
import { addrBits } from '../emitRom.js';
import type { LayerContext } from './context.js';
import { k } from './literals.js';

/** Bit faults a runtime-fault layer can carry at once. */
export const RUNTIME_BIT_FAULTS = 4;

/**
 * The plusargs that select `faults` in a design emitted with runtime faults: +rowsim_stall{L}=N, +rowsim_delay{L}=BEAT
 * with +rowsim_delay{L}_cycles=N, and +rowsim_bit{L}_{k}=row + col·2^16 + group·2^32 + (lane·32 + bit)·2^44.
 */
export function faultPlusargs(faults: readonly Fault[], ocmuxOf: (layer: number) => number): string[] {
  const out: string[] = [];
  const bits = new Map<number, number>();
  for (const f of faults) {
    if (f.kind === 'stall') out.push(`+rowsim_stall${f.layer}=${f.cycles}`);
    else if (f.kind === 'delay') out.push(`+rowsim_delay${f.layer}=${f.beat}`, `+rowsim_delay${f.layer}_cycles=${f.cycles}`);
    else if (f.kind === 'bit') {
      const n = bits.get(f.layer) ?? 0;
      if (n >= RUNTIME_BIT_FAULTS) throw new SimrunError('USAGE', `--inject: at most ${RUNTIME_BIT_FAULTS} bit faults per layer (layer ${f.layer} has more)`);
      bits.set(f.layer, n + 1);
      const m = ocmuxOf(f.layer);
      const packed = BigInt(f.row) + (BigInt(f.col) << 16n) + (BigInt(f.chan % m) << 32n) + (BigInt(Math.floor(f.chan / m) * 32 + f.bit) << 44n);
      out.push(`+rowsim_bit${f.layer}_${n}=${packed}`);
    }
  }
  return out;
}

/** Whether input rows count as arrived later than they complete (a stall fault, fixed or a runtime hook). */
export function rowsArriveLate(c: LayerContext): boolean {
  return c.faults.runtime || c.faults.stall !== undefined;
}

/** The condition under which an input row counts as arrived for the controller (late under a stall fault). */
export function rowArrives(c: LayerContext): string {
  return c.faults.runtime ? '(f_stall_on ? f_seen : in_valid && row_end)' : c.faults.stall ? 'f_seen' : 'in_valid && row_end';
}

/** The plusarg readers of a runtime-fault layer, and the stall fault's queue of row arrival times. */
export function rowFaults(m: VModule, c: LayerContext): void {
  const { l, R } = c;
  const { runtime, stall } = c.faults;
  if (runtime) {
    m.section('FAULT HOOKS (rowsim --inject, selected at run time by plusargs; idle without them)')
      .reg(['f_stall_n', 'f_delay_beat', 'f_delay_n'], 64).reg(['f_stall_on', 'f_delay_on'])
      .memory('f_bit', 64, RUNTIME_BIT_FAULTS).memory('f_bit_on', 'bit', RUNTIME_BIT_FAULTS)
      .integer('fk')
      .initial([
        `f_stall_on = $value$plusargs("rowsim_stall${l.index}=%d", f_stall_n) != 0;`,
        `f_delay_on = $value$plusargs("rowsim_delay${l.index}=%d", f_delay_beat) != 0;`,
        `if (f_delay_on && $value$plusargs("rowsim_delay${l.index}_cycles=%d", f_delay_n) == 0) f_delay_on = 1'b0;`,
        ...Array.from({ length: RUNTIME_BIT_FAULTS }, (_, i) => `f_bit_on[${i}] = $value$plusargs("rowsim_bit${l.index}_${i}=%d", f_bit[${i}]) != 0;`),
      ]);
  }
  if (!stall) return;
  const QD = R + 2;
  const n = runtime ? 'f_stall_n' : `64'd${stall.cycles}`;
  m.section(runtime ? 'FAULT HOOK stall: input rows are seen f_stall_n cycles after they complete' : `FAULT (rowsim --inject stall:${l.index}:${stall.cycles}): input rows are seen ${stall.cycles} cycles after they complete`)
    .reg('f_now', 64).memory('f_due', 64, QD)
    .reg(['f_wp', 'f_rp'], addrBits(QD))
    .wire('f_seen', 'bit', 'f_rp != f_wp && f_now >= f_due[f_rp]')
    .always('posedge clk', [vIf('rst', ["f_now <= 64'd0; f_wp <= 0; f_rp <= 0;"], [
      "f_now <= f_now + 64'd1;",
      vIf('in_valid && row_end', [`f_due[f_wp] <= f_now + ${n};`, `f_wp <= (f_wp == ${QD - 1}) ? 0 : f_wp + 1'd1;`]),
      `if (f_seen) f_rp <= (f_rp == ${QD - 1}) ? 0 : f_rp + 1'd1;`,
    ])]);
}

/** The delay fault: the FSM holds before one output beat (f_stall freezes the controller and the output stage). */
export function delayFault(m: VModule, c: LayerContext): void {
  const { l, w } = c;
  const { runtime, delay } = c.faults;
  if (!delay) return;
  const [beat, cycles, on] = runtime ? ['f_delay_beat', 'f_delay_n[31:0]', 'f_delay_on && '] : [`64'd${delay.beat}`, `32'd${delay.cycles}`, ''];
  const beating = `${c.beat.busy} && beat_now && ocol < ${k(l.outW, w.ocol)}`;
  m.section(runtime ? 'FAULT HOOK delay: the FSM holds f_delay_n cycles before beat f_delay_beat' : `FAULT (rowsim --inject delay:${l.index}:${delay.beat}:${delay.cycles}): the FSM holds ${delay.cycles} cycles before beat ${delay.beat}`)
    .reg('f_beats', 64).reg('f_hold', 32).reg('f_fired')
    .wire('f_stall', 'bit', `${on}${beating} && f_beats == ${beat} && !f_fired && f_hold != ${cycles}`)
    .always('posedge clk', [vIf('rst', ["f_beats <= 64'd0; f_hold <= 32'd0; f_fired <= 1'b0;"], [
      vIf('f_stall', ["f_hold <= f_hold + 32'd1;"], [vIf(beating, ["f_beats <= f_beats + 64'd1;", `if (f_beats == ${beat}) f_fired <= 1'b1;`])]),
    ])]);
}

/**
 * Whether the layer flips bits of its beats (fixed bit faults, or the runtime hooks). Those read a result at the
 * lane a fault names, so such a layer keeps its results as an indexed array instead of words read at constant indices.
 */
export function flipsBeatBits(c: LayerContext): boolean {
  return c.faults.runtime || c.faults.bits.length > 0;
}

/** Output-beat statements that flip the faulted bits (after the beat's data is loaded). */
export function bitFaultStatements(c: LayerContext): VStmt[] {
  const { p, w, beat: b } = c;
  const res = LAYER_SIGNALS.result;
  const hooks: VStmt[] = c.faults.runtime ? [
    '// FAULT HOOKS bit: row, col, group, lane·32 + bit packed in f_bit',
    vFor('fk', '0', `fk < ${RUNTIME_BIT_FAULTS}`, [vIf(`f_bit_on[fk] && ${b.row} == f_bit[fk][15:0] && ocol == f_bit[fk][31:16] && ${b.grp} == f_bit[fk][43:32]`,
      [`out_data[f_bit[fk][60:44]] <= ~${res}[ost * LANES + f_bit[fk][60:49]][f_bit[fk][48:44]];`])]),
  ] : [];
  return [...hooks, ...c.faults.bits.map((f) => `if (${b.row} == ${k(f.row, w.outRow)} && ocol == ${k(f.col, w.ocol)} && ${b.grp} == ${k(f.chan % p.ocmux, w.grp)}) out_data[${Math.floor(f.chan / p.ocmux) * 32 + f.bit}] <= ~${res}[ost * LANES + ${Math.floor(f.chan / p.ocmux)}][${f.bit}];   // FAULT (rowsim --inject bit:${f.layer}:${f.row}:${f.col}:${f.chan}:${f.bit})`)];
}
