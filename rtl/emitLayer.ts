// Emits one layer's Verilog module from its spec and plan — input side, row-buffer banks, the TDM controller, ROM
// reads, ALUs (multiply, accumulate, bias + ReLU) and the output stage — cycle for cycle as the planner's cost model and
// the TS model describe. Faults (--inject) and catalogue mutants (selected at run time by mutsel) are built in here.
import { SimrunError } from '../core/errors.js';
import type { Fault } from '../core/faults.js';
import { commentText } from '../core/names.js';
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import type { LayerMutant } from './catalogue.js';
import { addrBits } from './emitRom.js';
import { FADD_FN, FADD_ROUND_MUTANT, FMUL_FN, FMUL_ROUND_MUTANT, FMUL_SUBNORMAL_MUTANT } from './fpu.js';
import { VModule } from './vbuild.js';

/** Channel groups of the stream feeding a layer (1 for the top input). */
export interface LayerInput {
  readonly lanes: number;
  readonly ocmux: number;
}

/** What to build into a layer besides its function. */
export interface LayerExtras {
  /** Faults aimed at the rtl engine (bit, delay and stall are built here; weight and bias patch ROM images). */
  readonly faults?: readonly Fault[];
  /** Catalogue mutants of this layer, each active when the mutsel input equals its id. */
  readonly mutants?: readonly LayerMutant[];
  /** Width of the mutsel input (present when the design carries catalogue mutants). */
  readonly mutselWidth?: number;
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
  const delay = mine.find((f): f is Extract<Fault, { kind: 'delay' }> => f.kind === 'delay');
  const stall = mine.find((f): f is Extract<Fault, { kind: 'stall' }> => f.kind === 'stall');
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
  m.port('input', 'in_valid').port('input', 'in_col', 32).port('input', 'in_grp', 32).port('input', 'in_data', input.lanes * 32)
    .port('output', 'out_valid', 1, 'reg').port('output', 'out_row', 32, 'reg').port('output', 'out_col', 32, 'reg')
    .port('output', 'out_grp', 32, 'reg').port('output', 'out_last', 1, 'reg').port('output', 'out_data', lanes * 32, 'reg');
  m.localparams({ IN_H: l.inH, IN_C: l.inC, OUT_H: l.outH, OUT_W: l.outW, OUT_C: l.outC }, `input width ${l.inW}: see the strip banks`)
    .localparams({ K: l.kernel, S: l.stride, P: l.pad, R })
    .localparams({ STRIPS: p.strips, WPS: p.colsPerStrip, OCMUX: p.ocmux, LANES: lanes })
    .localparams({ TAPS: N, SLOT: p.slotCycles, IN_BEATS: inBeats, IN_OCMUX: input.ocmux, IN_LANES: input.lanes });

  // Input side: count each row's beats; a row is complete after IN_BEATS of them.
  const rowEnd = pick(mut, 'pacing-off-by-one', 'in_beats == IN_BEATS - 1', 'in_beats == IN_BEATS - 2');
  m.section('input side: count beats to know when a row is complete',
    'reg [31:0] in_beats, rows_done, wslot;',
    `wire       row_end = ${rowEnd};`,
    'always @(posedge clk) begin',
    '  if (rst) begin',
    "    in_beats <= 32'd0; rows_done <= 32'd0; wslot <= 32'd0;",
    '  end else if (in_valid) begin',
    '    if (row_end) begin',
    "      in_beats <= 32'd0;",
    "      rows_done <= rows_done + 32'd1;",
    "      wslot <= (wslot == R - 1) ? 32'd0 : wslot + 32'd1;",
    '    end else begin',
    "      in_beats <= in_beats + 32'd1;",
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
    const writeCond = [s.lo > 0 ? `in_col >= ${s.lo}` : '', s.hi < l.inW - 1 ? `in_col <= ${s.hi}` : ''].filter(Boolean).join(' && ');
    m.section(`strip ${s.st} row buffer: input columns ${s.lo}..${s.hi}, [slot][column − ${s.lo}][channel]`,
      `reg [31:0] bank${s.st} [0:${R * s.sw * l.inC - 1}];`,
      `function [${aw - 1}:0] baddr${s.st}(input [31:0] slot, input [31:0] col, input [31:0] ch);`,
      '  /* verilator lint_off UNUSEDSIGNAL */',
      `  reg [31:0] a;                                           // fits ${aw} bits by construction`,
      '  /* verilator lint_on UNUSEDSIGNAL */',
      '  begin',
      `    a = (slot * ${s.sw} + col) * IN_C + ch;`,
      `    baddr${s.st} = a[${aw - 1}:0];`,
      '  end',
      'endfunction',
      `integer li${s.st};`,
      'always @(posedge clk)',
      `  if (!rst && in_valid${writeCond ? ` && ${writeCond}` : ''})`,
      `    for (li${s.st} = 0; li${s.st} < IN_LANES; li${s.st} = li${s.st} + 1)`,
      `      bank${s.st}[baddr${s.st}(wslot, in_col${s.lo > 0 ? ` - ${s.lo}` : ''}, li${s.st} * IN_OCMUX + in_grp)] <= in_data[li${s.st} * 32 +: 32];`);
  }

