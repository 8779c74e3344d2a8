// The emitted row buffers: a layer fed several lanes a beat keeps each beat in one word of its strip's bank, written
// through one port, and picks a tap's channel out of the word it reads (by bit selects when the input's groups are a
// power of two, by a constant divider otherwise); a layer fed one lane has the same layout with a word per channel.
// golden, sim and rtl agree bit for bit and cycle for cycle on a network with each kind, and its Verilog is lint-clean.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { makePlan } from '../../harness/plan.js';
import { runPipeline } from '../../harness/run.js';
import { emitDesign } from '../../rtl/emit.js';
import { lintVerilog } from '../../rtl/verilator.js';
import { expectAllAgree } from '../support/agree.js';
import { describeRtl } from '../support/rtl.js';
import { writeSpecFile } from '../support/specFile.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-rowbuf-'));

/**
 * Inputs of every kind: a (the image: 3 lanes, 1 group), b (a's 3 groups of 2 lanes: a divider by 3), c (b's 1 lane of
 * 4 channels), d (c's 2 groups of 4 lanes: bit selects), e (d's 1 group of 5 lanes, two strips).
 */
const KINDS = {
  name: 'row-buffer-kinds', input: { height: 12, width: 12, channels: 3 }, clockHz: 250_000_000, rowRateHz: 50_000,
  layers: [
    { name: 'a', kernel: 3, stride: 1, pad: 1, outChannels: 6, strips: 1, ocmux: 3 },
    { name: 'b', kernel: 3, stride: 1, pad: 1, outChannels: 4, strips: 1, ocmux: 4 },
    { name: 'c', kernel: 3, stride: 1, pad: 1, outChannels: 8, strips: 1, ocmux: 2 },
    { name: 'd', kernel: 3, stride: 2, pad: 1, outChannels: 5, strips: 1, ocmux: 1 },
    { name: 'e', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 2, ocmux: 2, relu: false },
  ],
};

const kindsFile = () => writeSpecFile(KINDS);

/** The layer's bank declarations (width, depth) and its write statements into banks. */
function banks(text: string): { decls: { width: number; depth: number }[]; writes: string[] } {
  const decls = [...text.matchAll(/reg \[(\d+):0\] bank\d+ \[0:(\d+)\];/g)].map((m) => ({ width: Number(m[1]) + 1, depth: Number(m[2]) + 1 }));
  return { decls, writes: text.split('\n').filter((l) => /bank\d+\[.*\] <=/.test(l)) };
}

describeRtl('row buffers', () => {
  const net = loadSpec(kindsFile());
  const plan = makePlan(net);
  const files = new Map(emitDesign(net, plan).map((f) => [f.name, f.text]));
  const layer = (n: number) => files.get(`rs_layer${n}.v`)!;

  it('the plan gives the intended lanes and groups (a 2x3, b 1x4, c 4x2, d 5x1, e 1x2 lanes x groups)', () => {
    expect(plan.layers.map((p) => [p.lanes, p.ocmux])).toEqual([[2, 3], [1, 4], [4, 2], [5, 1], [1, 2]]);
  });

  it('fed several lanes (a: 3, b: 2, d: 4, e: 5): one bank word per beat, lanes × 32 bits, one write of the whole beat per strip', () => {
    // Columns each strip holds, by hand: one strip holds all 12; e (fed d's 6×6 output, stride 2) has two strips of 3
    // outputs (3×3, pad 1) holding input columns 0..3 and 2..5.
    for (const [n, lanes, groups, columns] of [[1, 3, 1, [12]], [2, 2, 3, [12]], [4, 4, 2, [12]], [5, 5, 1, [4, 4]]] as const) {
      const p = plan.layers[n - 1]!;
      const { decls, writes } = banks(layer(n));
      expect(decls.map((d) => d.width), `layer ${n}`).toEqual(columns.map(() => lanes * 32));
      // R rows of the strip's columns, a word per group.
      expect(decls.map((d) => d.depth), `layer ${n}`).toEqual(columns.map((cols) => p.bufferRows * cols * groups));
      expect(writes, `layer ${n}`).toHaveLength(p.strips);
      for (const w of writes) expect(w, `layer ${n}`).toMatch(/<= in_data;$/);
    }
  });

  it('the tap\'s channel in the word: b divides by 3, d selects bits (2 groups), a and e take ci as the lane (1 group)', () => {
    expect(layer(2)).toMatch(/ci_grp = ci % \d+'d3;/);
    expect(layer(2)).toMatch(/ci_lane = ci \/ \d+'d3;/);
    expect(layer(4)).toMatch(/ci_grp = ci\[0:0\];/);
    expect(layer(4)).toMatch(/ci_lane = ci >> 1;/);
    for (const n of [1, 5]) expect(layer(n)).toMatch(/ci_lane = ci;/);
    expect(layer(2)).toMatch(/bank0\[baddr0\(slot_r, bc_s0, ci_grp\)\]\[ci_lane \* 32 \+: 32\]/);
  });

  it('fed one lane (c): a 32-bit word per channel, each beat written whole, read by ci with no lane select', () => {
    const { decls, writes } = banks(layer(3));
    expect(decls.map((d) => d.width)).toEqual([32]);
    expect(decls[0]!.depth).toBe(plan.layers[2]!.bufferRows * 12 * 4);   // R rows × 12 columns × 4 channels
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/bank0\[baddr0\(wslot, in_col, in_grp\)\] <= in_data;$/);
    expect(layer(3)).toMatch(/bank0\[baddr0\(slot_r, bc_s0, ci\)\]/);
    expect(layer(3)).not.toMatch(/ci_lane|ci_grp/);
  });

  it('row-buffer-kinds: the design is lint-clean under verilator -Wall', async () => {
    expect(await lintVerilog('rs_top', emitDesign(net, plan))).toBe('');
  });

  it('2 frames under jitter:3: golden, sim and rtl agree in every layer, bits and cycles', async () => {
    const { report } = await runPipeline({ config: kindsFile(), images: ['examples/coffee.png', 'examples/chelsea.png'], weights: 'synthetic:3', engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), pacing: 'jitter:3' });
    expectAllAgree(report);
  });
});
