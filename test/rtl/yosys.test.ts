// Equivalence proofs of Yosys mutants (real Yosys) where equiv_make's merging of submodule instances could hide a
// difference: a mutant whose cone reaches an instance must stay unproven, naming it; one that does not is still proven.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { rtlilModules } from '../../rtl/rtlilPorts.js';
import { provesEquivalent, type YosysMutation } from '../../rtl/yosys.js';
import { describeRtl } from '../support/rtl.js';

/** Two register stages in a top (s1 feeds s2 through net m), and top-level logic with a redundant term (t & c, line 7). */
const DESIGN = [
  'module stage(input clk, input v, output reg q); always @(posedge clk) q <= v; endmodule',
  'module top(input clk, input a, input b, input c, output y, output z);',
  '  wire m;',
  '  stage s1(.clk(clk), .v(a), .q(m));',
  '  stage s2(.clk(clk), .v(m), .q(y));',
  '  wire t = a & b;',
  // t & c adds nothing to t | (t & c): a mutant that sets c to 1 in it changes nothing.
  '  assign z = t | (t & c);',
  'endmodule',
].join('\n');

describeRtl('provesEquivalent', () => {
  const prepared = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-yosys-'));
    writeFileSync(join(dir, 'd.v'), DESIGN);
    execFileSync('yosys', ['-q', '-p', 'read_verilog -sv d.v; hierarchy -top top; proc; opt_clean; write_rtlil prepared.il'], { cwd: dir });
    return { dir, il: join(dir, 'prepared.il') };
  };
  const mutant = (args: string, cell: string): YosysMutation => ({ id: 1, args: `-module top ${args}`, mode: /-mode (\S+)/.exec(args)![1]!, module: 'top', cell, src: [] });

  it("top with stages s1 → s2: s1's output stuck at 1 (net m) reaches s2, so it is not proven, and s2 is named", async () => {
    const { dir, il } = prepared();
    const proof = await provesEquivalent(il, mutant('-mode const1 -cell s1 -port q -portbit 0 -wire m -wirebit 0', 's1'), join(dir, 'p1'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toMatch(/cone reaches submodule instances? .*s2/);
  }, 120_000);

  it('the same top: a redundant term (c stuck at 1 in t | (t & c)) that reaches no instance is still proven (control)', async () => {
    const { dir, il } = prepared();
    const top = rtlilModules(il).get('top')!;
    const and = [...top.cells].find(([n, t]) => t === '$and' && /d\.v:7\$/.test(n))![0];
    const proof = await provesEquivalent(il, mutant(`-mode const1 -cell ${and} -port B -portbit 0`, and), join(dir, 'p2'));
    expect(proof).toMatchObject({ equivalent: true });
  }, 120_000);
});
