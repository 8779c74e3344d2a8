// Pipelined slots (spec `slots: pipelined`): the emitted RTL starts a slot every max(taps + 1, strips + drain) cycles
// and finishes the last one in a tail; golden, sim and rtl agree bit for bit and cycle for cycle, and a fault still shows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PRESETS } from '../../core/presets.js';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { emitDesign, writeDesignFolder } from '../../rtl/emit.js';
import { loadWeights } from '../../core/weights/load.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { expectAllAgree } from '../support/agree.js';
import { describeRtl } from '../support/rtl.js';
import { writeSpecFile } from '../support/specFile.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-pipe-'));

/** A preset with pipelined slots, as a spec file. */
function pipelined(preset: string): string {
  return writeSpecFile({ ...(PRESETS[preset] as object), name: `${preset}-pipelined`, slots: 'pipelined' }, `${preset}-pipelined.json`);
}

/**
 * Small taps against many strips: layer e1 (1×1 on 3 channels: 3 taps, 8 strips) starts a slot every 8 + 3 = 11
 * cycles, not 3 + 1, and its beats straddle the controller and the tail; e2 and e3 run several channel groups, so the
 * bias must be read by the finishing slot's group; e4 has an odd kernel and no ReLU.
 */
const EDGE = {
  name: 'edge-pipelined', input: { height: 16, width: 16, channels: 3 }, clockHz: 250_000_000, rowRateHz: 1_000_000, slots: 'pipelined',
  layers: [
    { name: 'e1', kernel: 1, stride: 1, pad: 0, outChannels: 4, strips: 8 },
    { name: 'e2', kernel: 3, stride: 2, pad: 1, outChannels: 4, strips: 8, ocmux: 2 },
    { name: 'e3', kernel: 1, stride: 1, pad: 0, outChannels: 8, strips: 4, ocmux: 2 },
    { name: 'e4', kernel: 2, stride: 1, pad: 1, outChannels: 6, strips: 3, ocmux: 3, relu: false },
  ],
};

const edgeFile = () => writeSpecFile(EDGE, 'edge.json');

describeRtl('pipelined slots in the emitted RTL', () => {
  it('edge spec: slot intervals 11, 37, 7 and 33 (max(taps + 1, strips + 3)) under the plan', () => {
    const plan = makePlan(loadSpec(edgeFile()));
    expect(plan.layers.map((p) => [p.taps, p.strips, p.slotInterval, p.slotCycles])).toEqual([
      [3, 8, 11, 14], [36, 8, 37, 47], [4, 4, 7, 11], [32, 3, 33, 38],
    ]);
  });

  it('tiny pipelined, 2 frames (coffee, chelsea): bits and cycles in every layer, every pair', async () => {
    const { report } = await runPipeline({ config: pipelined('tiny'), images: ['examples/coffee.png', 'examples/chelsea.png'], weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expectAllAgree(report);
  });

  it('ie120r-mini pipelined with --alu-budget 160 (several strips and groups), 1 frame: all 22 layers agree', async () => {
    const { report } = await runPipeline({ config: pipelined('ie120r-mini'), images: ['examples/chelsea.png'], weights: 'synthetic:3', engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp(), aluBudget: 160 });
    expectAllAgree(report);
  });

  for (const pacing of ['uniform', 'jitter:7', 'burst:2']) {
    it(`edge spec, 3 frames, pacing ${pacing}: bits and cycles agree`, async () => {
      const { report } = await runPipeline({ config: edgeFile(), images: ['examples/chelsea.png'], weights: 'synthetic:5', engines: ['golden', 'sim', 'rtl'], frames: 3, out: tmp(), pacing });
      expectAllAgree(report);
    });
  }

  it('edge spec: a bit fault in e3 row 2 col 1 chan 3 is found at that coordinate; a delay in e1 at beat 5', async () => {
    const bit = (await runPipeline({ config: edgeFile(), images: ['examples/chelsea.png'], weights: 'synthetic:5', engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp(), inject: ['rtl@bit:3:2:1:3:30'] })).report;
    const m = bit.layers[2]!.pairs.find((p) => p.a === 'golden' && p.b === 'rtl' && p.kind === 'bits')!;
    const at = m.first as unknown as Record<string, number>;
    expect([m.status, m.mismatches, at.row, at.col, at.chan]).toEqual(['differ', 1, 2, 1, 3]);
    const delay = (await runPipeline({ config: edgeFile(), images: ['examples/chelsea.png'], weights: 'synthetic:5', engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp(), inject: ['rtl@delay:1:5:3'] })).report;
    const c = delay.layers[0]!.pairs.find((p) => p.kind === 'cycles')!;
    expect([c.status, (c.first as unknown as Record<string, number>).beat]).toEqual(['differ', 5]);
    expect(delay.pass).toBe(false);
  });

  it('verilator --lint-only -Wall is clean on the edge spec and on tiny, pipelined', async () => {
    for (const file of [edgeFile(), pipelined('tiny')]) {
      const net = loadSpec(file);
      expect(await lintVerilog('rs_top', emitDesign(net, makePlan(net))), file).toBe('');
    }
  });

  it('tiny pipelined, rtl@delay:1:18:5 (a beat held in the tail while the next slot runs its taps): values agree in every layer, only the timing differs', async () => {
    const { report } = await runPipeline({ config: pipelined('tiny'), images: ['examples/chelsea.png'], weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames: 1, out: tmp(), inject: ['rtl@delay:1:18:5'] });
    for (const l of report.layers) for (const p of l.pairs.filter((q) => q.kind === 'bits')) expect(`${l.name} ${p.a}~${p.b} ${p.status}`).toBe(`${l.name} ${p.a}~${p.b} agree`);
    const c = report.layers[0]!.pairs.find((p) => p.kind === 'cycles')!;
    expect([c.status, (c.first as unknown as Record<string, number>).beat]).toEqual(['differ', 18]);
  });

  it('tiny pipelined with rowPacing 0.9, emitted as a folder: passes under --timing declared too, its plan supplying every default', async () => {
    const file = writeSpecFile({ ...(PRESETS.tiny as object), name: 'tiny-paced', slots: 'pipelined', rowPacing: 0.9 }, 'paced.json');
    const net = loadSpec(file);
    const d = join(tmp(), 'design');
    writeDesignFolder(d, net, makePlan(net), loadWeights(net, 'synthetic:2'), 'synthetic:2');
    for (const timing of ['exact', 'declared'] as const) {
      const { report } = await runPipeline({ rtl: d, images: ['examples/chelsea.png'], weights: 'synthetic:2', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), timing });
      expectAllAgree(report, timing);
    }
  });

  it('the Verilog of a pipelined layer has its slot tail and restarts the controller every INTERVAL cycles; sequential has neither', () => {
    const src = (file: string, name: string) => emitDesign(loadSpec(file), makePlan(loadSpec(file)), {}).find((f) => f.name === name)!.text;
    const pipe = src(edgeFile(), 'rs_layer1.v');
    expect(pipe).toMatch(/INTERVAL = 11/);
    expect(pipe).toMatch(/t_phase <= 4'd11/);
    const seq = emitDesign(loadSpec('tiny'), makePlan(loadSpec('tiny')), {}).find((f) => f.name === 'rs_layer1.v')!.text;
    expect(seq).not.toMatch(/t_busy|INTERVAL/);
  });
});
