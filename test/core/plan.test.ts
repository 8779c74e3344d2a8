// Planner: reproduces the published IE120R plan (req and ALU columns) when pinned, sizes row buffers from the high-water mark, meets the ie120r unit and latency targets with kernel-row passes, names infeasible layers.
import { describe, expect, it } from 'vitest';
import { planNetwork, withTotals } from '../../core/plan.js';
import { NetworkScheduler, steadyStateHighWater, steadyStateProblem } from '../../sim/schedule.js';
import { PRESETS } from '../../core/presets.js';
import { loadSpec, validateSpec } from '../../core/spec.js';

// From ie120r-reference.md: [strips, ocmux, req, avail, ALUs] for layers 1..22.
const PUBLISHED: [number, number, number, number, number][] = [
  [4, 1, 4592, 5000, 64], [16, 1, 4760, 5000, 256], [16, 1, 4760, 5000, 256], [16, 4, 9520, 10000, 128],
  [14, 2, 9984, 10000, 224], [14, 2, 9984, 10000, 224], [14, 8, 19968, 20000, 168], [6, 1, 16720, 20000, 576],
  [6, 1, 16720, 20000, 576], [6, 4, 35200, 40000, 144], [3, 2, 33326, 40000, 144], [3, 2, 33326, 40000, 144],
  [3, 8, 70160, 80000, 72], [2, 2, 48720, 80000, 192], [2, 2, 48720, 80000, 192], [2, 8, 97440, 160000, 80],
  [1, 2, 80948, 160000, 160], [1, 2, 80948, 160000, 160], [1, 8, 161896, 320000, 64], [1, 8, 258664, 320000, 64],
  [1, 8, 258664, 320000, 64], [1, 64, 234304, 320000, 8],
];

/** The ie120r layers with the published strips/ocmux pinned, drain 10, sequential slots, one pass a row and the given extras. */
function pinned(extra: Record<string, unknown> = {}): ReturnType<typeof validateSpec> {
  const raw = structuredClone(PRESETS.ie120r) as { layers: Record<string, unknown>[]; drain?: number; slots?: string; aluBudget?: number };
  raw.layers.forEach((l, i) => { l.strips = PUBLISHED[i]![0]; l.ocmux = PUBLISHED[i]![1]; });
  raw.drain = 10; // the IE120R's fixed cost per slot is strips + 10
  raw.slots = 'sequential'; // the published slots do not overlap
  delete raw.aluBudget;
  delete (raw as { partialSums?: boolean }).partialSums; // the published design runs each row in one pass
  return validateSpec({ ...raw, ...extra }, 'pinned ie120r');
}

