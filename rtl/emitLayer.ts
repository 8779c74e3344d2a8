// Emits one layer's Verilog module from its spec and plan — input side, row-buffer banks, the TDM controller, ROM
// reads, ALUs (multiply, accumulate, bias + ReLU) and the output stage — cycle for cycle as the planner's cost model and
// the TS model describe. Faults (--inject) and catalogue mutants (selected at run time by mutsel) are built in here.
import { SimrunError } from '../core/errors.js';
import type { Fault } from '../core/faults.js';
import { commentText } from '../core/names.js';
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import type { LayerMutant } from './catalogueKinds.js';
import { addrBits } from './emitRom.js';
import { FADD_FN, FADD_ROUND_MUTANT, FMUL_FN, FMUL_ROUND_MUTANT, FMUL_SUBNORMAL_MUTANT } from './fpu.js';
import { VModule } from './vbuild.js';
import { layerWidths, type LayerInput } from './widths.js';

export type { LayerInput } from './widths.js';

/** `x · factor` at `bits` wide (just `x` for a factor of 1). */
function times(x: string, factor: number, bits: number): string {
  return factor === 1 ? x : `${x} * ${k(factor, bits)}`;
}

/** A sized decimal constant: `bits` wide, or wider if the value needs it (so a constant is never cut). */
function k(value: number, bits: number): string {
  return `${Math.max(bits, addrBits(value + 1))}'d${value}`;
}

/** What to build into a layer besides its function. */
export interface LayerExtras {
  /** Faults aimed at the rtl engine (bit, delay and stall are built here; weight and bias patch ROM images). */
  readonly faults?: readonly Fault[];
  /** Catalogue mutants of this layer, each active when the mutsel input equals its id. */
  readonly mutants?: readonly LayerMutant[];
  /** Width of the mutsel input (present when the design carries catalogue mutants). */
  readonly mutselWidth?: number;
  /**
   * Build bit, delay and stall faults as hooks whose values come from the simulator's command line (plusargs, see
   * `faultPlusargs`) instead of from `faults`: one build serves every fault of an investigation.
   */
  readonly runtimeFaults?: boolean;
}

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
      const k = bits.get(f.layer) ?? 0;
      if (k >= RUNTIME_BIT_FAULTS) throw new SimrunError('USAGE', `--inject: at most ${RUNTIME_BIT_FAULTS} bit faults per layer (layer ${f.layer} has more)`);
      bits.set(f.layer, k + 1);
      const m = ocmuxOf(f.layer);
      const packed = BigInt(f.row) + (BigInt(f.col) << 16n) + (BigInt(f.chan % m) << 32n) + (BigInt(Math.floor(f.chan / m) * 32 + f.bit) << 44n);
      out.push(`+rowsim_bit${f.layer}_${k}=${packed}`);
    }
  }
  return out;
}

/** `cond ? mutated : original` for each mutant of `kind` (nested), or `original` when there is none. */
function pick(mutants: readonly LayerMutant[], kind: LayerMutant['kind'], original: string, mutated: string): string {
  const m = mutants.filter((x) => x.kind === kind);
  return m.length ? `((${m.map((x) => `mutsel == ${x.id}`).join(' || ')}) ? ${mutated} : ${original})` : original;
}

