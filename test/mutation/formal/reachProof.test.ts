// Proofs by reachability from reset (real Yosys), each verdict checked against Icarus Verilog simulating the original
// and the mutant side by side on random inputs: a row-beat counter that counts in another order but ends its row on
// the same beat (proven, never differs), the same counter read through an inverter (a bit that flips on idle cycles:
// refused, and it does differ), an accumulator corrupted on its hold path only while dead (proven) or while live
// (refused, differs); a memory write that differs only in the power-up cycle and a register on a gated clock (refused);
// a flag that only a power-up state sets, proven when the search starts under an active-low reset at its level; a
// memory's read index corrupted while the reads are unused, and its write data corrupted while no write is enabled
// (proven), each beside a variant where the corrupted value is used (refused, and it differs); black boxes that hold
// state behind a ROM's shape (a registered ROM on a gated clock, a latch) stay opaque: refused, and they do differ; a
// strobe computed from narrow inputs in one copy's cone only is no boundary place (refused for a real difference);
// across instances (the whole design flattened): a tag holding its reset value, tied between two instances (proven;
// toggling: refused, differs), a bit the consumer ignores (proven; refused once the stream between them is tapped), a
// mutated net that is a constant in one of two instances (refused, kept whole or not).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { provesByReachability, REACH_LIMITS, type ReachLimits, type ResetOf } from '../../../mutation/formal/reachProof.js';
import { cellWhere, COUNTER, firstDifference, mutationOf, prepTop as prep } from '../../support/mutantCosim.js';
import { describeRtl } from '../../support/rtl.js';


