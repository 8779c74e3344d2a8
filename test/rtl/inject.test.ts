// --inject: each fault kind, built into the rtl engine (a faulted design copy or ROM image) or the model, is reported
// first at exactly its layer and coordinate (or beat and cycle); the layers before it agree.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runPipeline } from '../../harness/run.js';
import type { FirstBeatMismatch, FirstMismatch } from '../../harness/compare.js';
import type { RunReport } from '../../harness/report.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-inj-'));

async function run(inject: string): Promise<RunReport> {
  const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png', 'examples/chelsea.png'], engines: ['golden', 'sim', 'rtl'], frames: 2, out: tmp(), inject: [inject], floatReference: false });
  return report;
}

/** The first layer where any pair differs, and that layer's differing pairs. */
function firstFailing(r: RunReport) {
  const l = r.layers.find((x) => x.pairs.some((p) => p.status === 'differ'))!;
  return { layer: l.index, pairs: l.pairs.filter((p) => p.status === 'differ') };
}

describeRtl('each --inject kind is reported first at its place (tiny, 2 frames)', () => {
  for (const engine of ['rtl', 'sim'] as const) {
    const key = (a: string, b: string) => (a === 'golden' || (a === 'sim' && b === 'rtl') ? `${a}~${b}` : `${b}~${a}`);

    it(`${engine}@bit:2:3:4:5:30 — layer 2 row 3 col 4 chan 5, one word per frame, in every pair with ${engine}`, async () => {
      const r = await run(`${engine}@bit:2:3:4:5:30`);
      const f = firstFailing(r);
      expect(f.layer).toBe(2);
      expect(f.pairs.map((p) => `${p.a}~${p.b} ${p.kind}`).sort()).toEqual([`${key('golden', engine)} bits`, `${key('sim', 'rtl')} bits`].sort());
      for (const p of f.pairs) {
        const m = p.first as FirstMismatch;
        expect([m.frame, m.row, m.col, m.chan]).toEqual([0, 3, 4, 5]);
        expect(p.mismatches).toBe(2);
      }
    });

    it(`${engine}@delay:3:17:5 — layer 3, beat 17, 5 cycles late; every layer's bits agree`, async () => {
      const r = await run(`${engine}@delay:3:17:5`);
      const f = firstFailing(r);
      expect(f.layer).toBe(3);
      expect(f.pairs.map((p) => `${p.a}~${p.b} ${p.kind}`)).toEqual(['sim~rtl cycles']);
      const m = f.pairs[0]!.first as FirstBeatMismatch;
      expect(m.beat).toBe(17);
      expect((engine === 'rtl' ? m.actualCycle - m.expectedCycle : m.expectedCycle - m.actualCycle)).toBe(5);
      expect(r.layers.every((l) => l.pairs.filter((p) => p.kind === 'bits').every((p) => p.status === 'agree'))).toBe(true);
    });

    it(`${engine}@weight:2:60:9 — layer 2 (tap 7, channel 4): first mismatch at layer 2 in channel 4`, async () => {
      const r = await run(`${engine}@weight:2:60:9`);
      const f = firstFailing(r);
      expect(f.layer).toBe(2);
      expect(f.pairs.map((p) => `${p.a}~${p.b} ${p.kind}`).sort()).toEqual([`${key('golden', engine)} bits`, `${key('sim', 'rtl')} bits`].sort());
      for (const p of f.pairs) expect((p.first as FirstMismatch).chan).toBe(60 % 8);
    });

    it(`${engine}@bias:3:6:31 — layer 3, channel 6 (the first pixel whose sign ReLU does not hide)`, async () => {
      const r = await run(`${engine}@bias:3:6:31`);
      const f = firstFailing(r);
      expect(f.layer).toBe(3);
      expect(f.pairs.map((p) => `${p.a}~${p.b} ${p.kind}`).sort()).toEqual([`${key('golden', engine)} bits`, `${key('sim', 'rtl')} bits`].sort());
      for (const p of f.pairs) expect((p.first as FirstMismatch).chan).toBe(6);
    });

    it(`${engine}@stall:2:40 — layer 2's beats 40 cycles late from its first beat; layer 1 agrees; bits agree`, async () => {
      const r = await run(`${engine}@stall:2:40`);
      const f = firstFailing(r);
      expect(f.layer).toBe(2);
      expect(f.pairs.map((p) => `${p.a}~${p.b} ${p.kind}`)).toEqual(['sim~rtl cycles']);
      const m = f.pairs[0]!.first as FirstBeatMismatch;
      expect(m.beat).toBe(0);
      expect(Math.abs(m.actualCycle - m.expectedCycle)).toBe(40);
    });
  }
});
