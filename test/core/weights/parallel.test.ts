// Synthetic weights drawn on worker threads, and the same weights read back from the weight cache by the next load, are
// the same, bit for bit, as those drawn in this thread.
// Worker threads load compiled JavaScript, so the threaded loader is imported from the build (npm test builds first).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';

function sameWords(a: { buffer: ArrayBufferLike; byteOffset: number; length: number } | undefined, b: typeof a): boolean {
  if (!a || !b) return a === b;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const { loadWeightsParallel } = (await import(new URL('../../../dist/core/weights/parallel.js', import.meta.url).href)) as typeof import('../../../core/weights/parallel.js');

describe('loadWeightsParallel', () => {
  for (const [threads, mode] of [[2, 'rne'], [3, 'truncate']] as const) {
    it(`ie120r synthetic:3, ${threads} threads, quant ${mode}: codes, biases and fused floats equal loadWeights in every layer, drawn and then from the cache`, async () => {
      const cache = mkdtempSync(join(tmpdir(), 'rowsim-parallel-'));
      const saved = process.env.SIMRUN_CACHE;
      process.env.SIMRUN_CACHE = cache;
      try {
        const net = loadSpec('ie120r');
        const seq = loadWeights(net, 'synthetic:3', mode);
        for (const source of ['drawn', 'cached']) {
          const par = await loadWeightsParallel(net, 'synthetic:3', mode, threads);
          expect(par.length).toBe(net.layers.length);
          const differ = net.layers.filter((l, i) => !(sameWords(par[i]!.codes, seq[i]!.codes) && sameWords(par[i]!.bias, seq[i]!.bias) && sameWords(par[i]!.fused, seq[i]!.fused)));
          expect(differ.map((l) => `${source} ${l.name}`)).toEqual([]);
          expect(readdirSync(join(cache, 'weights')).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
        }
      } finally {
        if (saved === undefined) delete process.env.SIMRUN_CACHE;
        else process.env.SIMRUN_CACHE = saved;
      }
    });
  }
});