/** The step numbers that trace lines `step n:` and `steps a–b:` cover, in order. */
function coveredSteps(lines: readonly string[]): number[] {
  return lines.flatMap((l) => {
    const m = /^steps? (\d+)(?:–(\d+))?: /.exec(l)!;
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/**
 * An accumulator that adds a ROM's word w on `go` (the ROM a black box: its output is an internal net of the module
 * that the search leaves free); the output `sum` is the accumulator itself. ROM_MODEL is what the box holds, for the
 * simulation.
 */
const ROM_ACC = [
  '(* blackbox *) module rom(input [1:0] a, output [7:0] w); endmodule',
  'module top(input clk, input rst, input go, input [1:0] a, output [7:0] sum);',
  '  wire [7:0] w; reg [7:0] acc;',
  '  rom u_rom (.a(a), .w(w));',
  "  always @(posedge clk) if (rst) acc <= 8'd0; else if (go) acc <= acc + w;",
  '  assign sum = acc;',
  'endmodule',
];
const ROM_MODEL = ['module rom(input [1:0] a, output [7:0] w);', "  assign w = {a, 6'd0} ^ 8'h5a;", 'endmodule'];

/**
 * A stream stage: out_data loads x on `load` and holds otherwise; out_valid is `load` a cycle late, and with `live` also
 * held high by `stay` — then a held word is seen in a valid beat. (One `load` net drives both, as a layer's beat
 * strobe does.)
 */
const streamHold = (live: boolean) => [
  'module top(input clk, input rst, input go, input stay, input [7:0] x, output reg out_valid, output reg [7:0] out_data);',
  '  wire load = go & !rst;',
  '  always @(posedge clk) begin',
  `    out_valid <= load${live ? ' | (stay & out_valid & !rst)' : ''};`,
  "    if (rst) out_data <= 8'd0; else if (load) out_data <= x;",
  '  end',
  'endmodule',
];

/**
 * A buffer of 4 words written from the inputs and summed by a burst: on `go` the read index ci restarts at 0 (unless
 * `live`, when it keeps its value — 0 in the original, as a burst wraps it there) and sums 4 reads into acc, cleared on
 * `go` (so a read of a word not yet written spoils one burst's sum only).
 */
const burstReader = (live: boolean) => [
  'module top(input clk, input rst, input go, input we, input [1:0] wa, input [7:0] d, output reg [7:0] acc);',
  '  reg [7:0] mem [0:3];',
  '  always @(posedge clk) if (we) mem[wa] <= d;',
  '  reg [1:0] ci; reg busy;',
  '  always @(posedge clk) begin',
  "    if (rst) begin busy <= 1'b0; ci <= 2'd0; end",
  "    else if (busy) begin ci <= ci + 2'd1; if (ci == 2'd3) busy <= 1'b0; end",
  `    else if (go) begin busy <= 1'b1;${live ? '' : " ci <= 2'd0;"} end`,
  "    if (rst || (go && !busy)) acc <= 8'd0; else if (busy) acc <= acc + mem[ci];",
  '  end',
  'endmodule',
];

/**
 * A word register dq loaded from x on `load` and held otherwise, written to a memory the cycle after a load (the write
 * enable we is `load` a cycle late; when `live` it stays high, and held words are written too); the memory is read at
 * the input address ra.
 */
const writeBehindLoad = (live: boolean) => [
  'module top(input clk, input rst, input load, input [7:0] x, input [1:0] wa, input [1:0] ra, output [7:0] rd);',
  '  reg [7:0] dq; reg we; reg [1:0] wq;',
  '  reg [7:0] mem [0:3];',
  '  always @(posedge clk) begin',
  '    if (load) dq <= x;',
  `    we <= rst ? 1'b0 : load${live ? ' | we' : ''};`,
  '    wq <= wa;',
  '    if (we) mem[wq] <= dq;',
  '  end',
  '  assign rd = mem[ra];',
  'endmodule',
];

/**
 * Two black boxes that look like ROMs from outside (inputs and one output) but hold state: a registered ROM on a gated
 * clock (clk & ce), read by the burst at ci; and a latch, open while `le`, read into acc while `use_` — its d corrupted
 * only while it is open and its word unused. Each mutant differs; a search must not take either box as a function.
 */
const STATEFUL_BOXES = {
  gatedRom: [
    '(* blackbox *) module rom(input clk, input [1:0] a, output [7:0] w); endmodule',
    'module top(input clk, input rst, input go, input ce, output reg [7:0] acc);',
    '  reg [1:0] ci; reg busy; wire [7:0] w;',
    '  rom u_rom (.clk(clk & ce), .a(ci), .w(w));',
    '  always @(posedge clk) begin',
    "    if (rst) begin busy <= 1'b0; ci <= 2'd0; end",
    "    else if (busy) begin ci <= ci + 2'd1; if (ci == 2'd3) busy <= 1'b0; end",
    "    else if (go) begin busy <= 1'b1; ci <= 2'd0; end",
    "    if (rst || (go && !busy)) acc <= 8'd0; else if (busy) acc <= acc + w;",
    '  end',
    'endmodule',
  ],
  latch: [
    '(* blackbox *) module lat(input g, input [7:0] d, output [7:0] q); endmodule',
    'module top(input clk, input rst, input le, input use_, input [7:0] x, input [7:0] y, output reg [7:0] acc, output [7:0] out);',
    '  wire [7:0] q;',
    '  wire [7:0] d = (le & ~use_) ? y : x;',
    '  lat u_lat (.g(le), .d(d), .q(q));',
    "  always @(posedge clk) if (rst) acc <= 8'd0; else if (use_) acc <= acc + q;",
    // d reaches a register too (only while it is right), so the search runs and meets the box at its boundary.
    '  reg [7:0] dq; always @(posedge clk) if (use_) dq <= d;',
    '  assign out = dq;',
    'endmodule',
  ],
} as const;

/** What the two boxes hold, for the simulation. */
const STATEFUL_MODELS = {
  gatedRom: ['module rom(input clk, input [1:0] a, output reg [7:0] w);', "  always @(posedge clk) w <= {a, 6'd0} ^ 8'h5a;", 'endmodule'],
  latch: ['module lat(input g, input [7:0] d, output reg [7:0] q);', '  always @* if (g) q = d;', 'endmodule'],
} as const;

/** A phase counter 0, 1, 2 (reset by rst_n low) and a flag set in phase 3, which only a power-up state holds. */
const ACTIVE_LOW_PHASE = [
  'module top(input clk, input rst_n, input v, output reg flag);',
  '  reg [1:0] st;',
  '  always @(posedge clk) begin',
  "    if (!rst_n) begin st <= 2'd0; flag <= 1'b0; end",
  "    else begin flag <= st == 2'd3; if (v) st <= st == 2'd2 ? 2'd0 : st + 2'd1; end",
  '  end',
  'endmodule',
];

/**
 * A four-phase accumulator: load at phase 1, add at 2, read into res at 3, held otherwise; when `live`, `stall` also
 * holds it (and the phase) at 2, where its value is still to be read.
 */
const accumulator = (live: boolean) => [
  'module top(input clk, input rst, input go, input stall, input [7:0] x, output reg [7:0] res);',
  '  reg [1:0] phase; reg [7:0] acc;',
  '  always @(posedge clk) begin',
  `    if (rst) phase <= 2'd0; else if ((go || phase != 2'd0) && !(${live ? "phase == 2'd2 && stall" : "1'b0"})) phase <= phase + 2'd1;`,
  `    if (phase == 2'd1) acc <= x; else if (phase == 2'd2${live ? ' && !stall' : ''}) acc <= acc + x;`,
  "    if (phase == 2'd3) res <= acc;",
  '  end',
  'endmodule',
];

/** A state machine whose default branch only its power-up value 0 reaches: a memory write there is kept after reset. */
const POWER_UP_WRITE = [
  'module top(input clk, input rst, input [7:0] d, input [1:0] ra, output [7:0] rd, output reg [1:0] last_wa);',
  "  reg [1:0] st = 2'd0;",
  "  always @(posedge clk) if (rst) st <= 2'd1; else st <= (st == 2'd3) ? 2'd1 : st + 2'd1;",
  '  reg we; reg [1:0] wa;',
  '  always @* case (st)',
  "    2'd1: begin we = 1'b0; wa = 2'd1; end",
  "    2'd2: begin we = 1'b1; wa = 2'd2; end",
  "    2'd3: begin we = 1'b1; wa = 2'd3; end",
  "    default: begin we = 1'b1; wa = 2'd0; end",
  '  endcase',
  '  reg [7:0] mem [0:3];',
  "  initial begin mem[0] = 8'd0; mem[1] = 8'd0; mem[2] = 8'd0; mem[3] = 8'd0; end",
  "  always @(posedge clk) if (we) mem[wa] <= d ^ 8'hA5;",
  '  assign rd = mem[ra];',
  "  always @(posedge clk) if (rst) last_wa <= 2'd0; else last_wa <= wa;",
  'endmodule',
];

/** d is clocked by clk & en, the rest by clk: under one shared clock d would always equal c. */
const GATED_CLOCK = [
  'module top(input clk, input rst, input en, input a, input b, output reg q);',
  '  reg [1:0] c, d;',
  '  wire gclk = clk & en;',
  '  always @(posedge clk) begin',
  "    if (rst) c <= 2'd0; else c <= c + 2'd1;",
  "    if (rst) q <= 1'b0; else q <= (d == c) ? a : b;",
  '  end',
  "  always @(posedge gclk) if (rst) d <= 2'd0; else d <= c + 2'd1;",
  'endmodule',
];

/** A top whose child's output r has a bit nothing reads (bit 0; bit 1 reaches y), beside an output q the top passes on. */
const UNREAD_OUTPUT = [
  'module child(input clk, input [1:0] a, output reg [1:0] q, output reg [1:0] r);',
  "  always @(posedge clk) begin q <= a; r <= a + 2'd1; end",
  'endmodule',
  'module top(input clk, input rst, input [1:0] a, output [1:0] y);',
  '  wire [1:0] q1, r1;',
  '  child u (.clk(clk), .a(a), .q(q1), .r(r1));',
  "  assign y = q1 ^ {r1[1], 1'b0};",
  'endmodule',
];

/**
 * Two instances in a top: src passes beats on (ov, od) and keeps a one-bit tag, reset to 0 and — when `toggle` — flipped
 * on every beat; dst adds the tag to each word it passes on and ignores the word's bit 0. The mutations tie the
 * connections between them in the top: the search of the top alone meets dst's instance and must follow into it.
 */
const twoInstances = (toggle: boolean) => {
  const children = [
    'module src(input clk, input rst, input v, input [7:0] x, output reg ov, output reg [7:0] od, output reg tag);',
    '  always @(posedge clk) begin',
    "    ov <= rst ? 1'b0 : v;",
    '    if (v) od <= x;',
    `    if (rst) tag <= 1'b0;${toggle ? ' else if (v) tag <= ~tag;' : ''}`,
    '  end',
    'endmodule',
    'module dst(input clk, input rst, input iv, input [7:0] id, input itag, output reg out_valid, output reg [7:0] out_data);',
    '  always @(posedge clk) begin',
    "    out_valid <= rst ? 1'b0 : iv;",
    "    if (iv) out_data <= {id[7:1], 1'b0} + {6'd0, itag, 1'b0};",
    '  end',
    'endmodule',
  ];
  return {
    children,
    lines: [...children,
      'module top(input clk, input rst, input v, input [7:0] x, output out_valid, output [7:0] out_data);',
      '  wire mv, mt; wire [7:0] md;',
      '  src u_src (.clk(clk), .rst(rst), .v(v), .x(x), .ov(mv), .od(md), .tag(mt));',
      '  dst u_dst (.clk(clk), .rst(rst), .iv(mv), .id(md), .itag(mt), .out_valid(out_valid), .out_data(out_data));',
      'endmodule'],
  };
};

/**
 * A module mid instantiated twice, passing its input a to a child leaf (q <= a & d); the top ties one instance's a to 1
 * and the other's d to 0 — so in the flattened design the mutated net is a constant in one instance and a wire in the
 * other. `keep` marks mid keep_hierarchy (flatten would leave it whole).
 */
const twoMids = (keep: boolean) => [
  'module leaf(input clk, input a, input d, output reg q);',
  '  always @(posedge clk) q <= a & d;',
  'endmodule',
  ...(keep ? ['(* keep_hierarchy *)'] : []),
  'module mid(input clk, input a, input d, output q);',
  '  leaf u_leaf(.clk(clk), .a(a), .d(d), .q(q));',
  'endmodule',
  'module top(input clk, input rst, input d1, input d2, output y, output z);',
  "  mid u_m1(.clk(clk), .a(1'b1), .d(d1), .q(y));",
  "  mid u_m2(.clk(clk), .a(d2), .d(1'b0), .q(z));",
  'endmodule',
];

/**
 * A last layer whose output row `out_row` comes from a one-bit row counter r, reset to 0: when `counts`, r flips on
 * every beat; otherwise its next value is 0 whenever it is 0 (a counter sized for a one-row output, as rowsim's emitter
 * sizes it), so out_row is always 0. The top passes the row on, zero-extended, as m_row.
 */
const lastLayer = (counts: boolean) => {
  const children = [
    'module last(input clk, input rst, input v, input [7:0] x, output reg out_valid, output reg out_row, output reg [7:0] out_data);',
    '  reg r;',
    '  always @(posedge clk) begin',
    "    if (rst) begin r <= 1'b0; out_valid <= 1'b0; out_row <= 1'b0; end",
    `    else begin out_valid <= v; if (v) begin out_row <= r; r <= ${counts ? '~r' : "(r == 1'b0) ? 1'b0 : ~r"}; end end`,
    '    if (v) out_data <= x;',
    '  end',
    'endmodule',
  ];
  return {
    children,
    lines: [...children,
      'module top(input clk, input rst, input v, input [7:0] x, output m_valid, output [7:0] m_row, output [7:0] m_data);',
      '  wire row;',
      '  last u_last (.clk(clk), .rst(rst), .v(v), .x(x), .out_valid(m_valid), .out_row(row), .out_data(m_data));',
      "  assign m_row = {7'd0, row};",
      'endmodule'],
  };
};

/**
 * An output stage that loads its column out_col from oc = phase[0] & en on the beat phase (2 when `even`, else 3) of a
 * free-running 2-bit phase: on phase 2, oc is 0 whatever en is.
 */
const beatColumn = (even: boolean) => [
  'module top(input clk, input rst, input en, output reg out_valid, output reg out_col);',
  '  reg [1:0] phase;',
  `  wire beat = phase == 2'd${even ? 2 : 3};`,
  '  wire oc = phase[0] & en;',
  '  always @(posedge clk) begin',
  "    if (rst) begin phase <= 2'd0; out_valid <= 1'b0; out_col <= 1'b0; end",
  "    else begin phase <= phase + 2'd1; out_valid <= beat; if (beat) out_col <= oc; end",
  '  end',
  'endmodule',
];

/**
 * beatColumn with the column also addressing a two-word memory (written from the inputs) whose word out_w loads on
 * the beat: the net oc is read by a register and by a memory, as a layer's input row is by its row-buffer read.
 */
const beatColumnWord = (even: boolean) => [
  'module top(input clk, input rst, input en, input we, input wa, input [7:0] d, output reg out_valid, output reg out_col, output reg [7:0] out_w);',
  '  reg [1:0] phase;',
  '  reg [7:0] mem [0:1];',
  `  wire beat = phase == 2'd${even ? 2 : 3};`,
  '  wire oc = phase[0] & en;',
  '  always @(posedge clk) begin',
  '    if (we) mem[wa] <= d;',
  "    if (rst) begin phase <= 2'd0; out_valid <= 1'b0; out_col <= 1'b0; out_w <= 8'd0; end",
  "    else begin phase <= phase + 2'd1; out_valid <= beat; if (beat) begin out_col <= oc; out_w <= mem[oc]; end end",
  '  end',
  'endmodule',
];

/**
 * beatColumn(true) with an inner stream the tap map reads: valid tv = phase[0], field oc — on phase 1 and 3 oc is en, so
 * tying oc (or the phase bit it reads) to 0 never reaches the outputs but does change what the bench sees at the tap.
 */
const TAPPED_COLUMN = [
  'module top(input clk, input rst, input en, output reg out_valid, output reg out_col);',
  '  reg [1:0] phase;',
  "  wire beat = phase == 2'd2;",
  '  wire tv = phase[0];',
  '  wire oc = phase[0] & en;',
  '  always @(posedge clk) begin',
  "    if (rst) begin phase <= 2'd0; out_valid <= 1'b0; out_col <= 1'b0; end",
  "    else begin phase <= phase + 2'd1; out_valid <= beat; if (beat) out_col <= oc; end",
  '  end',
  'endmodule',
];

/**
 * A group counter of one value (`g`, 0 after reset, kept so by g & pos[0]) whose `g == 0` sets out_last at the row's
 * end; with `live`, g toggles on every valid beat instead, so g == 0 holds only on every other one. Started from
 * out_last alone, the search needs three rounds of growth to prove it (tiny seed 61979's yosys-4, the same pattern in
 * a layer, ran out of budget that way); started from g as well, two.
 */
const oneGroup = (live: boolean) => [
  'module top(input clk, input rst, input v, output reg out_valid, output reg out_last);',
  '  reg g;',
  '  reg [3:0] pos;',
  "  wire last = v && g == 1'd0 && pos == 4'd15;",
  '  always @(posedge clk) begin',
  "    if (rst) begin g <= 1'b0; pos <= 4'd0; out_valid <= 1'b0; out_last <= 1'b0; end",
  `    else begin if (v) begin g <= ${live ? '~g' : 'g & pos[0]'}; pos <= pos + 4'd1; end out_valid <= v; out_last <= last; end`,
  '  end',
  'endmodule',
];

/**
 * A result register with no reset, written with a ReLU by the sign bit of a 24-bit sum on phase 5 of an 8-phase slot
 * and loaded into out_data on the slot's beat, phase 6 (as a layer's res and out_data are). Variants: `other`, the
 * ReLU tests bit 22 instead (bit 23 can be 1); `beatFirst`, the beat is phase 4, before the first write reads the
 * power-up value.
 */
const reluResult = (variant: 'sign' | 'other' | 'beatFirst') => [
  'module top(input clk, input rst, input go, input [23:0] a, input [23:0] b, output reg out_valid, output reg [23:0] out_data);',
  '  reg [2:0] phase; reg busy; reg [23:0] res;',
  '  wire [23:0] sum = a + b;',
  `  wire beat = busy && phase == 3'd${variant === 'beatFirst' ? 4 : 6};`,
  '  always @(posedge clk) begin',
  "    if (rst) begin busy <= 1'b0; phase <= 3'd0; end",
  "    else if (busy || go) begin busy <= phase != 3'd7; phase <= phase + 3'd1; end",
  `    if (phase == 3'd5) res <= sum[${variant === 'other' ? 22 : 23}] ? 24'd0 : sum;`,
  "    if (rst) begin out_valid <= 1'b0; out_data <= 24'd0; end",
  '    else begin out_valid <= beat; if (beat) out_data <= res; end',
  '  end',
  'endmodule',
];

/**
 * A 1-bit row counter ky that steps (ky + 1) on `inc`, which never holds: two counters p and q count together from
 * reset, and inc needs p = 3 with q = 0 (a layer's ci = 7 while phase < 7 is the same). With `live`, inc is p = 3.
 */
const neverStepped = (live: boolean) => [
  'module top(input clk, input rst, input kx, output reg ky);',
  '  reg [1:0] p, q;',
  `  wire inc = p == 2'd3${live ? '' : " && q == 2'd0"};`,
  '  always @(posedge clk) begin',
  "    if (rst) begin p <= 2'd0; q <= 2'd0; ky <= 1'd0; end",
  "    else begin p <= p + 2'd1; q <= q + 2'd1; if (inc) begin if (kx) ky <= ky; else ky <= ky + 1'd1; end end",
  '  end',
  'endmodule',
];

/**
 * A 24-bit word r loaded from x on phase 0 of a 4-phase cycle and held otherwise, its bit 9 read into out_data on phase
 * `read`: the mutant puts cnot1 on bit 9 of r's register output, controlled by bit 20, so readers see bit 9 ⊕ bit 20
 * and the hold path stores that — the stored bit toggles on every held cycle while bit 20 is set. Read on phase 2
 * (one toggle after the load, at the end of phase 1), the reader's own ⊕ gives back the loaded bit; on phase 3 (two
 * toggles) it does not.
 */
const toggledHold = (read: number) => [
  'module top(input clk, input rst, input [23:0] x, output reg out_valid, output reg out_data);',
  '  reg [1:0] phase; reg [23:0] r;',
  '  always @(posedge clk) begin',
  "    if (rst) begin phase <= 2'd0; out_valid <= 1'b0; out_data <= 1'b0; end",
  `    else begin phase <= phase + 2'd1; out_valid <= phase == 2'd${read}; if (phase == 2'd${read}) out_data <= r[9]; end`,
  "    if (phase == 2'd0) r <= x;",
  '  end',
  'endmodule',
];

/** What the tap map observes of twoInstances: the output, and (`inner`) the stream between the two instances. */
const observed = (inner: boolean) => [
  { valid: 'top.out_valid', fields: ['top.out_data'] },
  ...(inner ? [{ valid: 'top.u_src.ov', fields: ['top.u_src.od'] }, { valid: 'top.mv', fields: ['top.md'] }] : []),
];

/**
 * Proves the mutation `args` of the first cell of `type` whose body matches `body` in design `lines` (reset rst), and
 * co-simulates the mutant beside the original for 3000 random cycles (`library`: Verilog of its black boxes). `with`:
 * the streams the design observes, and the search's limits, when not the defaults.
 */
async function proveAndSimulate(lines: readonly string[], type: string, body: RegExp, args: string, seed: number, library: readonly string[] = [], with_: { streams?: ResetOf['streams']; limits?: ReachLimits } = {}) {
  const { dir, il, text } = prep(lines);
  const m = mutationOf(cellWhere(text, type, body), args);
  const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst', ...(with_.streams ? { streams: with_.streams } : {}) }, join(dir, 'p'), with_.limits);
  return { proof, diff: firstDifference(il, m, dir, 3000, seed, library) };
}

describeRtl('provesByReachability', () => {
  it('a child output bit nothing reads, inverted or tied to 1 in the top: proven; the bit beside it that reaches y tied to 1: the same on the output the top passes on, or on a tapped wire: refused, naming what reads it', async () => {
    const { dir, il } = prep(UNREAD_OUTPUT);
    const unread = await provesByReachability(il, mutationOf('u', '-mode inv -port r -portbit 0 -wire r1 -wirebit 0'), { top: 'top', reset: 'rst' }, join(dir, 'p1'));
    expect(unread.equivalent).toBe(true);
    expect(unread.detail).toMatch(/nothing reads the mutated value/);
    // A constant adds no cell: the wire it names is followed instead.
    const constant = await provesByReachability(il, mutationOf('u', '-mode const1 -port r -portbit 0 -wire r1 -wirebit 0'), { top: 'top', reset: 'rst' }, join(dir, 'p4'));
    expect(constant.detail).toMatch(/nothing reads the mutated value/);
    expect(constant.equivalent).toBe(true);
    const readBit = await provesByReachability(il, mutationOf('u', '-mode const1 -port r -portbit 1 -wire r1 -wirebit 1'), { top: 'top', reset: 'rst' }, join(dir, 'p5'));
    expect(readBit.equivalent).toBe(false);
    expect(readBit.detail).toMatch(/reaches output port y/);
    const passed = await provesByReachability(il, mutationOf('u', '-mode inv -port q -portbit 0 -wire q1 -wirebit 0'), { top: 'top', reset: 'rst' }, join(dir, 'p2'));
    expect(passed.equivalent).toBe(false);
    expect(passed.detail).toMatch(/reaches output port y/);
    const tapped = await provesByReachability(il, mutationOf('u', '-mode inv -port r -portbit 0 -wire r1 -wirebit 0'), { top: 'top', reset: 'rst', tapped: ['r1'] }, join(dir, 'p3'));
    expect(tapped.equivalent).toBe(false);
    expect(tapped.detail).toMatch(/tapped wire r1/);
  }, 120_000);

  it('row-beat counter (7 bits, wraps at 127): next value bit 2 flipped whenever bit 5 is set — proven, and 3000 random cycles never differ', async () => {
    const { dir, il, text } = prep(COUNTER);
    // The 7-bit multiplexer that picks cnt + 1 (A) or 0 (B, at row_end); the 2-bit one beside it is the slot's.
    const mux = cellWhere(text, '$mux', /WIDTH 7\n[^]*connect \\S \\row_end/);
    const m = mutationOf(mux, '-mode cnot1 -port A -portbit 2 -ctrlbit 5');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.detail).toMatch(/proven by reachability from reset: \d+ state pairs of cnt \(7 register bits\)/);
    expect(proof.equivalent).toBe(true);
    expect(firstDifference(il, m, dir, 3000, 7)).toBeNull();
  }, 120_000);

  it('the same counter mutant with a budget of 50 cell evaluations — not proven and not refused: the proof says it stopped at its limit', async () => {
    const { dir, il, text } = prep(COUNTER);
    const mux = cellWhere(text, '$mux', /WIDTH 7\n[^]*connect \\S \\row_end/);
    const m = mutationOf(mux, '-mode cnot1 -port A -portbit 2 -ctrlbit 5');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'), { evaluations: 50, states: 60_000, rounds: 10, enumeratedBits: 10 });
    expect(proof.equivalent).toBe(false);
    expect(proof.limited).toBe('50 cell evaluations');
    expect(proof.detail).toMatch(/stopped at 50 cell evaluations/);
  }, 120_000);

  it('row-beat counter (7 bits): register output bit 6 inverted (the stored bit flips on every idle cycle) — refused, and random cycles show it', async () => {
    const { dir, il, text } = prep(COUNTER);
    const dff = cellWhere(text, '$dff', /connect \\Q \\cnt$/m);
    const m = mutationOf(dff, '-mode inv -port Q -portbit 6 -wire cnt -wirebit 6');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/differs after \d+ steps/);
    // The path to the difference: the free inputs (the module's ports alone: cnt is the whole cone), then every step
    // from power-up (reset high in the first; equal steps in a row as one line), then the differing place.
    const steps = Number(/differs after (\d+) steps/.exec(proof.detail)![1]);
    expect(proof.detail).toMatch(/on a path that frees no internal net of top, though still the search's over-approximation; not realized as a run/);
    const trace = proof.trace!;
    expect(trace[0]).toMatch(/^free inputs: .*; all ports of top \(no internal net freed/);
    expect(trace[1]).toMatch(/^steps? 0(–0)?: .*rst\[0\]=1/);
    expect(coveredSteps(trace.slice(1, -1))).toEqual(Array.from({ length: steps }, (_, i) => i));
    expect(trace[trace.length - 1]).toMatch(new RegExp(`^step ${steps - 1}: .* original ¬?(0|1|s\\d+), mutant ¬?(0|1|s\\d+)`));
    expect(firstDifference(il, m, dir, 5000, 3)).not.toBeNull();
  }, 120_000);

  it('accumulator adding a black-box ROM word w (8 bits): acc register output bit 0 inverted — refused; the trace names w as internal nets, the proof says the path may be none the module takes', async () => {
    const { proof, diff } = await proveAndSimulate(ROM_ACC, '$dff', /connect \\Q \\acc$/m, '-mode inv -port Q -portbit 0 -wire acc -wirebit 0', 5, ROM_MODEL);
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/on a path that frees \d+ internal net bit\(s\) of top, so it may be none the module takes; not realized as a run/);
    expect(proof.trace![0]).toMatch(/; 8 of them internal nets of top \(w\[\d\]/);
    expect(diff).not.toBeNull();
  }, 120_000);

  it.each([
    { even: true, named: true, equivalent: true },
    { even: false, named: true, equivalent: false },
    { even: true, named: false, equivalent: true },
    { even: false, named: false, equivalent: false },
  ])('column oc = phase[0] & en tied to 0 at its and-gate, loaded on beat phase 2 when even=$even (else 3), the mutation naming the wire=$named — equivalent $equivalent: the search starts from the registers that read the net as it was (the mutant\'s gate drives nothing), and 3000 cycles agree', async ({ even, named, equivalent }) => {
    // Yosys names no wire for an output no named wire carries (`a == b` inside an expression): the cell's own output
    // bit is then the net.
    const { proof, diff } = await proveAndSimulate(beatColumn(even), '$and', /connect \\Y \\oc$/m, `-mode const0 -port Y -portbit 0${named ? ' -wire oc -wirebit 0' : ''}`, 17);
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /proven by reachability from reset: \d+ state pairs of .*out_col/ : /differs after \d+ steps/);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { even: true, equivalent: true },
    { even: false, equivalent: false },
  ])('column oc = phase[0] & en, read by a register and as a two-word memory\'s address, tied to 0 at its and-gate, loaded on beat phase 2 when even=$even (else 3) — equivalent $equivalent: a memory among the readers still lets the search start from the registers, and 3000 cycles agree', async ({ even, equivalent }) => {
    const streams = [{ valid: 'top.out_valid', fields: ['top.out_col', 'top.out_w'] }];
    const { proof, diff } = await proveAndSimulate(beatColumnWord(even), '$and', /connect \\Y \\oc$/m, '-mode const0 -port Y -portbit 0 -wire oc -wirebit 0', 37, [], { streams });
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /proven by reachability from reset: \d+ state pairs of .*out_col/ : /differs after \d+ steps/);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { live: false, equivalent: true },
    { live: true, equivalent: false },
  ])('a 1-bit counter\'s step ky + 1 tied to 1 at its multiplexer, the step taken never (live=false) or every fourth cycle — equivalent $equivalent: the mutant\'s adder, whose result nothing reads, is no place to compare, and 3000 cycles agree', async ({ live, equivalent }) => {
    const { proof, diff } = await proveAndSimulate(neverStepped(live), '$mux', /connect \\B \\ky$/m, '-mode const1 -port A -portbit 0', 41);
    expect(proof.detail).not.toMatch(/differ in shape/);
    expect(proof.equivalent).toBe(equivalent);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { read: 2, equivalent: true },
    { read: 3, equivalent: false },
  ])('a held 24-bit word whose bit 9 register output is ⊕ its bit 20 (cnot1: the hold path toggles it), read on phase $read of 4 after a load on phase 0 — equivalent $equivalent: the search keeps the toggled bit as the loaded bit ⊕ bit 20 from step to step, and 3000 cycles agree', async ({ read, equivalent }) => {
    const streams = [{ valid: 'top.out_valid', fields: ['top.out_data'] }];
    const { proof, diff } = await proveAndSimulate(toggledHold(read), '$dff', /connect \\Q \\r$/m, '-mode cnot1 -port Q -portbit 9 -ctrlbit 20 -wire r -wirebit 9', 43, [], { streams });
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /proven by reachability from reset: \d+ state pairs of .*\br\b/ : /output out_data\[0\] differs/);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { live: false, equivalent: true },
    { live: true, equivalent: false },
  ])('g == 0 of a one-value group counter tied to 1 (no wire named), with at most two rounds of cone growth, live=$live — equivalent $equivalent: the search starts from the registers the original computes the net from too, and 3000 cycles agree', async ({ live, equivalent }) => {
    // Yosys makes a one-bit g == 0 a $not of g (named after the ==).
    const streams = [{ valid: 'top.out_valid', fields: ['top.out_last'] }];
    const { proof, diff } = await proveAndSimulate(oneGroup(live), '$not', /connect \\A \\g$/m, '-mode const1 -port Y -portbit 0', 23, [], { streams, limits: { ...REACH_LIMITS, rounds: 2 } });
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /proven by reachability from reset: \d+ state pairs of .*\bg\b/ : /output out_last\[0\] differs/);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { variant: 'sign', equivalent: true },
    { variant: 'other', equivalent: false },
    { variant: 'beatFirst', equivalent: false },
  ] as const)('the bit 23 a ReLU by the sign bit clears, tied to 0 where out_data loads a 24-bit result register with no reset, variant $variant — equivalent $equivalent: the search grows by that one bit of the data register, and 3000 cycles agree', async ({ variant, equivalent }) => {
    const streams = [{ valid: 'top.out_valid', fields: ['top.out_data'] }];
    const { proof, diff } = await proveAndSimulate(reluResult(variant), '$mux', /connect \\B \\res$/m, '-mode const0 -port B -portbit 23', 31, [], { streams });
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /proven by reachability from reset: \d+ state pairs of .*res\[23\]/ : /output out_data\[23\] differs/);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { port: 'Y', wire: 'oc' },
    { port: 'A', wire: 'phase' },
  ])('an inner stream (tv, oc) the tap map reads: oc\'s and-gate port $port tied to 0 (wire $wire) — refused at the tapped wire, although the outputs never differ (3000 cycles); without the tap — proven', async ({ port, wire }) => {
    const { dir, il, text } = prep(TAPPED_COLUMN);
    const and = cellWhere(text, '$and', /connect \\Y \\oc$/m);
    const m = mutationOf(and, `-mode const0 -port ${port} -portbit 0 -wire ${wire} -wirebit 0`);
    const outputs = { valid: 'top.out_valid', fields: ['top.out_col'] };
    const tapped = await provesByReachability(il, m, { top: 'top', reset: 'rst', tapped: ['tv', 'oc', 'out_valid', 'out_col'], streams: [{ valid: 'top.tv', fields: ['top.oc'] }, outputs] }, join(dir, 'p'));
    expect(tapped.equivalent).toBe(false);
    // Through the search (a difference at the tap) or before it (the mutated net reaches the tapped wire).
    expect(tapped.detail).toMatch(/tapped oc\[0\] differs|reaches .*tapped wire oc/);
    const untapped = await provesByReachability(il, m, { top: 'top', reset: 'rst', tapped: ['out_valid', 'out_col'], streams: [outputs] }, join(dir, 'q'));
    expect(untapped.equivalent).toBe(true);
    expect(firstDifference(il, m, dir, 3000, 19)).toBeNull();
  }, 120_000);

  it('a write address that differs only in the power-up cycle (memory of 4 words, kept after reset) — refused: the first cycle is compared too', async () => {
    const { dir, il, text } = prep(POWER_UP_WRITE);
    const mux = cellWhere(text, '$pmux', /connect \\Y \\wa$/m);
    const m = mutationOf(mux, '-mode const1 -port A -portbit 0');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
  }, 120_000);

  it('a register on a gated clock (clk & en) in the cone — refused, since one step is not one tick of every register; random cycles show the mutant', async () => {
    const { dir, il, text } = prep(GATED_CLOCK);
    const mux = cellWhere(text, '$mux', /connect \\A \\b$/m);
    const m = mutationOf(mux, '-mode const0 -port A -portbit 0');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/not clocked by a module input's rising edge/);
    expect(firstDifference(il, m, dir, 2000, 9)).not.toBeNull();
  }, 120_000);

  it.each([
    { activeLow: true, equivalent: true },
    { activeLow: false, equivalent: false },
  ])('a phase 0..2 with a flag for phase 3, reset rst_n active-low, read as activeLow=$activeLow: the flag tied to 0 — equivalent $equivalent (only a first step under reset rules out phase 3)', async ({ activeLow, equivalent }) => {
    const { dir, il, text } = prep(ACTIVE_LOW_PHASE);
    const three = cellWhere(text, '$eq', /connect \\A \\st$/m);
    const m = mutationOf(three, '-mode const0 -port A -portbit 0');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst_n', activeLow }, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    if (!equivalent) expect(proof.trace![1]).toMatch(/^step 0: .*rst_n\[0\]=1/);
  }, 120_000);

  it.each([
    { live: false, equivalent: true },
    { live: true, equivalent: false },
  ])('stream stage (out_valid, out_data 8 bits): hold path bit 3 inverted, valid held by stay when live=$live — equivalent $equivalent: stream outputs compared in valid beats only (outputs do differ outside them)', async ({ live, equivalent }) => {
    const { dir, il, text } = prep(streamHold(live));
    const hold = cellWhere(text, '$mux', /connect \\A \\out_data$/m);
    const m = mutationOf(hold, '-mode inv -port A -portbit 3');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    if (equivalent) expect(proof.detail).toMatch(/\(stream outputs in valid beats\)/);
    else expect(proof.detail).toMatch(/output out_data\[3\] differs/);
    // Every output compared every cycle: the held word differs in both designs, in a valid beat only when live.
    expect(firstDifference(il, m, dir, 2000, 13)).not.toBeNull();
  }, 120_000);

  // Each design's mutant is a hold path corrupted while its value is dead; live=true makes the value used.
  const HOLD_PATHS = {
    'accumulator (8 bits, phases 0..3): hold path bit 3 inverted, held by stall at phase 2 when live':
      { lines: accumulator, body: /connect \\A \\acc$/m, args: '-mode inv -port A -portbit 3', seed: 11 },
    'memory of 4 words read at ci by a 4-beat burst: ci hold path bit 0 inverted while idle, kept on go when live (a read is a function of its address)':
      { lines: burstReader, body: /connect \\A \\ci$/m, args: '-mode inv -port A -portbit 0', seed: 17 },
  } as const;
  it.each(Object.keys(HOLD_PATHS).flatMap((what) => [[what, false, true], [what, true, false]] as const))('%s; live=%s — equivalent %s, as 3000 random cycles of Icarus show', async (what, live, equivalent) => {
    const d = HOLD_PATHS[what as keyof typeof HOLD_PATHS];
    const { proof, diff } = await proveAndSimulate(d.lines(live), '$mux', d.body, d.args, d.seed);
    expect(proof.equivalent).toBe(equivalent);
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { live: false, equivalent: true },
    { live: true, equivalent: false },
  ])('memory write of a held word dq (8 bits): hold path bit 3 inverted, write enable held high when live=$live — equivalent $equivalent (write data compared only while its enable is set)', async ({ live, equivalent }) => {
    const { proof, diff } = await proveAndSimulate(writeBehindLoad(live), '$mux', /connect \\A \\dq$/m, '-mode inv -port A -portbit 3', 19);
    expect(proof.equivalent).toBe(equivalent);
    if (!equivalent) expect(proof.detail).toMatch(/WR_DATA\[3\] differs/);
    // Raw write data differs in both; only a live enable stores it where rd shows it.
    expect(diff === null).toBe(equivalent);
  }, 120_000);

  it.each([
    { box: 'gatedRom', cell: ['$mux', /connect \\A \\ci$/m], args: '-mode inv -port A -portbit 0' },
    { box: 'latch', cell: ['$mux', /connect \\B \\y$/m], args: '-mode inv -port B -portbit 0' },
  ] as const)('black box $box (a ROM\'s shape, state inside) fed a value corrupted only while its output is unused — refused, as a box is opaque; Icarus shows the mutant', async ({ box, cell, args }) => {
    const { proof, diff } = await proveAndSimulate(STATEFUL_BOXES[box], cell[0], cell[1], args, 23, STATEFUL_MODELS[box]);
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/u_(rom|lat)\.(a|d)\[0\] differs/);
    expect(diff).not.toBeNull();
  }, 120_000);

  it('stream stage (out_data 8 bits) with its load select tied to 0: the strobe load = go & !rst, computed in the original\'s cone, is read outside it yet is no boundary place — refused for the difference in a valid beat, not for the cones\' shape', async () => {
    const { proof, diff } = await proveAndSimulate(streamHold(false), '$mux', /connect \\A \\out_data$/m, '-mode const0 -port S -portbit 0', 29);
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/output out_data\[\d\] differs/);
    expect(diff).not.toBeNull();
  }, 120_000);

  it('across instances: a tag that holds its reset value 0, tied to 0 between two instances — proven in the design flattened (never differs in 3000 cycles); the tag toggling — refused and differs; without observed streams — not tried', async () => {
    const args = '-mode const0 -port tag -portbit 0 -wire mt -wirebit 0';
    const held = twoInstances(false);
    const a = prep(held.lines);
    const m = mutationOf('u_src', args);
    const proof = await provesByReachability(a.il, m, { top: 'top', reset: 'rst', streams: observed(true) }, join(a.dir, 'p'));
    expect(proof.detail).toMatch(/whole design flattened \(the mutated value meets dst u_dst\)/);
    expect(proof.equivalent).toBe(true);
    expect(firstDifference(a.il, m, a.dir, 3000, 7, held.children)).toBeNull();
    const alone = await provesByReachability(a.il, m, { top: 'top', reset: 'rst' }, join(a.dir, 'q'));
    expect(alone.equivalent).toBe(false);
    expect(alone.detail).toMatch(/reaches dst u_dst/);
    const live = twoInstances(true);
    const b = prep(live.lines);
    const refused = await provesByReachability(b.il, mutationOf('u_src', args), { top: 'top', reset: 'rst', streams: observed(true) }, join(b.dir, 'p'));
    expect(refused.equivalent).toBe(false);
    expect(refused.detail).toMatch(/across instances: reachability: .*differs/);
    expect(firstDifference(b.il, mutationOf('u_src', args), b.dir, 3000, 7, live.children)).not.toBeNull();
  }, 180_000);

  it.each([
    { counts: false, equivalent: true },
    { counts: true, equivalent: false },
  ])('across instances: the last layer\'s output row tied to 0 at its instance in the top, the row counter counting=$counts — equivalent $equivalent (the value comes out of the instance: only the design flattened shows it is always 0), and 3000 cycles agree', async ({ counts, equivalent }) => {
    const { children, lines } = lastLayer(counts);
    const { dir, il } = prep(lines);
    const m = mutationOf('u_last', '-mode const0 -port out_row -portbit 0 -wire row -wirebit 0');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst', streams: [{ valid: 'top.m_valid', fields: ['top.m_row', 'top.m_data'] }] }, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    expect(proof.detail).toMatch(equivalent ? /in the whole design flattened \(the mutated value meets last u_last\)/ : /across instances: reachability: output (m_row|rs_obs0_f0)\[0\] differs/);
    const diff = firstDifference(il, m, dir, 3000, 13, children);
    expect(diff === null).toBe(equivalent);
  }, 180_000);

  it('across instances: the word bit 0 tied to 1 between the instances (dst ignores it) — proven when only the output is observed (never differs in 3000 cycles); refused when the tap map observes the stream between them', async () => {
    const { children, lines } = twoInstances(false);
    const { dir, il } = prep(lines);
    const m = mutationOf('u_src', '-mode const1 -port od -portbit 0 -wire md -wirebit 0');
    const unseen = await provesByReachability(il, m, { top: 'top', reset: 'rst', streams: observed(false) }, join(dir, 'p'));
    expect(unseen.equivalent).toBe(true);
    expect(firstDifference(il, m, dir, 3000, 11, children)).toBeNull();
    const seen = await provesByReachability(il, m, { top: 'top', reset: 'rst', streams: observed(true) }, join(dir, 'q'));
    expect(seen.equivalent).toBe(false);
    expect(seen.detail).toMatch(/across instances/);
  }, 180_000);

  it('across instances: mid.a tied to 0 at its child, where one of two instances gets a constant 1 (y follows d1 in the original, stays 0 in the mutant) — refused, with mid kept whole or not', async () => {
    for (const keep of [false, true]) {
      const { dir, il } = prep(twoMids(keep));
      const m = { id: 1, args: '-mode const0 -module mid -cell u_leaf -port a -portbit 0 -wire a -wirebit 0', mode: 'const0', module: 'mid', cell: 'u_leaf', src: [] };
      const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst', streams: [{ valid: 'top.y', fields: [] }, { valid: 'top.z', fields: [] }] }, join(dir, 'p'));
      expect(proof.equivalent).toBe(false);
      expect(proof.detail).toMatch(/across instances: reachability: output (y|rs_obs0_valid)\[0\] differs/);
    }
  }, 120_000);
});
