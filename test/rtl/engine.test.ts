// All three engines through the real pipeline with Verilator: 0 bit mismatches against the golden and 0 cycle
// mismatches against the model in every layer; a random small spec each run; lint; deadlock and missing-tool errors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import type { RunReport } from '../../harness/report.js';
import { emitDesign } from '../../rtl/emit.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { expectAllAgree } from '../support/agree.js';
import { simrun } from '../support/cli.js';
import { lcg } from '../support/reference.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-rtl-'));

async function allAgree(config: string, frames: number, images: string[], aluBudget?: number | 'min'): Promise<void> {
  const { report } = await runPipeline({ config, images, weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames, out: tmp(), aluBudget });
  expectAllAgree(report);
}

describeRtl('three engines agree', () => {
  it('tiny, 2 frames (coffee, chelsea): bits and cycles in every layer, every pair', () => allAgree('tiny', 2, ['examples/coffee.png', 'examples/chelsea.png']));
  it('ie120r-mini, 2 frames (chelsea, coffee): bits and cycles in all 22 layers, every pair', () => allAgree('ie120r-mini', 2, ['examples/chelsea.png', 'examples/coffee.png']));
  it('ie120r-mini with --alu-budget 160 (several strips and channel groups per layer), 1 frame', () => allAgree('ie120r-mini', 1, ['examples/coffee.png'], 160));

  it('a random small spec each run (seed printed)', async () => {
    const seed = Number(process.env.SIMRUN_SEED ?? Date.now() % 100000);
    console.log(`random RTL spec seed ${seed} (rerun with SIMRUN_SEED=${seed})`);
    const r = lcg(seed);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    const n = 2 + Math.floor(r() * 2);
    const h = 7 + Math.floor(r() * 10), w = 7 + Math.floor(r() * 10);
    let ch = h, cw = w;
    const layers = Array.from({ length: n }, (_, i) => {
      const kernel = pick([1, 3, 5] as const);
      const stride = pick([1, 2] as const);
      let pad = Math.min(kernel - 1, Math.floor(r() * 3));
      if (Math.min(ch, cw) + 2 * pad < kernel) pad = kernel - 1; // keep the window inside the padded input
      ch = Math.floor((ch + 2 * pad - kernel) / stride) + 1;
      cw = Math.floor((cw + 2 * pad - kernel) / stride) + 1;
      return { name: `q${i + 1}`, kernel, stride, pad, outChannels: 1 + Math.floor(r() * 7), batchnorm: r() < 0.5, relu: r() < 0.7 };
    });
    const drain = 3 + Math.floor(r() * 4);
    const slots = pick(['sequential', 'pipelined'] as const);
    const spec = { name: `random-${seed}`, input: { height: h, width: w, channels: 3 }, clockHz: 100_000_000, rowRateHz: 50_000, drain, slots, layers };
    const file = join(tmp(), 'random.json');
    writeFileSync(file, JSON.stringify(spec));
    // Half the runs spend a random ALU budget above the minimum, so strips and channel groups vary too.
    const fewest = makePlan(loadSpec(file), 'min').totals.alus;
    const aluBudget = r() < 0.5 ? 'min' : fewest + Math.floor(r() * 60);
    const pacing = pick(['uniform', `jitter:${seed}`, 'burst:2']);
    const run = (p: string) => runPipeline({ config: file, images: ['examples/chelsea.png'], weights: `synthetic:${seed}`, engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), aluBudget, pacing: p });
    let { report } = await run(pacing);
    let used = pacing;
    // The plan's row buffers are sized for uniform pacing: a burst can overflow one, which the model reports as the
    // design's failure (seed 12209 does, in its 5x5 layer). That is a finding, not a disagreement: check it is the
    // model's and named, then hold the engines to agreement under the pacing the plan was made for.
    const overflow = report.failures.find((f) => f.code === 'SIM_BUFFER_OVERFLOW');
    if (overflow && pacing !== 'uniform') {
      expect(overflow.engine).toBe('sim');
      expect(overflow.message).toMatch(/row buffer is too small for this plan and pacing/);
      ({ report } = await run('uniform'));
      used = `uniform (after ${pacing} overflowed layer ${overflow.layer})`;
    }
    expectAllAgree(report, `seed ${seed} budget ${aluBudget} pacing ${used}: ${JSON.stringify(spec)}`);
  });

  it('drain 10 (the IE120R\'s per-slot overhead) on tiny: the RTL pads its pipeline and stays cycle-exact', async () => {
    const file = join(tmp(), 'tiny-drain10.json');
    const { PRESETS } = await import('../../core/presets.js');
    writeFileSync(file, JSON.stringify({ ...(PRESETS.tiny as object), name: 'tiny-drain10', drain: 10 }));
    const { report } = await runPipeline({ config: file, images: ['examples/coffee.png'], engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expectAllAgree(report);
    // The first beat of t1 comes taps + drain after its row starts: 116 + 27 + 10.
    expect(report.layers[0]!.timing.rtl!.firstBeatCycle).toBe(116 + 27 + 10);
  });

  it('a stream of 1,040 lanes (more than any fixed beat record of 1,024) is read whole: a copying design with 1,040 channels (active-low reset) agrees with golden and sim', async () => {
    // One 1x1 layer whose weights copy input channel c mod 3 to output channel c (weight 1.0 there, 0 elsewhere, bias 0):
    // x + ±0 + ±0 + 0 = x exactly, so a design that only copies the pixel's words into 1,040 lanes computes the contract.
    // The design is written here (one register stage, no arithmetic, an active-low reset), so the wide record costs no
    // wide build.
    const d = tmp();
    const C = 1040;
    writeFileSync(join(d, 'spec.json'), JSON.stringify({ name: 'wide', input: { height: 4, width: 4, channels: 3 }, clockHz: 100_000_000, rowRateHz: 10_000, layers: [{ name: 'w1', kernel: 1, stride: 1, pad: 0, outChannels: C, relu: false }] }));
    const w = join(d, 'weights');
    mkdirSync(w);
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    // weight1.memh: one line per tap (input channel), channel C−1 first; 0xfe00 is the bfloat18 code of 1.0.
    writeFileSync(join(w, 'weight1.memh'), [0, 1, 2].map((t) => Array.from({ length: C }, (_, i) => ((C - 1 - i) % 3 === t ? hex(0xfe00) : hex(0))).join('')).join('\n') + '\n');
    writeFileSync(join(w, 'bias1.memh'), hex(0).repeat(C) + '\n');
    writeFileSync(join(d, 'wide.v'), `module wide_top (input clk, input rst_n, input s_valid, input [15:0] s_col, input [95:0] s_data,
  output reg m_valid, output reg [15:0] m_row, output reg [15:0] m_col, output reg [${C * 32 - 1}:0] m_data, output reg m_last);
  reg [15:0] row;
  integer c;
  always @(posedge clk) begin
    if (!rst_n) begin row <= 0; m_valid <= 0; m_last <= 0; end
    else begin
      m_valid <= s_valid; m_last <= s_valid && row == 3 && s_col == 3;
      if (s_valid) begin
        m_row <= row; m_col <= s_col;
        for (c = 0; c < ${C}; c = c + 1) m_data[c * 32 +: 32] <= s_data[(c % 3) * 32 +: 32];
        if (s_col == 3) row <= (row == 3) ? 16'd0 : row + 16'd1;
      end
    end
  end
endmodule
`);
    writeFileSync(join(d, 'taps.json'), JSON.stringify({ clock: 'clk', reset: 'rst_n', resetActive: 'low', input: { valid: 's_valid', col: 's_col', data: 's_data' }, output: { valid: 'm_valid', row: 'm_row', col: 'm_col', data: 'm_data', last: 'm_last', lanes: C, groups: 1 } }));
    writeFileSync(join(d, 'design.json'), JSON.stringify({ format: 'rowsim-design/1', top: 'wide_top', sources: ['wide.v'], spec: 'spec.json', taps: 'taps.json', timing: 'own' }));
    const { report } = await runPipeline({ rtl: d, weights: w, images: ['examples/coffee.png'], engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expect(report.engineInfo.rtl!.streams![0]!.layout.lanes).toBe(C);
    for (const p of report.layers[0]!.pairs.filter((q) => q.kind === 'bits')) expect(`${p.a}~${p.b} ${p.status} ${p.mismatches}/${p.compared}`).toBe(`${p.a}~${p.b} agree 0/${2 * 16 * C}`);
    expect(report.pass, report.summary).toBe(true);
  }, 600_000);

  for (const cfg of ['tiny', 'ie120r-mini', 'ie120r', 'examples/small.yaml']) {
    it(`verilator --lint-only -Wall is clean on ${cfg}'s emitted RTL`, async () => {
      const net = loadSpec(cfg);
      expect(await lintVerilog('rs_top', emitDesign(net, makePlan(net)))).toBe('');
    });
  }

  it('a layer stalled forever (rtl@stall:3:10^12 on tiny) ends with SIM_DEADLOCK naming layer 3 within the plan\'s bound, exit 1', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--inject', 'rtl@stall:3:1000000000000', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as RunReport;
    expect(rep.failures.map((f) => [f.engine, f.code, f.layer])).toEqual([['rtl', 'SIM_DEADLOCK', 3]]);
    expect(rep.failures[0]!.message).toMatch(/layer 3 emitted \d+ of \d+ beats, the first observed layer short of its beats \(every observed layer before it delivered all of its beats\)/);
    // Found within the plan's quiet bound after the last beat any layer gave (layer 2's last), not at a global timeout.
    const watchdog = Number(rep.engineInfo.rtl!.facts.watchdog);
    expect(watchdog).toBeGreaterThan(0);
    expect(rep.failures[0]!.cycle! - rep.layers[1]!.timing.rtl!.lastBeatCycle!).toBeLessThanOrEqual(watchdog + 1);
    expect(rep.layers[1]!.pairs.every((p) => p.status === 'agree')).toBe(true);
    expect(rep.layers[2]!.pairs.find((p) => p.a === 'sim' && p.b === 'rtl' && p.kind === 'cycles')!.status).toBe('differ');
  });

  it('without verilator on PATH: exit 3, VERILATOR_MISSING with the install command, no report', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/VERILATOR_MISSING.*apt-get install -y verilator/);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });
});

