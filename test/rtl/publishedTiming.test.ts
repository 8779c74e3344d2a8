// The published design's timing options in the emitted RTL: drain 10 (strips + 10 a slot), row pacing (TDMPAD) and row
// buffers sized from the high-water mark; golden, sim and rtl agree bit for bit and cycle for cycle under them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PRESETS } from '../../core/presets.js';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { emitDesign } from '../../rtl/emit.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { frameLatency } from '../../sim/schedule.js';
import { expectAllAgree } from '../support/agree.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-pub-'));

/** A preset with the published timing options (and any others), as a spec file. */
function published(preset: string, extra: Record<string, unknown> = {}): string {
  const file = join(tmp(), `${preset}-published.json`);
  writeFileSync(file, JSON.stringify({ ...(PRESETS[preset] as object), name: `${preset}-published`, drain: 10, rowPacing: 1, rowBuffers: 'high-water', ...extra }));
  return file;
}

describeRtl('the published timing options in the emitted RTL', () => {
  it('tiny with drain 10, rowPacing 1 and high-water buffers: pacing moves the model\'s cycles, and the RTL follows, 3 frames', async () => {
    const file = published('tiny');
    const net = loadSpec(file);
    const unpaced = loadSpec(published('tiny', { rowPacing: undefined }));
    expect(frameLatency(net, makePlan(net))).not.toBe(frameLatency(unpaced, makePlan(unpaced)));
    const { report } = await runPipeline({ config: file, images: ['examples/coffee.png', 'examples/chelsea.png'], weights: 'synthetic:4', engines: ['golden', 'sim', 'rtl'], frames: 3, out: tmp() });
    expectAllAgree(report);
  });

  it('tiny, pipelined slots, drain 5, rowPacing 0.85, jitter:3 pacing, 2 frames: bits and cycles agree', async () => {
    const { report } = await runPipeline({ config: published('tiny', { drain: 5, rowPacing: 0.85, slots: 'pipelined' }), images: ['examples/chelsea.png'], weights: 'synthetic:6', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), pacing: 'jitter:3' });
    expectAllAgree(report);
  });

  it('ie120r-mini with drain 10, rowPacing 1 and high-water buffers, 2 frames: all 22 layers agree', async () => {
    const { report } = await runPipeline({ config: published('ie120r-mini'), images: ['examples/chelsea.png', 'examples/coffee.png'], weights: 'synthetic:7', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp() });
    expectAllAgree(report);
  });

  it('the ie120r-published preset emits lint-clean Verilog with MIN_ROW_GAP per layer and its high-water row buffers', async () => {
    const net = loadSpec('ie120r-published');
    const plan = makePlan(net);
    const files = emitDesign(net, plan);
    expect(await lintVerilog('rs_top', files)).toBe('');
    const l20 = files.find((f) => f.name === 'rs_layer20.v')!.text;
    expect(l20).toMatch(/MIN_ROW_GAP = 320000/);
    expect(l20).toMatch(new RegExp(`R = ${plan.layers[19]!.bufferRows}\\b`));
  });
});
