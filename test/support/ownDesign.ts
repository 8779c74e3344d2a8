// A design written from the contract alone, not from rowsim's emitter, to verify designs that keep their own timing:
// pixel-serial layers (one output pixel at a time, every output channel in its own lane, taps back to back with no drain
// gap), their own row buffers, binary32 arithmetic through Verilog `real` (exact in double, then rounded to binary32 by
// hand, flushing subnormals), and options that change the microarchitecture: column order, channels split into blocked
// groups, extra cycles per pixel, a beat delay, row pacing, AXI4-Stream ports, a second (pixel) clock crossed with a
// req/ack handshake, and planted bugs (a duplicated beat, a missing pixel, tready dropped once).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The network the test designs implement: 8×8×3 → 8×8×4 (3×3) → 4×4×4 (3×3, stride 2) → 4×4×4 (1×1, no ReLU). */
export const OWN_LAYERS: readonly { name: string; kernel: number; stride: 1 | 2; pad: number; outChannels: number; relu: boolean }[] = [
  { name: 'c1', kernel: 3, stride: 1, pad: 1, outChannels: 4, relu: true },
  { name: 'c2', kernel: 3, stride: 2, pad: 1, outChannels: 4, relu: true },
  { name: 'c3', kernel: 1, stride: 1, pad: 0, outChannels: 4, relu: false },
];

/** How one layer of the design works. */
export interface OwnLayerOptions {
  /** Output columns in reverse order (a different beat order). */
  readonly reverse?: boolean;
  /** Beats per pixel: the channels split into this many blocked groups (group g carries channels g·lanes + j). */
  readonly groups?: number;
  /** Idle cycles after each pixel's taps (a slower pixel). */
  readonly extra?: number;
  /** Cycles the beat waits in an output pipeline after the last tap. */
  readonly beatDelay?: number;
  /** Least cycles between row starts (0: none). */
  readonly pace?: number;
  /** Planted bugs: emit beat (row 1, col 1) twice; never emit (row 2, col 2); flip bit 30 of channel 0 at (row 1, col 1). */
  readonly duplicate?: boolean;
  readonly drop?: boolean;
  readonly flip?: boolean;
}

/** The whole design. */
export interface OwnDesignOptions {
  readonly layers?: readonly OwnLayerOptions[];
  /** clockHz / rowRateHz of the spec (default 100 MHz, 400,000 rows/s: 250 cycles per row). */
  readonly clockHz?: number;
  readonly rowRateHz?: number;
  /** AXI4-Stream input (tvalid, tready, tdata, tuser, tlast) and output; tready drops for one cycle at this cycle. */
  readonly axis?: boolean;
  readonly treadyLowAt?: number;
  /** A pixel clock of this period (ps) for the input side, crossed into the compute clock by a req/ack handshake. */
  readonly pixelClockPs?: number;
  /** design.json's timing field; with `plan`, design.json says strips 1 and ocmux 1 for every layer (declared timing). */
  readonly timing?: unknown;
  readonly plan?: boolean;
  /** Tap the inner layers' end-of-frame flags too. */
  readonly tapLast?: boolean;
}

