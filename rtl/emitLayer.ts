// Emits one layer's Verilog module from its spec and plan: row buffer, TDM control, ALUs (multiply, accumulate,
// bias + ReLU) and output beats, cycle for cycle as the planner's cost model and the TS model describe.
import { PIPELINE_DRAIN, START_LATENCY, type LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { FADD_FN, FMUL_FN } from './fpu.js';

/** Test-only faults that prove the checks around the RTL can fail. */
export interface RtlFault {
  /** This layer never sees its rows as ready, so it stalls (the watchdog must name it). */
  readonly stallLayer?: number;
}

/** Channel groups of the stream feeding a layer (1 for the top input). */
export interface LayerInput {
  readonly lanes: number;
  readonly ocmux: number;
}

function bits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

/** Verilog module `rs_layer{N}` for one layer. Weights and bias load with $readmemh from weight{N}.memh/bias{N}.memh. */
export function emitLayer(l: LayerSpec, p: LayerPlan, input: LayerInput, fault?: RtlFault): string {
  if (PIPELINE_DRAIN !== 3 || START_LATENCY !== 1) throw new Error('emitLayer implements a drain of 3 and a start latency of 1');
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
  return `
// ${m}: ${l.name} — ${l.kernel}x${l.kernel} stride ${l.stride} pad ${l.pad}, ${l.inH}x${l.inW}x${l.inC} → ${l.outH}x${l.outW}x${l.outC}${l.relu ? ', ReLU' : ''}.
// Plan: ${p.strips} strips x ${lanes} lanes = ${p.alus} ALUs, ocmux ${p.ocmux}; slot ${N} taps + ${p.overhead} = ${SLOT} cycles; ${p.cyclesPerRow} cycles per row.
// Slot phases: 0..${N - 1} fetch + multiply (tap = phase), 1..${N} accumulate, ${N + 1} bias + ReLU, ${N + 2}..${N + 1 + p.strips} load the beat of strip phase−${N + 2}.
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
  wire        ready = ${fault?.stallLayer === l.index ? "1'b0; // TEST-ONLY FAULT: this layer never starts" : 'rows_done > fbase + need_local;'}
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
    end else if (active) begin
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
  // Output beats: during phases TAPS+3 .. TAPS+2+STRIPS, one strip's lanes per cycle (idle strips send nothing).
  wire [31:0] ost = phase - (TAPS + 2);
  wire [31:0] ocol = ost * WPS + pos;
  integer oj;
  always @(posedge clk) begin
    if (rst) begin
      out_valid <= 1'b0; out_row <= 32'd0; out_col <= 32'd0; out_grp <= 32'd0; out_last <= 1'b0; out_data <= ${lanes * 32}'d0;
    end else if (busy && phase >= TAPS + 2 && phase < TAPS + 2 + STRIPS) begin
      out_valid <= ocol < OUT_W;
      out_row <= out_r; out_col <= ocol; out_grp <= grp;
      out_last <= out_r == OUT_H - 1 && pos == WPS - 1 && grp == OCMUX - 1 && ost == ${lastStrip};
      for (oj = 0; oj < LANES; oj = oj + 1) out_data[oj * 32 +: 32] <= res[ost * LANES + oj];
    end else begin
      out_valid <= 1'b0; out_last <= 1'b0;
    end
  end
endmodule
`;
}
