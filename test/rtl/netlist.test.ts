// rtl/netlist.ts on Verilog written here: declarations and instances read from Verilator's XML, whatever the depth of
// the expressions around them (the full IE120R's beat and partial-sum concatenations are 512 operands deep).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readNetlist, resolveSignal } from '../../rtl/netlist.js';
import { describeRtl } from '../support/rtl.js';

describeRtl('readNetlist', () => {
  it.each([3, 600])('a module whose register loads a concatenation of %i words: its signals and the instance resolve', async (n) => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-netlist-'));
    const words = Array.from({ length: n }, (_, i) => `w[${i % 4}]`).join(', ');
    writeFileSync(join(dir, 'deep.v'), [
      'module deep(input clk, input [31:0] a, output reg [' + (32 * n - 1) + ':0] q);',
      '  reg [31:0] w [0:3];',
      '  always @(posedge clk) begin w[0] <= a; w[1] <= w[0]; w[2] <= w[1]; w[3] <= w[2]; end',
      `  always @(posedge clk) q <= {${words}};`,
      'endmodule',
      'module top(input clk, input [31:0] a, output [' + (32 * n - 1) + ':0] q);',
      '  deep u_deep(.clk(clk), .a(a), .q(q));',
      'endmodule',
    ].join('\n'));
    const net = await readNetlist('top', ['deep.v'], dir);
    const q = resolveSignal(net, 'top.u_deep.q');
    expect(q, String(q)).toMatchObject({ scope: ['u_deep'], variable: { name: 'q', width: 32 * n, dir: 'output' } });
    expect(typeof resolveSignal(net, 'top.u_deep.nothing')).toBe('string');
  });
});