/** binary32 arithmetic from the contract: operands widened to double exactly, results rounded to nearest-even by hand. */
const FPU = String.raw`
  // binary32 -> binary64 bits (exact; subnormal inputs never occur and are read as zero).
  function [63:0] f64;
    input [31:0] f;
    begin
      if (f[30:23] == 8'd0) f64 = {f[31], 63'd0};
      else if (f[30:23] == 8'hff) f64 = {f[31], 11'h7ff, f[22:0], 29'd0};
      else f64 = {f[31], {3'd0, f[30:23]} + 11'd896, f[22:0], 29'd0};
    end
  endfunction
  // binary64 -> binary32, round to nearest even; results below 2^-126 after rounding become a zero of their sign.
  function [31:0] f32;
    input [63:0] d;
    reg [52:0] m; reg [23:0] q; reg [28:0] rest; reg [29:0] rest30; reg up; integer e;
    begin
      e = d[62:52]; e = e - 1023; m = {1'b1, d[51:0]};
      if (d[62:52] == 11'h7ff) f32 = d[51:0] != 0 ? 32'h7fc00000 : {d[63], 31'h7f800000};
      else if (d[62:0] == 0) f32 = {d[63], 31'd0};
      else if (e >= -126) begin
        q = m[52:29]; rest = m[28:0];
        up = rest > 29'h10000000 || (rest == 29'h10000000 && q[0]);
        {up, q} = {1'b0, q} + {24'd0, up};
        if (up) e = e + 1;                 // the mantissa carried out: 1.0 × 2^(e+1)
        if (e > 127) f32 = {d[63], 31'h7f800000};
        else f32 = {d[63], e[7:0] + 8'd127, q[22:0]};
      end else if (e == -127) begin
        // On the subnormal grid (2^-149) the value is m >> 30; only a carry to 2^23 lands on the smallest normal.
        rest30 = m[29:0];
        up = rest30 > 30'h20000000 || (rest30 == 30'h20000000 && m[30]);
        f32 = ({1'b0, m[52:30]} + {23'd0, up}) == 24'h800000 ? {d[63], 31'h00800000} : {d[63], 31'd0};
      end else f32 = {d[63], 31'd0};
    end
  endfunction
  function [31:0] fmul;      // bfloat18 weight × binary32 activation
    input [17:0] w; input [31:0] x;
    fmul = f32($realtobits($bitstoreal(f64({w, 14'd0})) * $bitstoreal(f64(x))));
  endfunction
  function [31:0] fadd;
    input [31:0] a; input [31:0] b;
    fadd = f32($realtobits($bitstoreal(f64(a)) + $bitstoreal(f64(b))));
  endfunction
`;

