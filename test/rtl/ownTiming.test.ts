// Designs that keep their own timing, written from the contract (test/support/ownDesign.ts), not from the emitter:
// under --timing own they pass by coordinate and real-time checks, and fail naming the layer when too slow, late,
// duplicated, missing or back-pressuring; under exact their verdict says only the timing differs; a declared timing
// predicts them beat for beat; rowsim's emitted designs are the declared model at its own parameters.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';
import type { RunReport } from '../../harness/report.js';
import { expectAllAgree } from '../support/agree.js';
import { simrun } from '../support/cli.js';
import { writeOwnDesign } from '../support/ownDesign.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-own-'));
const IMAGES = ['examples/coffee.png', 'examples/chelsea.png'];

/** Every bits pair of every layer agrees and was compared. */
function valuesAgree(r: RunReport): void {
  for (const l of r.layers) {
    for (const p of l.pairs.filter((q) => q.kind === 'bits')) {
      expect(`${l.name} ${p.a}~${p.b}: ${p.status} ${p.mismatches}`).toBe(`${l.name} ${p.a}~${p.b}: agree 0`);
      expect(p.compared).toBeGreaterThan(0);
    }
  }
}

function run(rtl: string, o: { frames?: number; pacing?: string; timing?: 'exact' | 'own' | 'declared'; latencyBudget?: string[] } = {}) {
  return runPipeline({ rtl, images: IMAGES, engines: ['golden', 'sim', 'rtl'], frames: o.frames ?? 2, out: tmp(), floatReference: false, ...o }).then((x) => x.report);
}