  // Controller: one output row at a time; slots of (column position, channel group).
  const QD = R + 2;
  if (stall) {
    m.section(`FAULT (rowsim --inject stall:${l.index}:${stall.cycles}): input rows are seen ${stall.cycles} cycles after they complete`,
      `reg [63:0] f_now, f_due [0:${QD - 1}];`,
      'reg [31:0] f_wp, f_rp, rows_seen;',
      'always @(posedge clk) begin',
      '  if (rst) begin',
      "    f_now <= 64'd0; f_wp <= 32'd0; f_rp <= 32'd0; rows_seen <= 32'd0;",
      '  end else begin',
      "    f_now <= f_now + 64'd1;",
      '    if (in_valid && row_end) begin',
      `      f_due[f_wp[${addrBits(QD) - 1}:0]] <= f_now + 64'd${stall.cycles};`,
      `      f_wp <= (f_wp == ${QD - 1}) ? 32'd0 : f_wp + 32'd1;`,
      '    end',
      `    if (f_rp != f_wp && f_now >= f_due[f_rp[${addrBits(QD) - 1}:0]]) begin`,
      "      rows_seen <= rows_seen + 32'd1;",
      `      f_rp <= (f_rp == ${QD - 1}) ? 32'd0 : f_rp + 32'd1;`,
      '    end',
      '  end',
      'end');
  }
  const needLocal = l.inH + l.pad - l.kernel > 0 ? `(out_r * S < ${l.inH + l.pad - l.kernel}) ? out_r * S + ${l.kernel - 1 - l.pad} : 32'd${l.inH - 1}` : `32'd${l.inH - 1}`;
  m.section('controller: one output row at a time, slot by slot',
    'reg        busy;',
    'reg [31:0] phase, pos, grp, out_r, fbase, ky, kx, ci;',
    '// Last input row output row out_r needs: min(out_r·S − P + K − 1, IN_H − 1).',
    `wire [31:0] need_local = ${needLocal};`,
    `wire        ready = ${pick(mut, 'stall-forever', `${stall ? 'rows_seen' : 'rows_done'} > fbase + need_local`, "1'b0")};`,
    'wire        start_now = !busy && ready;',
    'wire        active = busy || start_now;',
    '/* verilator lint_off UNUSEDSIGNAL */',
    'wire [31:0] tap = (ky * K + kx) * IN_C + ci;              // < TAPS while a slot runs',
    '/* verilator lint_on UNUSEDSIGNAL */',
    'wire [31:0] iy = out_r * S + ky;                          // input row + P (unsigned: P rows of padding above)',
    `wire        row_in = ${l.pad > 0 ? 'iy >= P && ' : ''}iy < P + IN_H;`,
    `wire [31:0] slot_r = ${pick(mut, 'rowbuf-addr', '(fbase + iy - P) % R', '(fbase + iy - P + 1) % R')};`);
  const beatPhase = pick(mut, 'drain-off-by-one', `${B0}`, `${B0 + 1}`);
  m.section('output stage position: the strip whose beat loads this cycle',
    `wire [31:0] beat0 = ${beatPhase};                              // phase of the slot's first beat`,
    'wire [31:0] ost = phase - beat0;',
    'wire [31:0] ocol = ost * WPS + pos;');
  if (delay) {
    m.section(`FAULT (rowsim --inject delay:${l.index}:${delay.beat}:${delay.cycles}): the FSM holds ${delay.cycles} cycles before beat ${delay.beat}`,
      'reg [63:0] f_beats;',
      'reg [31:0] f_hold;',
      'reg        f_fired;',
      `wire       f_stall = busy && phase >= beat0 && phase < beat0 + STRIPS && ocol < OUT_W && f_beats == 64'd${delay.beat} && !f_fired && f_hold != 32'd${delay.cycles};`,
      'always @(posedge clk) begin',
      '  if (rst) begin',
      "    f_beats <= 64'd0; f_hold <= 32'd0; f_fired <= 1'b0;",
      '  end else begin',
      "    if (f_stall) f_hold <= f_hold + 32'd1;",
      '    else if (busy && phase >= beat0 && phase < beat0 + STRIPS && ocol < OUT_W) begin',
      "      f_beats <= f_beats + 64'd1;",
      `      if (f_beats == 64'd${delay.beat}) f_fired <= 1'b1;`,
      '    end',
      '  end',
      'end');
  }
  m.section('controller: one output row at a time, slot by slot',
    'always @(posedge clk) begin',
    '  if (rst) begin',
    "    busy <= 1'b0; phase <= 32'd0; pos <= 32'd0; grp <= 32'd0; out_r <= 32'd0; fbase <= 32'd0;",
    "    ky <= 32'd0; kx <= 32'd0; ci <= 32'd0;",
    `  end else if (active${delay ? ' && !f_stall' : ''}) begin`,
    '    if (phase == SLOT - 1) begin',
    "      phase <= 32'd0; ky <= 32'd0; kx <= 32'd0; ci <= 32'd0;",
    '      if (grp == OCMUX - 1) begin',
    "        grp <= 32'd0;",
    '        if (pos == WPS - 1) begin',
    "          pos <= 32'd0;",
    "          busy <= 1'b0;                                     // row done: the next may start next cycle",
    "          if (out_r == OUT_H - 1) begin out_r <= 32'd0; fbase <= fbase + IN_H; end",
    "          else out_r <= out_r + 32'd1;",
    '        end else begin',
    "          pos <= pos + 32'd1; busy <= 1'b1;",
    '        end',
    '      end else begin',
    "        grp <= grp + 32'd1; busy <= 1'b1;",
    '      end',
    '    end else begin',
    "      phase <= phase + 32'd1; busy <= 1'b1;",
    '      if (phase < TAPS - 1) begin',
    '        if (ci == IN_C - 1) begin',
    "          ci <= 32'd0;",
    "          if (kx == K - 1) begin kx <= 32'd0; ky <= ky + 32'd1; end",
    "          else kx <= kx + 32'd1;",
    "        end else ci <= ci + 32'd1;",
    '      end',
    '    end',
    '  end',
    'end');

