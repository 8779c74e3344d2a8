// Kernel-row passes (spec `partialSums`): the emitted RTL runs each output row as K passes, one per kernel row, keeps
// partial sums between them and sends the row's beats in its last pass; golden, sim and rtl agree bit for bit and
// cycle for cycle across kernels 2..5, strides 1 and 2, pads up to 2, sequential and pipelined slots, and every pacing.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PRESETS } from '../../core/presets.js';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { loadWeights } from '../../core/weights/load.js';
import { emitDesign, writeDesignFolder } from '../../rtl/emit.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { expectAllAgree } from '../support/agree.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';
import { writeSpecFile } from '../support/specFile.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-passes-'));

/**
 * Odd shapes: a 5×5 kernel with stride 1 (4 rows of partial sums), 2×2 stride 2 with no pad (one row, no padding
 * pass), 5×5 stride 2, 3×3 padded by 2 (more output rows than input rows: padding passes above and below), 2×2 pad 1.
 */
const ODD = {
  name: 'odd-passes', input: { height: 16, width: 16, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000,
  slots: 'pipelined', partialSums: true, rowBuffers: 'in-period', aluBudget: 200,
  layers: [
    { name: 'a', kernel: 5, stride: 1, pad: 2, outChannels: 4 },
    { name: 'b', kernel: 2, stride: 2, pad: 0, outChannels: 6, relu: false },
    { name: 'c', kernel: 5, stride: 2, pad: 2, outChannels: 4 },
    { name: 'd', kernel: 3, stride: 1, pad: 2, outChannels: 4, relu: false },
    { name: 'e', kernel: 2, stride: 1, pad: 1, outChannels: 3 },
  ],
};

/** The same shapes with sequential slots, passes pinned, several channel groups and an idle strip (c: 3 strips, 4 columns). */
const ODD_SEQUENTIAL = {
  ...ODD, name: 'odd-passes-sequential', slots: 'sequential', rowRateHz: 125_000, rowBuffers: 'window', aluBudget: undefined,
  layers: [
    { ...ODD.layers[0], strips: 3, ocmux: 2, passes: 5 },
    { ...ODD.layers[1], ocmux: 3, passes: 2 },
    { ...ODD.layers[2], strips: 3, ocmux: 1, passes: 5 },
    { ...ODD.layers[3], ocmux: 4, passes: 3 },
    { ...ODD.layers[4], strips: 1, ocmux: 3, passes: 1 },
  ],
};

describeRtl('kernel-row passes in the emitted RTL', () => {
  it('odd spec: every layer planned as K passes, keeping ⌈(K − 1)/S⌉ rows of partial sums (4, 1, 2, 2, 1)', () => {
    const plan = makePlan(loadSpec(writeSpecFile(ODD)));
    expect(plan.layers.map((p) => [p.passes, p.partialRows])).toEqual([[5, 4], [2, 1], [5, 2], [3, 2], [2, 1]]);
    for (const p of plan.layers) expect(p.partialSumBits).toBe(p.partialRows * p.strips * p.colsPerStrip * (p.lanes * p.ocmux) * 32);
  });

  for (const pacing of ['uniform', 'jitter:3', 'burst:3']) {
    it(`odd spec, pipelined slots, 3 frames, pacing ${pacing}: bits and cycles agree in every layer`, async () => {
      const { report } = await runPipeline({ config: writeSpecFile(ODD), images: ['examples/coffee.png'], weights: 'synthetic:4', engines: ['golden', 'sim', 'rtl'], frames: 3, out: tmp(), pacing });
      expectAllAgree(report, pacing);
    });
  }

  it('odd spec, sequential slots, passes pinned (5, 2, 5, 3 and 1), groups and an idle strip, 2 frames under burst:3: all agree', async () => {
    const file = writeSpecFile(ODD_SEQUENTIAL);
    expect(makePlan(loadSpec(file)).layers.map((p) => [p.passes, p.strips, p.ocmux, p.slotInterval === p.slotCycles])).toEqual([[5, 3, 2, true], [2, 1, 3, true], [5, 3, 1, true], [3, 1, 4, true], [1, 1, 3, true]]);
    const { report } = await runPipeline({ config: file, images: ['examples/chelsea.png'], weights: 'synthetic:6', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), pacing: 'burst:3' });
    expectAllAgree(report);
  });

  it('tiny and ie120r-mini with partialSums and pipelined slots (mini at --alu-budget 160): all agree, and the passes lower latency', async () => {
    for (const [preset, budget] of [['tiny', undefined], ['ie120r-mini', 160]] as const) {
      const file = writeSpecFile({ ...(PRESETS[preset] as object), name: `${preset}-passes`, slots: 'pipelined', partialSums: true });
      const plan = makePlan(loadSpec(file), budget);
      expect(plan.layers.some((p) => p.passes > 1), preset).toBe(true);
      const { report } = await runPipeline({ config: file, images: ['examples/coffee.png'], weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames: preset === 'tiny' ? 2 : 1, out: tmp(), ...(budget ? { aluBudget: budget } : {}) });
      expectAllAgree(report, preset);
      const whole = writeSpecFile({ ...(PRESETS[preset] as object), name: `${preset}-whole`, slots: 'pipelined' });
      const { report: one } = await runPipeline({ config: whole, images: ['examples/coffee.png'], weights: 'synthetic:2', engines: ['sim'], frames: 1, out: tmp(), ...(budget ? { aluBudget: budget } : {}) });
      expect(report.latency.cycles, preset).toBeLessThan(one.latency.cycles);
    }
  });

  it('odd spec (budget plan) as an emitted design folder: passes pinned in spec.json and design.json, and the folder runs exact and declared, 2 frames', async () => {
    const net = loadSpec(writeSpecFile(ODD));
    const plan = makePlan(net);
    const d = join(tmp(), 'design');
    writeDesignFolder(d, net, plan, loadWeights(net, 'synthetic:4'), 'synthetic:4');
    const spec = JSON.parse(readFileSync(join(d, 'spec.json'), 'utf8')) as { layers: { passes?: number }[] };
    const manifest = JSON.parse(readFileSync(join(d, 'design.json'), 'utf8')) as { plan: { layers: { passes?: number }[] } };
    expect(spec.layers.map((l) => l.passes)).toEqual(plan.layers.map((p) => p.passes));
    expect(manifest.plan.layers.map((l) => l.passes ?? 1)).toEqual(plan.layers.map((p) => p.passes));
    for (const timing of ['exact', 'declared'] as const) {
      const { report } = await runPipeline({ rtl: d, images: ['examples/chelsea.png'], weights: 'synthetic:4', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), timing });
      expectAllAgree(report, timing);
    }
  });

  it('the emitted designs of both odd specs are lint-clean', async () => {
    for (const spec of [ODD, ODD_SEQUENTIAL]) {
      const net = loadSpec(writeSpecFile(spec));
      expect(await lintVerilog('rs_top', emitDesign(net, makePlan(net))), spec.name).toBe('');
    }
  });

  it('explain follows a row through its passes: tiny with passes, rtl@weight:1:53:12 (tap 13 = ky 1, kx 1, ci 1 of channel 1): the RTL departs at tap 13, equal before', () => {
    const file = writeSpecFile({ ...(PRESETS.tiny as object), name: 'tiny-passes-explain', slots: 'pipelined', partialSums: true });
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', file, '--engines', 'golden,sim,rtl', '--inject', 'rtl@weight:1:53:12', '--out', out]).code).toBe(1);
    const r = simrun(['explain', out, '--layer', '1', '--row', '5', '--col', '7', '--chan', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.rtl.found).toBe(true);
    expect(e.rtl.taps.length).toBe(27);
    expect(e.differences).toEqual([expect.objectContaining({ a: 'golden', b: 'rtl', step: 13, field: 'product' })]);
    // The taps of pass ky 0 and the first four of pass ky 1 are the golden's, their running sums carried across passes.
    for (let t = 0; t < 13; t++) expect(e.rtl.taps[t].sum, `tap ${t}`).toBe(e.golden.taps[t].sum);
  });
});
