// Test support: a Yosys mutant and its original simulated side by side by Icarus Verilog on random inputs — an
// independent check of a proof's verdict (a proven mutant must never differ; a refused one should, when it really is
// different). Also a small design prepared as a campaign does, and a cell's name in it by type and connections; and a
// row-beat counter several proof tests mutate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { YosysMutation } from '../../mutation/formal/yosys.js';

/** A 7-bit row-beat counter as rowsim's layers have one: counts valid beats, wraps at 127 and moves the row slot on. */
export const COUNTER = [
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

/** Prepares Verilog `lines` (module top) as a campaign does (prep) and returns the folder, the RTLIL path and text. */
export function prepTop(lines: readonly string[]): { dir: string; il: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-mutant-'));
  writeFileSync(join(dir, 'd.v'), lines.join('\n'));
  execFileSync('yosys', ['-q', '-p', 'read_verilog -sv d.v; prep -top top; write_rtlil prepared.il'], { cwd: dir });
  const il = join(dir, 'prepared.il');
  return { dir, il, text: readFileSync(il, 'utf8') };
}

/** The name of the first cell of `type` in module `top` of RTLIL `text` whose body matches `body`. */
export function cellWhere(text: string, type: string, body: RegExp): string {
  const blocks = text.split(/\n  cell /).slice(1).map((b) => b.slice(0, b.indexOf('\n  end')));
  const hit = blocks.find((b) => b.startsWith(`${type} `) && body.test(b));
  if (!hit) throw new Error(`no ${type} cell matching ${body}`);
  return hit.slice(type.length + 1, hit.indexOf('\n'));
}

/** A mutation of module `top` (cell and the rest of the `mutate` arguments). */
export function mutationOf(cell: string, args: string): YosysMutation {
  return { id: 1, args: `-mode ${/-mode (\S+)/.exec(args)![1]} -module top -cell ${cell} ${args.replace(/-mode \S+ ?/, '')}`.trim(), mode: /-mode (\S+)/.exec(args)![1]!, module: 'top', cell, src: [] };
}

/**
 * Simulates the original (`top` of `il`) and the mutant on `cycles` cycles of random inputs (reset held for the first
 * two; `rst` and `clk` are the reset and clock ports), comparing every output each cycle. Returns the first cycle where
 * they differ, or null. `library`: Verilog of the modules the design instantiates as black boxes.
 */
export function firstDifference(il: string, m: YosysMutation, dir: string, cycles: number, seed: number, library: readonly string[] = []): number | null {
  execFileSync('yosys', ['-q', '-p', [
    `read_rtlil ${il}`, 'copy top rs_gold', 'copy top rs_gate', `mutate ${m.args.replace('-module top', '-module rs_gate')}`,
    'select rs_gold rs_gate', 'write_verilog -selected -noattr pair.v',
  ].join('; ')], { cwd: dir });
  // Ports from the RTLIL (one module): `wire width N input|output K \name`.
  const text = readFileSync(il, 'utf8');
  const start = text.indexOf('module \\top\n');
  const end = text.indexOf('\nend\n', start);
  // Without its ports the bench would compare nothing and every mutant would look equivalent.
  if (start < 0 || end < 0) throw new Error(`no module top in ${il}`);
  const decl = [...text.slice(start, end).matchAll(/^\s+wire (?:width (\d+) )?(input|output) \d+ \\(\S+)$/gm)];
  const ins = decl.filter((d) => d[2] === 'input' && d[3] !== 'clk' && d[3] !== 'rst').map((d) => ({ n: d[3]!, w: Number(d[1] ?? 1) }));
  const outs = decl.filter((d) => d[2] === 'output').map((d) => ({ n: d[3]!, w: Number(d[1] ?? 1) }));
  const vec = (w: number) => (w > 1 ? `[${w - 1}:0] ` : '');
  const tb = [
    'module tb;',
    '  reg clk = 0, rst = 1; integer t; integer seed = ' + seed + ';',
    ...ins.map((i) => `  reg ${vec(i.w)}${i.n};`),
    ...outs.flatMap((o) => [`  wire ${vec(o.w)}g_${o.n};`, `  wire ${vec(o.w)}m_${o.n};`]),
    `  rs_gold g (.clk(clk), .rst(rst)${ins.map((i) => `, .${i.n}(${i.n})`).join('')}${outs.map((o) => `, .${o.n}(g_${o.n})`).join('')});`,
    `  rs_gate m (.clk(clk), .rst(rst)${ins.map((i) => `, .${i.n}(${i.n})`).join('')}${outs.map((o) => `, .${o.n}(m_${o.n})`).join('')});`,
    '  initial begin',
    `    for (t = 0; t < ${cycles}; t = t + 1) begin`,
    '      rst = t < 2;',
    ...ins.map((i) => `      ${i.n} = ${i.w > 32 ? `{$random(seed), $random(seed)}` : '$random(seed)'};`),
    '      #1;',
    `      if (t >= 2 && (${outs.map((o) => `g_${o.n} !== m_${o.n}`).join(' || ')})) begin $display("DIFF %0d", t); $finish; end`,
    '      clk = 1; #1; clk = 0;',
    '    end',
    '    $display("SAME");',
    '    $finish;',
    '  end',
    'endmodule',
  ].join('\n');
  writeFileSync(join(dir, 'tb.v'), tb);
  writeFileSync(join(dir, 'lib.v'), library.join('\n'));
  execFileSync('iverilog', ['-g2012', '-o', 'sim.vvp', 'tb.v', 'pair.v', 'lib.v'], { cwd: dir });
  const out = execFileSync('vvp', ['-n', 'sim.vvp'], { cwd: dir, encoding: 'utf8' });
  const diff = /DIFF (\d+)/.exec(out);
  if (diff) return Number(diff[1]);
  if (!/SAME/.test(out)) throw new Error(`simulation printed neither SAME nor DIFF: ${out}`);
  return null;
}