  // ROMs: this cycle's weights of every lane (tap, grp) and the biases of grp.
  const waw = addrBits(N * l.outC), gw = addrBits(p.ocmux);
  const wbase = pick(mut, 'wrom-addr', 'tap * OUT_C + grp', '(tap + 1) * OUT_C + grp');
  m.section('weights and biases: rs_wrom / rs_brom read every lane at once',
    '/* verilator lint_off UNUSEDSIGNAL */',
    `wire [31:0] wbase_full = ${wbase};`,
    '/* verilator lint_on UNUSEDSIGNAL */',
    `wire [${lanes * 18 - 1}:0] wvec;`,
    `wire [${lanes * 32 - 1}:0] bvec;`,
    `rs_wrom${l.index} u_wrom (.base(wbase_full[${waw - 1}:0]), .w(wvec));`,
    `rs_brom${l.index} u_brom (.grp(grp[${gw - 1}:0]), .b(bvec));`);

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
    const readCond = s.used ? ['row_in', l.pad + s.lo > 0 ? `ix_s${s.st} >= ${l.pad + s.lo}` : '', `ix_s${s.st} <= ${l.pad + s.hi}`].filter(Boolean).join(' && ') : "1'b0";
    const i = `${s.st * lanes}+gj`;
    const load = pick(mut, 'bias-first', `p_reg[${i}]`, addFn('bias', `p_reg[${i}]`));
    const accEnable = has('pad-skip') ? `phase >= 1 && phase <= TAPS && !((${mut.filter((x) => x.kind === 'pad-skip').map((x) => `mutsel == ${x.id}`).join(' || ')}) && pad_q_s${s.st})` : 'phase >= 1 && phase <= TAPS';
    const biased = pick(mut, 'bias-first', addFn(`acc[${i}]`, 'bias'), `acc[${i}]`);
    m.section(`strip ${s.st}: column ${s.st * p.colsPerStrip} + pos`,
      `wire [31:0] ix_s${s.st} = (${s.st * p.colsPerStrip} + pos) * S + kx;   // input column + P`,
      `wire        in_s${s.st} = ${readCond};`,
      `wire [31:0] x_s${s.st} = ${s.used ? `in_s${s.st} ? bank${s.st}[baddr${s.st}(slot_r, ix_s${s.st} - ${l.pad + s.lo}, ci)] : 32'd0` : "32'd0"};   // padding taps see +0`,
      ...(has('pad-skip') ? [`reg pad_q_s${s.st};                                      // the tap now in p_reg was padding`, `always @(posedge clk) if (active && phase < TAPS) pad_q_s${s.st} <= !in_s${s.st};`] : []),
      'generate',
      `  for (gj = 0; gj < LANES; gj = gj + 1) begin : g_lane_s${s.st}`,
      "    wire [31:0] w = {wvec[gj * 18 +: 18], 14'd0};",
      '    wire [31:0] bias = bvec[gj * 32 +: 32];',
      '    always @(posedge clk) begin',
      `      if (active && phase < TAPS) p_reg[${i}] <= ${mulExpr(`x_s${s.st}`)};`,
      `      if (${accEnable}) acc[${i}] <= (phase == 1) ? ${load} : ${addFn(`acc[${i}]`, `p_reg[${i}]`)};`,
      `      if (phase == TAPS + 1) res[${i}] <= ${pick(mut, 'relu-last', `biasRelu(${biased})`, `reluAlways(${biased})`)};`,
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
    `    out_valid <= 1'b0; out_row <= 32'd0; out_col <= 32'd0; out_grp <= 32'd0; out_last <= 1'b0; out_data <= ${lanes * 32}'d0;`,
    `  end else if (busy && phase >= beat0 && phase < beat0 + STRIPS${delay ? ' && !f_stall' : ''}) begin`,
    '    out_valid <= ocol < OUT_W;',
    '    out_row <= out_r; out_col <= ocol; out_grp <= grp;',
    `    out_last <= out_r == OUT_H - 1 && pos == WPS - 1 && grp == OCMUX - 1 && ost == ${lastStrip};`,
    ...(has('swap-lanes')
      ? [`    for (oj = 2; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];`, `    out_data[0 +: 32] <= ${lane(0)};`, `    out_data[32 +: 32] <= ${lane(1)};`]
      : ['    for (oj = 0; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];']),
    ...bitFaults.map((f) => `    if (out_r == ${f.row} && ocol == ${f.col} && grp == ${f.chan % p.ocmux}) out_data[${Math.floor(f.chan / p.ocmux) * 32 + f.bit}] <= ~res[ost * LANES + ${Math.floor(f.chan / p.ocmux)}][${f.bit}];   // FAULT (rowsim --inject bit:${f.layer}:${f.row}:${f.col}:${f.chan}:${f.bit})`),
    '  end else begin',
    "    out_valid <= 1'b0; out_last <= 1'b0;",
    '  end',
    'end');
  return m.render();
}