describe('planner', () => {
  it('ie120r pinned to the published strips/ocmux with overhead strips+10 reproduces req, avail and ALUs for all 22 layers', () => {
    const plan = planNetwork(pinned());
    expect(plan.layers.length).toBe(22);
    plan.layers.forEach((p, i) => {
      const [, , req, avail, alus] = PUBLISHED[i]!;
      expect([p.name, p.busyCycles, p.cyclesPerRow, p.cyclesAvailable, p.alus]).toEqual([p.name, req, req, avail, alus]);
    });
    expect(plan.totals.alus).toBe(3960);
    expect(plan.totals.weightBits).toBe(182_724_192);
  });

  it('the ie120r-published preset: the published strips/ocmux, req, avail and ALUs; rows paced at avail (rowPacing 1)', () => {
    const net = loadSpec('ie120r-published');
    const plan = planNetwork(net);
    plan.layers.forEach((p, i) => {
      const [strips, ocmux, req, avail, alus] = PUBLISHED[i]!;
      expect([p.name, p.strips, p.ocmux, p.busyCycles, p.cyclesAvailable, p.alus, p.minRowGap, p.cyclesPerRow]).toEqual([p.name, strips, ocmux, req, avail, alus, avail, avail]);
    });
    expect(plan.totals.alus).toBe(3960);
  });

  it('ie120r at 100,000 rows/s fits in at most 3,960 ALUs and every layer keeps up', () => {
    const plan = planNetwork(loadSpec('ie120r'));
    expect(plan.totals.alus).toBeLessThanOrEqual(3960);
    for (const p of plan.layers) expect(p.cyclesPerRow).toBeLessThanOrEqual(p.cyclesAvailable);
  });

  it('each chosen layer plan is minimal: no (strips, ocmux) with fewer ALUs fits (ie120r-mini)', () => {
    const net = loadSpec('ie120r-mini');
    const plan = planNetwork(net);
    net.layers.forEach((l, i) => {
      const p = plan.layers[i]!;
      const taps = l.kernel * l.kernel * l.inC;
      for (let ocmux = 1; ocmux <= l.outC; ocmux++) {
        if (l.outC % ocmux) continue;
        for (let strips = 1; strips <= l.outW; strips++) {
          const alus = strips * (l.outC / ocmux);
          const need = Math.ceil(l.outW / strips) * ocmux * (taps + strips + 3);
          if (alus < p.alus) expect(need).toBeGreaterThan(p.cyclesAvailable);
        }
      }
    });
  });

  it('ie120r with pipelined slots and partial sums (its preset): the fewest-ALU plan needs at most 3,300 ALUs, each layer minimal over one pass of max(taps + 1, strips + 3) per slot or K passes of max(K·Cin + 1, strips + 3)', () => {
    const net = loadSpec('ie120r');
    expect([net.slots, net.partialSums]).toEqual(['pipelined', true]);
    const plan = planNetwork(net);
    expect(plan.totals.alus).toBeLessThanOrEqual(3300);
    // Cycles per output row of each way to run a layer, worked from the slot rule alone.
    const rowCycles = (l: (typeof net.layers)[number], strips: number, ocmux: number, passes: number) =>
      passes * Math.ceil(l.outW / strips) * ocmux * Math.max((l.kernel * l.kernel * l.inC) / passes + 1, strips + 3);
    net.layers.forEach((l, i) => {
      const p = plan.layers[i]!;
      expect(p.busyCycles).toBe(rowCycles(l, p.strips, p.ocmux, p.passes));
      expect(p.cyclesPerRow).toBeLessThanOrEqual(p.cyclesAvailable);
      for (let ocmux = 1; ocmux <= l.outC; ocmux++) {
        if (l.outC % ocmux) continue;
        for (let strips = 1; strips <= l.outW; strips++) {
          if (strips * (l.outC / ocmux) >= p.alus) continue;
          for (const passes of l.kernel > 1 ? [1, l.kernel] : [1]) expect(rowCycles(l, strips, ocmux, passes), `${l.name} strips ${strips} ocmux ${ocmux} passes ${passes}`).toBeGreaterThan(p.cyclesAvailable);
        }
      }
    });
    const sequential = planNetwork(validateSpec({ ...(PRESETS.ie120r as object), slots: 'sequential' }, 'sequential ie120r'));
    expect(sequential.totals.alus).toBeGreaterThan(plan.totals.alus);
  });

  it('a layer that cannot keep up is PLAN_INFEASIBLE naming it and the shortfall (tiny at 10 Mrows/s)', () => {
    const raw = { ...(structuredClone(PRESETS.tiny) as object), rowRateHz: 10_000_000 };
    const net = validateSpec(raw, 'fast tiny');
    expect(() => planNetwork(net)).toThrow(/layer 't1' cannot keep up: .* has 25 \(short by \d+\)/);
  });
});

describe('row buffers sized from the high-water mark (published ie120r plan)', () => {
  it('with K + S rows and no pacing, layer20 cannot run frames back to back (PLAN_INFEASIBLE from SIM_BUFFER_OVERFLOW)', () => {
    expect(() => planNetwork(pinned(), { steadyState: (p) => steadyStateProblem(pinned(), p) })).toThrow(/layer 'layer20' cannot run frames back to back: .*its 4-row buffer is too small.*rowBuffers: high-water/);
  });

  it('sized from the high-water mark (no pacing): layer20 holds 5 rows, 6 frames run without overflow, and one row less in any layer overflows there', () => {
    const net = pinned({ rowBuffers: 'high-water' });
    const plan = planNetwork(net, { steadyState: (p) => steadyStateProblem(net, p), highWater: (p) => steadyStateHighWater(net, p) });
    expect(plan.layers[19]!.bufferRows).toBe(5);
    const s = new NetworkScheduler(net, plan, { kind: 'uniform' });
    for (let f = 0; f < 6; f++) s.frame(f, false);
    expect(s.bufferHighWater()).toEqual(plan.layers.map((p) => p.bufferRows));
    plan.layers.forEach((p, i) => {
      const smaller = withTotals(plan.layers.map((q, j) => (j === i ? { ...q, bufferRows: q.bufferRows - 1 } : q)));
      expect(steadyStateProblem(net, smaller)?.layer, `layer ${i + 1} with ${p.bufferRows - 1} rows`).toBe(i + 1);
    });
  });

  it('the bits follow the rows: rows · strips · ((colsPerStrip − 1)·S + K) · Cin · 32 per layer', () => {
    const net = pinned({ rowBuffers: 'high-water' });
    const plan = planNetwork(net, { highWater: (p) => steadyStateHighWater(net, p) });
    // layer20: 5 rows, 1 strip of 7 columns + 2 halo, 512 channels.
    expect(plan.layers[19]!.rowBufferBits).toBe(5 * 1 * 9 * 512 * 32);
    expect(plan.totals.rowBufferBits).toBe(plan.layers.reduce((a, p) => a + p.rowBufferBits, 0));
  });
});

