// The Verilog builder: statement nesting (begin/end only where needed, never a dangling else), escaping, and that a
// built module passes Verilator's lint and computes what its statements say (checked by simulation in the rtl tests).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPlainName, renderStmts, vConcat, vFor, vIf, VModule, vName } from '../../core/vbuild.js';
import { describeRtl } from '../support/rtl.js';

/**
 * `text` (module `name`, inputs en, a, b; the outputs `outs`) under Icarus with three input sets — en = 1, a = 9, b = 12;
 * en = 0; en = 1, a = 2, b = 4 — one line of the outputs' decimal values each; and Verilator's `-Wall` lint output.
 */
function isolatedUnderIcarus(name: string, text: string, outs: readonly { readonly name: string; readonly width: number }[]): { lines: string[]; lint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-vbuild-'));
  writeFileSync(join(dir, `${name}.v`), text);
  const shown = `$display("${outs.map(() => '%0d').join(' ')}", ${outs.map((o) => o.name).join(', ')})`;
  writeFileSync(join(dir, 'tb.v'), `module tb; reg en; reg [3:0] a, b; ${outs.map((o) => `wire [${o.width - 1}:0] ${o.name};`).join(' ')}
  ${name} u (.en(en), .a(a), .b(b), ${outs.map((o) => `.${o.name}(${o.name})`).join(', ')});
  initial begin
    en = 1; a = 4'd9; b = 4'd12; #1 ${shown};
    en = 0; #1 ${shown};
    en = 1; a = 4'd2; b = 4'd4; #1 ${shown};
  end
endmodule
`);
  execFileSync('iverilog', ['-g2012', '-o', join(dir, 'sim.vvp'), join(dir, 'tb.v'), join(dir, `${name}.v`)], { stdio: 'pipe' });
  const lines = execFileSync('vvp', ['-n', join(dir, 'sim.vvp')], { encoding: 'utf8' }).trim().split('\n');
  let lint = '';
  try { execFileSync('verilator', ['--lint-only', '-Wall', join(dir, `${name}.v`)], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) { lint = String((e as { stderr?: string }).stderr); }
  return { lines, lint };
}

describe('renderStmts', () => {
  it('one plain statement stays on its if line; two statements in one string get begin/end', () => {
    expect(renderStmts([vIf('a', ['x <= 1;'])], '')).toEqual(['if (a) x <= 1;']);
    expect(renderStmts([vIf('a', ['x <= 1; y <= 2;'])], '')).toEqual(['if (a) begin', '  x <= 1; y <= 2;', 'end']);
  });

  it('a bare if inside a then that has an else is wrapped, so the else cannot bind to it', () => {
    const lines = renderStmts([vIf('a', ['if (b) x <= 1;'], ['y <= 2;'])], '');
    expect(lines).toEqual(['if (a) begin', '  if (b) x <= 1;', 'end else y <= 2;']);
    expect(renderStmts([vIf('a', [vIf('b', ['x <= 1;'])], ['y <= 2;'])], '')).toEqual(['if (a) begin', '  if (b) x <= 1;', 'end else y <= 2;']);
  });

  it('else-if chains render flat, with begin/end only around blocks', () => {
    const lines = renderStmts([vIf('rst', ['a <= 0;'], [vIf('go', ['a <= a + 1;', 'b <= 1;'], ['b <= 0;'])])], '  ');
    expect(lines).toEqual(['  if (rst) a <= 0;', '  else if (go) begin', '    a <= a + 1;', '    b <= 1;', '  end else b <= 0;']);
  });

  it('for loops nest with the same rule', () => {
    expect(renderStmts([vFor('i', '0', 'i < 4', ['m[i] <= 0;'])], '')).toEqual(['for (i = 0; i < 4; i = i + 1) m[i] <= 0;']);
  });
});

describe('vName', () => {
  it.each([['clk', 'clk'], ['acc[0].q', '\\acc[0].q '], ['module', '\\module '], ['9lives', '\\9lives '], ['g_lane_s0[1].w.i', '\\g_lane_s0[1].w.i ']])('%s → %s', (name, want) => {
    expect(vName(name)).toBe(want);
    expect(isPlainName(name)).toBe(want === name);
  });
});

describe('VModule', () => {
  it('a module built from every kind of item (width 1 as [0:0], escaped ports, a generate loop) is lint-clean under Verilator', () => {
    const m = new VModule('rs_built', ['a module built item by item']);
    m.port('input', 'clk').port('input', 'rst').port('input', 'a.b', 4).port('output', 'y', 8, 'reg');
    m.localparams({ N: 2, UNUSED: 7 });
    const s = m.section('state');
    s.reg('q', 1, 'a one-bit vector').memory('mem', 4, 'N-1').wire('sum', 4, `${vName('a.b')} + {3'd0, q[0]}`).raw('genvar g;')
      .generateFor('g', 'N', 'g_word', (b) => b.wire('w', 4, 'mem[g]').always('posedge clk', ['mem[g] <= rst ? 4\'d0 : sum;']))
      .always('posedge clk', [vIf('rst', ["q <= 1'b0; y <= 8'd0;"], ["q <= ~q;", "y <= {mem[1], mem[0]};"])]);
    const text = m.render();
    expect(text).toContain('// UNUSED = 7');
    expect(text).toContain('localparam integer N = 2;');
    expect(text).toContain('reg [0:0] q;');
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-vbuild-'));
    writeFileSync(join(dir, 'rs_built.v'), text);
    // Only the unread generate wire may be reported; anything else is a builder bug.
    let out = '';
    try { execFileSync('verilator', ['--lint-only', '-Wall', '-Wno-UNUSEDSIGNAL', join(dir, 'rs_built.v')], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) { out = String((e as { stderr?: string }).stderr); }
    expect(out).toBe('');
  });
});

describeRtl('VSection.isolated', () => {
  it('values of 2 sections under one gate: declared in place, computed in one block after the sections in the order added (a value added to the first section last reads one of the second), 0 while the gate is low — checked under Icarus and lint-clean', () => {
    const m = new VModule('rs_iso', ['isolated values']);
    m.port('input', 'en').port('input', 'a', 4).port('input', 'b', 4).port('output', 'y', 5).port('output', 'z', 1).port('output', 't', 6);
    m.section('first').isolated('en', [{ name: 'sum', width: 5, expr: 'a + b', comment: 'carry kept' }]);
    m.section('second').isolated('en', [{ name: 'odd', width: 'bit', expr: 'sum[0]' }]).assign('y', 'sum').assign('z', 'odd').assign('t', 'more');
    m.section('first').isolated('en', [{ name: 'more', width: 6, expr: "{1'b0, sum} + {5'd0, odd}" }]);
    const text = m.render();
    expect(text).toContain('reg [4:0] sum;   // carry kept');
    // One block, after every section's declarations, in the order the values were added (not the sections' order).
    expect(text.match(/always @\*/g)).toHaveLength(1);
    expect(text.indexOf('always @*')).toBeGreaterThan(text.indexOf('reg odd;'));
    expect(text.indexOf('sum = a + b;')).toBeLessThan(text.indexOf('odd = sum[0];'));
    expect(text.indexOf('odd = sum[0];')).toBeLessThan(text.indexOf('more = '));
    const run = isolatedUnderIcarus('rs_iso', text, [{ name: 'y', width: 5 }, { name: 'z', width: 1 }, { name: 't', width: 6 }]);
    // 9 + 12 = 21 (odd: 22), then 0 while the gate is low, then 2 + 4 = 6 (even: 6).
    expect(run.lines).toEqual(['21 1 22', '0 0 0', '6 0 6']);
    expect(run.lint).toBe('');
  });
});

describeRtl('VSection.isolated with a named block', () => {
  it('values of gate en in the default block and in block "strip 1": two blocks, each testing en, the named one titled and reading the default block\'s value; results under Icarus as with one block, lint-clean', () => {
    const m = new VModule('rs_iso2', ['isolated values in two blocks']);
    m.port('input', 'en').port('input', 'a', 4).port('input', 'b', 4).port('output', 'y', 5).port('output', 'z', 6);
    m.section('shared').isolated('en', [{ name: 'sum', width: 5, expr: 'a + b' }]).assign('y', 'sum');
    m.section('strip').isolated('en', [{ name: 'twice', width: 6, expr: "{sum, 1'b0}" }], 'strip 1').assign('z', 'twice');
    const text = m.render();
    expect(text.match(/always @\*/g)).toHaveLength(2);
    expect(text.match(/if \(en\)/g)).toHaveLength(2);
    const named = text.indexOf('operand isolation, strip 1: the 1 values');
    expect(named).toBeGreaterThan(text.indexOf('sum = a + b;'));
    expect(text.indexOf('twice = {sum, 1\'b0};')).toBeGreaterThan(named);
    expect(text.slice(0, named)).not.toContain('twice =');
    const run = isolatedUnderIcarus('rs_iso2', text, [{ name: 'y', width: 5 }, { name: 'z', width: 6 }]);
    // 9 + 12 = 21 (twice: 42), then 0 while the gate is low, then 2 + 4 = 6 (12).
    expect(run.lines).toEqual(['21 42', '0 0', '6 12']);
    expect(run.lint).toBe('');
  });
});

describe('vConcat', () => {
  it('3 items stay on one line ({a, b, c}); 10 items at 8 a line make two lines, the second indented, in order', () => {
    expect(vConcat(['a', 'b', 'c'])).toBe('{a, b, c}');
    const ten = Array.from({ length: 10 }, (_, i) => `w${9 - i}`);
    const text = vConcat(ten, '  ');
    expect(text.split('\n')).toEqual(['{w9, w8, w7, w6, w5, w4, w3, w2,', '  w1, w0}']);
    expect(text.replace(/\s+/g, ' ')).toBe(`{${ten.join(', ')}}`);
  });
});
