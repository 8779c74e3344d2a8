// The layer's module shell (header, ports, constants) and its input side: a beat counter that finds the end of each
// input row, and one row-buffer bank per strip holding its input columns (halo included) of R rows.
import { LAYER_SIGNALS, layerModules } from '../../core/layerSignals.js';
import { commentText } from '../../core/names.js';
import { vIf, VModule, type VStmt } from '../../core/vbuild.js';
import { addrBits } from '../emitRom.js';
import type { LayerContext, StripBank } from './context.js';
import { rowsArriveLate } from './faultHooks.js';
import { k, times } from './literals.js';
import { resetLast } from './resetLast.js';

/** `rs_layer{N}` with its header, ports and named constants. */
export function layerModule(c: LayerContext): VModule {
  const { l, p, w, N, B0, lanes, input } = c;
  const m = new VModule(layerModules(l.index).layer, [
    `${layerModules(l.index).layer}: ${commentText(l.name)} — ${l.kernel}x${l.kernel} stride ${l.stride} pad ${l.pad}, ${l.inH}x${l.inW}x${l.inC} → ${l.outH}x${l.outW}x${l.outC}${l.relu ? ', ReLU' : ''}.`,
    `Plan: ${p.strips} strips x ${lanes} lanes = ${p.alus} ALUs, ocmux ${p.ocmux}; slot ${N} taps + ${p.strips} beats + drain ${c.D} = ${p.slotCycles} cycles; ${p.cyclesPerRow} cycles per row.`,
    ...(c.I < p.slotCycles ? [`Pipelined slots: one starts every ${c.I} cycles; the slot tail runs phases ${c.I}..${p.slotCycles - 1} of the previous slot meanwhile.`] : []),
    ...(c.passes > 1 ? [`Kernel-row passes: each row runs ${c.passes} passes (ky = 0..${c.passes - 1}), each as soon as the input row it reads is in; partial sums of ${c.Q} row(s) wait between them.`] : []),
    `Slot phases: 0..${N - 1} fetch + multiply (tap = phase), 1..${N} accumulate, ${N + 1} bias + ReLU, ${B0}..${B0 + p.strips - 1} load the beat of strip phase−${B0}.`,
    ...(c.v.any ? [`Catalogue mutants (active when mutsel equals the id): ${c.v.list().map((x) => `${x.id} ${x.kind}`).join(', ')}.`] : []),
  ]);
  m.port('input', 'clk').port('input', 'rst');
  if (c.mutselWidth) m.port('input', LAYER_SIGNALS.mutantSelect, c.mutselWidth);
  // Every counter, index and stream field is exactly as wide as its range: no bit is constant in operation, so each one
  // a mutation can touch is one the stream can show (and no counter wraps however long the design streams).
  m.waive('WIDTH', 'narrow unsigned counters mix with wider expressions by design: rtl/widths.ts sizes each to its range');
  m.port('input', 'in_valid').port('input', 'in_col', w.inCol).port('input', 'in_grp', w.inGrp).port('input', 'in_data', input.lanes * 32)
    .port('output', 'out_valid', 1, 'reg').port('output', 'out_row', w.outRow, 'reg').port('output', 'out_col', w.outCol, 'reg')
    .port('output', 'out_grp', w.grp, 'reg').port('output', 'out_last', 1, 'reg').port('output', 'out_data', lanes * 32, 'reg');
  return m.localparams({ IN_H: l.inH, IN_C: l.inC, OUT_H: l.outH, OUT_W: l.outW, OUT_C: l.outC }, `input width ${l.inW}: see the strip banks`)
    .localparams({ K: l.kernel, S: l.stride, P: l.pad, R: c.R })
    .localparams({ STRIPS: p.strips, WPS: p.colsPerStrip, OCMUX: p.ocmux, LANES: lanes })
    .localparams({ TAPS: N, SLOT: p.slotCycles, ...(c.I < p.slotCycles ? { INTERVAL: c.I } : {}), ...(p.minRowGap > 0 ? { MIN_ROW_GAP: p.minRowGap } : {}), IN_BEATS: c.inBeats, IN_OCMUX: input.ocmux, IN_LANES: input.lanes });
}

/**
 * Counts each row's beats; a row is complete after IN_BEATS of them, and goes to the next row-buffer slot. One clocked
 * block writes the beat into its strip's bank and then steps the counters: the bank address reads wslot before (in
 * text) the block writes it, so Verilator writes wslot and in_beats in place instead of through shadow copies made and
 * committed every cycle, as it did while each bank had a block of its own (ie120r-mini: 44 shadows, about 6 % of a frame).
 */
