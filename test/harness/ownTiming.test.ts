// The own-timing checker on beats from a small row-server model (not the checker's own arithmetic): a layer that keeps
// up passes, one 5 % slower is measured at its real pace, and duplicates, strays, missing beats, a misplaced end-of-frame
// flag, a varying latency and broken budgets are each named with their layer.
import { describe, expect, it } from 'vitest';
import { frameRowArrivals, parsePacing } from '../../core/pacing.js';
import { validateSpec } from '../../core/spec.js';
import { allocBeats, makeLayout, type BeatBlock } from '../../core/stream.js';
import { OwnTimingChecker, type LatencyBudgets } from '../../harness/ownTiming.js';

// 8×8×3 → one 3×3 stride-1 layer with 2 channels, 100 cycles per row.
const NET = validateSpec({ name: 'one', input: { height: 8, width: 8, channels: 3 }, clockHz: 1e8, rowRateHz: 1e6, layers: [{ name: 'a', kernel: 3, stride: 1, pad: 1, outChannels: 2 }] }, 'test');
const LAYOUT = makeLayout(2, 1, 'interleaved');

/**
 * Beats of `frames` frames from a server that starts row r once its last input row has arrived (+1) and it is free,
 * takes `service` cycles per row and sends the row's 8 pixels on its last 8 cycles; `tweak` edits a frame's beats.
 */
function serverBeats(service: number, frames: number, pacing = 'uniform', tweak?: (f: number, b: BeatBlock & { count: number }) => void): BeatBlock[] {
  const p = parsePacing(pacing, NET);
  let free = 0;
  const out: BeatBlock[] = [];
  for (let f = 0; f < frames; f++) {
    const input = frameRowArrivals(NET, p, f);
    const b = allocBeats(64, 2, true, true);
    for (let r = 0; r < 8; r++) {
      const start = Math.max(input.last[Math.min(r + 1, 7)]! + 1, free);
      free = start + service;
      for (let c = 0; c < 8; c++) {
        const i = r * 8 + c;
        b.cycle[i] = free - 8 + c; b.row[i] = r; b.col[i] = c; b.group[i] = 0;
      }
    }
    b.last![63] = 1;
    tweak?.(f, b);
    out.push(b);
  }
  return out;
}

function check(beats: readonly BeatBlock[], o: { pacing?: string; budgets?: LatencyBudgets } = {}) {
  const pacing = parsePacing(o.pacing ?? 'uniform', NET);
  const c = new OwnTimingChecker(NET, {
    observed: [{ layer: 1, layout: LAYOUT, last: true, axis: null }], inputRows: (f) => frameRowArrivals(NET, pacing, f),
    uniform: pacing.kind === 'uniform', latencySpread: 100, budgets: o.budgets ?? { layers: new Map() }, allowed: [100],
  });
  beats.forEach((b, f) => c.frame(f, [b]));
  return c.result();
}

