// Timing of `tiny` against cycle numbers worked out by hand from docs/timing.md (P = 100 cycles per input row, 16 pixels per row).
import { describe, expect, it } from 'vitest';
import { frameRowArrivals, parsePacing } from '../../core/pacing.js';
import { planNetwork, type NetworkPlan } from '../../core/plan.js';
import { loadSpec, type NetworkSpec } from '../../core/spec.js';
import { NetworkScheduler } from '../../sim/schedule.js';
import type { LayerFrameTiming } from '../../sim/timing.js';

/** Both frames of a 2-frame uniform schedule, each layer's frames concatenated (beats, rows, row starts). */
function schedule2(net: NetworkSpec, plan: NetworkPlan) {
  const s = new NetworkScheduler(net, plan, { kind: 'uniform' });
  const frames = [s.frame(0).layers, s.frame(1).layers];
  const cat = (get: (t: LayerFrameTiming) => ArrayLike<number>, i: number) => [...Array.from(get(frames[0]![i]!)), ...Array.from(get(frames[1]![i]!))];
  const timings = net.layers.map((_, i) => ({
    beats: { cycle: cat((t) => t.beats.cycle, i), row: cat((t) => t.beats.row, i), col: cat((t) => t.beats.col, i), frame: [...frames[0]![i]!.beats.row.map(() => 0), ...frames[1]![i]!.beats.row.map(() => 1)] },
    rows: { first: cat((t) => t.rows.first, i), last: cat((t) => t.rows.last, i) },
    rowStart: cat((t) => t.rowStart, i),
  }));
  const lastIn = (f: number) => f * net.input.height * net.rowPeriod + (net.input.height - 1) * net.rowPeriod + net.input.width - 1;
  const perFrame = [0, 1].map((f) => { const r = frames[f]![net.layers.length - 1]!.rows.last; return r[r.length - 1]! - lastIn(f); });
  return { timings, latency: { perFrame, steadyInterval: (perFrame[1]! + lastIn(1)) - (perFrame[0]! + lastIn(0)) }, bufferHighWater: s.bufferHighWater() };
}

const net = loadSpec('tiny');
const plan = planNetwork(net);
const { timings, latency, bufferHighWater } = schedule2(net, plan);

describe('tiny timing, worked by hand', () => {
  it('plans used by the hand calculation: t1 strips 8 ocmux 1 (slot 27+8+3 = 38, row 2·38 = 76); t2 strips 2 ocmux 1 (slot 36+2+3 = 41, row 4·41 = 164)', () => {
    expect([plan.layers[0]!.strips, plan.layers[0]!.ocmux, plan.layers[0]!.slotCycles, plan.layers[0]!.cyclesPerRow]).toEqual([8, 1, 38, 76]);
    expect([plan.layers[1]!.strips, plan.layers[1]!.ocmux, plan.layers[1]!.slotCycles, plan.layers[1]!.cyclesPerRow]).toEqual([2, 1, 41, 164]);
  });

  it('t1 first beat: output row 0 needs input row 1, whose last pixel is at 1·100+15 = 115; start 116; first beat 116+27+3 = 146', () => {
    expect(timings[0]!.rowStart[0]).toBe(116);
    expect(timings[0]!.beats.cycle[0]).toBe(146);
  });

  it('t1 beats per row: 16 columns × 1 group; row 0 beat order is (pos 0: cols 0,2,4..14), (pos 1: cols 1,3..15) on cycles 146..153 and 184..191', () => {
    const b = timings[0]!.beats;
    const row0 = Array.from(b.row).filter((r, i) => r === 0 && b.frame[i] === 0).length;
    expect(row0).toBe(16);
    expect(Array.from(b.col.slice(0, 16))).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15]);
    expect(Array.from(b.cycle.slice(0, 16))).toEqual([146, 147, 148, 149, 150, 151, 152, 153, 184, 185, 186, 187, 188, 189, 190, 191]);
  });

  it('t1 last row of the frame: rows 14 and 15 both wait for input row 15 (ready 1516); row 15 starts at 1516+76 = 1592, last beat 1592+38+30+7 = 1667', () => {
    expect(timings[0]!.rowStart[14]).toBe(1516);
    expect(timings[0]!.rowStart[15]).toBe(1592);
    expect(timings[0]!.rows.last[15]).toBe(1667);
  });

  it('t2 (stride 2, pad 1): row 0 needs t1 row 1 (start max(216, 192) = 216, last beat 216+38+30+7 = 291) → starts 292, first beat 292+36+3 = 331', () => {
    expect(timings[0]!.rowStart[1]).toBe(216);
    expect(timings[0]!.rows.last[1]).toBe(291);
    expect(timings[1]!.rowStart[0]).toBe(292);
    expect(timings[1]!.beats.cycle[0]).toBe(331);
  });

  it('t2 row 1 needs t1 row 3 (2·1−1+2): t1 row 3 starts at input row 4 ready 416, last beat 416+75 = 491 → t2 row 1 starts 492', () => {
    expect(timings[0]!.rows.last[3]).toBe(491);
    expect(timings[1]!.rowStart[1]).toBe(492);
  });

  it('frame 1 repeats frame 0 shifted by exactly one frame period (16·100 = 1600 cycles) in every layer', () => {
    for (const t of timings) {
      const n = t.beats.cycle.length / 2;
      for (let i = 0; i < n; i++) expect(t.beats.cycle[n + i]! - t.beats.cycle[i]!).toBe(1600);
    }
    expect(latency.perFrame[0]).toBe(latency.perFrame[1]);
    expect(latency.steadyInterval).toBe(1600);
  });

  it('latency is last output beat minus last input pixel (15·100+15 = 1515)', () => {
    const outH = net.layers[3]!.outH;
    expect(latency.perFrame[0]).toBe(timings[3]!.rows.last[outH - 1]! - 1515);
  });

  it('row-buffer high-water marks stay within the planned K + stride rows', () => {
    bufferHighWater.forEach((h, i) => expect(h).toBeLessThanOrEqual(plan.layers[i]!.bufferRows));
  });
});