/** Verilog module `rs_layer{N}` for one layer. Its weights and biases come from rs_wrom{N} / rs_brom{N}. */
export function emitLayer(l: LayerSpec, p: LayerPlan, input: LayerInput, extras: LayerExtras = {}): string {
  // The row counter is one register: a row is seen complete one cycle after its last beat. No other start latency exists.
  if (p.startLatency !== 1) throw new SimrunError('INTERNAL', `the emitted RTL starts a row 1 cycle after its input row completes, not ${p.startLatency}`);
  const mine = (extras.faults ?? []).filter((f) => f.layer === l.index);
  const bitFaults = mine.filter((f): f is Extract<Fault, { kind: 'bit' }> => f.kind === 'bit');
  const rt = extras.runtimeFaults === true;
  // With runtime faults the hooks are always there, each idle until its plusarg sets it (see faultPlusargs).
  const delay = rt ? { layer: l.index, beat: -1, cycles: -1 } : mine.find((f): f is Extract<Fault, { kind: 'delay' }> => f.kind === 'delay');
  const stall = rt ? { layer: l.index, cycles: -1 } : mine.find((f): f is Extract<Fault, { kind: 'stall' }> => f.kind === 'stall');
  const mut = extras.mutants ?? [];
  const has = (k: LayerMutant['kind']) => mut.some((x) => x.kind === k);
  const N = p.taps, D = p.drain, R = p.bufferRows, lanes = p.lanes;
  const B0 = N + D - 1; // first beat phase: the beat register is seen one cycle later, taps + drain after the slot starts
  const lastStrip = Math.floor(l.outW / p.colsPerStrip) - 1;
  const inBeats = l.inW * input.ocmux;
  const m = new VModule(`rs_layer${l.index}`, [
    `rs_layer${l.index}: ${commentText(l.name)} — ${l.kernel}x${l.kernel} stride ${l.stride} pad ${l.pad}, ${l.inH}x${l.inW}x${l.inC} → ${l.outH}x${l.outW}x${l.outC}${l.relu ? ', ReLU' : ''}.`,
    `Plan: ${p.strips} strips x ${lanes} lanes = ${p.alus} ALUs, ocmux ${p.ocmux}; slot ${N} taps + ${p.strips} beats + drain ${D} = ${p.slotCycles} cycles; ${p.cyclesPerRow} cycles per row.`,
    `Slot phases: 0..${N - 1} fetch + multiply (tap = phase), 1..${N} accumulate, ${N + 1} bias + ReLU, ${B0}..${B0 + p.strips - 1} load the beat of strip phase−${B0}.`,
    ...(mut.length ? [`Catalogue mutants (active when mutsel equals the id): ${mut.map((x) => `${x.id} ${x.kind}`).join(', ')}.`] : []),
  ]);
  m.port('input', 'clk').port('input', 'rst');
  if (extras.mutselWidth) m.port('input', 'mutsel', extras.mutselWidth);
  // Every counter, index and stream field is exactly as wide as its range: no bit is constant in operation, so each one
  // a mutation can touch is one the stream can show (and no counter wraps however long the design streams).
  const w = layerWidths(l, p, input);
  m.waive('WIDTH', 'narrow unsigned counters mix with wider expressions by design: rtl/widths.ts sizes each to its range');
  m.port('input', 'in_valid').port('input', 'in_col', w.inCol).port('input', 'in_grp', w.inGrp).port('input', 'in_data', input.lanes * 32)
    .port('output', 'out_valid', 1, 'reg').port('output', 'out_row', w.outRow, 'reg').port('output', 'out_col', w.outCol, 'reg')
    .port('output', 'out_grp', w.grp, 'reg').port('output', 'out_last', 1, 'reg').port('output', 'out_data', lanes * 32, 'reg');
  m.localparams({ IN_H: l.inH, IN_C: l.inC, OUT_H: l.outH, OUT_W: l.outW, OUT_C: l.outC }, `input width ${l.inW}: see the strip banks`)
    .localparams({ K: l.kernel, S: l.stride, P: l.pad, R })
    .localparams({ STRIPS: p.strips, WPS: p.colsPerStrip, OCMUX: p.ocmux, LANES: lanes })
    .localparams({ TAPS: N, SLOT: p.slotCycles, IN_BEATS: inBeats, IN_OCMUX: input.ocmux, IN_LANES: input.lanes });

  // Input side: count each row's beats; a row is complete after IN_BEATS of them.
  const rowEnd = pick(mut, 'pacing-off-by-one', `in_beats == ${k(inBeats - 1, w.inBeats)}`, `in_beats == ${k(Math.max(0, inBeats - 2), w.inBeats)}`);
  m.section('input side: count beats to know when a row is complete',
    `reg [${w.inBeats - 1}:0] in_beats;`,
    `reg [${w.slot - 1}:0] wslot;                                   // row-buffer slot the current input row goes to`,
    `wire       row_end = ${rowEnd};`,
    'always @(posedge clk) begin',
    '  if (rst) begin',
    `    in_beats <= ${k(0, w.inBeats)}; wslot <= ${k(0, w.slot)};`,
    '  end else if (in_valid) begin',
    '    if (row_end) begin',
    `      in_beats <= ${k(0, w.inBeats)};`,
    `      wslot <= (wslot == ${k(R - 1, w.slot)}) ? ${k(0, w.slot)} : wslot + 1'd1;`,
    '    end else begin',
    "      in_beats <= in_beats + 1'd1;",
    '    end',
    '  end',
    'end');

  // Row buffer: one bank per strip holding its input columns (halo included) of R rows.
  const strips = Array.from({ length: p.strips }, (_, st) => {
    const lo = Math.max(0, st * p.colsPerStrip * l.stride - l.pad);
    const hi = Math.min(l.inW - 1, (st * p.colsPerStrip + p.colsPerStrip - 1) * l.stride - l.pad + l.kernel - 1);
    return { st, lo, hi, used: lo <= hi, sw: lo <= hi ? hi - lo + 1 : 1 };
  });
  for (const s of strips.filter((x) => x.used)) {
    const aw = addrBits(R * s.sw * l.inC);
    const writeCond = [s.lo > 0 ? `in_col >= ${k(s.lo, w.inCol)}` : '', s.hi < l.inW - 1 ? `in_col <= ${k(s.hi, w.inCol)}` : ''].filter(Boolean).join(' && ');
    m.section(`strip ${s.st} row buffer: input columns ${s.lo}..${s.hi}, [slot][column − ${s.lo}][channel]`,
      `reg [31:0] bank${s.st} [0:${R * s.sw * l.inC - 1}];`,
      `function [${aw - 1}:0] baddr${s.st}(input [${w.slot - 1}:0] slot, input [${w.inCol - 1}:0] col, input [${w.inChan - 1}:0] ch);`,
      `  baddr${s.st} = ${times(`(${times('slot', s.sw, aw)} + col)`, l.inC, aw)} + ch;   // < ${R * s.sw * l.inC} by construction`,
      'endfunction',
      `integer li${s.st};`,
      'always @(posedge clk)',
      `  if (!rst && in_valid${writeCond ? ` && ${writeCond}` : ''})`,
      `    for (li${s.st} = 0; li${s.st} < IN_LANES; li${s.st} = li${s.st} + 1)`,
      `      bank${s.st}[baddr${s.st}(wslot, in_col${s.lo > 0 ? ` - ${k(s.lo, w.inCol)}` : ''}, ${k(input.ocmux, w.inChan)} * li${s.st}[${w.inChan - 1}:0] + in_grp)] <= in_data[li${s.st} * 32 +: 32];`);
  }

  // Controller: one output row at a time; slots of (column position, channel group). A row may start once the rows it
  // needs are in the buffer: `have` counts the current frame's rows there (each completed input row adds one, the end of
  // the frame's last output row takes IN_H away) offset by the deficit — the rows a frame can end without, which may
  // still be on their way when it ends — so it never goes below 0; `fslot` is the slot of the frame's first row.
  const QD = R + 2;
  const rowArrives = rt ? '(f_stall_on ? f_seen : in_valid && row_end)' : stall ? 'f_seen' : 'in_valid && row_end';
  if (rt) {
    m.section('FAULT HOOKS (rowsim --inject, selected at run time by plusargs; idle without them)',
      "reg [63:0] f_stall_n, f_delay_beat, f_delay_n;",
      "reg        f_stall_on, f_delay_on;",
      `reg [63:0] f_bit [0:${RUNTIME_BIT_FAULTS - 1}];`,
      `reg        f_bit_on [0:${RUNTIME_BIT_FAULTS - 1}];`,
      'integer    fk;',
      'initial begin',
      `  f_stall_on = $value$plusargs("rowsim_stall${l.index}=%d", f_stall_n) != 0;`,
      `  f_delay_on = $value$plusargs("rowsim_delay${l.index}=%d", f_delay_beat) != 0;`,
      `  if (f_delay_on && $value$plusargs("rowsim_delay${l.index}_cycles=%d", f_delay_n) == 0) f_delay_on = 1'b0;`,
      ...Array.from({ length: RUNTIME_BIT_FAULTS }, (_, i) => `  f_bit_on[${i}] = $value$plusargs("rowsim_bit${l.index}_${i}=%d", f_bit[${i}]) != 0;`),
      'end');
  }
  if (stall) {
    const n = rt ? 'f_stall_n' : `64'd${stall.cycles}`;
    m.section(rt ? 'FAULT HOOK stall: input rows are seen f_stall_n cycles after they complete' : `FAULT (rowsim --inject stall:${l.index}:${stall.cycles}): input rows are seen ${stall.cycles} cycles after they complete`,
      `reg [63:0] f_now, f_due [0:${QD - 1}];`,
      `reg [${addrBits(QD) - 1}:0] f_wp, f_rp;`,
      `wire f_seen = f_rp != f_wp && f_now >= f_due[f_rp];`,
      'always @(posedge clk) begin',
      '  if (rst) begin',
      "    f_now <= 64'd0; f_wp <= 0; f_rp <= 0;",
      '  end else begin',
      "    f_now <= f_now + 64'd1;",
      '    if (in_valid && row_end) begin',
      `      f_due[f_wp] <= f_now + ${n};`,
      `      f_wp <= (f_wp == ${QD - 1}) ? 0 : f_wp + 1'd1;`,
      '    end',
      `    if (f_seen) f_rp <= (f_rp == ${QD - 1}) ? 0 : f_rp + 1'd1;`,
      '  end',
      'end');
  }
  if (l.pad > l.kernel - 1) throw new SimrunError('INTERNAL', `layer ${l.index}: padding ${l.pad} is not below the kernel ${l.kernel}`);
  // out_r·S reaches (OUT_H − 1)·S, more than need_local holds: the comparison runs at that width.
  const nw = Math.max(w.need, addrBits((l.outH - 1) * l.stride + 1));
  const needLocal = l.inH + l.pad - l.kernel > 0
    ? `(${times('out_r', l.stride, nw)} < ${k(l.inH + l.pad - l.kernel, nw)}) ? ${times('out_r', l.stride, nw)} + ${k(l.kernel - 1 - l.pad, nw)} : ${k(l.inH - 1, nw)}`
    : k(l.inH - 1, w.need);
  m.section('controller: one output row at a time, slot by slot',
    'reg        busy;',
    `reg [${w.phase - 1}:0] phase;`,
    `reg [${w.pos - 1}:0] pos;`,
    `reg [${w.grp - 1}:0] grp;`,
    `reg [${w.outRow - 1}:0] out_r;`,
    `reg [${w.kernel - 1}:0] ky, kx;`,
    `reg [${w.inChan - 1}:0] ci;`,
    `reg [${w.have - 1}:0] have;                                 // rows of the current frame in the row buffer${w.deficit ? ` + ${w.deficit}` : ''}`,
    `reg [${w.slot - 1}:0] fslot;                                // slot of the current frame's first row`,
    '// Last input row output row out_r needs: min(out_r·S − P + K − 1, IN_H − 1).',
    `wire [${w.need - 1}:0] need_local = ${needLocal};`,
    `wire        ready = ${pick(mut, 'stall-forever', w.deficit ? `have > need_local + ${k(w.deficit, w.have)}` : 'have > need_local', "1'b0")};`,
    'wire        start_now = !busy && ready;',
    'wire        active = busy || start_now;',
    `wire [${w.tap - 1}:0] tap = ${times(`(${times('ky', l.kernel, w.tap)} + kx)`, l.inC, w.tap)} + ci;   // < TAPS while a slot runs`,
    `wire [${w.iy - 1}:0] iy = ${times('out_r', l.stride, w.iy)} + ky;                       // input row + P (P rows of padding above)`,
    `wire        row_in = ${l.pad > 0 ? `iy >= ${k(l.pad, w.iy)} && ` : ''}iy < ${k(l.pad + l.inH, w.iy + 1)};`,
    `wire [${w.slotSum - 1}:0] slot_sum = fslot + iy - ${k(l.pad, w.slotSum)};          // meaningful while row_in`,
    `wire [${w.slot - 1}:0] slot_r = ${pick(mut, 'rowbuf-addr', `slot_sum % ${k(R, w.slotSum)}`, `(slot_sum + 1'd1) % ${k(R, w.slotSum)}`)};   // < R: fits`,
    );
  const beatPhase = pick(mut, 'drain-off-by-one', k(B0, w.phase), k(B0 + 1, w.phase));
  m.section('output stage position: the strip whose beat loads this cycle',
    `wire [${w.phase - 1}:0] beat0 = ${beatPhase};                 // phase of the slot's first beat`,
    `wire        beat_now = phase >= beat0 && phase < beat0 + ${k(p.strips, w.phase + 1)};`,
    `wire [${w.ost - 1}:0] ost = ${w.ost < w.phase ? `phase[${w.ost - 1}:0] - beat0[${w.ost - 1}:0]` : 'phase - beat0'};   // meaningful while beat_now (modular: low bits suffice)`,
    `wire [${w.ocol - 1}:0] ocol = ${times('ost', p.colsPerStrip, w.ocol)} + pos;`);
  if (delay) {
    const [beat, cycles, on] = rt ? ['f_delay_beat', 'f_delay_n[31:0]', 'f_delay_on && '] : [`64'd${delay.beat}`, `32'd${delay.cycles}`, ''];
    m.section(rt ? 'FAULT HOOK delay: the FSM holds f_delay_n cycles before beat f_delay_beat' : `FAULT (rowsim --inject delay:${l.index}:${delay.beat}:${delay.cycles}): the FSM holds ${delay.cycles} cycles before beat ${delay.beat}`,
      'reg [63:0] f_beats;',
      'reg [31:0] f_hold;',
      'reg        f_fired;',
      `wire       f_stall = ${on}busy && beat_now && ocol < ${k(l.outW, w.ocol)} && f_beats == ${beat} && !f_fired && f_hold != ${cycles};`,
      'always @(posedge clk) begin',
      '  if (rst) begin',
      "    f_beats <= 64'd0; f_hold <= 32'd0; f_fired <= 1'b0;",
      '  end else begin',
      "    if (f_stall) f_hold <= f_hold + 32'd1;",
      `    else if (busy && beat_now && ocol < ${k(l.outW, w.ocol)}) begin`,
      "      f_beats <= f_beats + 64'd1;",
      `      if (f_beats == ${beat}) f_fired <= 1'b1;`,
      '    end',
      '  end',
      'end');
  }
  const step = l.inH % R;
  m.section('controller: one output row at a time, slot by slot',
    `wire        slot_end = active${delay ? ' && !f_stall' : ''} && phase == ${k(p.slotCycles - 1, w.phase)};`,
    `wire        frame_end = slot_end && grp == ${k(p.ocmux - 1, w.grp)} && pos == ${k(p.colsPerStrip - 1, w.pos)} && out_r == ${k(l.outH - 1, w.outRow)};`,
    'always @(posedge clk) begin',
    '  if (rst) begin',
    `    have <= ${k(w.deficit, w.have)}; fslot <= ${k(0, w.slot)};`,
    '  end else begin',
    `    have <= have + (${rowArrives} ? 1'd1 : 1'd0) - (frame_end ? ${k(l.inH, w.have)} : ${k(0, w.have)});`,
    `    if (frame_end) fslot <= ${step === 0 ? 'fslot' : `(fslot >= ${k(R - step, w.slot)}) ? fslot - ${k(R - step, w.slot)} : fslot + ${k(step, w.slot)}`};   // + IN_H mod R`,
    '  end',
    'end',
    'always @(posedge clk) begin',
    '  if (rst) begin',
    `    busy <= 1'b0; phase <= ${k(0, w.phase)}; pos <= ${k(0, w.pos)}; grp <= ${k(0, w.grp)}; out_r <= ${k(0, w.outRow)};`,
    `    ky <= ${k(0, w.kernel)}; kx <= ${k(0, w.kernel)}; ci <= ${k(0, w.inChan)};`,
    `  end else if (active${delay ? ' && !f_stall' : ''}) begin`,
    '    if (slot_end) begin',
    `      phase <= ${k(0, w.phase)}; ky <= ${k(0, w.kernel)}; kx <= ${k(0, w.kernel)}; ci <= ${k(0, w.inChan)};`,
    `      if (grp == ${k(p.ocmux - 1, w.grp)}) begin`,
    `        grp <= ${k(0, w.grp)};`,
    `        if (pos == ${k(p.colsPerStrip - 1, w.pos)}) begin`,
    `          pos <= ${k(0, w.pos)};`,
    "          busy <= 1'b0;                                     // row done: the next may start next cycle",
    `          out_r <= (out_r == ${k(l.outH - 1, w.outRow)}) ? ${k(0, w.outRow)} : out_r + 1'd1;`,
    '        end else begin',
    "          pos <= pos + 1'd1; busy <= 1'b1;",
    '        end',
    '      end else begin',
    "        grp <= grp + 1'd1; busy <= 1'b1;",
    '      end',
    '    end else begin',
    "      phase <= phase + 1'd1; busy <= 1'b1;",
    `      if (phase < ${k(N - 1, w.phase)}) begin`,
    `        if (ci == ${k(l.inC - 1, w.inChan)}) begin`,
    `          ci <= ${k(0, w.inChan)};`,
    `          if (kx == ${k(l.kernel - 1, w.kernel)}) begin kx <= ${k(0, w.kernel)}; ky <= ky + 1'd1; end`,
    "          else kx <= kx + 1'd1;",
    "        end else ci <= ci + 1'd1;",
    '      end',
    '    end',
    '  end',
    'end');

  // ROMs: this cycle's weights of every lane (tap, grp) and the biases of grp.
  const wbase = pick(mut, 'wrom-addr', `${times('tap', l.outC, w.wbase)} + grp`, `${times("(tap + 1'd1)", l.outC, w.wbase)} + grp`);
  m.section('weights and biases: rs_wrom / rs_brom read every lane at once',
    `wire [${w.wbase - 1}:0] wbase = ${wbase};`,
    `wire [${lanes * 18 - 1}:0] wvec;`,
    `wire [${lanes * 32 - 1}:0] bvec;`,
    `rs_wrom${l.index} u_wrom (.base(wbase), .w(wvec));`,
    `rs_brom${l.index} u_brom (.grp(grp), .b(bvec));`);
  // Floating-point units: functions every ALU calls (one shared routine each), plus mutated copies when mutants need them.
  const relu = `biasRelu = ${l.relu ? "v[31] ? 32'd0 : v;                   // ReLU by the sign bit: negatives and -0 become +0" : 'v;                                      // no ReLU on this layer'}`;
  m.section('floating-point units (rtl/fpu.ts) and the final stage', FMUL_FN, FADD_FN,
    'function [31:0] biasRelu(input [31:0] v);', `  ${relu}`, 'endfunction');
  if (has('mul-round')) m.section('floating-point units (rtl/fpu.ts) and the final stage', FMUL_ROUND_MUTANT);
  if (has('subnormal-round')) m.section('floating-point units (rtl/fpu.ts) and the final stage', FMUL_SUBNORMAL_MUTANT);
  if (has('add-round')) m.section('floating-point units (rtl/fpu.ts) and the final stage', FADD_ROUND_MUTANT);
  if (has('relu-last')) m.section('floating-point units (rtl/fpu.ts) and the final stage', 'function [31:0] reluAlways(input [31:0] v);', "  reluAlways = v[31] ? 32'd0 : v;", 'endfunction');

  // ALUs: strip st computes column st·WPS + pos; lane j computes channel j·OCMUX + grp.
  const mulExpr = (x: string) => {
    let e = `fmul(w, ${x})`;
    e = pick(mut, 'mul-round', e, `fmul_round(w, ${x})`);
    return pick(mut, 'subnormal-round', e, `fmul_subn(w, ${x})`);
  };
  const addFn = (a: string, b: string) => pick(mut, 'add-round', `fadd(${a}, ${b})`, `fadd_round(${a}, ${b})`);
  m.section('ALUs: registers of every strip and lane',
    'reg [31:0] p_reg [0:STRIPS*LANES-1];',
    'reg [31:0] acc   [0:STRIPS*LANES-1];',
    'reg [31:0] res   [0:STRIPS*LANES-1];',
    'genvar gj;');
  for (const s of strips) {
    const ixMax = (s.st * p.colsPerStrip + p.colsPerStrip - 1) * l.stride + l.kernel - 1;   // the strip's last kernel column
    const readCond = s.used ? ['row_in', l.pad + s.lo > 0 ? `ix_s${s.st} >= ${k(l.pad + s.lo, w.ix)}` : '', ixMax > l.pad + s.hi ? `ix_s${s.st} <= ${k(l.pad + s.hi, w.ix)}` : ''].filter(Boolean).join(' && ') : "1'b0";
    const i = `${s.st * lanes}+gj`;
    const load = pick(mut, 'bias-first', `p_reg[${i}]`, addFn('bias', `p_reg[${i}]`));
    const accumulating = `phase >= ${k(1, w.phase)} && phase <= ${k(N, w.phase)}`;
    const accEnable = has('pad-skip') ? `${accumulating} && !((${mut.filter((x) => x.kind === 'pad-skip').map((x) => `mutsel == ${x.id}`).join(' || ')}) && pad_q_s${s.st})` : accumulating;
    const biased = pick(mut, 'bias-first', addFn(`acc[${i}]`, 'bias'), `acc[${i}]`);
    m.section(`strip ${s.st}: column ${s.st * p.colsPerStrip} + pos`,
      `wire [${w.ix - 1}:0] ix_s${s.st} = ${times(s.st * p.colsPerStrip > 0 ? `(${k(s.st * p.colsPerStrip, w.ix)} + pos)` : 'pos', l.stride, w.ix)} + kx;   // input column + P`,
      `wire        in_s${s.st} = ${readCond};`,
      ...(s.used ? [`wire [${w.inCol - 1}:0] bc_s${s.st} = ix_s${s.st}${w.ix > w.inCol ? `[${w.inCol - 1}:0]` : ''}${l.pad + s.lo > 0 ? ` - ${k(l.pad + s.lo, w.inCol)}` : ''};   // bank column while in_s${s.st} (modular: low bits suffice)`] : []),
      `wire [31:0] x_s${s.st} = ${s.used ? `in_s${s.st} ? bank${s.st}[baddr${s.st}(slot_r, bc_s${s.st}, ci)] : 32'd0` : "32'd0"};   // padding taps see +0`,
      ...(has('pad-skip') ? [`reg pad_q_s${s.st};                                      // the tap now in p_reg was padding`, `always @(posedge clk) if (active && phase < ${k(N, w.phase)}) pad_q_s${s.st} <= !in_s${s.st};`] : []),
      'generate',
      `  for (gj = 0; gj < LANES; gj = gj + 1) begin : g_lane_s${s.st}`,
      "    wire [31:0] w = {wvec[gj * 18 +: 18], 14'd0};",
      '    wire [31:0] bias = bvec[gj * 32 +: 32];',
      '    always @(posedge clk) begin',
      `      if (active && phase < ${k(N, w.phase)}) p_reg[${i}] <= ${mulExpr(`x_s${s.st}`)};`,
      `      if (${accEnable}) acc[${i}] <= (phase == ${k(1, w.phase)}) ? ${load} : ${addFn(`acc[${i}]`, `p_reg[${i}]`)};`,
      `      if (phase == ${k(N + 1, w.phase)}) res[${i}] <= ${pick(mut, 'relu-last', `biasRelu(${biased})`, `reluAlways(${biased})`)};`,
      '    end',
      '  end',
      'endgenerate');
  }

  // Output stage: one strip's lanes per cycle during the beat phases (idle strips send nothing).
  const lane = (j: number) => (has('swap-lanes') && (j === 0 || j === 1) ? pick(mut, 'swap-lanes', `res[ost * LANES + ${j}]`, `res[ost * LANES + ${1 - j}]`) : `res[ost * LANES + ${j}]`);
  m.section(`output stage: beats during phases beat0 .. beat0 + STRIPS − 1 (taps + drain − 1 onwards)`,
    'integer oj;',
    'always @(posedge clk) begin',
    '  if (rst) begin',
    `    out_valid <= 1'b0; out_row <= ${k(0, w.outRow)}; out_col <= ${k(0, w.outCol)}; out_grp <= ${k(0, w.grp)}; out_last <= 1'b0; out_data <= ${lanes * 32}'d0;`,
    `  end else if (busy && beat_now${delay ? ' && !f_stall' : ''}) begin`,
    `    out_valid <= ocol < ${k(l.outW, w.ocol)};`,
    `    out_row <= out_r; out_col <= ocol[${w.outCol - 1}:0]; out_grp <= grp;`,
    `    out_last <= out_r == ${k(l.outH - 1, w.outRow)} && pos == ${k(p.colsPerStrip - 1, w.pos)} && grp == ${k(p.ocmux - 1, w.grp)} && ost == ${k(lastStrip, w.ost)};`,
    ...(has('swap-lanes')
      ? [`    for (oj = 2; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];`, `    out_data[0 +: 32] <= ${lane(0)};`, `    out_data[32 +: 32] <= ${lane(1)};`]
      : ['    for (oj = 0; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];']),
    ...(rt ? [
      `    for (fk = 0; fk < ${RUNTIME_BIT_FAULTS}; fk = fk + 1)   // FAULT HOOKS bit: row, col, group, lane·32 + bit packed in f_bit`,
      '      if (f_bit_on[fk] && out_r == f_bit[fk][15:0] && ocol == f_bit[fk][31:16] && grp == f_bit[fk][43:32])',
      '        out_data[f_bit[fk][60:44]] <= ~res[ost * LANES + f_bit[fk][60:49]][f_bit[fk][48:44]];',
    ] : []),
    ...bitFaults.map((f) => `    if (out_r == ${k(f.row, w.outRow)} && ocol == ${k(f.col, w.ocol)} && grp == ${k(f.chan % p.ocmux, w.grp)}) out_data[${Math.floor(f.chan / p.ocmux) * 32 + f.bit}] <= ~res[ost * LANES + ${Math.floor(f.chan / p.ocmux)}][${f.bit}];   // FAULT (rowsim --inject bit:${f.layer}:${f.row}:${f.col}:${f.chan}:${f.bit})`),
    '  end else begin',
    "    out_valid <= 1'b0; out_last <= 1'b0;",
    '  end',
    'end');
  return m.render();
}
