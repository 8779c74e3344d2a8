// Equivalence proofs of Yosys mutants (real Yosys) where equiv_make's merging of named cells could hide a difference: a
// mutant whose cone reaches a submodule instance (parameterized too), or that mutates a memory's own port, stays
// unproven, naming it; one whose cone reaches only memories and ROM black boxes is proven again with them opened
// (equivalent when it is, not when a write or ROM address changes); a mutation of a bit that is x in the netlist is
// equivalent, of the same cell's defined input not; one that reaches none is still proven; a signed output port is
// compared.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { rtlilModules } from '../../../mutation/formal/rtlilPorts.js';
import { provesEquivalent, type YosysMutation } from '../../../mutation/formal/yosys.js';
import { describeRtl } from '../../support/rtl.js';

/** Two register stages in a top (s1 feeds s2 through net m), and top-level logic with a redundant term (t & c, line 7). */
const DESIGN = [
  // Parameterized, so its instances' type is Yosys's `$paramod\\stage\\W=…` (a name starting with $, as primitives' do).
  'module stage #(parameter W = 1) (input clk, input [W-1:0] v, output reg [W-1:0] q); always @(posedge clk) q <= v; endmodule',
  'module top(input clk, input a, input b, input c, output y, output z);',
  '  wire m;',
  '  stage #(.W(1)) s1(.clk(clk), .v(a), .q(m));',
  '  stage #(.W(1)) s2(.clk(clk), .v(m), .q(y));',
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
    expect(proof.detail).toMatch(/cone reaches cells? .*s2/);
  }, 120_000);

  /** Prepares the Verilog `lines` as a campaign does (prep) and returns the prepared RTLIL's path and text. */
  const prep = (lines: readonly string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-yosys-'));
    writeFileSync(join(dir, 'd.v'), lines.join('\n'));
    execFileSync('yosys', ['-q', '-p', 'read_verilog -sv d.v; prep -top top; write_rtlil prepared.il'], { cwd: dir });
    return { dir, il: join(dir, 'prepared.il'), text: readFileSync(join(dir, 'prepared.il'), 'utf8') };
  };

  it('a memory (bank0[4] of 4 bits): its read address bit 0 stuck at 1 is not proven, and bank0 is named', async () => {
    const { dir, il, text } = prep([
      'module top(input clk, input a, input b, input [1:0] wa, input [1:0] ra, input [3:0] d, output reg [3:0] q);',
      '  reg [3:0] bank0 [0:3];',
      '  always @(posedge clk) begin',
      '    if (a & b) bank0[wa] <= d;',
      '    q <= bank0[ra];',
      '  end',
      'endmodule',
    ]);
    expect(text).toMatch(/cell \$mem\S* \\bank0/);
    const proof = await provesEquivalent(il, mutant('-mode const1 -cell bank0 -port RD_ADDR -portbit 0 -wire ra -wirebit 0', 'bank0'), join(dir, 'p'));
    expect(proof.equivalent).toBe(false);
    expect(proof.detail).toContain('bank0');
  }, 120_000);

  /** The cell of type `type` whose source is line `line` of d.v (Yosys names cells after their source). */
  const cellAt = (il: string, type: string, line: number) => [...rtlilModules(il).get('top')!.cells].find(([n, t]) => t === type && new RegExp(`d\\.v:${line}\\$`).test(n))![0];

  /** A memory written where `en` (a redundant t | (t & c), line 3) holds, at address wa + e (line 4); a ROM read at ra + e (line 5). */
  const OPENED = [
    'module top(input clk, input a, input b, input c, input [1:0] wa, input [1:0] ra, input [1:0] e, input [3:0] d, output reg [3:0] q, output [3:0] r);',
    '  wire t = a & b; reg [3:0] bank0 [0:3];',
    '  wire en = t | (t & c);',
    '  wire [1:0] waddr = wa + e;',
    '  wire [1:0] raddr = ra + e; rom u_rom (.a(raddr), .w(r));',
    '  always @(posedge clk) begin',
    '    if (en) bank0[waddr] <= d;',
    '    q <= bank0[ra];',
    '  end',
    'endmodule',
    '(* blackbox *) module rom(input [1:0] a, output [3:0] w); endmodule',
  ];

  it('memory bank0 written where t | (t & c): c stuck at 1 reaches only bank0, so the memory becomes registers and it is proven', async () => {
    const { dir, il } = prep(OPENED);
    const and = cellAt(il, '$and', 3);
    const proof = await provesEquivalent(il, mutant(`-mode const1 -cell ${and} -port B -portbit 0`, and), join(dir, 'p'));
    expect(proof).toMatchObject({ equivalent: true });
    expect(proof.detail).toContain('memories as registers');
  }, 120_000);

  for (const [what, line, args] of [
    ['memory bank0 written at wa + e: the sum\'s bit 0 stuck at 1 writes another word', 4, '-mode const1 -port Y -portbit 0'],
    ['ROM u_rom read at ra + e: the sum\'s bit 1 stuck at 0 changes the address the ROM sees', 5, '-mode const0 -port Y -portbit 1'],
  ] as const) {
    it(`${what}, and the opened proof does not prove it`, async () => {
      const { dir, il } = prep(OPENED);
      const add = cellAt(il, '$add', line);
      const proof = await provesEquivalent(il, mutant(`${args.replace('-port', `-cell ${add} -port`)}`, add), join(dir, 'p'));
      expect(proof.equivalent).toBe(false);
      expect(proof.detail).toMatch(/unproven \(memories as registers and ROMs cut open\)/);
    }, 120_000);
  }

  it('memory bank0 written where t | (t & c): a bit of its write data on cycles that write nothing (x in the netlist) tied to 0 is equivalent without a proof; the same bit of the data written is not', async () => {
    const { dir, il, text } = prep(OPENED);
    const mux = /cell \$mux (\S+)\n(?:\s+(?:parameter|connect) .*\n)*?\s+connect \\A 4'x\n(?:\s+(?:parameter|connect) .*\n)*?\s+connect \\B \\d\n/.exec(text)?.[1];
    expect(mux, 'the write-data mux: x when not writing, d when writing').toBeDefined();
    const free = await provesEquivalent(il, mutant(`-mode const0 -cell ${mux} -port A -portbit 2`, mux!), join(dir, 'a'));
    expect(free).toMatchObject({ equivalent: true });
    expect(free.detail).toContain("x (a don't-care)");
    const written = await provesEquivalent(il, mutant(`-mode const0 -cell ${mux} -port B -portbit 2`, mux!), join(dir, 'b'));
    expect(written.equivalent).toBe(false);
  }, 120_000);

  it("a mux whose else value is {2'b10, 2'bxx} (4'10xx in RTLIL, MSB first): its bit 1 (x) tied to 1 is equivalent, its bit 2 (a defined 0) tied to 1 is not", async () => {
    const { dir, il, text } = prep([
      'module top(input clk, input s, input [3:0] d, output reg [3:0] q);',
      "  always @(posedge clk) q <= s ? d : {2'b10, 2'bxx};",
      'endmodule',
    ]);
    expect(text).toContain("connect \\A 4'10xx");
    const mux = cellAt(il, '$mux', 2);
    expect((await provesEquivalent(il, mutant(`-mode const1 -cell ${mux} -port A -portbit 1`, mux), join(dir, 'x'))).equivalent).toBe(true);
    expect((await provesEquivalent(il, mutant(`-mode const1 -cell ${mux} -port A -portbit 2`, mux), join(dir, 'd'))).equivalent).toBe(false);
  }, 120_000);

  it('a signed output y (written after its port index in RTLIL): a mutant of its register is compared, not proven', async () => {
    const { dir, il, text } = prep([
      'module top(input clk, input signed [3:0] a, input signed [3:0] b, output reg signed [3:0] y, output reg [3:0] z);',
      '  always @(posedge clk) begin y <= a + b; z <= a - b; end',
      'endmodule',
    ]);
    const dff = /cell \$dff (\S+)\n(?:\s+(?:parameter|connect) .*\n)*?\s+connect \\Q \\y\n/.exec(text)![1]!;
    const proof = await provesEquivalent(il, mutant(`-mode const1 -cell ${dff} -port Q -portbit 3 -wire y -wirebit 3`, dff), join(dir, 'p'));
    expect(proof).toMatchObject({ equivalent: false });
  }, 120_000);

  it('the same top: a redundant term (c stuck at 1 in t | (t & c)) that reaches no instance is still proven (control)', async () => {
    const { dir, il } = prepared();
    const top = rtlilModules(il).get('top')!;
    const and = [...top.cells].find(([n, t]) => t === '$and' && /d\.v:7\$/.test(n))![0];
    const proof = await provesEquivalent(il, mutant(`-mode const1 -cell ${and} -port B -portbit 0`, and), join(dir, 'p2'));
    expect(proof).toMatchObject({ equivalent: true });
  }, 120_000);
});