export function inputSide(m: VModule, c: LayerContext): void {
  const { w, R, inBeats } = c;
  const rowEnd = c.v.pick('pacing-off-by-one', `in_beats == ${k(inBeats - 1, w.inBeats)}`, `in_beats == ${k(Math.max(0, inBeats - 2), w.inBeats)}`);
  // Rows count as arrived as they complete, here, unless a stall fault delays them (then the controller counts them).
  const counted = !rowsArriveLate(c);
  m.section('input side: count beats to know when a row is complete')
    .reg('in_beats', w.inBeats)
    .reg('wslot', w.slot, 'row-buffer slot the current input row goes to')
    .reg('rows_in', w.have, `input rows arrived${w.deficit ? ` + ${w.deficit}` : ''}, modulo 2^${w.have} (the controller's have = rows_in − rows_out)`);
  // A stall fault's queue reads the row's end as a wire.
  if (!counted) m.section('input side: count beats to know when a row is complete').wire('row_end', 'bit', rowEnd);
  const used = c.strips.filter((x) => x.used);
  const writes = used.map((s) => stripBank(m, c, s));
  m.section('input side: each beat into its strip\'s bank, then the beat count')
    // The banks are not reset (a row is read only after it is written), so their writes test !rst; wslot steps before
    // in_beats is written: the row's end reads in_beats (see resetLast). Written out rather than read from row_end, so
    // an idle cycle computes nothing of it (Verilator computes a wire every cycle).
    .always('posedge clk', resetLast([`in_beats <= ${k(0, w.inBeats)}; wslot <= ${k(0, w.slot)};${counted ? ` rows_in <= ${k(w.deficit, w.have)};` : ''}`], [vIf('in_valid', [
      ...writes,
      vIf(rowEnd, [`wslot <= (wslot == ${k(R - 1, w.slot)}) ? ${k(0, w.slot)} : wslot + 1'd1;`, ...(counted ? ["rows_in <= rows_in + 1'd1;"] : [])]),
      `in_beats <= (${rowEnd}) ? ${k(0, w.inBeats)} : in_beats + 1'd1;`,
    ])], used.map((s) => `bank${s.st}`)));
}

/**
 * Strip `s`'s bank: one word per input beat, [slot][column − lo][group], holding every lane's channel (lane j at bits
 * 32j..), written whole — a memory with one write port, as block or LUT RAM has, not one port per lane (which only
 * flip-flops can build, and which Verilator tracks per lane and cycle, written or not). Fed one lane a beat, a group is a
 * channel and a word is 32 bits. The datapath picks a tap's lane out of the word it reads (rtl/layer/datapath.ts).
 * Declares the bank and its address function; returns the write, for the input side's block (under its in_valid).
 */
function stripBank(m: VModule, c: LayerContext, s: StripBank): VStmt {
  const { l, w, R, input } = c;
  const words = R * s.sw * input.ocmux;
  const aw = addrBits(words);
  const writeCond = [s.lo > 0 ? `in_col >= ${k(s.lo, w.inCol)}` : '', s.hi < l.inW - 1 ? `in_col <= ${k(s.hi, w.inCol)}` : ''].filter(Boolean).join(' && ');
  const col = `in_col${s.lo > 0 ? ` - ${k(s.lo, w.inCol)}` : ''}`;
  const enable = `!rst${writeCond ? ` && ${writeCond}` : ''}`;   // within the input side's in_valid
  m.section(`strip ${s.st} row buffer: input columns ${s.lo}..${s.hi}, [slot][column − ${s.lo}][group], ${input.lanes > 1 ? `${input.lanes} channels` : 'one channel'} a word`)
    .memory(`bank${s.st}`, input.lanes * 32, words)
    .func(`[${aw - 1}:0] baddr${s.st}(input [${w.slot - 1}:0] slot, input [${w.inCol - 1}:0] col, input [${w.inGrp - 1}:0] g)`,
      `baddr${s.st} = ${times(`(${times('slot', s.sw, aw)} + col)`, input.ocmux, aw)} + g;   // < ${words} by construction`);
  return vIf(enable, [`bank${s.st}[baddr${s.st}(wslot, ${col}, in_grp)] <= in_data;`]);
}