/** One conv layer: its own row buffer, one output pixel at a time, all its output channels in parallel. */
function layerModule(): string {
  return String.raw`// A pixel-serial conv layer: written from rowsim's arithmetic contract, not from its emitter.
module own_layer #(
  parameter IH = 8, IW = 8, IC = 3, OC = 4, K = 3, S = 1, PAD = 1, OH = 8, OW = 8, RELU = 1,
  parameter IN_GROUPS = 1, GROUPS = 1, REVERSE = 0, EXTRA = 0, BDELAY = 0, PACE = 0, DUP = 0, DROP = 0, FLIP = 0, CDC = 0,
  parameter WFILE = "weight1.memh", BFILE = "bias1.memh"
) (
  input clk, input rst, input in_clk,
  input in_valid, input [15:0] in_col, input [7:0] in_grp, input [IC / IN_GROUPS * 32 - 1:0] in_data,
  output reg out_valid, output reg [15:0] out_row, output reg [15:0] out_col, output reg [7:0] out_grp,
  output reg [OC / GROUPS * 32 - 1:0] out_data, output reg out_last
);
  localparam T = K * K * IC, NB = K + S + 3, IL = IC / IN_GROUPS, OL = OC / GROUPS;
  reg [OC * 32 - 1:0] wrom [0:T - 1];
  reg [OC * 32 - 1:0] brom [0:0];
  initial begin $readmemh(WFILE, wrom); $readmemh(BFILE, brom); end
${FPU}
  // Input side: the row buffer, written as beats come (any column order, any group order); a row is complete after
  // IW·IN_GROUPS beats.
  reg [31:0] buffer [0:NB * IW * IC - 1];
  reg [31:0] rows_in;          // input rows completed since reset (in the input's clock domain)
  reg [15:0] beats_in;
  integer i;
  always @(posedge in_clk) begin
    if (rst) begin rows_in <= 0; beats_in <= 0; end
    else if (in_valid) begin
      for (i = 0; i < IL; i = i + 1) buffer[((rows_in % NB) * IW + in_col) * IC + in_grp * IL + i] <= in_data[i * 32 +: 32];
      if (beats_in == IW * IN_GROUPS - 1) begin beats_in <= 0; rows_in <= rows_in + 1; end
      else beats_in <= beats_in + 1;
    end
  end
  // Rows seen by the compute side: directly, or through a two-phase req/ack handshake across clock domains.
  reg [31:0] rows_seen;
  generate if (CDC) begin : g_cdc
    reg req, ack_s1, ack_s2, req_s1, req_s2, req_s3, ack;
    reg [31:0] sent;
    always @(posedge in_clk) begin
      if (rst) begin req <= 0; sent <= 0; ack_s1 <= 0; ack_s2 <= 0; end
      else begin
        ack_s1 <= ack; ack_s2 <= ack_s1;
        if (req == ack_s2 && sent != rows_in) begin req <= ~req; sent <= sent + 1; end
      end
    end
    always @(posedge clk) begin
      if (rst) begin req_s1 <= 0; req_s2 <= 0; req_s3 <= 0; ack <= 0; rows_seen <= 0; end
      else begin
        req_s1 <= req; req_s2 <= req_s1; req_s3 <= req_s2;
        if (req_s2 != req_s3) begin rows_seen <= rows_seen + 1; ack <= req_s2; end
      end
    end
  end else begin : g_same
    always @* rows_seen = rows_in;
  end endgenerate

  // Compute side: output row orow of the frame whose input row 0 is row fbase of the run.
  reg [31:0] fbase;
  reg [15:0] orow, ocnt, tap, wait_n, since;
  reg started;
  wire [31:0] need = (orow * S + K - 1 - PAD > IH - 1) ? IH - 1 : orow * S + K - 1 - PAD;
  wire paced = !started || since >= PACE;
  // A row starts when its window is in (and the pacing allows); once started, its pixels follow each other, each after
  // EXTRA idle cycles, without waiting for input.
  wire run = wait_n == 0 && (tap != 0 || ocnt != 0 || (rows_seen >= fbase + need + 1 && paced));
  wire [15:0] ocol = REVERSE ? OW - 1 - ocnt : ocnt;
  integer ky, kx, ci, iy, ix;
  reg [31:0] x;
  always @* begin
    ky = tap / (K * IC); kx = (tap / IC) % K; ci = tap % IC;
    iy = orow * S - PAD + ky; ix = ocol * S - PAD + kx;
    x = (iy < 0 || iy >= IH || ix < 0 || ix >= IW) ? 32'd0 : buffer[(((fbase + iy) % NB) * IW + ix) * IC + ci];
  end
  reg [31:0] acc [0:OC - 1];
  reg [31:0] sum [0:OC - 1];
  reg [31:0] res [0:OC - 1];
  integer j;
  always @* for (j = 0; j < OC; j = j + 1) begin
    sum[j] = tap == 0 ? fmul(wrom[tap][j * 32 +: 18], x) : fadd(acc[j], fmul(wrom[tap][j * 32 +: 18], x));
    res[j] = fadd(sum[j], brom[0][j * 32 +: 32]);
    if (RELU && res[j][31]) res[j] = 32'd0;
  end
  // The output pipeline: a finished pixel's channels wait BDELAY cycles, then leave as GROUPS beats.
  localparam PD = BDELAY + GROUPS + 2;
  reg [OC * 32 - 1:0] pipe_data [0:PD - 1];
  reg [15:0] pipe_row [0:PD - 1];
  reg [15:0] pipe_col [0:PD - 1];
  reg [7:0] pipe_grp [0:PD - 1];
  reg pipe_v [0:PD - 1];
  reg pipe_last [0:PD - 1];
  reg [OC * 32 - 1:0] done_data;
  integer p, g;
  always @* begin
    for (j = 0; j < OC; j = j + 1) done_data[j * 32 +: 32] = res[j];
    if (FLIP && orow == 1 && ocol == 1) done_data[30] = ~done_data[30];
  end
  always @(posedge clk) begin
    if (rst) begin
      orow <= 0; ocnt <= 0; tap <= 0; fbase <= 0; wait_n <= 0; since <= 0; started <= 0;
      for (p = 0; p < PD; p = p + 1) pipe_v[p] <= 0;
    end else begin
      for (p = 1; p < PD; p = p + 1) begin
        pipe_v[p - 1] <= pipe_v[p]; pipe_data[p - 1] <= pipe_data[p]; pipe_row[p - 1] <= pipe_row[p];
        pipe_col[p - 1] <= pipe_col[p]; pipe_grp[p - 1] <= pipe_grp[p]; pipe_last[p - 1] <= pipe_last[p];
      end
      pipe_v[PD - 1] <= 0;
      if (since != 16'hffff) since <= since + 1;
      if (wait_n != 0) wait_n <= wait_n - 1;
      if (run) begin
        if (tap == 0 && ocnt == 0) begin since <= 1; started <= 1; end
        for (j = 0; j < OC; j = j + 1) acc[j] <= sum[j];
        if (tap == T - 1) begin
          for (g = 0; g < GROUPS; g = g + 1) begin
            pipe_v[BDELAY + g] <= !(DROP && orow == 2 && ocol == 2);
            pipe_data[BDELAY + g] <= done_data >> (g * OL * 32);
            pipe_row[BDELAY + g] <= orow; pipe_col[BDELAY + g] <= ocol; pipe_grp[BDELAY + g] <= g;
            pipe_last[BDELAY + g] <= orow == OH - 1 && ocnt == OW - 1 && g == GROUPS - 1;
          end
          if (DUP && orow == 1 && ocol == 1) begin
            pipe_v[BDELAY + GROUPS] <= 1; pipe_data[BDELAY + GROUPS] <= done_data >> ((GROUPS - 1) * OL * 32);
            pipe_row[BDELAY + GROUPS] <= orow; pipe_col[BDELAY + GROUPS] <= ocol; pipe_grp[BDELAY + GROUPS] <= GROUPS - 1; pipe_last[BDELAY + GROUPS] <= 0;
          end
          tap <= 0; wait_n <= EXTRA;
          if (ocnt == OW - 1) begin
            ocnt <= 0;
            if (orow == OH - 1) begin orow <= 0; fbase <= fbase + IH; end else orow <= orow + 1;
          end else ocnt <= ocnt + 1;
        end else tap <= tap + 1;
      end
      out_valid <= pipe_v[0]; out_data <= pipe_data[0][OL * 32 - 1:0]; out_row <= pipe_row[0]; out_col <= pipe_col[0];
      out_grp <= pipe_grp[0]; out_last <= pipe_last[0] && pipe_v[0];
    end
  end
endmodule
`;
}