describe('planner with an ALU budget (the model judges latency)', () => {
  it('ie120r with its preset budget: ≤ 3,960 ALUs and latency below the published 11.572740 ms', async () => {
    const { makePlan } = await import('../../harness/plan.js');
    const { frameLatency } = await import('../../sim/schedule.js');
    const net = loadSpec('ie120r');
    const plan = makePlan(net);
    expect(plan.totals.alus).toBeLessThanOrEqual(3960);
    expect(frameLatency(net, plan)).toBeLessThan(11.57274e-3 * 250e6);
    const minimal = makePlan(net, 'min');
    expect(minimal.totals.alus).toBeLessThan(plan.totals.alus);
    expect(frameLatency(net, minimal)).toBeGreaterThan(frameLatency(net, plan));
  });
  it('ie120r targets: the fewest-unit plan uses ≤ 3,300 units within 9 ms, the published 3,960 units reach ≤ 5.5 ms; one pass per row reaches neither', async () => {
    const { makePlan } = await import('../../harness/plan.js');
    const { frameLatency } = await import('../../sim/schedule.js');
    const ms = (cycles: number) => (cycles / 250e6) * 1e3;
    const net = loadSpec('ie120r');
    const fewest = makePlan(net, 'min');
    expect(fewest.totals.alus).toBeLessThanOrEqual(3300);
    expect(ms(frameLatency(net, fewest))).toBeLessThanOrEqual(9);
    const published = makePlan(net, 3960);
    expect(published.totals.alus).toBeLessThanOrEqual(3960);
    expect(ms(frameLatency(net, published))).toBeLessThanOrEqual(5.5);
    expect(published.layers.filter((p) => p.passes === 3).length).toBeGreaterThan(10);
    // Without partial sums the same planner misses both targets: the passes are what meets them.
    const whole = validateSpec({ ...(PRESETS.ie120r as object), partialSums: false }, 'ie120r without partial sums');
    expect(ms(frameLatency(whole, makePlan(whole, 'min')))).toBeGreaterThan(9);
    expect(ms(frameLatency(whole, makePlan(whole, 3960)))).toBeGreaterThan(5.5);
  });

  // A stride that steps past the last input rows (3×3 stride 2 pad 0 on 16 rows reads rows 0..14): the layer waits for
  // row 14, not 15. Measured from row 15 every option would leave no work after it, and the layer would look done.
  const deficit = (extra: object) => validateSpec({
    name: 'deficit', input: { height: 16, width: 16, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000, slots: 'pipelined', ...extra,
    layers: [
      { name: 'a', kernel: 3, stride: 1, pad: 1, outChannels: 4 }, { name: 'b', kernel: 3, stride: 2, pad: 0, outChannels: 8 },
      { name: 'c', kernel: 3, stride: 1, pad: 1, outChannels: 4 },
    ],
  }, 'deficit');
  it('a layer whose stride skips the last input row (3×3 stride 2 pad 0 on 16 rows) still takes ALUs from a budget of 80: 28 of them, latency 329 cycles', async () => {
    const { makePlan } = await import('../../harness/plan.js');
    const { frameLatency } = await import('../../sim/schedule.js');
    const net = deficit({});
    const plan = makePlan(net, 80);
    expect([plan.layers[1]!.alus, plan.totals.alus, frameLatency(net, plan)]).toEqual([28, 80, 329]);
  });
  it('such a layer can still move to a faster option when its 4-row window buffer overflows (4×4 stride 2 pad 0 on 9 rows): planned, not PLAN_INFEASIBLE', async () => {
    const { makePlan } = await import('../../harness/plan.js');
    const net = validateSpec({
      name: 's74', input: { height: 16, width: 16, channels: 3 }, clockHz: 250_000_000, rowRateHz: 1_000_000, slots: 'pipelined',
      layers: [
        { name: 'l0', kernel: 2, stride: 2, pad: 1, outChannels: 8 }, { name: 'l1', kernel: 4, stride: 2, pad: 0, outChannels: 2 },
        { name: 'l2', kernel: 1, stride: 1, pad: 0, outChannels: 6 },
      ],
    }, 's74');
    expect(makePlan(net).layers.map((p) => [p.strips, p.ocmux, p.alus])).toEqual([[3, 8, 3], [1, 1, 2], [1, 6, 1]]);
  });

  it('a budget below the fewest-ALU plan is PLAN_INFEASIBLE (ie120r-mini budget 10)', async () => {
    const { makePlan } = await import('../../harness/plan.js');
    expect(() => makePlan(loadSpec('ie120r-mini'), 10)).toThrow(/over the budget of 10/);
  });
});
