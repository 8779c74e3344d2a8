// The model's kernel-row passes: their order (worked by hand), a small schedule worked by hand, and row buffers sized
// to what the passes read (a buffer one row smaller overflows).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planNetwork, withTotals, type LayerPlan } from '../../core/plan.js';
import { loadSpec, type LayerSpec } from '../../core/spec.js';
import { steadyStateHighWater, steadyStateProblem, NetworkScheduler } from '../../sim/schedule.js';
import { passOrder, scheduleFrameRows } from '../../sim/timing.js';

const shape = (kernel: number, stride: 1 | 2, pad: number, inH: number): LayerSpec => {
  const outH = Math.floor((inH + 2 * pad - kernel) / stride) + 1;
  return { index: 1, name: 'x', kernel, stride, pad, batchnorm: false, relu: true, inH, inW: inH, inC: 1, outH, outW: outH, outC: 1 };
};
const pairs = (l: LayerSpec) => passOrder(l).map(({ r, ky }) => `${r}.${ky}`).join(' ');

describe('pass order', () => {
  it('3×3 stride 1 pad 1 on 4 rows: by input row read (padding above first), oldest row first within one', () => {
    expect(pairs(shape(3, 1, 1, 4))).toBe('0.0 0.1 1.0 0.2 1.1 2.0 1.2 2.1 3.0 2.2 3.1 3.2');
  });

  it('3×3 stride 2 pad 1 on 8 rows (4 output rows): one row of partial sums at a time', () => {
    expect(pairs(shape(3, 2, 1, 8))).toBe('0.0 0.1 0.2 1.0 1.1 1.2 2.0 2.1 2.2 3.0 3.1 3.2');
  });

  it('2×2 stride 2 pad 0 on 4 rows: every pass reads a real row', () => {
    expect(passOrder(shape(2, 2, 0, 4)).map((x) => x.v)).toEqual([0, 1, 2, 3]);
  });

  for (const [k, s, p, h] of [[3, 1, 1, 7], [5, 1, 2, 9], [5, 2, 2, 9], [3, 1, 2, 5], [2, 1, 1, 6], [7, 2, 3, 11]] as const) {
    it(`K ${k} S ${s} P ${p} on ${h} rows: each row runs ky = 0..K−1 in order, pass (r, ky) reads row r·S − P + ky, rows in order of reading`, () => {
      const l = shape(k, s, p, h);
      const order = passOrder(l);
      expect(order.length).toBe(l.outH * k);
      for (let r = 0; r < l.outH; r++) expect(order.filter((x) => x.r === r).map((x) => x.ky)).toEqual(Array.from({ length: k }, (_, i) => i));
      for (const x of order) expect(x.v).toBe(x.r * s - p + x.ky);
      for (let i = 1; i < order.length; i++) expect(order[i]!.v).toBeGreaterThanOrEqual(order[i - 1]!.v);
    });
  }
});

describe('a pass schedule worked by hand (3×3 stride 1 pad 1, 3 rows, 4 cycles a pass)', () => {
  // Rows complete at 10, 20, 30; a pass starts one cycle after its row completes, or when the previous pass ends.
  // (0,0) 11, (0,1) 15, (1,0) 19, (0,2) 23, (1,1) 27, (2,0) 31, (1,2) 35, (2,1) 39, (2,2) 43.
  const l = shape(3, 1, 1, 3);
  const base = planNetwork(loadSpec('tiny')).layers[0]!;
  const p: LayerPlan = { ...base, strips: 1, ocmux: 1, colsPerStrip: 1, taps: 3, passes: 3, slotInterval: 4, slotCycles: 7, beatDelay: 3, rowTurnaround: 0, minRowGap: 0 };
  const input = { first: Float64Array.from([0, 10, 20]), last: Float64Array.from([10, 20, 30]) };
  const rows = scheduleFrameRows(l, p, input, 0);

  it('each row starts its last pass at 23, 35, 43, and its one beat leaves taps + drain = 6 cycles later', () => {
    expect(Array.from(rows.start)).toEqual([23, 35, 43]);
    expect(Array.from(rows.first)).toEqual([29, 41, 49]);
    expect(rows.freeAt).toBe(47);
  });

  it('an input row is released when the last pass reading it ends: rows 0, 1, 2 at 23, 35, 43', () => {
    expect(Array.from(rows.release)).toEqual([23, 35, 43]);
  });
});

describe('row buffers under passes', () => {
  it('odd spec sized from the high-water mark: 6 frames run, and one row less in any layer overflows there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-passes-'));
    const file = join(dir, 'odd.json');
    writeFileSync(file, JSON.stringify({
      name: 'odd', input: { height: 16, width: 16, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000, slots: 'pipelined', partialSums: true, rowBuffers: 'high-water',
      layers: [
        { name: 'a', kernel: 5, stride: 1, pad: 2, outChannels: 4 }, { name: 'b', kernel: 2, stride: 2, pad: 0, outChannels: 6 },
        { name: 'c', kernel: 3, stride: 1, pad: 2, outChannels: 4 },
      ],
    }));
    const net = loadSpec(file);
    const plan = planNetwork(net, { steadyState: (q) => steadyStateProblem(net, q), highWater: (q) => steadyStateHighWater(net, q) });
    expect(plan.layers.map((q) => q.passes)).toEqual([5, 2, 3]);
    const s = new NetworkScheduler(net, plan, { kind: 'uniform' });
    for (let f = 0; f < 6; f++) s.frame(f, false);
    expect(s.bufferHighWater()).toEqual(plan.layers.map((q) => q.bufferRows));
    plan.layers.forEach((q, i) => {
      if (q.bufferRows === 1) return; // a buffer cannot hold less than the row being written
      const smaller = withTotals(plan.layers.map((x, j) => (j === i ? { ...x, bufferRows: x.bufferRows - 1 } : x)));
      expect(steadyStateProblem(net, smaller)?.layer, `layer ${i + 1} with ${q.bufferRows - 1} rows`).toBe(i + 1);
    });
  });
});
