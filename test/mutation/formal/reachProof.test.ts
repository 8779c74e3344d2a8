// Proofs by reachability from reset (real Yosys), each verdict checked against Icarus Verilog simulating the original
// and the mutant side by side on random inputs: a row-beat counter that counts in another order but ends its row on
// the same beat (proven, never differs), the same counter read through an inverter (a bit that flips on idle cycles:
// refused, and it does differ), an accumulator corrupted on its hold path only while dead (proven) or while live
// (refused, differs); a memory write that differs only in the power-up cycle and a register on a gated clock (refused);
// a flag that only a power-up state sets, proven when the search starts under an active-low reset at its level.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { provesByReachability } from '../../../mutation/formal/reachProof.js';
import { cellWhere, COUNTER, firstDifference, mutationOf, prepTop as prep } from '../../support/mutantCosim.js';
import { describeRtl } from '../../support/rtl.js';



/**
 * A stream stage: out_data loads x on `load` and holds otherwise; out_valid is `load` a cycle late, and with `live` also
 * held high by `stay` — then a held word is seen in a valid beat. (One `load` net drives both, as a layer's beat
 * strobe does: the search takes a net outside the cone as an input of its own.)
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
    // The path to the difference: one line per step from power-up (reset high in the first), then the differing place.
    const steps = Number(/differs after (\d+) steps/.exec(proof.detail)![1]);
    const trace = proof.trace!;
    expect(trace[0]).toMatch(/^step 0: /);
    if (steps <= 24) expect(trace).toHaveLength(steps + 1);
    expect(trace[trace.length - 1]).toMatch(new RegExp(`^step ${steps - 1}: .* original ¬?(0|1|s\\d+), mutant ¬?(0|1|s\\d+)`));
    expect(firstDifference(il, m, dir, 5000, 3)).not.toBeNull();
  }, 120_000);

  it.each([
    { live: false, equivalent: true },
    { live: true, equivalent: false },
  ])('accumulator (8 bits, phases 0..3): hold path bit 3 inverted, stall while live=$live — equivalent $equivalent, matching 3000 random cycles', async ({ live, equivalent }) => {
    const { dir, il, text } = prep(accumulator(live));
    // The multiplexer whose A input is acc held (the add at phase 2 is its B).
    const hold = cellWhere(text, '$mux', /connect \\A \\acc$/m);
    const m = mutationOf(hold, '-mode inv -port A -portbit 3');
    const proof = await provesByReachability(il, m, { top: 'top', reset: 'rst' }, join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    const diff = firstDifference(il, m, dir, 3000, 11);
    if (equivalent) expect(diff).toBeNull();
    else expect(diff).not.toBeNull();
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
    if (!equivalent) expect(proof.trace![0]).toMatch(/rst_n\[0\]=1/);
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
});