describeRtl('waveforms', () => {
  it('--trace vcd --trace-window 100:400 --trace-layers 1 on tiny: that window only (1 cycle = 10 ns), layer 1 only, path printed', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--trace', 'vcd', '--trace-window', '100:400', '--trace-layers', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const path = /^waveform: (\S+) \(cycles 100\.\.400, layer\(s\) 1; 1 cycle = 10 ns/m.exec(r.stdout)?.[1];
    expect(path).toBe(join(out, 'rtl', 'run', 'wave.vcd'));
    const vcd = readFileSync(path!, 'utf8');
    expect(vcd).toMatch(/\$timescale\s+1ns/);
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    expect(Math.min(...times)).toBe(1000);
    expect(Math.max(...times)).toBe(4005);
    expect(vcd).toMatch(/scope module u_layer1 /);
    expect(vcd).not.toMatch(/scope module u_layer2 /);
  });
  it('--trace without the rtl engine is a usage error', () => {
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--trace', 'fst']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/USAGE.*add rtl to --engines/);
  });
});

describeRtl('a failing Verilator', () => {
  it('a verilator that fails to build: exit 3, VERILATOR_FAILED with the tail of its log, no report', () => {
    const bin = tmp();
    const fake = join(bin, 'verilator');
    // Elaboration (--xml-only) succeeds through the real tool; the build fails.
    const real = execFileSync('sh', ['-c', 'command -v verilator']).toString().trim();
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do if [ "$a" = "--xml-only" ] || [ "$a" = "--version" ]; then exec ${real} "$@"; fi; done\necho "%Error: fake failure for the test"; exit 1\n`, { mode: 0o755 });
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { PATH: `${bin}:${process.env.PATH}`, SIMRUN_CACHE: tmp() });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/VERILATOR_FAILED.*fake failure for the test/);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });
});