describe('row-level schedule equals the beat-level one', () => {
  for (const cfg of ['tiny', 'ie120r-mini', 'examples/small.yaml']) {
    it(`${cfg}: first/last beat of every row, 2 frames`, () => {
      const n = loadSpec(cfg);
      const pl = planNetwork(n);
      const withBeats = new NetworkScheduler(n, pl, { kind: 'uniform' });
      const rowsOnly = new NetworkScheduler(n, pl, { kind: 'uniform' });
      for (let f = 0; f < 2; f++) {
        const a = withBeats.frame(f, true).layers;
        const b = rowsOnly.frame(f, false).layers;
        a.forEach((t, i) => {
          // Beats enumerated one by one give the same row spans as the closed form used when beats are not needed.
          expect(Array.from(t.rows.first)).toEqual(Array.from(b[i]!.rows.first));
          expect(Array.from(t.rows.last)).toEqual(Array.from(b[i]!.rows.last));
        });
      }
    });
  }
});

describe('the model times beats from the actual arrivals of each pacing profile (tiny, worked by hand)', () => {
  const first = (pacing: string) => {
    const s = new NetworkScheduler(net, plan, parsePacing(pacing, net));
    return s.frame(0).layers[0]!;
  };
  it('stall:1:50: t1 row 0 waits for input row 1, whose last pixel is now 165: start 166, first beat 166+27+3 = 196', () => {
    const t = first('stall:1:50');
    expect(t.rowStart[0]).toBe(166);
    expect(t.beats.cycle[0]).toBe(196);
  });
  it('burst:2: rows 0 and 1 are in by cycle 31: t1 row 0 starts 32, first beat 62; row 1 (needs row 2, in at 215) starts max(216, 32+76) = 216', () => {
    const t = first('burst:2');
    expect([t.rowStart[0], t.beats.cycle[0], t.rowStart[1]]).toEqual([32, 62, 216]);
  });
  it('jitter:5: every t1 row starts one cycle after the last pixel of the row it needs, or when the ALUs free up', () => {
    const p = parsePacing('jitter:5', net);
    const rows = frameRowArrivals(net, p, 0);
    const t = first('jitter:5');
    let free = 0;
    for (let r = 0; r < 16; r++) {
      const need = Math.min(r + 1, 15);
      const expected = Math.max(rows.last[need]! + 1, free);
      expect(t.rowStart[r], `row ${r}`).toBe(expected);
      free = expected + plan.layers[0]!.cyclesPerRow;
    }
  });
});