/** Writes the design folder into `dir` (created); returns `dir`. */
export function writeOwnDesign(dir: string, o: OwnDesignOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const lo = (i: number) => o.layers?.[i] ?? {};
  const shapes: { inH: number; inW: number; inC: number; outH: number; outW: number; outC: number }[] = [];
  let h = 8, w = 8, c = 3;
  for (const l of OWN_LAYERS) {
    const oh = Math.floor((h + 2 * l.pad - l.kernel) / l.stride) + 1, ow = Math.floor((w + 2 * l.pad - l.kernel) / l.stride) + 1;
    shapes.push({ inH: h, inW: w, inC: c, outH: oh, outW: ow, outC: l.outChannels });
    h = oh; w = ow; c = l.outChannels;
  }
  const L = OWN_LAYERS.length;
  const groups = (i: number) => lo(i).groups ?? 1;
  const lanes = (i: number) => OWN_LAYERS[i]!.outChannels / groups(i);
  const inst = OWN_LAYERS.map((l, i) => {
    const s = shapes[i]!, x = lo(i);
    const src = i === 0 ? `.in_valid(i_valid), .in_col(i_col), .in_grp(8'd0), .in_data(i_data)` : `.in_valid(v${i}), .in_col(c${i}), .in_grp(g${i}), .in_data(d${i})`;
    const params = [`IH(${s.inH})`, `IW(${s.inW})`, `IC(${s.inC})`, `OC(${s.outC})`, `K(${l.kernel})`, `S(${l.stride})`, `PAD(${l.pad})`, `OH(${s.outH})`, `OW(${s.outW})`, `RELU(${l.relu ? 1 : 0})`,
      `IN_GROUPS(${i === 0 ? 1 : groups(i - 1)})`, `GROUPS(${groups(i)})`, `REVERSE(${x.reverse ? 1 : 0})`, `EXTRA(${x.extra ?? 0})`, `BDELAY(${x.beatDelay ?? 0})`, `PACE(${x.pace ?? 0})`,
      `DUP(${x.duplicate ? 1 : 0})`, `DROP(${x.drop ? 1 : 0})`, `FLIP(${x.flip ? 1 : 0})`, `CDC(${i === 0 && o.pixelClockPs ? 1 : 0})`, `WFILE("weight${i + 1}.memh")`, `BFILE("bias${i + 1}.memh")`].map((p) => `.${p}`).join(', ');
    const n = i + 1;
    return `  wire v${n}, e${n}; wire [15:0] r${n}, c${n}; wire [7:0] g${n}; wire [${lanes(i) * 32 - 1}:0] d${n};
  own_layer #(${params}) l${n} (.clk(clk), .rst(rst), .in_clk(${i === 0 && o.pixelClockPs ? 'pclk' : 'clk'}), ${src},
    .out_valid(v${n}), .out_row(r${n}), .out_col(c${n}), .out_grp(g${n}), .out_data(d${n}), .out_last(e${n}));`;
  });
  const last = L;
  const lastW = shapes[L - 1]!.outW, lastG = groups(L - 1);
  const inPorts = o.axis
    ? `input s_axis_tvalid, output s_axis_tready, input [95:0] s_axis_tdata, input s_axis_tuser, input s_axis_tlast`
    : `input s_valid, input [15:0] s_col, input [95:0] s_data`;
  const outPorts = o.axis
    ? `output m_axis_tvalid, output [${lanes(L - 1) * 32 - 1}:0] m_axis_tdata, output m_axis_tuser, output m_axis_tlast, input m_axis_tready`
    : `output m_valid, output [15:0] m_row, output [15:0] m_col, output [7:0] m_grp, output [${lanes(L - 1) * 32 - 1}:0] m_data, output m_last`;
  // AXI4-Stream input: the design counts columns itself (tuser starts a frame, tlast ends a line); tready may drop once.
  const inAdapt = o.axis
    ? `  reg [15:0] col_n; reg [31:0] cyc;
  wire i_valid = s_axis_tvalid && s_axis_tready;
  wire [15:0] i_col = s_axis_tuser ? 16'd0 : col_n;
  wire [95:0] i_data = s_axis_tdata;
  assign s_axis_tready = ${o.treadyLowAt === undefined ? "1'b1" : `cyc != ${o.treadyLowAt}`};
  always @(posedge ${o.pixelClockPs ? 'pclk' : 'clk'}) begin
    if (rst) begin col_n <= 0; cyc <= 0; end
    else begin
      cyc <= cyc + 1;
      if (i_valid) col_n <= s_axis_tlast ? 16'd0 : i_col + 1;
    end
  end`
    : `  wire i_valid = s_valid; wire [15:0] i_col = s_col; wire [95:0] i_data = s_data;`;
  const outAdapt = o.axis
    ? `  assign m_axis_tvalid = v${last}; assign m_axis_tdata = d${last};
  assign m_axis_tuser = v${last} && r${last} == 0 && c${last} == 0 && g${last} == 0;
  assign m_axis_tlast = v${last} && c${last} == ${lastW - 1} && g${last} == ${lastG - 1};
  /* verilator lint_off UNUSEDSIGNAL */ wire unused = m_axis_tready ^ e${last}; /* verilator lint_on UNUSEDSIGNAL */`
    : `  assign m_valid = v${last}; assign m_row = r${last}; assign m_col = c${last}; assign m_grp = g${last}; assign m_data = d${last}; assign m_last = e${last};`;
  const top = `// The top: three own_layer instances chained on their own stream.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
module own_top (input clk, input rst${o.pixelClockPs ? ', input pclk' : ''}, ${inPorts}, ${outPorts});
${inAdapt}
${inst.join('\n')}
${outAdapt}
endmodule
`;
  writeFileSync(join(dir, 'own_layer.v'), `/* verilator lint_off UNUSEDSIGNAL */\n/* verilator lint_off WIDTH */\n/* verilator lint_off UNUSEDPARAM */\n/* verilator lint_off BLKSEQ */\n${layerModule()}`);
  writeFileSync(join(dir, 'own_top.v'), top);
  const clockHz = o.clockHz ?? 100_000_000, rowRateHz = o.rowRateHz ?? 400_000;
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({
    name: 'own3', input: { height: 8, width: 8, channels: 3 }, clockHz, rowRateHz,
    // A declared timing predicts from a plan: one strip and every channel in one group (one output pixel at a time).
    layers: OWN_LAYERS.map((l) => ({ name: l.name, kernel: l.kernel, stride: l.stride, pad: l.pad, outChannels: l.outChannels, batchnorm: true, relu: l.relu, ...(o.plan ? { strips: 1, ocmux: 1 } : {}) })),
  }, null, 2));
  const stream = (i: number) => ({ lanes: lanes(i), groups: groups(i), channels: 'blocked' });
  const inner: Record<string, unknown> = {};
  for (let i = 0; i < L - 1; i++) {
    const n = i + 1;
    inner[String(n)] = { valid: `own_top.l${n}.out_valid`, row: `own_top.l${n}.out_row`, col: `own_top.l${n}.out_col`, ...(groups(i) > 1 ? { group: `own_top.l${n}.out_grp` } : {}), data: `own_top.l${n}.out_data`, ...(o.tapLast ? { last: `own_top.l${n}.out_last` } : {}), ...stream(i) };
  }
  const taps = {
    clock: 'clk', reset: 'rst',
    ...(o.pixelClockPs ? { clocks: [{ signal: 'clk', periodPs: 1e12 / clockHz }, { signal: 'pclk', periodPs: o.pixelClockPs }] } : {}),
    input: o.axis
      ? { axis: { tvalid: 's_axis_tvalid', tready: 's_axis_tready', tdata: 's_axis_tdata', tuser: 's_axis_tuser', tlast: 's_axis_tlast' }, ...(o.pixelClockPs ? { clock: 'pclk' } : {}) }
      : { valid: 's_valid', col: 's_col', data: 's_data', ...(o.pixelClockPs ? { clock: 'pclk' } : {}) },
    output: o.axis
      ? { axis: { tvalid: 'm_axis_tvalid', tdata: 'm_axis_tdata', tuser: 'm_axis_tuser', tlast: 'm_axis_tlast', tready: 'm_axis_tready' }, ...stream(L - 1) }
      : { valid: 'm_valid', row: 'm_row', col: 'm_col', ...(groups(L - 1) > 1 ? { group: 'm_grp' } : {}), data: 'm_data', last: 'm_last', ...stream(L - 1) },
    layers: inner,
  };
  writeFileSync(join(dir, 'taps.json'), JSON.stringify(taps, null, 2));
  writeFileSync(join(dir, 'design.json'), JSON.stringify({
    format: 'rowsim-design/1', top: 'own_top', sources: ['own_layer.v', 'own_top.v'], spec: 'spec.json', taps: 'taps.json',
    // The ROM images are not shipped: rowsim writes them in the IE120R layout from the run's --weights.
    roms: OWN_LAYERS.flatMap((_, i) => [`weight${i + 1}.memh`, `bias${i + 1}.memh`]),
    timing: o.timing ?? 'own',
    ...(o.plan ? { plan: { drain: 3, layers: OWN_LAYERS.map(() => ({ strips: 1, ocmux: 1 })) } } : {}),
  }, null, 2));
  return dir;
}
