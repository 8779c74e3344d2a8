// The layer's controller: one output row at a time (or, with kernel-row passes, one pass of a row at a time), each a
// sequence of slots of (column position, channel group); a row or pass starts once the input rows it reads are in the
// row buffer. Also where in a slot each strip's beat loads.
import { vIf, type VModule, type VStmt } from '../../core/vbuild.js';
import { addrBits } from '../emitRom.js';
import type { LayerContext } from './context.js';
import { rowArrives, rowsArriveLate } from './faultHooks.js';
import { k, times } from './literals.js';
import { resetLast } from './resetLast.js';

const TITLE = 'controller: one output row at a time, slot by slot';

/**
 * The controller's state and the wires derived from it. `have` counts the current frame's rows in the buffer offset by
 * the deficit — the rows a frame can end without, which may still be on their way when it ends — so it never goes below
 * 0: rows_in − rows_out, modulo 2^W. Each arrived input row adds one to rows_in (counted by the input side), the end of
 * the frame's last output row IN_H to rows_out (by the sequencer): two counters, each written only where it steps, so an
 * idle layer's cycle writes and tests neither. `fslot` is the slot of the frame's first row, kept only where frames move
 * it (IN_H not a multiple of R).
 */
export function controllerState(m: VModule, c: LayerContext): void {
  const { l, p, w, R } = c;
  const iy = `${times('out_r', l.stride, w.iy)} + ky`;
  // The row needed is a register where it varies (written with the row it is for, by the sequencer): computed from
  // out_r every cycle, it cost an idle layer more than anything else it still did (callgrind, ie120r-mini).
  const need = needVaries(c) ? 'need_row' : 'need_local';
  const ready = c.v.pick('stall-forever', w.deficit ? `have > ${need} + ${k(w.deficit, w.have)}` : `have > ${need}`, "1'b0");
  const sec = m.section(TITLE)
    .reg('busy').reg('phase', w.phase).reg('pos', w.pos).reg('grp', w.grp).reg('out_r', w.outRow)
    .reg(['ky', 'kx'], w.kernel).reg('ci', w.inChan)
    .reg('rows_out', w.have, `IN_H for each frame finished, modulo 2^${w.have}`)
    .wire('have', w.have, 'rows_in - rows_out', `rows of the current frame in the row buffer${w.deficit ? ` + ${w.deficit}` : ''}`);
  // With IN_H a multiple of R every frame's first row lands in slot 0, so there is no slot to remember.
  if (framesMoveSlot(c)) sec.reg('fslot', w.slot, "slot of the current frame's first row");
  else sec.raw(`// IN_H = ${l.inH} is a multiple of R = ${R}: every frame's first row is in slot 0.`);
  if (c.passes > 1) {
    sec.reg('r_lo', w.outRow, "first output row of the current input row's passes")
      .reg('ky_lo', w.kernel, 'its kernel row')
      .wire('last_pass', 'bit', `ky == ${k(l.kernel - 1, w.kernel)}`, "the row's last pass: its beats leave, no partial sum is kept")
      .raw('// The one input row this pass reads: out_r·S − P + ky, within 0 .. IN_H − 1.');
  } else {
    sec.raw('// Last input row output row out_r needs: min(out_r·S − P + K − 1, IN_H − 1).');
  }
  if (needVaries(c)) sec.reg('need_row', w.need, `that row for the current ${c.passes > 1 ? 'pass' : 'row'}, written with out_r${c.passes > 1 ? ' and ky' : ''}`);
  else sec.wire('need_local', w.need, needOf(c, 'out_r', 'ky'));
  sec.wire('ready', 'bit', ready);
  if (p.minRowGap > 0) {
    sec.raw(`// Row pacing: rows start at least ${p.minRowGap} cycles apart.`)
      .reg('row_age', w.rowAge, 'cycles since the last row started, up to MIN_ROW_GAP')
      .wire('paced', 'bit', `row_age == ${k(p.minRowGap, w.rowAge)}`);
  }
  sec.wire('start_now', 'bit', p.minRowGap > 0 ? '!busy && ready && paced' : '!busy && ready')
    .wire('active', 'bit', 'busy || start_now')
    .raw('// The tap being fetched and the input row it reads: operands, isolated (0) while the controller is idle.')
    .isolated('active', [
      { name: 'tap', width: w.tap, expr: `${times(`(${times('ky', l.kernel, w.tap)} + kx)`, l.inC, w.tap)} + ci`, comment: '< TAPS while a slot runs' },
      { name: 'iy', width: w.iy, expr: iy, comment: 'input row + P (P rows of padding above)' },
      { name: 'row_in', width: 'bit', expr: `${l.pad > 0 ? `iy >= ${k(l.pad, w.iy)} && ` : ''}iy < ${k(l.pad + l.inH, w.iy + 1)}` },
      { name: 'slot_sum', width: w.slotSum, expr: `${framesMoveSlot(c) ? 'fslot + ' : ''}iy - ${k(l.pad, w.slotSum)}`, comment: 'meaningful while row_in' },
      { name: 'slot_r', width: w.slot, expr: c.v.pick('rowbuf-addr', `slot_sum % ${k(R, w.slotSum)}`, `(slot_sum + 1'd1) % ${k(R, w.slotSum)}`), comment: '< R: fits' },
    ]);
}

