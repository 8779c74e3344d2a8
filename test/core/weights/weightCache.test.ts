// The synthetic weight cache serves exactly what the generator draws, and nothing else: a second load reads the file,
// a file of another key, cut short, or with one word changed is ignored, and every array owns its buffer.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';
import type { HwLayerWeights } from '../../../core/weights/types.js';
import { readCachedWeights, writeCachedWeights } from '../../../core/weights/weightCache.js';

const words = (a: { buffer: ArrayBufferLike; byteOffset: number; length: number }) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** True when every code, bias and fused weight of every layer is the same word. */
function same(a: readonly HwLayerWeights[], b: readonly HwLayerWeights[]): boolean {
  return a.length === b.length && a.every((w, i) => (['codes', 'bias', 'fused'] as const).every((k) => {
    const x = words(w[k]!), y = words(b[i]![k]!);
    return x.length === y.length && x.every((v, j) => v === y[j]);
  }));
}

describe('weight cache', () => {
  const saved = process.env.SIMRUN_CACHE;
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rowsim-weightcache-'));
    process.env.SIMRUN_CACHE = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.SIMRUN_CACHE;
    else process.env.SIMRUN_CACHE = saved;
  });

  /** Writes tiny's synthetic:7 weights and returns the one cache file. */
  function cachedSeven(): string {
    const net = loadSpec('tiny');
    writeCachedWeights(net, 7, 'rne', loadWeights(net, 'synthetic:7', 'rne'));
    const files = readdirSync(join(dir, 'weights'));
    expect(files).toHaveLength(1);
    return join(dir, 'weights', files[0]!);
  }

  it('tiny synthetic:5 rne: nothing cached at first; after a write the read equals loadWeights word for word, each array in its own buffer', () => {
    const net = loadSpec('tiny');
    expect(readCachedWeights(net, 5, 'rne')).toBeNull();
    writeCachedWeights(net, 5, 'rne', loadWeights(net, 'synthetic:5', 'rne'));
    const read = readCachedWeights(net, 5, 'rne');
    expect(read).not.toBeNull();
    expect(same(read!, loadWeights(net, 'synthetic:5', 'rne'))).toBe(true);
    expect(same(read!, loadWeights(net, 'synthetic:6', 'rne'))).toBe(false); // the comparison can fail
    expect(new Set(read!.flatMap((w) => [w.codes.buffer, w.bias.buffer, w.fused!.buffer])).size).toBe(read!.length * 3);
  });

  it('tiny synthetic:7 cached: another seed (6), another rounding (truncate) or another network (ie120r-mini) is not served it', () => {
    cachedSeven();
    expect(readCachedWeights(loadSpec('tiny'), 7, 'rne')).not.toBeNull();
    expect(readCachedWeights(loadSpec('tiny'), 6, 'rne')).toBeNull();
    expect(readCachedWeights(loadSpec('tiny'), 7, 'truncate')).toBeNull();
    expect(readCachedWeights(loadSpec('ie120r-mini'), 7, 'rne')).toBeNull();
  });

  for (const [what, spoil] of [
    ['cut short by one word', (b: Buffer) => b.subarray(0, b.length - 4)],
    ['one more word', (b: Buffer) => Buffer.concat([b, Buffer.alloc(4)])],
    ['a byte of its key changed', (b: Buffer) => { const c = Buffer.from(b); c[0] = c[0] === 0x30 ? 0x31 : 0x30; return c; }],
    ['one bit of its last word flipped', (b: Buffer) => { const c = Buffer.from(b); c[c.length - 1]! ^= 0x01; return c; }],
    ['two words of its first layer swapped', (b: Buffer) => { const c = Buffer.from(b); b.copy(c, 64, 68, 72); b.copy(c, 68, 64, 68); return c; }],
  ] as const) {
    it(`tiny synthetic:7, the file ${what}: not served (drawn afresh instead)`, () => {
      const file = cachedSeven();
      const whole = readFileSync(file);
      writeFileSync(file, spoil(whole));
      expect(readCachedWeights(loadSpec('tiny'), 7, 'rne')).toBeNull();
      writeFileSync(file, whole);
      expect(readCachedWeights(loadSpec('tiny'), 7, 'rne')).not.toBeNull();
    });
  }
});
