// Faults built into one engine (--inject) must be reported first at exactly their layer and coordinate (or beat and
// cycle), by every pair that contains the faulty engine — and by no pair that does not.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';
import type { RunReport } from '../../harness/report.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-fault-'));

/** The layers where a pair differs, first layer first, with the pair's first mismatch. */
function differing(r: RunReport) {
  return r.layers.flatMap((l) => l.pairs.filter((p) => p.status === 'differ').map((p) => ({ layer: l.index, pair: `${p.a}~${p.b} ${p.kind}`, first: p.first as unknown as Record<string, number> })));
}

describe('faults in the model (golden + sim on tiny)', () => {
  it('sim@bit:2:3:2:5:0 is the first mismatch, at layer 2 row 3 col 2 chan 5, 1 ULP, carried by the model beat that emitted it', async () => {
    const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['golden', 'sim'], frames: 1, out: tmp(), inject: ['sim@bit:2:3:2:5:0'] });
    expect(report.pass).toBe(false);
    const d = differing(report);
    expect(d[0]!.layer).toBe(2);
    expect(d[0]!.pair).toBe('golden~sim bits');
    expect([d[0]!.first.row, d[0]!.first.col, d[0]!.first.chan]).toEqual([3, 2, 5]);
    const p = report.layers[1]!.pairs.find((q) => q.kind === 'bits')!;
    expect(p.mismatches).toBe(1);
    // The beat that carried it: tiny's t2 has 2 strips, so (row 3, col 2) is beat 3·8 + 2·... as the model emits it.
    const first = p.first as { beat: { engine: string; index: number; cycle: number } };
    expect(first.beat.engine).toBe('sim');
    expect(first.beat.cycle).toBeGreaterThan(report.layers[1]!.timing.sim!.firstBeatCycle!);
  });

  it('the same flip in two frames is found in frame 0 and counted in both (--frames 2)', async () => {
    const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png', 'examples/chelsea.png'], engines: ['golden', 'sim'], frames: 2, out: tmp(), inject: ['sim@bit:4:0:0:0:31'] });
    const p = report.layers[3]!.pairs.find((q) => q.kind === 'bits')!;
    expect(p.mismatches).toBe(2);
    expect((p.first as { frame: number }).frame).toBe(0);
  });
});