describe('own-timing checker (8x8, one 3x3 layer, 100 cycles per row)', () => {
  for (const [service, pacing] of [[90, 'uniform'], [100, 'uniform'], [90, 'jitter:7'], [95, 'burst:2']] as const) {
    it(`a layer taking ${service} cycles per row keeps up under ${pacing} (3 frames): no findings, row interval about 100`, () => {
      const r = check(serverBeats(service, 3, pacing), { pacing });
      expect(r.findings).toEqual([]);
      expect(r.layers[0]!.rowInterval!).toBeGreaterThan(95);
      expect(r.layers[0]!.rowInterval!).toBeLessThanOrEqual(101);
      expect(r.frameInterval).toBeCloseTo(800, -1);
    });
  }

  it('a layer taking 105 cycles per row (5 % too slow) fails rate within 2 frames, measured 105 against 100', () => {
    const r = check(serverBeats(105, 2));
    const rate = r.findings.filter((f) => f.kind === 'rate');
    expect(rate).toHaveLength(1);
    expect(rate[0]!.layer).toBe(1);
    expect(rate[0]!.measured!).toBeCloseTo(105, 0);
    expect(rate[0]!.limit).toBe(100);
    expect(r.findings.some((f) => f.kind === 'latency')).toBe(true);
  });

  for (const service of [90, 100]) {
    it(`one frame, ${service} cycles per row: no findings, and the run says the steady state was not checked`, () => {
      const r = check(serverBeats(service, 1));
      expect(r.findings).toEqual([]);
      expect(r.steadyStateChecked).toBe(false);
      expect(r.layers[0]!.rowInterval).toBeNull();
    });
  }

  it('one frame, 113 cycles per row (13 % too slow): rate fails on the back-to-back pace, measured 113 against 100', () => {
    const r = check(serverBeats(113, 1));
    expect(r.steadyStateChecked).toBe(false);
    const rate = r.findings.filter((f) => f.kind === 'rate');
    expect(rate).toHaveLength(1);
    expect(rate[0]).toMatchObject({ layer: 1, measured: 113, limit: 100 });
    expect(rate[0]!.message).toMatch(/layer 1 does not keep up.*every 113 cycles.*8 rows fit a frame period \(800 cycles\) only at 100 or fewer each.*--frames 2/);
  });

  // An unpadded 3x3 layer has 6 output rows in 8 input-row periods: allowed 100 a row, yet up to 133 still fits a frame.
  const VALID = validateSpec({ name: 'valid', input: { height: 8, width: 8, channels: 3 }, clockHz: 1e8, rowRateHz: 1e6, layers: [{ name: 'a', kernel: 3, stride: 1, pad: 0, outChannels: 2 }] }, 'test');
  const validRun = (service: number, frames: number) => {
    const pacing = parsePacing('uniform', VALID);
    const c = new OwnTimingChecker(VALID, {
      observed: [{ layer: 1, layout: LAYOUT, last: true, axis: null }], inputRows: (f) => frameRowArrivals(VALID, pacing, f),
      uniform: true, latencySpread: 100, budgets: { layers: new Map() }, allowed: [100],
    });
    let free = 0;
    for (let f = 0; f < frames; f++) {
      const input = frameRowArrivals(VALID, pacing, f);
      const b = allocBeats(36, 2, true, true);
      for (let r = 0; r < 6; r++) {
        free = Math.max(input.last[r + 2]! + 1, free) + service;
        for (let col = 0; col < 6; col++) { const i = r * 6 + col; b.cycle[i] = free - 6 + col; b.row[i] = r; b.col[i] = col; b.group[i] = 0; }
      }
      b.last![35] = 1;
      c.frame(f, [b]);
    }
    return c.result();
  };
  for (const service of [120, 133]) {
    it(`unpadded 3x3 (6 rows a frame of 8 periods), ${service} cycles per row: keeps up in 1 frame and in 4 (its rows fit a frame)`, () => {
      expect(validRun(service, 1).findings).toEqual([]);
      expect(validRun(service, 4).findings).toEqual([]);
    });
  }
  it('unpadded 3x3, 140 cycles per row: fails rate in 1 frame (limit 133) and in 4 (it drifts)', () => {
    expect(validRun(140, 1).findings.map((f) => [f.kind, f.measured, f.limit])).toEqual([['rate', 140, 133]]);
    expect(validRun(140, 4).findings.some((f) => f.kind === 'rate')).toBe(true);
  });

  it('two frames, 90 cycles per row: the steady state is checked', () => {
    expect(check(serverBeats(90, 2)).steadyStateChecked).toBe(true);
  });

  it('when rows come two at once the layer\'s back-to-back pace is measured (service 90: slack 10 %)', () => {
    const r = check(serverBeats(90, 2));
    expect(r.layers[0]!.busyRowInterval).toBe(90);
    expect(r.layers[0]!.slack).toBeCloseTo(0.1, 5);
  });

  it('a duplicated beat, a stray coordinate and a missing pixel are each found in their frame', () => {
    const r = check(serverBeats(90, 1, 'uniform', (_f, b) => {
      b.row[5] = b.row[4]!; b.col[5] = b.col[4]!;      // (0,4) twice, (0,5) never
      b.row[9] = 99;                                    // a row that does not exist; (1,1) never
    }));
    expect(r.findings.map((f) => `${f.kind}:${f.layer}:${f.frame}`).sort()).toEqual(['duplicate:1:0', 'missing:1:0', 'stray:1:0']);
    expect(r.findings.find((f) => f.kind === 'missing')!.message).toMatch(/2 of 64 .* row 0 col 5/);
  });

  it('an end-of-frame flag one beat early is found', () => {
    const r = check(serverBeats(90, 1, 'uniform', (_f, b) => { b.last![62] = 1; b.last![63] = 0; }));
    expect(r.findings.map((f) => f.kind)).toEqual(['last']);
  });

  it('budgets: the measured latency passes; one cycle less fails (whole design), and the layer budget likewise', () => {
    const beats = serverBeats(90, 2);
    const lat = check(beats).layers[0]!.latency!;
    expect(check(beats, { budgets: { total: lat, layers: new Map([[1, lat]]) } }).findings).toEqual([]);
    const over = check(beats, { budgets: { total: lat - 1, layers: new Map([[1, lat - 1]]) } }).findings;
    expect(over.map((f) => [f.kind, f.layer, f.measured, f.limit])).toEqual([['budget', 1, lat, lat - 1], ['budget', 0, lat, lat - 1], ['budget', 1, lat, lat - 1], ['budget', 0, lat, lat - 1]]);
  });

  it('a latency that changes by one cycle under uniform pacing is found', () => {
    const r = check(serverBeats(90, 2, 'uniform', (f, b) => { if (f === 1) b.cycle[63] = b.cycle[63]! + 1; }));
    expect(r.findings.map((f) => f.kind)).toEqual(['latency']);
  });
});

