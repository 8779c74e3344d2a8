// The same emitted RTL under Icarus Verilog (Debian's iverilog): the bench's side-by-side speed figure, and the VCD dumps
// the waveform check is tested on. A Verilog bench paces input.memh like the C++ one and counts the last layer's beats.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { runTool } from '../core/proc.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { emitDesign, type DesignExtras } from '../rtl/emit.js';

function benchV(net: NetworkSpec, plan: NetworkPlan, maxCycles: number, frames = 1, dump?: string, words: readonly string[] = []): string {
  const { height: H, width: W } = net.input;
  const L = net.layers.length;
  const last = net.layers[L - 1]!;
  const expected = last.outH * last.outW * plan.layers[L - 1]!.ocmux;
  const ports = ['.m_valid(fin_valid), .m_row(), .m_col(), .m_grp(), .m_last(), .m_data()'];
  return `
module tb_icarus;
  reg clk = 0, rst = 1, s_valid = 0;
  reg [31:0] s_col = 0;
  reg [95:0] s_data = 0;
  wire fin_valid;
  reg [95:0] img [0:${H * W - 1}];
  integer t, r, c, beats;
  rs_top dut (.clk(clk), .rst(rst), .s_valid(s_valid), .s_col(s_col), .s_data(s_data), ${ports.join(', ')});
  initial begin
    ${dump ? `$dumpfile("${dump}"); $dumpvars(0, tb_icarus);${words.length ? ` $dumpvars(0, ${words.map((w) => `tb_icarus.dut.${w}`).join(', ')});` : ''}` : ''}
    $readmemh("input.memh", img);
    repeat (4) begin #1 clk = 1; #1 clk = 0; end
    rst = 0; beats = 0;
    for (t = 0; beats < ${expected * frames} && t < ${maxCycles}; t = t + 1) begin
      // Uniform pacing, frames back to back: pixel (r, c) of frame f at cycle (f·H + r)·P + c.
      r = (t / ${net.rowPeriod}) % ${H}; c = t % ${net.rowPeriod};
      s_valid = t < ${frames * H * net.rowPeriod} && c < ${W};
      s_col = c;
      if (s_valid) s_data = img[r * ${W} + c];
      #1;
      if (fin_valid) beats = beats + 1;
      clk = 1; #1 clk = 0;
    end
    $display("cycles %0d", t);
    $finish;
  end
endmodule
`;
}

/**
 * Compiles and runs `frames` frames of one image (or the first `maxCycles` cycles) under Icarus in `dir` (which must hold
 * input.memh and the ROM images), optionally dumping every signal into the VCD `dump` (relative to `dir`), and the
 * array words `dumpWords` names below the top (e.g. 'u_layer2.p_reg[13]'): $dumpvars leaves arrays out unless named.
 */
export async function runIcarus(net: NetworkSpec, plan: NetworkPlan, dir: string, maxCycles = 2 ** 31 - 1, opts: { readonly frames?: number; readonly dump?: string; readonly dumpWords?: readonly string[]; readonly extras?: DesignExtras } = {}): Promise<{ compileSeconds: number; runSeconds: number; cycles: number }> {
  mkdirSync(dir, { recursive: true });
  const files = [...emitDesign(net, plan, opts.extras), { name: 'tb_icarus.v', text: benchV(net, plan, maxCycles, opts.frames ?? 1, opts.dump, opts.dumpWords) }];
  for (const f of files) writeFileSync(join(dir, f.name), f.text);
  let t = performance.now();
  const c = await runTool('iverilog', ['-g2012', '-o', 'sim.vvp', '-s', 'tb_icarus', ...files.map((f) => f.name)], { cwd: dir });
  if (c.exitCode !== 0) throw new SimrunError('INTERNAL', `iverilog failed (install it with: apt-get install -y iverilog): ${c.all.trim().split('\n').slice(-3).join(' | ')}`);
  const compileSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const r = await runTool('vvp', ['-n', 'sim.vvp'], { cwd: dir });
  const stdout = r.stdout;
  return { compileSeconds, runSeconds: (performance.now() - t) / 1000, cycles: Number(/cycles (\d+)/.exec(stdout)?.[1] ?? 0) };
}