/** Whether the input row a row (or pass) needs depends on which row it is: not when every row needs the last. */
function needVaries(c: LayerContext): boolean {
  return c.passes > 1 || c.l.inH + c.l.pad - c.l.kernel > 0;
}

/**
 * The last input row output row `r` needs (with passes: the one row pass `ky` of row `r` reads), as an expression of
 * the expressions `r` and `ky`: min(r·S − P + K − 1, IN_H − 1), or the pass's row held within 0 .. IN_H − 1.
 */
function needOf(c: LayerContext, r: string, ky: string): string {
  const { l, w } = c;
  const row = /^\w+$/.test(r) ? r : `(${r})`;
  // With passes, a pass needs the one input row it reads (row 0 or the last for a padding row above or below).
  if (c.passes > 1) return passNeed(l, w, `${times(row, l.stride, w.iy)} + ${/^\w+$/.test(ky) ? ky : `(${ky})`}`);
  // r·S reaches (OUT_H − 1)·S, more than the row needed holds: the comparison runs at that width.
  const nw = Math.max(w.need, addrBits((l.outH - 1) * l.stride + 1));
  return l.inH + l.pad - l.kernel > 0
    ? `(${times(row, l.stride, nw)} < ${k(l.inH + l.pad - l.kernel, nw)}) ? ${times(row, l.stride, nw)} + ${k(l.kernel - 1 - l.pad, nw)} : ${k(l.inH - 1, nw)}`
    : k(l.inH - 1, w.need);
}

/** The row the frame's first row (or pass: row 0, ky = 0) needs: K − 1 − P, or input row 0. */
function firstNeed(c: LayerContext): string {
  return k(c.passes > 1 ? 0 : c.l.kernel - 1 - c.l.pad, c.w.need);
}

/**
 * The row-needed register's next value where the row (or pass) changes to (`r`, `ky`), or to the frame's first when
 * `r` is null; none where it is a constant.
 */
function nextNeed(c: LayerContext, r: string | null, ky = 'ky'): string {
  return needVaries(c) ? `need_row <= ${r === null ? firstNeed(c) : needOf(c, r, ky)}; ` : '';
}

/** Whether a frame's first row can be in another slot than the previous frame's: IN_H is not a multiple of R. */
function framesMoveSlot(c: LayerContext): boolean {
  return c.l.inH % c.R !== 0;
}

/** The one input row a pass reads, iy − P, held within 0 .. IN_H − 1 (only the comparisons that can be true). */
function passNeed(l: LayerContext['l'], w: LayerContext['w'], iy: string): string {
  const iyMax = (l.outH - 1) * l.stride + l.kernel - 1;
  let need = l.pad > 0 ? `${iy} - ${k(l.pad, w.iy)}` : iy;
  if (iyMax > l.pad + l.inH - 1) need = `(${iy} > ${k(l.pad + l.inH - 1, w.iy)}) ? ${k(l.inH - 1, w.need)} : ${need}`;
  return l.pad > 0 ? `(${iy} < ${k(l.pad, w.iy)}) ? ${k(0, w.need)} : ${need}` : need;
}

