// Deliberately broken models (test-only faults) must be reported at the faulty layer and coordinate, first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planNetwork } from '../../core/plan.js';
import { loadSpec } from '../../core/spec.js';
import { compareBeats } from '../../harness/compare.js';
import { runPipeline } from '../../harness/run.js';
import { scheduleNetwork } from '../../sim/model.js';

describe('fault injection', () => {
  it('one flipped bit (layer 2 row 3 col 2 chan 5 bit 0) is the first mismatch, at that layer and coordinate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rowsim-fault-'));
    const { report } = await runPipeline({
      config: 'tiny', images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['golden', 'sim'], frames: 1, out,
      faults: { bit: { layer: 2, row: 3, col: 2, chan: 5, bit: 0 } },
    });
    expect(report.pass).toBe(false);
    const failing = report.layers.filter((l) => (l.compare.simVsGolden?.mismatches ?? 0) > 0);
    expect(failing[0]!.index).toBe(2);
    expect(report.layers[0]!.compare.simVsGolden!.mismatches).toBe(0);
    const f = failing[0]!.compare.simVsGolden!.first!;
    expect([f.row, f.col, f.chan]).toEqual([3, 2, 5]);
    expect(failing[0]!.compare.simVsGolden!.mismatches).toBe(1);
    expect(failing[0]!.compare.simVsGolden!.maxUlp).toBe(1);
  });

  it('one beat a cycle late (layer 3, beat 17) is the first cycle mismatch, at that layer and beat', () => {
    const net = loadSpec('tiny');
    const plan = planNetwork(net);
    const good = scheduleNetwork(net, plan, 1);
    const bad = scheduleNetwork(net, plan, 1, { layer: 3, beat: 17, cycles: 1 });
    const cmp = good.timings.map((t, i) => compareBeats(t.beats, bad.timings[i]!.beats));
    const firstBad = cmp.findIndex((c) => c.mismatches > 0);
    expect(firstBad).toBe(2);
    const f = cmp[2]!.first!;
    expect(f.beat).toBe(17);
    expect(f.actualCycle - f.expectedCycle).toBe(1);
    const b = good.timings[2]!.beats;
    expect([f.row, f.col, f.chan]).toEqual([b.row[17], b.col[17], b.group[17]]);
  });
});
