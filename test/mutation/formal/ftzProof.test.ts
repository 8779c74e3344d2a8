// Proofs up to flush-to-zero (real Yosys), each verdict checked against Icarus Verilog simulating the original and the
// mutant side by side on random inputs: a product register whose zero becomes a subnormal, copied raw into an
// accumulator and read through a flush (proven, never differs), or read raw by the output (refused, differs); a
// mutation that makes a normal number out of a zero (refused, differs); a mutant that also gates a clock (refused); an
// accumulator whose −0 + +0 takes the wrong sign, read through a ReLU by the sign bit (proven up to the sign of zero,
// never differs) or raw (refused, differs); an accumulator that keeps another NaN payload for Inf − Inf, read with NaN
// made canonical (proven up to the payload of NaN, never differs) or raw (refused, differs).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { provesUpToFlush } from '../../../mutation/formal/ftzProof.js';
import { cellWhere, firstDifference, mutationOf, prepTop as prep } from '../../support/mutantCosim.js';
import { describeRtl } from '../../support/rtl.js';

/**
 * p: a product-like register, +-0 when `z` (a zero operand), else the input; acc: p copied raw; out: acc read with an
 * exponent-0 word as a zero of its sign (`flushed`), or raw.
 */
const design = (flushed: boolean) => [
  'module top(input clk, input rst, input z, input [31:0] a, output reg [31:0] out);',
  '  reg [31:0] p, acc;',
  "  wire [31:0] seen = acc[30:23] == 8'd0 ? {acc[31], 31'd0} : acc;",
  '  always @(posedge clk) begin',
  "    p <= z ? {a[31], 31'd0} : a;",
  '    acc <= p;',
  `    out <= ${flushed ? 'seen' : 'acc'};`,
  '  end',
  'endmodule',
];

/**
 * acc: the sum of zeros as rowsim's fadd forms it — −0 only when both are −0 — else the operand p (a signed zero when
 * `z`); out: acc read as the adders read it (an exponent-0 word as a zero of its sign), then through a ReLU by the
 * sign bit (−0 becomes +0), or raw.
 */
const zeroSum = (relu: boolean) => [
  'module top(input clk, input rst, input z, input s, input [31:0] a, output reg [31:0] out);',
  '  reg [31:0] acc;',
  "  wire [31:0] p = z ? {s, 31'd0} : a;",
  "  wire both = acc[30:23] == 8'd0 && p[30:23] == 8'd0;",
  "  wire [31:0] sum = both ? {acc[31] & p[31], 31'd0} : p;",
  "  wire [31:0] seen = acc[30:23] == 8'd0 ? {acc[31], 31'd0} : acc;",
  '  always @(posedge clk) begin',
  "    if (rst) begin acc <= 32'd0; out <= 32'd0; end",
  `    else begin acc <= sum; out <= ${relu ? "seen[31] ? 32'd0 : seen" : 'acc'}; end`,
  '  end',
  'endmodule',
];

/**
 * acc: an accumulator as rowsim's fadd keeps one — a NaN in it becomes the canonical NaN on the next add, Inf − Inf
 * gives the canonical NaN, Inf + Inf of one sign that Inf, anything else the operand x (±Inf or `a`, by `i`) —; out:
 * acc with a NaN read as the canonical one (`canonical`), or raw.
 */
const nanSum = (canonical: boolean) => [
  'module top(input clk, input rst, input [1:0] i, input [1:0] j, input [31:0] a, output reg [31:0] out);',
  '  reg [31:0] acc;',
  "  wire [31:0] x = i == 2'd1 ? 32'h7f800000 : i == 2'd2 ? 32'hff800000 : a;",
  "  wire [31:0] y = j == 2'd1 ? 32'h7f800000 : j == 2'd2 ? 32'hff800000 : 32'h3f800000;",
  "  wire anan = acc[30:23] == 8'hff && acc[22:0] != 23'd0;",
  "  wire infs = x[30:23] == 8'hff && y[30:23] == 8'hff && x[22:0] == 23'd0 && y[22:0] == 23'd0;",
  "  wire [31:0] next = anan ? 32'h7fc00000 : infs ? (x[31] == y[31] ? x : 32'h7fc00000) : x;",
  '  always @(posedge clk) begin',
  "    if (rst) begin acc <= 32'd0; out <= 32'd0; end",
  `    else begin acc <= next; out <= ${canonical ? "anan ? 32'h7fc00000 : acc" : 'acc'}; end`,
  '  end',
  'endmodule',
];

