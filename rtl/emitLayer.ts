// Emits one layer's Verilog module from its spec and plan: row buffer, TDM control, ALUs (multiply, accumulate,
// bias + ReLU) and output beats, cycle for cycle as the planner's cost model and the TS model describe.
import { SimrunError } from '../core/errors.js';
import type { Fault } from '../core/faults.js';
import { commentText } from '../core/names.js';
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { FADD_FN, FMUL_FN } from './fpu.js';

/** Channel groups of the stream feeding a layer (1 for the top input). */
export interface LayerInput {
  readonly lanes: number;
  readonly ocmux: number;
}

function bits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

/**
 * Verilog module `rs_layer{N}` for one layer. Weights and bias load with $readmemh from weight{N}.memh/bias{N}.memh.
 * `faults` (bit, delay, stall aimed at this layer) are built in as real design bugs.
 */
export function emitLayer(l: LayerSpec, p: LayerPlan, input: LayerInput, faults: readonly Fault[] = []): string {
  // The row counter is one register: a row is seen complete one cycle after its last beat. No other start latency exists.
  if (p.startLatency !== 1) throw new SimrunError('INTERNAL', `the emitted RTL starts a row 1 cycle after its input row completes, not ${p.startLatency}`);
  const D = p.drain;
  const mine = faults.filter((f) => f.layer === l.index);
  const bitFaults = mine.filter((f): f is Extract<Fault, { kind: 'bit' }> => f.kind === 'bit');
  const delay = mine.find((f): f is Extract<Fault, { kind: 'delay' }> => f.kind === 'delay');
  const stall = mine.find((f): f is Extract<Fault, { kind: 'stall' }> => f.kind === 'stall');
  const N = p.taps;
  const SLOT = p.slotCycles;
  const R = p.bufferRows;
  const lanes = p.lanes;
  const inLanes = input.lanes;
  const lastStrip = Math.floor(l.outW / p.colsPerStrip) - 1;
  const m = `rs_layer${l.index}`;
  const banks: string[] = [];
  const alus: string[] = [];
  for (let st = 0; st < p.strips; st++) {
    // Strip st reads input columns lo..hi: its own output columns' windows, halo included (clipped to the image).
    const lo = Math.max(0, st * p.colsPerStrip * l.stride - l.pad);
    const hi = Math.min(l.inW - 1, (st * p.colsPerStrip + p.colsPerStrip - 1) * l.stride - l.pad + l.kernel - 1);
    const used = lo <= hi;
    const sw = used ? hi - lo + 1 : 1;
    const aw = bits(R * sw * l.inC);
    if (used) {
      const writeCond = [lo > 0 ? `in_col >= ${lo}` : '', hi < l.inW - 1 ? `in_col <= ${hi}` : ''].filter(Boolean).join(' && ');
      banks.push(`
  // Strip ${st} row buffer: input columns ${lo}..${hi} (halo included) of R rows, [slot][column − ${lo}][channel].
  reg [31:0] bank${st} [0:${R * sw * l.inC - 1}];
  function [${aw - 1}:0] baddr${st}(input [31:0] slot, input [31:0] col, input [31:0] ch);
    /* verilator lint_off UNUSEDSIGNAL */
    reg [31:0] a;                                           // fits ${aw} bits by construction
    /* verilator lint_on UNUSEDSIGNAL */
    begin
      a = (slot * ${sw} + col) * IN_C + ch;
      baddr${st} = a[${aw - 1}:0];
    end
  endfunction
  integer li${st};
  always @(posedge clk)
    if (!rst && in_valid${writeCond ? ` && ${writeCond}` : ''})
      for (li${st} = 0; li${st} < IN_LANES; li${st} = li${st} + 1)
        bank${st}[baddr${st}(wslot, in_col${lo > 0 ? ` - ${lo}` : ''}, li${st} * IN_OCMUX + in_grp)] <= in_data[li${st} * 32 +: 32];`);
    }
    const readCond = used ? ['row_in', l.pad + lo > 0 ? `ix_s${st} >= ${l.pad + lo}` : '', `ix_s${st} <= ${l.pad + hi}`].filter(Boolean).join(' && ') : "1'b0";
    alus.push(`
  // Strip ${st}: column ${st * p.colsPerStrip} + pos; its ${lanes} lanes compute channels j·OCMUX + grp.
  wire [31:0] ix_s${st} = (${st * p.colsPerStrip} + pos) * S + kx;   // input column + P
  wire        in_s${st} = ${readCond};
  wire [31:0] x_s${st} = ${used ? `in_s${st} ? bank${st}[baddr${st}(slot_r, ix_s${st} - ${l.pad + lo}, ci)] : 32'd0` : "32'd0"};   // padding taps see +0
  generate
    for (gj = 0; gj < LANES; gj = gj + 1) begin : g_lane_s${st}
      wire [31:0] ch = gj * OCMUX + grp;
      wire [31:0] w = {wrom[tap[${bits(N) - 1}:0]][ch * 32 +: 18], 14'd0};
      always @(posedge clk) begin
        if (active && phase < TAPS) p_reg[${st * lanes}+gj] <= fmul(w, x_s${st});
        if (phase >= 1 && phase <= TAPS) acc[${st * lanes}+gj] <= (phase == 1) ? p_reg[${st * lanes}+gj] : fadd(acc[${st * lanes}+gj], p_reg[${st * lanes}+gj]);
        if (phase == TAPS + 1) res[${st * lanes}+gj] <= biasRelu(fadd(acc[${st * lanes}+gj], brom[0][ch * 32 +: 32]));
      end
    end
  endgenerate`);
  }
  const B0 = N + D - 1; // first beat phase: the beat register is seen one cycle later, taps + drain after the slot starts
  // Stall fault: each completed input row is only seen `cycles` later (completion times wait in a small queue).
  const QD = p.bufferRows + 2;
  const stallLogic = stall ? `
  // FAULT (rowsim --inject stall:${l.index}:${stall.cycles}): input rows are seen ${stall.cycles} cycles after they complete.
  reg [63:0] f_now, f_due [0:${QD - 1}];
  reg [31:0] f_wp, f_rp, rows_seen;
  always @(posedge clk) begin
    if (rst) begin
      f_now <= 64'd0; f_wp <= 32'd0; f_rp <= 32'd0; rows_seen <= 32'd0;
    end else begin
      f_now <= f_now + 64'd1;
      if (in_valid && in_beats == IN_BEATS - 1) begin
        f_due[f_wp[${bits(QD) - 1}:0]] <= f_now + 64'd${stall.cycles};
        f_wp <= (f_wp == ${QD - 1}) ? 32'd0 : f_wp + 32'd1;
      end
      if (f_rp != f_wp && f_now >= f_due[f_rp[${bits(QD) - 1}:0]]) begin
        rows_seen <= rows_seen + 32'd1;
        f_rp <= (f_rp == ${QD - 1}) ? 32'd0 : f_rp + 32'd1;
      end
    end
  end` : '';
  // Delay fault: the FSM holds for `cycles` cycles just before emitting the layer's beat number `beat`.
  const delayLogic = delay ? `
  // FAULT (rowsim --inject delay:${l.index}:${delay.beat}:${delay.cycles}): the FSM holds ${delay.cycles} cycles before beat ${delay.beat}.
  reg [63:0] f_beats;
  reg [31:0] f_hold;
  reg        f_fired;
  wire       f_stall = busy && phase >= ${B0} && phase < ${B0} + STRIPS && ocol < OUT_W && f_beats == 64'd${delay.beat} && !f_fired && f_hold != 32'd${delay.cycles};
  always @(posedge clk) begin
    if (rst) begin
      f_beats <= 64'd0; f_hold <= 32'd0; f_fired <= 1'b0;
    end else begin
      if (f_stall) f_hold <= f_hold + 32'd1;
      else if (busy && phase >= ${B0} && phase < ${B0} + STRIPS && ocol < OUT_W) begin
        f_beats <= f_beats + 64'd1;
        if (f_beats == 64'd${delay.beat}) f_fired <= 1'b1;
      end
    end
  end` : '';
  const bitLogic = bitFaults.map((f) => `
      // FAULT (rowsim --inject bit:${f.layer}:${f.row}:${f.col}:${f.chan}:${f.bit}): one output bit flipped.
      if (out_r == ${f.row} && ocol == ${f.col} && grp == ${f.chan % p.ocmux}) out_data[${Math.floor(f.chan / p.ocmux) * 32 + f.bit}] <= ~res[ost * LANES + ${Math.floor(f.chan / p.ocmux)}][${f.bit}];`).join('');
  return `
// ${m}: ${commentText(l.name)} — ${l.kernel}x${l.kernel} stride ${l.stride} pad ${l.pad}, ${l.inH}x${l.inW}x${l.inC} → ${l.outH}x${l.outW}x${l.outC}${l.relu ? ', ReLU' : ''}.
// Plan: ${p.strips} strips x ${lanes} lanes = ${p.alus} ALUs, ocmux ${p.ocmux}; slot ${N} taps + ${p.strips} beats + drain ${D} = ${SLOT} cycles; ${p.cyclesPerRow} cycles per row.
// Slot phases: 0..${N - 1} fetch + multiply (tap = phase), 1..${N} accumulate, ${N + 1} bias + ReLU, ${B0}..${B0 + p.strips - 1} load the beat of strip phase−${B0}.
module ${m} (
  input  wire                  clk,
  input  wire                  rst,
  input  wire                  in_valid,
  input  wire [31:0]           in_col,
  input  wire [31:0]           in_grp,
  input  wire [${inLanes * 32 - 1}:0] in_data,
  output reg                   out_valid,
  output reg  [31:0]           out_row,
  output reg  [31:0]           out_col,
  output reg  [31:0]           out_grp,
  output reg                   out_last,
  output reg  [${lanes * 32 - 1}:0] out_data
);
  localparam integer IN_H = ${l.inH}, IN_C = ${l.inC}, OUT_H = ${l.outH}, OUT_W = ${l.outW};   // input width ${l.inW}: see the strip banks
  localparam integer K = ${l.kernel}, S = ${l.stride}, P = ${l.pad}, R = ${R};
  localparam integer STRIPS = ${p.strips}, WPS = ${p.colsPerStrip}, OCMUX = ${p.ocmux}, LANES = ${lanes};
  localparam integer TAPS = ${N}, SLOT = ${SLOT}, IN_BEATS = ${l.inW * input.ocmux}, IN_OCMUX = ${input.ocmux}, IN_LANES = ${inLanes};

  // Weights: one ROM word per tap holding every output channel (channel c at bits [32c +: 18]); bias: one word.
  reg [${l.outC * 32 - 1}:0] wrom [0:TAPS-1];
  reg [${l.outC * 32 - 1}:0] brom [0:0];
  initial begin
    $readmemh("weight${l.index}.memh", wrom);
    $readmemh("bias${l.index}.memh", brom);
  end

  // Input side: write each beat's lanes; count beats to know when a row is complete.
  reg [31:0] in_beats, rows_done, wslot;
  always @(posedge clk) begin
    if (rst) begin
      in_beats <= 32'd0; rows_done <= 32'd0; wslot <= 32'd0;
    end else if (in_valid) begin
      if (in_beats == IN_BEATS - 1) begin
        in_beats <= 32'd0;
        rows_done <= rows_done + 32'd1;
        wslot <= (wslot == R - 1) ? 32'd0 : wslot + 32'd1;
      end else begin
        in_beats <= in_beats + 32'd1;
      end
    end
  end

${banks.join('\n')}
  // Compute side: one output row at a time; slots of (column position, channel group).
  reg        busy;
  reg [31:0] phase, pos, grp, out_r, fbase, ky, kx, ci;
  // Last input row output row out_r needs: min(out_r·S − P + K − 1, IN_H − 1).
  wire [31:0] need_local = ${l.inH + l.pad - l.kernel > 0 ? `(out_r * S < ${l.inH + l.pad - l.kernel}) ? out_r * S + ${l.kernel - 1 - l.pad} : 32'd${l.inH - 1}` : `32'd${l.inH - 1}`};
${stallLogic}
  wire        ready = ${stall ? 'rows_seen' : 'rows_done'} > fbase + need_local;
  wire        start_now = !busy && ready;
  wire        active = busy || start_now;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] tap = (ky * K + kx) * IN_C + ci;              // < TAPS: only the low bits index the ROM
  /* verilator lint_on UNUSEDSIGNAL */
  wire [31:0] iy = out_r * S + ky;                          // input row + P (unsigned: P rows of padding above)
  wire        row_in = ${l.pad > 0 ? 'iy >= P && ' : ''}iy < P + IN_H;
  wire [31:0] slot_r = (fbase + iy - P) % R;

  always @(posedge clk) begin
    if (rst) begin
      busy <= 1'b0; phase <= 32'd0; pos <= 32'd0; grp <= 32'd0; out_r <= 32'd0; fbase <= 32'd0;
      ky <= 32'd0; kx <= 32'd0; ci <= 32'd0;
    end else if (active${delay ? ' && !f_stall' : ''}) begin
      if (phase == SLOT - 1) begin
        phase <= 32'd0; ky <= 32'd0; kx <= 32'd0; ci <= 32'd0;
        if (grp == OCMUX - 1) begin
          grp <= 32'd0;
          if (pos == WPS - 1) begin
            pos <= 32'd0;
            busy <= 1'b0;                                     // row done: the next may start next cycle
            if (out_r == OUT_H - 1) begin out_r <= 32'd0; fbase <= fbase + IN_H; end
            else out_r <= out_r + 32'd1;
          end else begin
            pos <= pos + 32'd1; busy <= 1'b1;
          end
        end else begin
          grp <= grp + 32'd1; busy <= 1'b1;
        end
      end else begin
        phase <= phase + 32'd1; busy <= 1'b1;
        if (phase < TAPS - 1) begin
          if (ci == IN_C - 1) begin
            ci <= 32'd0;
            if (kx == K - 1) begin kx <= 32'd0; ky <= ky + 32'd1; end
            else kx <= kx + 32'd1;
          end else ci <= ci + 32'd1;
        end
      end
    end
  end

  // The floating-point units (shared functions; see rtl/fpu.ts) and the final stage.
${FMUL_FN}
${FADD_FN}
  function [31:0] biasRelu(input [31:0] v);
    biasRelu = ${l.relu ? "v[31] ? 32'd0 : v;                   // ReLU by the sign bit: negatives and -0 become +0" : 'v;                                      // no ReLU on this layer'}
  endfunction

  // ALUs: strip st computes column st·WPS + pos; lane j computes channel j·OCMUX + grp.
  reg [31:0] p_reg [0:STRIPS*LANES-1];
  reg [31:0] acc   [0:STRIPS*LANES-1];
  reg [31:0] res   [0:STRIPS*LANES-1];
  genvar gj;
${alus.join('\n')}
  // Output beats: during phases ${B0} .. ${B0 + p.strips - 1} (taps + drain − 1 onwards), one strip's lanes per cycle (idle strips send nothing).
  wire [31:0] ost = phase - ${B0};
  wire [31:0] ocol = ost * WPS + pos;
${delayLogic}
  integer oj;
  always @(posedge clk) begin
    if (rst) begin
      out_valid <= 1'b0; out_row <= 32'd0; out_col <= 32'd0; out_grp <= 32'd0; out_last <= 1'b0; out_data <= ${lanes * 32}'d0;
    end else if (busy && phase >= ${B0} && phase < ${B0} + STRIPS${delay ? ' && !f_stall' : ''}) begin
      out_valid <= ocol < OUT_W;
      out_row <= out_r; out_col <= ocol; out_grp <= grp;
      out_last <= out_r == OUT_H - 1 && pos == WPS - 1 && grp == OCMUX - 1 && ost == ${lastStrip};
      for (oj = 0; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];${bitLogic}
    end else begin
      out_valid <= 1'b0; out_last <= 1'b0;
    end
  end
endmodule
`;
}
