// All three engines through the real pipeline with Verilator: 0 bit mismatches against the golden and 0 cycle
// mismatches against the model in every layer; a random small spec each run; lint; deadlock and missing-tool errors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SimrunError } from '../../core/errors.js';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { rtlBuildSpec, runRtl } from '../../rtl/run.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { loadStimulus } from '../../vectors/image.js';
import { simrun } from '../support/cli.js';
import { lcg } from '../support/reference.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-rtl-'));

async function allAgree(config: string, frames: number, images: string[], aluBudget?: number | 'min'): Promise<void> {
  const { report } = await runPipeline({ config, images, weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames, out: tmp(), aluBudget });
  for (const l of report.layers) {
    expect(`${l.name} bits ${l.compare.rtlVsGolden?.mismatches} cycles ${l.compare.rtlVsSimCycles?.mismatches} of ${l.compare.rtlVsSimCycles?.beats}`)
      .toBe(`${l.name} bits 0 cycles 0 of ${l.timing.beats}`);
    expect(l.compare.simVsGolden?.mismatches).toBe(0);
  }
  expect(report.latency.rtlCycles).toBe(report.latency.cycles);
  expect(report.pass).toBe(true);
}

describeRtl('three engines agree', () => {
  it('tiny, 2 frames (coffee, chelsea): bits and cycles in every layer', () => allAgree('tiny', 2, ['examples/coffee.png', 'examples/chelsea.png']));
  it('ie120r-mini, 2 frames (chelsea, coffee): bits and cycles in all 22 layers', () => allAgree('ie120r-mini', 2, ['examples/chelsea.png', 'examples/coffee.png']));
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
    const spec = { name: `random-${seed}`, input: { height: h, width: w, channels: 3 }, clockHz: 100_000_000, rowRateHz: 50_000, layers };
    const { writeFileSync } = await import('node:fs');
    const file = join(tmp(), 'random.json');
    writeFileSync(file, JSON.stringify(spec));
    // Half the runs spend a random ALU budget above the minimum, so strips and channel groups vary too.
    const fewest = makePlan(loadSpec(file), 'min').totals.alus;
    const aluBudget = r() < 0.5 ? 'min' : fewest + Math.floor(r() * 60);
    const { report } = await runPipeline({ config: file, images: ['examples/chelsea.png'], weights: `synthetic:${seed}`, engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), aluBudget });
    const bad = report.layers.filter((l) => l.compare.rtlVsGolden?.mismatches || l.compare.rtlVsSimCycles?.mismatches || l.compare.simVsGolden?.mismatches);
    expect(bad.map((l) => l.name), `seed ${seed} budget ${aluBudget}: ${JSON.stringify(spec)}`).toEqual([]);
  });

  for (const cfg of ['tiny', 'ie120r-mini', 'ie120r', 'examples/small.yaml']) {
    it(`verilator --lint-only -Wall is clean on ${cfg}'s emitted RTL`, async () => {
      const net = loadSpec(cfg);
      expect(await lintVerilog('rs_top', rtlBuildSpec(net, makePlan(net)).verilog)).toBe('');
    });
  }

  it('a stalled layer (test-only fault in layer 3 of tiny) stops with SIM_DEADLOCK naming layer 3', async () => {
    const net = loadSpec('tiny');
    const plan = makePlan(net);
    const w = loadWeights(net, 'synthetic:0');
    const x = (await loadStimulus('examples/coffee.png', net)).data;
    const err = await runRtl(net, plan, w, [x], { watchdog: 5000, fault: { stallLayer: 3 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimrunError);
    expect((err as SimrunError).code).toBe('SIM_DEADLOCK');
    expect((err as SimrunError).where.layer).toBe(3);
    expect((err as SimrunError).message).toMatch(/layer 3 cycle \d+: no beat for \d+ cycles/);
  });

  it('without verilator on PATH: exit 3, VERILATOR_MISSING with the install command, no report', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/VERILATOR_MISSING.*apt-get install -y verilator/);
  });
});

describeRtl('waveforms', () => {
  it('--trace vcd --trace-window 100:400 --trace-layers 1 on tiny: a VCD with only that window and layer 1 inside', async () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--trace', 'vcd', '--trace-window', '100:400', '--trace-layers', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const vcd = readFileSync(join(out, 'rtl', 'wave.vcd'), 'utf8');
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    expect(Math.min(...times)).toBe(200);
    expect(Math.max(...times)).toBe(801);
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
  it('a verilator that fails to build: exit 3, VERILATOR_FAILED with the tail of its log, no report', async () => {
    const { writeFileSync, chmodSync, existsSync } = await import('node:fs');
    const bin = tmp();
    const fake = join(bin, 'verilator');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Verilator 5.006 (fake)"; exit 0; fi\necho "%Error: fake failure for the test"; exit 1\n');
    chmodSync(fake, 0o755);
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { PATH: `${bin}:${process.env.PATH}`, SIMRUN_CACHE: tmp() });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/VERILATOR_FAILED.*fake failure for the test/);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  });
});
