// The ROM contract wrapper: which ROM modules it wraps; what it computes (proven by Yosys's SAT for every word against an
// independent formula); and, under real Yosys, that it proves a weight-side Inf/NaN test dead while the same
// test on a data input (or on a ROM outside the emitted interface) stays unproven.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { romContract } from '../../../mutation/formal/romContract.js';
import { rtlilModules, type RtlilModule, type RtlilPort } from '../../../mutation/formal/rtlilPorts.js';
import { provesEquivalent, type YosysMutation } from '../../../mutation/formal/yosys.js';
import { describeRtl } from '../../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-romc-'));
const rom = (spec: Record<string, [RtlilPort['direction'], number]>, blackbox = true): RtlilModule => ({
  blackbox, cells: new Map(), ports: new Map(Object.entries(spec).map(([n, [direction, width]]) => [n, { direction, width }])),
});

describe('romContract', () => {
  it('wraps the emitted interface: w of 18-bit codes (2 lanes), b of 32-bit words (3 lanes); keeps the input ports', () => {
    const w = romContract('rs_wrom4', rom({ base: ['input', 11], w: ['output', 36] }))!;
    expect(w.wrapper).toBe('rs_contract_rs_wrom4');
    expect(w.verilog).toContain('rs_wrom4 u_rom (.base(base), .w(rs_rom_raw));');
    expect(w.verilog).toContain('i < 2;');
    const b = romContract('rs_brom4', rom({ grp: ['input', 2], b: ['output', 96] }))!;
    expect(b.verilog).toContain('i < 3;');
    expect(b.verilog).toContain("c[30:23] == 8'hff");
  });

  it('declines: not a black box, output not w or b, width not a whole number of words, two outputs, a port named like the wrapper\'s own (rs_rom_raw, u_rom, i, g_word, c)', () => {
    expect(romContract('r', rom({ base: ['input', 4], w: ['output', 18] }, false))).toBeNull();
    expect(romContract('r', rom({ base: ['input', 4], q: ['output', 18] }))).toBeNull();
    expect(romContract('r', rom({ base: ['input', 4], w: ['output', 20] }))).toBeNull();
    expect(romContract('r', rom({ base: ['input', 4], b: ['output', 18] }))).toBeNull();
    expect(romContract('r', rom({ base: ['input', 4], w: ['output', 18], b: ['output', 32] }))).toBeNull();
    for (const clash of ['rs_rom_raw', 'u_rom', 'i', 'g_word', 'c']) expect(romContract('r', rom({ [clash]: ['input', 4], w: ['output', 18] }))).toBeNull();
  });
});

