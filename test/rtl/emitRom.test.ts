// The ROM modules under Icarus: lane j of the weight ROM reads word base + j·OCMUX and lane j of the bias ROM word
// j·OCMUX + grp while the read enable is high, and every lane reads 0 while it is low (operand isolation). The images
// hold each word's own address, so a lane that read the wrong word shows it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { addrBits, emitRoms, romNames } from '../../rtl/emitRom.js';
import { describeRtl } from '../support/rtl.js';

describeRtl('emitRoms', () => {
  it('ie120r-mini layer 8 (2 lanes, ocmux 6): lanes read base + 6j (weights) and 6j + grp (biases) while en, 0 while not', () => {
    const net = loadSpec('ie120r-mini');
    const l = net.layers[7]!, p = makePlan(net).layers[7]!;
    expect([p.lanes, p.ocmux]).toEqual([2, 6]);
    const depth = p.taps * p.passes * l.outC;
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-rom-'));
    mkdirSync(join(dir, 'rom'));
    // Word a holds a itself (weights: 18 bits; biases: 0x3f800000 + a, so the high bits are checked too).
    writeFileSync(join(dir, romNames(8).weights), Array.from({ length: depth }, (_, a) => a.toString(16).padStart(5, '0')).join('\n') + '\n');
    writeFileSync(join(dir, romNames(8).bias), Array.from({ length: l.outC }, (_, a) => (0x3f800000 + a).toString(16)).join('\n') + '\n');
    const roms = emitRoms(l, p);
    writeFileSync(join(dir, 'roms.v'), roms.weights + roms.bias);
    const bases = [0, 7, depth - 1 - 6];
    const steps = bases.flatMap((b, i) => [`en = 1; base = ${b}; grp = ${i % 6}; #1 $display("%0d %0d %0d %0d", w[17:0], w[35:18], b[31:0] - 32'h3f800000, b[63:32] - 32'h3f800000);`,
      `en = 0; #1 $display("%0d %0d", w, b);`]);
    writeFileSync(join(dir, 'tb.v'), `module tb; reg en; reg [${addrBits(depth) - 1}:0] base; reg [2:0] grp; wire [35:0] w; wire [63:0] b;
  rs_wrom8 uw (.en(en), .base(base), .w(w));
  rs_brom8 ub (.en(en), .grp(grp), .b(b));
  initial begin
    ${steps.join('\n    ')}
  end
endmodule
`);
    execFileSync('iverilog', ['-g2012', '-o', 'sim.vvp', 'tb.v', 'roms.v'], { cwd: dir, stdio: 'pipe' });
    const lines = execFileSync('vvp', ['-n', 'sim.vvp'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    expect(lines).toEqual(bases.flatMap((b, i) => [`${b} ${b + 6} ${i % 6} ${i % 6 + 6}`, '0 0']));
  });
});
