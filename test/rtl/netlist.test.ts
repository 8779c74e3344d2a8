// rtl/netlist.ts on Verilog written here: declarations and instances read from Verilator's XML, whatever the depth of
// the expressions around them (the full IE120R's beat and partial-sum concatenations are 512 operands deep).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { outermostName, readNetlist, resolveSignal } from '../../rtl/netlist.js';
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

  it('a parameterized module (two widths) and an included header: messages name the module as the sources do, and files lists the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-netlist-'));
    writeFileSync(join(dir, 'w.vh'), 'localparam integer EXTRA = 1;\n');
    writeFileSync(join(dir, 'p.v'), [
      'module unit #(parameter W = 4) (input [W-1:0] a, output [W-1:0] y);',
      '  `include "w.vh"',
      '  assign y = a ^ {W{EXTRA == 1}};',
      'endmodule',
      'module top(input [3:0] a, input [7:0] b, output [3:0] y, output [7:0] z);',
      '  unit #(.W(4)) u_narrow(.a(a), .y(y));',
      '  unit #(.W(8)) u_wide(.a(b), .y(z));',
      'endmodule',
    ].join('\n'));
    const net = await readNetlist('top', ['p.v'], dir);
    expect([...net.files].sort()).toEqual(['p.v', 'w.vh']);
    expect(resolveSignal(net, 'top.u_wide.y')).toMatchObject({ sourceModule: 'unit', variable: { width: 8 } });
    expect(resolveSignal(net, 'top.u_wide.nope')).toBe("'top.u_wide.nope': module 'unit' has no signal 'nope'");
    expect(resolveSignal(net, 'top.u_wide.u_x.q')).toBe("'top.u_wide.u_x.q': module 'unit' has no instance 'u_x'");
  });
});

describeRtl('outermostName', () => {
  it('an output port wired whole to a same-width wire is read as that wire, up two levels; a sliced or widened connection is not followed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-netlist-'));
    writeFileSync(join(dir, 'o.v'), [
      'module leaf(input clk, output reg [7:0] q, output reg [7:0] r, output reg [3:0] s);',
      '  always @(posedge clk) begin q <= q + 8\'d1; r <= r - 8\'d1; s <= s + 4\'d1; end',
      'endmodule',
      'module mid(input clk, output [7:0] mq, output [3:0] mr, output [7:0] ms);',
      '  wire [7:0] r_full;',
      '  leaf u_leaf(.clk(clk), .q(mq), .r(r_full), .s(ms));',   // s (4 bits) widened into an 8-bit port: not the same net
      '  assign mr = r_full[3:0];',
      'endmodule',
      'module top(input clk, output [7:0] y, output [3:0] z, output [7:0] w);',
      '  wire [7:0] q_top;',
      '  mid u_mid(.clk(clk), .mq(q_top), .mr(z), .ms(w));',
      '  assign y = q_top;',
      'endmodule',
    ].join('\n'));
    const net = await readNetlist('top', ['o.v'], dir);
    const at = (path: string) => {
      const s = resolveSignal(net, path);
      if (typeof s === 'string') throw new Error(s);
      return outermostName(net, s);
    };
    // q → mid's port mq → top's wire q_top (two whole-port steps).
    expect(at('top.u_mid.u_leaf.q')).toMatchObject({ path: 'top.q_top', scope: [], module: 'top', variable: { name: 'q_top', width: 8 } });
    // r → mid's wire r_full (whole), which mid only slices: it stays there.
    expect(at('top.u_mid.u_leaf.r')).toMatchObject({ path: 'top.u_mid.r_full', scope: ['u_mid'], variable: { name: 'r_full' } });
    // s is 4 bits into mid's 8-bit output port ms: Verilator widens it, so it is not the same net.
    expect(at('top.u_mid.u_leaf.s')).toMatchObject({ scope: ['u_mid', 'u_leaf'], variable: { name: 's', width: 4 } });
    // A variable that is not an output port, and a top port, are their own outermost names.
    expect(at('top.u_mid.r_full')).toMatchObject({ path: 'top.u_mid.r_full' });
    expect(at('top.y')).toMatchObject({ scope: [], variable: { name: 'y', dir: 'output' } });
  });
});