/**
 * Row pacing (the published TDMPAD): a row starts no sooner than MIN_ROW_GAP cycles after the previous one. `row_age`
 * counts the cycles since the last start, saturating at the gap (where it also starts after reset).
 */
export function rowPacing(m: VModule, c: LayerContext): void {
  const { p, w } = c;
  if (p.minRowGap === 0) return;
  const bits = w.rowAge;
  const go = c.faults.delay ? ' && !f_stall' : '';
  m.section(TITLE)
    // One statement reads row_age and writes it (a reset first, or a write before the test, would make Verilator keep a
    // shadow copy: see resetLast).
    .always('posedge clk', resetLast([`row_age <= ${k(p.minRowGap, bits)};`], [
      `row_age <= (start_now${go}) ? ${k(1, bits)} : paced ? row_age : row_age + 1'd1;`,
    ]));
}

/** Which strip's beat loads this cycle: strip ost during phases beat0 .. beat0 + STRIPS − 1, for output column ocol. */
export function beatPosition(m: VModule, c: LayerContext): void {
  const { p, w, B0, beat: b } = c;
  m.section('output stage position: the strip whose beat loads this cycle')
    .wire('beat0', w.slotPhase, c.v.pick('drain-off-by-one', k(B0, w.slotPhase), k(B0 + 1, w.slotPhase)), "phase of the slot's first beat")
    // Read only where `busy && beat_now` holds (`b_busy && beat_now` with a slot tail): by the output stage and the
    // delay fault. Isolated, so an idle layer computes none of them; without a tail busy implies active, and they join
    // the tap operands' block.
    .isolated(b.busy === 'busy' ? 'active' : b.busy, [
      { name: 'beat_now', width: 'bit', expr: `${b.phase} >= beat0 && ${b.phase} < beat0 + ${k(p.strips, w.slotPhase + 1)}${c.passes > 1 ? ` && ${b.final}` : ''}`, ...(c.passes > 1 ? { comment: "only a row's last pass sends beats" } : {}) },
      { name: 'ost', width: w.ost, expr: w.ost < w.slotPhase ? `${b.phase}[${w.ost - 1}:0] - beat0[${w.ost - 1}:0]` : `${b.phase} - beat0`, comment: 'meaningful while beat_now (modular: low bits suffice)' },
      { name: 'ocol', width: w.ocol, expr: `${times('ost', p.colsPerStrip, w.ocol)} + ${b.pos}` },
    ]);
}

/**
 * Pipelined slots only: the tail finishes a slot (phases INTERVAL .. SLOT − 1: its beats, and its bias + ReLU when the
 * interval is TAPS + 1) while the controller
 * runs the next slot's taps, carrying the finishing slot's position, group and row. At most one slot is in its tail
 * (the tail is shorter than an interval), and the controller is never in its beat phases while one is, so the output
 * side reads the tail while it runs and the controller otherwise.
 */