describeRtl('provesUpToFlush', () => {
  it.each([
    { flushed: true, bit: 6, equivalent: true },
    { flushed: false, bit: 6, equivalent: false },
    { flushed: true, bit: 23, equivalent: false },
  ])('zero of p with bit $bit set, output read flushed=$flushed — equivalent $equivalent, matching 2000 random cycles', async ({ flushed, bit, equivalent }) => {
    const { dir, il, text } = prep(design(flushed));
    // The multiplexer choosing the signed zero (B) when z: its bit `bit` inverted (6: a subnormal; 23: 2^-126, normal).
    const mux = cellWhere(text, '$mux', /connect \\S \\z$/m);
    const m = mutationOf(mux, `-mode inv -port B -portbit ${bit}`);
    const proof = await provesUpToFlush(il, m, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    if (equivalent) expect(proof.detail).toMatch(/up to flush-to-zero of acc, p/);
    const diff = firstDifference(il, m, dir, 2000, 5);
    if (equivalent) expect(diff).toBeNull();
    else expect(diff).not.toBeNull();
  }, 120_000);

  it('a flush-invisible choice that also gates the clock of another register (clk & e & z) — refused: clocks are obligations too', async () => {
    const { dir, il, text } = prep([
      'module top(input clk, input rst, input e, input z, input [31:0] a, output reg [31:0] out, output reg [7:0] r);',
      '  reg [31:0] p;',
      '  wire en = e & z;',
      '  wire gclk = clk & en;',
      "  wire [31:0] seen = p[30:23] == 8'd0 ? {p[31], 31'd0} : p;",
      '  always @(posedge clk) begin',
      "    p <= en ? {a[31], 31'd0} : {a[31], 31'h40};",
      '    out <= seen;',
      '  end',
      '  always @(posedge gclk) r <= a[7:0];',
      'endmodule',
    ]);
    const and = cellWhere(text, '$and', /connect \\A \\e$/m);
    const m = mutationOf(and, '-mode const1 -port A -portbit 0');
    const proof = await provesUpToFlush(il, m, join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/r\.c can differ/);
    expect(firstDifference(il, m, dir, 2000, 9)).not.toBeNull();
  }, 120_000);

  it.each([
    { relu: true, equivalent: true },
    { relu: false, equivalent: false },
  ])('−0 + +0 gives −0 in an accumulator, read through a ReLU=$relu — equivalent $equivalent (up to the sign of zero), matching 2000 random cycles', async ({ relu, equivalent }) => {
    const { dir, il, text } = prep(zeroSum(relu));
    // The sign of the sum of two zeros: acc[31] & p[31], with p's sign tied to 1 (so the sum keeps acc's sign).
    const and = cellWhere(text, '$and', /connect \\Y \\sum \[31\]|connect \\A \\acc \[31\]/m);
    const m = mutationOf(and, '-mode const1 -port B -portbit 0');
    const proof = await provesUpToFlush(il, m, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    if (equivalent) expect(proof.detail).toMatch(/^proven equal up to the sign of zero of acc /);
    else expect(proof.detail).toMatch(/up to flush-to-zero: .* can differ; up to the sign of zero: .* can differ/);
    const diff = firstDifference(il, m, dir, 2000, 13);
    if (equivalent) expect(diff).toBeNull();
    else expect(diff).not.toBeNull();
  }, 120_000);

  it.each([
    { canonical: true, equivalent: true },
    { canonical: false, equivalent: false },
  ])('Inf − Inf writes NaN 0x7fc08000 (bit 15 of the constant set) into an accumulator, output NaN read as canonical=$canonical — equivalent $equivalent (up to the payload of NaN), matching 3000 random cycles', async ({ canonical, equivalent }) => {
    const { dir, il, text } = prep(nanSum(canonical));
    // The Inf − Inf choice: x when the signs agree (B), else the canonical NaN (A, a constant).
    const mux = cellWhere(text, '$mux', /connect \\A 2143289344\n\s+connect \\B \\x\n/);
    const m = mutationOf(mux, '-mode inv -port A -portbit 15');
    const proof = await provesUpToFlush(il, m, join(dir, 'p'));
    expect(proof.equivalent, proof.detail).toBe(equivalent);
    if (equivalent) expect(proof.detail).toMatch(/^proven equal up to the payload of NaN of acc /);
    else expect(proof.detail).toMatch(/up to the sign of zero: .* can differ; up to the payload of NaN: .* can differ$/);
    const diff = firstDifference(il, m, dir, 3000, 17);
    if (equivalent) expect(diff).toBeNull();
    else expect(diff).not.toBeNull();
  }, 120_000);
});