describeRtl('own timing: a pixel-serial design written from the contract (3 layers, 8x8x3, 250 cycles per row)', () => {
  const base = writeOwnDesign(join(tmp(), 'pixel-serial'));

  for (const pacing of ['uniform', 'jitter:5']) {
    it(`passes --timing own under ${pacing} (2 frames): values by coordinate, every layer keeps up, constant latency`, async () => {
      const r = await run(base, { pacing });
      valuesAgree(r);
      expect(r.pass, r.summary).toBe(true);
      expect(r.ownTiming!.mode).toBe('own');
      expect(r.ownTiming!.failures).toEqual([]);
      expect(r.summary).toMatch(/PASS.*keeps its own timing/);
      for (const l of r.layers) {
        expect(l.pairs.find((p) => p.kind === 'cycles')!.status).toBe('not compared');
        // Its rows come at its own pace, inside what the row rate allows.
        expect(l.rtlTiming!.rowInterval!).toBeLessThanOrEqual(l.rtlTiming!.allowedRowInterval * 1.01);
        expect(l.timing.rtl!.firstBeatCycle).not.toBe(l.timing.sim!.firstBeatCycle);
      }
      expect(r.ownTiming!.frameIntervalCycles).toBeCloseTo(2000, -1);
    });
  }

  it('under --timing exact (CLI) it fails with exit 1, and the verdict says the values agree and only the timing differs', () => {
    const out = tmp();
    const r = simrun(['--rtl', base, '--image', IMAGES[0]!, '--timing', 'exact', '--frames', '2', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL: values agree in every compared layer; only the timing differs .*sim~rtl cycles/);
    expect(r.stdout).not.toMatch(/golden~rtl bits: first/);
  });

  it('at a row rate 5.4 % too fast for it (205 cycles per row; its rows take 216) it fails own within 2 frames, naming layer 1 with 216 beside 205', async () => {
    const slow = writeOwnDesign(join(tmp(), 'too-slow'), { clockHz: 102_500_000, rowRateHz: 500_000 });
    const r = await run(slow);
    valuesAgree(r);
    expect(r.pass).toBe(false);
    const rate = r.ownTiming!.failures.filter((f) => f.kind === 'rate');
    expect(rate.map((f) => f.layer)).toEqual([1]);
    expect(rate[0]!.measured).toBeCloseTo(216, 0);
    expect(rate[0]!.limit).toBe(205);
    expect(rate[0]!.message).toMatch(/layer 1 does not keep up .* every 216\.0 cycles .* allows 205/);
    expect(r.summary).toMatch(/values agree; the design breaks its real-time rules/);
    // One frame shows no drift, but its back-to-back rows (216) do not fit the frame period either (8 rows × 205).
    const one = await run(slow, { frames: 1 });
    expect(one.pass).toBe(false);
    // (Later layers, fed at layer 1's slower pace, may show their own back-to-back rows too: judged on their own.)
    expect(one.ownTiming!.failures.find((f) => f.kind === 'rate' && f.layer === 1)).toMatchObject({ measured: 216, limit: 205 });
  });

  it('one frame of the design that keeps up: PASS, and the verdict says the steady-state rate and a constant latency were not checked', async () => {
    const r = await run(base, { frames: 1 });
    expect(r.pass, r.summary).toBe(true);
    expect(r.ownTiming!.steadyStateChecked).toBe(false);
    expect(r.summary).toMatch(/keeps its own timing: in one frame no tapped layer computed rows back to back too slowly .*need --frames 2 or more and were not checked/);
  });

  it('a latency budget of exactly the measured latency passes; one cycle less fails (whole design and layer 2)', async () => {
    const first = await run(base);
    const total = first.latency.measured.rtl![0]!;
    const l2 = first.layers[1]!.rtlTiming!.latency!;
    expect((await run(base, { latencyBudget: [String(total), `2=${l2}`] })).pass).toBe(true);
    const over = await run(base, { latencyBudget: [String(total - 1), `2=${l2 - 1}`] });
    expect(over.pass).toBe(false);
    const budgets = over.ownTiming!.failures.filter((f) => f.kind === 'budget');
    expect(budgets.find((f) => f.layer === 2)).toMatchObject({ measured: l2, limit: l2 - 1 });
    expect(budgets.find((f) => f.layer === 0)).toMatchObject({ measured: total, limit: total - 1 });
  });

  it('declared timing (start latency 1, no slot overhead, beat delay 1) predicts it beat for beat; a declaration one cycle off fails sim~rtl cycles', async () => {
    const model = { startLatency: 1, slotOverhead: { perStrip: 0, fixed: 0 }, beatDelay: 1 };
    const right = writeOwnDesign(join(tmp(), 'declared'), { plan: true, timing: { mode: 'declared', model } });
    expectAllAgree(await run(right, { pacing: 'jitter:2' }), 'declared');
    const wrong = writeOwnDesign(join(tmp(), 'declared-off'), { plan: true, timing: { mode: 'declared', model: { ...model, beatDelay: 2 } } });
    const r = await run(wrong);
    valuesAgree(r);
    expect(r.layers.map((l) => l.pairs.find((p) => p.kind === 'cycles')!.status)).toEqual(['differ', 'differ', 'differ']);
  });
});

describeRtl('own timing: other microarchitectures and ports', () => {
  it('reversed columns in layer 1, blocked groups (2 beats per pixel) in layer 2, AXI4-Stream input and output: passes own', async () => {
    const d = writeOwnDesign(join(tmp(), 'axis'), { axis: true, layers: [{ reverse: true }, { groups: 2 }, {}] });
    const r = await run(d, { frames: 2 });
    valuesAgree(r);
    expect(r.pass, r.summary).toBe(true);
    expect(r.engineInfo.rtl!.streams![1]!.layout.groups).toBe(2);
  });

  it('the same with tready low for one cycle (cycle 3, pixel (0,3) offered): RTL_BACKPRESSURE at cycle 3 in layer 1', async () => {
    const d = writeOwnDesign(join(tmp(), 'axis-drop'), { axis: true, treadyLowAt: 3, layers: [{ reverse: true }, { groups: 2 }, {}] });
    const r = await run(d, { frames: 1 });
    expect(r.pass).toBe(false);
    expect(r.failures.map((f) => [f.code, f.layer, f.cycle])).toEqual([['RTL_BACKPRESSURE', 1, 3]]);
    expect(r.failures[0]!.message).toMatch(/frame 0 row 0 col 3 at cycle 3 \(1 pixel\(s\) refused/);
  });

  it('a duplicated beat (layer 2, row 1 col 1) and a missing pixel (layer 3, row 2 col 2) each fail, named by kind and layer', async () => {
    const dup = await run(writeOwnDesign(join(tmp(), 'dup'), { layers: [{}, { duplicate: true }, {}] }), { frames: 1 });
    expect(dup.pass).toBe(false);
    expect(dup.ownTiming!.failures.find((f) => f.kind === 'duplicate')).toMatchObject({ layer: 2, frame: 0 });
    expect(dup.ownTiming!.failures.find((f) => f.kind === 'duplicate')!.message).toMatch(/row 1 col 1 group 0 arrives a second time/);
    const drop = await run(writeOwnDesign(join(tmp(), 'drop'), { layers: [{}, {}, { drop: true }] }), { frames: 1 });
    expect(drop.pass).toBe(false);
    expect(drop.ownTiming!.failures.find((f) => f.kind === 'missing')).toMatchObject({ layer: 3, frame: 0 });
    expect(drop.ownTiming!.failures.find((f) => f.kind === 'missing')!.message).toMatch(/1 of 16 .* row 2 col 2/);
    expect(drop.layers[2]!.pairs.find((p) => p.a === 'golden' && p.b === 'rtl')!.categories!.missing).toBe(4);
  });

  for (const pacing of ['uniform', 'jitter:3']) {
    it(`two clocks: an 80 MHz pixel clock crossing into the 100 MHz compute clock by a req/ack handshake passes own (${pacing}, 3 frames)`, async () => {
      const d = writeOwnDesign(join(tmp(), 'two-clocks'), { pixelClockPs: 12_500 });
      const r = await run(d, { frames: 3, pacing });
      valuesAgree(r);
      expect(r.pass, r.summary).toBe(true);
      expect(r.engineInfo.rtl!.inputClock).toEqual({ inputPs: 12_500, computePs: 10_000 });
      expect(r.ownTiming!.frameIntervalCycles).toBeCloseTo(2000, -1);
    });
  }

  it('two clocks declared: the req/ack crossing (seen 1 pixel cycle after capture, through 3 compute flops) predicted beat for beat (jitter:3)', async () => {
    const d = writeOwnDesign(join(tmp(), 'two-clocks-declared'), {
      pixelClockPs: 12_500, plan: true,
      timing: { mode: 'declared', model: { startLatency: 1, slotOverhead: { perStrip: 0, fixed: 0 }, beatDelay: 1, inputSync: { inputCycles: 1, computeStages: 3 } } },
    });
    expectAllAgree(await run(d, { pacing: 'jitter:3' }), 'two clocks declared');
    const off = writeOwnDesign(join(tmp(), 'two-clocks-declared-off'), {
      pixelClockPs: 12_500, plan: true,
      timing: { mode: 'declared', model: { startLatency: 1, slotOverhead: { perStrip: 0, fixed: 0 }, beatDelay: 1, inputSync: { inputCycles: 1, computeStages: 2 } } },
    });
    expect((await run(off)).layers[0]!.pairs.find((p) => p.kind === 'cycles')!.status).toBe('differ');
  });

  it('published-style timing (slot overhead strips + 10, beat delay 10, row pacing 0.875 of the row interval) passes declared beat for beat', async () => {
    const d = writeOwnDesign(join(tmp(), 'published-style'), {
      plan: true, rowRateHz: 250_000,
      layers: [{ extra: 11, beatDelay: 9, pace: 350 }, { extra: 11, beatDelay: 9, pace: 700 }, { extra: 11, beatDelay: 9, pace: 700 }],
      timing: { mode: 'declared', model: { slotOverhead: { perStrip: 1, fixed: 10 }, rowPacing: 0.875 } },
    });
    const r = await run(d, { pacing: 'jitter:4' });
    expectAllAgree(r, 'published-style');
  });
});

describeRtl('rowsim\'s emitted designs are the declared model at rowsim\'s own parameters', () => {
  for (const config of ['tiny', 'ie120r-mini']) {
    it(`${config}: --timing declared gives the same beats as exact (2 frames, jitter:1), and --timing own passes`, async () => {
      const d = join(tmp(), 'design');
      expect(simrun(['emit', '--config', config, '--out', d]).code).toBe(0);
      const exact = await run(d, { pacing: 'jitter:1' });
      const declared = await run(d, { pacing: 'jitter:1', timing: 'declared' });
      expectAllAgree(exact, 'exact');
      expectAllAgree(declared, 'declared');
      expect(declared.layers.map((l) => l.timing)).toEqual(exact.layers.map((l) => l.timing));
      expect(declared.latency.measured).toEqual(exact.latency.measured);
      const own = await run(d, { pacing: 'jitter:1', timing: 'own' });
      expect(own.pass, own.summary).toBe(true);
    });
  }
});