export function slotTail(m: VModule, c: LayerContext): void {
  const { p, w, I } = c;
  if (c.beat.phase === 'phase') return;
  const passes = c.passes > 1;
  // Joins the controller's section: the output side's wires (declared earlier) read b_*.
  const sec = m.section(TITLE)
    .wire('slot_end', 'bit', `active${c.faults.delay ? ' && !f_stall' : ''} && phase == ${k(I - 1, w.phase)}`)
    .raw('// Slot tail: the finishing slot (phases INTERVAL .. SLOT − 1) while the next one runs its taps.')
    .reg('t_busy').reg('t_phase', w.slotPhase).reg('t_pos', w.pos).reg('t_grp', w.grp).reg('t_r', w.outRow);
  if (passes) sec.reg('t_last_pass', 'bit', "the finishing slot is of its row's last pass").wire('b_last_pass', 'bit', 't_busy ? t_last_pass : last_pass');
  sec.wire('b_busy', 'bit', 't_busy || busy')
    .wire('b_phase', w.slotPhase, 't_busy ? t_phase : phase')
    .wire('b_pos', w.pos, 't_busy ? t_pos : pos')
    .wire('b_grp', w.grp, 't_busy ? t_grp : grp')
    .wire('b_r', w.outRow, 't_busy ? t_r : out_r')
    // The running tail steps first and a new one loads after, overriding it (a load writes t_busy and t_phase too): the
    // block reads t_busy and t_phase before it writes them (see resetLast).
    .always('posedge clk', resetLast([`t_busy <= 1'b0; t_phase <= ${k(0, w.slotPhase)}; t_pos <= ${k(0, w.pos)}; t_grp <= ${k(0, w.grp)}; t_r <= ${k(0, w.outRow)};${passes ? " t_last_pass <= 1'b0;" : ''}`], [
      // A delay fault holds the tail with the controller.
      ...held(c, [
        vIf('t_busy', [vIf(`t_phase != ${k(p.slotCycles - 1, w.slotPhase)}`, ["t_phase <= t_phase + 1'd1;"], ["t_busy <= 1'b0;"])]),
        vIf('slot_end', [`t_busy <= 1'b1; t_phase <= ${k(I, w.slotPhase)}; t_pos <= pos; t_grp <= grp; t_r <= out_r;${passes ? ' t_last_pass <= last_pass;' : ''}`]),
      ]),
    ]));
}

/** `stmts`, under `if (!f_stall)` when the layer carries a delay fault. */
function held(c: LayerContext, stmts: readonly VStmt[]): VStmt[] {
  return c.faults.delay ? [vIf('!f_stall', stmts)] : [...stmts];
}

/**
 * The slot sequencer: rows in the buffer, and phase → (ky, kx, ci) taps → (grp, pos) slots → rows. Each block reads a
 * register before it writes it, in text as well as in time (resetLast): the slot's taps branch goes first under a
 * positive test, and the counters write after they are compared. Verilator then writes them in place, not through
 * shadow copies made and committed every cycle, busy or not (perf, ie120r-mini).
 */