describeRtl('romContract under real tools', () => {
  /** Proves with Yosys's SAT, for every word x: the wrapped word is allowed, and an allowed x passes unchanged. */
  const proveWrapper = (out: 'w' | 'b', bits: number, exponentTop: number) => {
    const dir = tmp();
    const c = romContract('rawrom', rom({ base: ['input', bits], [out]: ['output', bits] }))!;
    const e = (v: string) => `${v}[${exponentTop}:${exponentTop - 7}]`;
    const m = (v: string) => `${v}[${exponentTop - 8}:0]`;
    // The "ROM" returns its address, so a free address is a free word. Allowed is written here independently of the
    // wrapper: exponent not all ones, and a zero exponent only with a zero mantissa.
    writeFileSync(join(dir, 'chk.v'), [
      `module rawrom(input [${bits - 1}:0] base, output [${bits - 1}:0] ${out}); assign ${out} = base; endmodule`,
      c.verilog,
      `module chk(input [${bits - 1}:0] x, output bad, output changed);`,
      `  wire [${bits - 1}:0] y;`,
      `  rs_contract_rawrom dut(.base(x), .${out}(y));`,
      `  wire ok_x = ${e('x')} != 8'd255 && !(${e('x')} == 8'd0 && ${m('x')} != 0);`,
      `  wire ok_y = ${e('y')} != 8'd255 && !(${e('y')} == 8'd0 && ${m('y')} != 0);`,
      '  assign bad = !ok_y || (ok_x && y != x);',
      '  assign changed = y != x;',
      'endmodule',
    ].join('\n'));
    const yosys = (script: string) => execFileSync('yosys', ['-q', '-p', `read_verilog chk.v; prep -top chk; flatten; ${script}`], { cwd: dir, encoding: 'utf8' });
    yosys('sat -prove bad 0 -verify');
    // And it does change what is not allowed: +Inf and the smallest subnormal (sat -verify exits non-zero otherwise).
    yosys(`sat -set x ${bits}'b${'0' + '1'.repeat(8) + '0'.repeat(bits - 9)} -prove changed 1 -verify`);
    yosys(`sat -set x ${bits}'d1 -prove changed 1 -verify`);
  };

  it('every 18-bit weight code and every 32-bit bias word (Yosys SAT): an allowed word passes unchanged, any other becomes an allowed one', () => {
    proveWrapper('w', 18, 16);
    proveWrapper('b', 32, 30);
  }, 120_000);

  /**
   * A layer-like module reading a weight ROM named `out` at `base + 1`: Inf/NaN tests on the weight and on a data input,
   * registered, and the weight itself as an output.
   */
  const design = (out: string) => [
    `module rs_wrom1(input [3:0] base, output [17:0] ${out}); endmodule`,
    'module lay(input clk, input [3:0] base, input [31:0] x, output reg nan_w, output reg nan_x, output reg [17:0] wq);',
    "  wire [17:0] wv; wire [3:0] addr = base + 4'd1;",
    `  rs_wrom1 u_wrom(.base(addr), .${out}(wv));`,
    '  always @(posedge clk) begin',
    "    nan_w <= wv[16:9] == 8'hff && wv[8:0] != 9'd0;",
    "    nan_x <= x[30:23] == 8'hff && x[22:0] != 23'd0;",
    '    wq <= wv;',
    '  end',
    'endmodule',
  ];

  /**
   * Prepares the design as a campaign does (ROM as a black box); returns the const0 mutants of its two `&&` cells and
   * one of the ROM address's adder (bit 0 of its result stuck at 0).
   */
  const prepared = (dir: string, out: string) => {
    const lines = design(out);
    writeFileSync(join(dir, 'rom.v'), lines[0] + '\n');
    writeFileSync(join(dir, 'lay.v'), lines.slice(1).join('\n') + '\n');
    execFileSync('yosys', ['-q', '-p', 'read_verilog -lib rom.v; read_verilog -sv lay.v; prep -top lay; write_rtlil prepared.il'], { cwd: dir });
    const cells = [...rtlilModules(join(dir, 'prepared.il')).get('lay')!.cells];
    const ands = cells.filter(([, t]) => t === '$logic_and').map(([n]) => n);
    const line = (n: string) => Number(/lay\.v:(\d+)/.exec(n)![1]);
    const mutant = (cell: string, id: number): YosysMutation => ({ id, args: `-mode const0 -module lay -cell ${cell} -port Y -portbit 0`, mode: 'const0', module: 'lay', cell, src: [] });
    // Line 5 holds the weight's test, line 6 the data input's.
    return {
      il: join(dir, 'prepared.il'), weight: mutant(ands.find((n) => line(n) === 5)!, 1), data: mutant(ands.find((n) => line(n) === 6)!, 2),
      address: mutant(cells.find(([, t]) => t === '$add')![0], 3),
    };
  };

  it('Yosys, ROM output w, contract on: the weight-side NaN test forced false is equivalent; the data-side one and the ROM address (opened proof) are not; contract off: not', async () => {
    const dir = tmp();
    const p = prepared(dir, 'w');
    expect(readFileSync(p.il, 'utf8')).toContain('attribute \\blackbox 1');
    const weight = await provesEquivalent(p.il, p.weight, join(dir, 'pw'), { romContract: true });
    expect(weight).toMatchObject({ equivalent: true });
    expect(weight.detail).toContain('ROM words as the contract allows');
    expect(await provesEquivalent(p.il, p.data, join(dir, 'pd'), { romContract: true })).toMatchObject({ equivalent: false });
    // The wrapper sits between the ROM and its readers; a mutant of the ROM's address reaches the ROM's own cell (the
    // wrapper is flattened in before the cone is marked), so the proof is run again with that cell cut open — its
    // address compared as an output — and fails there.
    const address = await provesEquivalent(p.il, p.address, join(dir, 'pa'), { romContract: true });
    expect(address.equivalent).toBe(false);
    expect(address.detail).toMatch(/unproven \(memories as registers and ROMs cut open\)/);
    // Without the contract (a design folder's own ROM images), the weight-side test stays unproven.
    expect(await provesEquivalent(p.il, p.weight, join(dir, 'pw0'))).toMatchObject({ equivalent: false });
  }, 120_000);

  it('Yosys, ROM output q (not the emitted interface), contract on: not wrapped, the weight-side test stays unproven', async () => {
    const dir = tmp();
    const p = prepared(dir, 'q');
    expect(await provesEquivalent(p.il, p.weight, join(dir, 'pw'), { romContract: true })).toMatchObject({ equivalent: false });
  }, 120_000);
});
