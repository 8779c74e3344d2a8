// Proofs by reachability from reset (real Yosys), each verdict checked against Icarus Verilog simulating the original
// and the mutant side by side on random inputs: a row-beat counter that counts in another order but ends its row on
// the same beat (proven, never differs), the same counter read through an inverter (a bit that flips on idle cycles:
// refused, and it does differ), an accumulator corrupted on its hold path only while dead (proven) or while live
// (refused, differs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { provesByReachability } from '../../rtl/reachProof.js';
import { cellWhere, firstDifference, mutationOf } from '../support/mutantCosim.js';
import { describeRtl } from '../support/rtl.js';

/** Prepares Verilog `lines` (module top) as a campaign does (prep) and returns the folder, the RTLIL path and text. */
function prep(lines: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-reach-'));
  writeFileSync(join(dir, 'd.v'), lines.join('\n'));
  execFileSync('yosys', ['-q', '-p', 'read_verilog -sv d.v; prep -top top; write_rtlil prepared.il'], { cwd: dir });
  const il = join(dir, 'prepared.il');
  return { dir, il, text: readFileSync(il, 'utf8') };
}

/** A 7-bit row-beat counter as rowsim's layers have one: counts valid beats, wraps at 127 and moves the row slot on. */
const COUNTER = [
  'module top(input clk, input rst, input v, output reg [1:0] slot);',
  '  reg [6:0] cnt;',
  '  wire row_end = cnt == 7\'d127;',
  '  always @(posedge clk) begin',
  '    if (rst) begin cnt <= 7\'d0; slot <= 2\'d0; end',
  '    else if (v) begin',
  '      if (row_end) begin cnt <= 7\'d0; slot <= slot + 2\'d1; end',
  '      else cnt <= cnt + 7\'d1;',
  '    end',
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

describeRtl('provesByReachability', () => {
  it('row-beat counter (7 bits, wraps at 127): next value bit 2 flipped whenever bit 5 is set — proven, and 3000 random cycles never differ', async () => {
    const { dir, il, text } = prep(COUNTER);
    // The 7-bit multiplexer that picks cnt + 1 (A) or 0 (B, at row_end); the 2-bit one beside it is the slot's.
    const mux = cellWhere(text, '$mux', /WIDTH 7\n[^]*connect \\S \\row_end/);
    const m = mutationOf(mux, '-mode cnot1 -port A -portbit 2 -ctrlbit 5');
    const proof = await provesByReachability(il, m, 'top', 'rst', join(dir, 'p'));
    expect(proof.detail).toMatch(/proven by reachability from reset: \d+ state pairs of cnt \(7 register bits\)/);
    expect(proof.equivalent).toBe(true);
    expect(firstDifference(il, m, dir, 3000, 7)).toBeNull();
  }, 120_000);

  it('row-beat counter (7 bits): register output bit 6 inverted (the stored bit flips on every idle cycle) — refused, and random cycles show it', async () => {
    const { dir, il, text } = prep(COUNTER);
    const dff = cellWhere(text, '$dff', /connect \\Q \\cnt$/m);
    const m = mutationOf(dff, '-mode inv -port Q -portbit 6 -wire cnt -wirebit 6');
    const proof = await provesByReachability(il, m, 'top', 'rst', join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/differs after \d+ steps/);
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
    const proof = await provesByReachability(il, m, 'top', 'rst', join(dir, 'p'));
    expect(proof.equivalent).toBe(equivalent);
    const diff = firstDifference(il, m, dir, 3000, 11);
    if (equivalent) expect(diff).toBeNull();
    else expect(diff).not.toBeNull();
  }, 120_000);
});