describe('own-timing checker, two 3x3 layers (8x8, 100 cycles per row each)', () => {
  const NET2 = validateSpec({ name: 'two', input: { height: 8, width: 8, channels: 3 }, clockHz: 1e8, rowRateHz: 1e6, layers: [{ name: 'a', kernel: 3, stride: 1, pad: 1, outChannels: 2 }, { name: 'b', kernel: 3, stride: 1, pad: 1, outChannels: 2 }] }, 'test');

  /** A row server as serverBeats, fed by `ready(r)` (the last cycle of the rows row r needs); `extra` delays row 7. */
  function layerBeats(ready: (r: number) => number, service: number, extra = 0): BeatBlock {
    const b = allocBeats(64, 2, true, true);
    let free = 0;
    for (let r = 0; r < 8; r++) {
      const start = Math.max(ready(r) + 1, free);
      free = start + service + (r === 7 ? extra : 0);
      for (let c = 0; c < 8; c++) { const i = r * 8 + c; b.cycle[i] = free - 8 + c; b.row[i] = r; b.col[i] = c; b.group[i] = 0; }
    }
    b.last![63] = 1;
    return b;
  }

  it('layer 2 holding its last row 13 cycles longer in frame 1: the latency finding names layer 2 (frame 0 vs frame 1), not layer 1', () => {
    const pacing = parsePacing('uniform', NET2);
    const c = new OwnTimingChecker(NET2, {
      observed: [{ layer: 1, layout: LAYOUT, last: true, axis: null }, { layer: 2, layout: LAYOUT, last: true, axis: null }],
      inputRows: (f) => frameRowArrivals(NET2, pacing, f), uniform: true, latencySpread: 100, budgets: { layers: new Map() }, allowed: [100, 100],
    });
    for (let f = 0; f < 2; f++) {
      const input = frameRowArrivals(NET2, pacing, f);
      const l1 = layerBeats((r) => input.last[Math.min(r + 1, 7)]!, 90);
      const done1 = (r: number) => l1.cycle[r * 8 + 7]!;
      const l2 = layerBeats((r) => done1(Math.min(r + 1, 7)), 90, f === 1 ? 13 : 0);
      c.frame(f, [l1, l2]);
    }
    const found = c.result().findings;
    expect(found.map((x) => x.kind)).toEqual(['latency']);
    expect(found[0]!.message).toMatch(/it first changes in layer 2, from its input to its last beat: (\d+) cycles in frame 0, (\d+) in frame 1/);
    const [, a, b] = /last beat: (\d+) cycles in frame 0, (\d+) in frame 1/.exec(found[0]!.message)!;
    expect(Number(b) - Number(a)).toBe(13);
  });
});