export function sequencer(m: VModule, c: LayerContext): void {
  const { l, p, w, N, R } = c;
  const go = c.faults.delay ? ' && !f_stall' : '';
  const step = l.inH % R;
  const zero = (name: string, bits: number) => `${name} <= ${k(0, bits)};`;
  const passes = c.passes > 1;
  const lastRow = `out_r == ${k(l.outH - 1, w.outRow)}`;
  const lastGrp = `grp == ${k(p.ocmux - 1, w.grp)}`, lastPos = `pos == ${k(p.colsPerStrip - 1, w.pos)}`;
  const lastCi = `ci == ${k(l.inC - 1, w.inChan)}`, lastKx = `kx == ${k(l.kernel - 1, w.kernel)}`;
  const sec = m.section(TITLE);
  // Under a stall fault rows arrive late, when the fault's queue says: counted here rather than by the input side.
  if (rowsArriveLate(c)) sec.always('posedge clk', resetLast([`rows_in <= ${k(w.deficit, w.have)};`], [vIf(rowArrives(c), ["rows_in <= rows_in + 1'd1;"])]));
  // The end of the frame's last output row (or pass): its rows leave the buffer, and the next frame's first row's slot.
  const frameEnd = vIf(`${lastRow}${passes ? ' && last_pass' : ''}`, [
    `rows_out <= rows_out + ${k(l.inH, w.have)};`,
    ...(framesMoveSlot(c) ? [`fslot <= (fslot >= ${k(R - step, w.slot)}) ? fslot - ${k(R - step, w.slot)} : fslot + ${k(step, w.slot)};   // + IN_H mod R`] : []),
  ]);
  sec.always('posedge clk', resetLast([
      `busy <= 1'b0; ${zero('phase', w.phase)} ${zero('pos', w.pos)} ${zero('grp', w.grp)} ${zero('out_r', w.outRow)}`,
      `${zero('ky', w.kernel)} ${zero('kx', w.kernel)} ${zero('ci', w.inChan)}${passes ? ` ${zero('r_lo', w.outRow)} ${zero('ky_lo', w.kernel)}` : ''}`,
      `${zero('rows_out', w.have)}${framesMoveSlot(c) ? ` ${zero('fslot', w.slot)}` : ''} ${nextNeed(c, null)}`.trimEnd(),
    ], [vIf(`active${go}`, [vIf(`phase != ${k(c.I - 1, w.phase)}`, [
      // The slot's taps: ci, then kx, then ky step (within a pass kx never wraps before the slot's last tap). One
      // next-value statement per counter, the last counter to be read written first.
      vIf(`phase < ${k(N - 1, w.phase)}`, [
        ...(passes ? [] : [vIf(`${lastCi} && ${lastKx}`, ["ky <= ky + 1'd1;"])]),
        vIf(lastCi, [passes ? "kx <= kx + 1'd1;" : `kx <= (${lastKx}) ? ${k(0, w.kernel)} : kx + 1'd1;`]),
        `ci <= (${lastCi}) ? ${k(0, w.inChan)} : ci + 1'd1;`,
      ]),
      "phase <= phase + 1'd1; busy <= 1'b1;",
    ], [
      // The slot's end: the next group, else the next position, else the row (or pass) is done.
      vIf(`${lastGrp} && ${lastPos}`, [
        frameEnd,
        // need_row reads out_r: written first (see above).
        ...(passes ? nextPass(c) : [`${needVaries(c) ? `need_row <= (${lastRow}) ? ${firstNeed(c)} : ${needOf(c, "out_r + 1'd1", 'ky')}; ` : ''}out_r <= (${lastRow}) ? ${k(0, w.outRow)} : out_r + 1'd1;`]),
        `busy <= 1'b0;                                     // ${passes ? 'pass' : 'row'} done: the next may start next cycle`,
      ], ["busy <= 1'b1;"]),
      vIf(lastGrp, [`pos <= (${lastPos}) ? ${k(0, w.pos)} : pos + 1'd1;`]),
      `grp <= (${lastGrp}) ? ${k(0, w.grp)} : grp + 1'd1;`,
      // A pass keeps its kernel row from slot to slot; one pass per row starts every slot at ky = 0.
      `${zero('phase', w.phase)}${passes ? '' : ` ${zero('ky', w.kernel)}`} ${zero('kx', w.kernel)} ${zero('ci', w.inChan)}`,
    ])])]));
}

/**
 * The pass after (out_r, ky), in the order of sim/timing.ts passOrder: the next row reading the same input row (ky − S,
 * while ky ≥ S), else the first pass of the next input row — (r_lo, ky_lo + 1), or (r_lo + 1, K − S) once ky_lo is
 * K − 1 — and after the frame's last pass (OUT_H − 1, K − 1) the first of the next frame. The branches that read a
 * register come before those that write it (see sequencer).
 */
function nextPass(c: LayerContext): VStmt[] {
  const { l, w } = c;
  const K = l.kernel, S = l.stride;
  const set = (r: string, ky: string, first = false) => `${nextNeed(c, first ? null : r, ky)}out_r <= ${r}; ky <= ${ky};`;
  const notLastRow = `out_r != ${k(l.outH - 1, w.outRow)}`;
  return [vIf(`${notLastRow} || !last_pass`, [
    vIf(`ky >= ${k(S, w.kernel)} && ${notLastRow}`, [set("out_r + 1'd1", `ky - ${k(S, w.kernel)}`)], [
      vIf(`ky_lo != ${k(K - 1, w.kernel)}`, [`${set('r_lo', "ky_lo + 1'd1")} ky_lo <= ky_lo + 1'd1;`],
        [`${set("r_lo + 1'd1", k(K - S, w.kernel))} r_lo <= r_lo + 1'd1; ky_lo <= ${k(K - S, w.kernel)};`]),
    ]),
  ], [`${set(k(0, w.outRow), k(0, w.kernel), true)} r_lo <= ${k(0, w.outRow)}; ky_lo <= ${k(0, w.kernel)};`])];
}
