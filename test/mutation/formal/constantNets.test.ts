// Nets a module always drives to one value (real Yosys prep): a multiplexer that clears a word when its bit 6 is set
// drives bit 6 to 0 whatever the sum it reads, and nothing else here is constant — not its other bits, not a
// register, not the two nets of a combinational loop (which must not hang the evaluation).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { constantNets } from '../../../mutation/formal/constantNets.js';
import { readYosysJson } from '../../../mutation/formal/yosysJson.js';
import { describeRtl } from '../../support/rtl.js';

const DESIGN = [
  'module top(input clk, input [7:0] a, input [7:0] b, input c, input d, output [7:0] cleared, output l, output reg [7:0] q);',
  '  wire [7:0] v = a + b;',
  "  assign cleared = v[6] ? 8'd0 : v;",
  '  wire l2;',
  '  assign l = l2 ^ c;',
  '  assign l2 = l & d;',
  '  always @(posedge clk) q <= cleared | {7\'d0, l};',
  'endmodule',
];

describeRtl('constantNets', () => {
  it('an 8-bit word cleared when its bit 6 is set, a two-net combinational loop and a register: exactly cleared[6] = 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-const-'));
    writeFileSync(join(dir, 'd.v'), DESIGN.join('\n'));
    execFileSync('yosys', ['-q', '-p', 'read_verilog -sv d.v; prep -top top; write_json d.json'], { cwd: dir, stdio: 'pipe' });
    const mod = readYosysJson(join(dir, 'd.json')).get('top')!;
    const constants = constantNets(mod);
    // Every named wire bit the analysis calls constant, with its value.
    const named = [...mod.wires].flatMap(([n, bits]) => bits.flatMap((b, i) => (typeof b === 'number' && constants.has(b) ? [`${n}[${i}]=${constants.get(b)}`] : [])));
    expect(new Set(named)).toEqual(new Set(['cleared[6]=0']));
    // Yosys left the net to us: the port bit is a net, not its constant '0'.
    expect(typeof mod.ports.get('cleared')!.bits[6]).toBe('number');
  });
});
