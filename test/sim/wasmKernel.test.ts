// The model's WebAssembly kernel: the shipped kernel.wasm is the assembled WAT; every flush variant equals the readable JS
// definition wherever the model would choose it; the bound that lets the model skip the running-sum flush is tight.
import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleKernel } from '../../sim/assembleKernel.js';
import { neededFlushes } from '../../sim/model.js';
import { simBits, wasmBits, type TestLayer } from '../support/engines.js';
import { nearBoundLayer, RANDOM_SHAPES, randomLayer, WIDE_SHAPES } from '../support/random.js';

function minNonzero(a: Float32Array): number {
  let m = Infinity;
  for (const v of a) if (v !== 0 && Math.abs(v) < m) m = Math.abs(v);
  return m;
}

/** The flushes the model would pick for this layer's data. */
const modelChoice = (l: TestLayer) => neededFlushes(minNonzero(l.x) * minNonzero(l.weights));

describe('shipped kernel.wasm', () => {
  it('dist/sim/kernel.wasm is byte-identical to assembling sim/kernelWat.ts (npm run build ran on these sources)', async () => {
    const built = new URL('../../dist/sim/kernel.wasm', import.meta.url);
    expect(existsSync(built), 'dist/sim/kernel.wasm is missing: run npm run build').toBe(true);
    expect(Buffer.from(readFileSync(built)).equals(Buffer.from(await assembleKernel()))).toBe(true);
  });
});

describe('every flush variant equals the JS definition', () => {
  RANDOM_SHAPES.forEach((s, i) => {
    it(`all flushes, random layer k=${s.kernel} s=${s.stride} pad=${s.pad} in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} seed=${i + 31}`, async () => {
      const l = randomLayer(i + 31, s);
      expect(Array.from(await wasmBits(l))).toEqual(Array.from(simBits(l)));
    });
  });
  WIDE_SHAPES.forEach((s, i) => {
    for (const e of [-103, -100, -60]) {
      it(`model's choice, products from 2^${e}, k=${s.kernel} s=${s.stride} in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} seed=${i + 7}`, async () => {
        const l = nearBoundLayer(i + 7, e, s);
        const choice = modelChoice(l);
        expect(choice.flushSums).toBe(false); // every product here is ≥ 2^-103
        expect(choice.flushProducts).toBe(false);
        expect(Array.from(await wasmBits(l, choice))).toEqual(Array.from(simBits(l)));
      });
    }
    it(`products from 2^-110 (below the bound): model keeps the sum flush and agrees; without it the kernel differs, seed=${i + 7}`, async () => {
      const l = nearBoundLayer(i + 7, -110, s);
      const choice = modelChoice(l);
      expect(choice).toEqual({ flushProducts: false, flushSums: true });
      const js = Array.from(simBits(l));
      expect(Array.from(await wasmBits(l, choice))).toEqual(js);
      // A wrong bound would be caught: skipping the sum flush here leaves subnormal sums the contract flushes.
      expect(Array.from(await wasmBits(l, { flushProducts: false, flushSums: false }))).not.toEqual(js);
    });
  });
});

describe('the sum-flush bound, worked by hand', () => {
  it('p0 = (1+2^-23)·2^-104, p1 = −2^-104, p2 = 2^-104: the sum 2^-127 is subnormal, so 2^-104 products keep the flush', async () => {
    // x = (1+2^-23)·2^-54, −2^-54, 2^-54 (binary32), w = 2^-50: products exact; p0 + p1 = 2^-127 → +0; + p2 = 2^-104.
    // Without the flush: 2^-104 + 2^-127 = (1+2^-23)·2^-104, one ulp higher.
    const l: TestLayer = { inH: 1, inW: 1, inC: 3, outC: 1, kernel: 1, stride: 1, pad: 0, relu: false,
      x: Float32Array.from([(1 + 2 ** -23) * 2 ** -54, -(2 ** -54), 2 ** -54]), weights: Float32Array.from([2 ** -50, 2 ** -50, 2 ** -50]), bias: Float32Array.from([0]) };
    expect(modelChoice(l).flushSums).toBe(true);
    expect(simBits(l)[0]).toBe(0x0b800000); // 2^-104
    expect((await wasmBits(l, modelChoice(l)))[0]).toBe(0x0b800000);
    expect((await wasmBits(l, { flushProducts: false, flushSums: false }))[0]).toBe(0x0b800001);
  });
  it('p0 = (1+2^-23)·2^-103, p1 = −2^-103: the sum is 2^-126, normal; the model skips the flush and is right', async () => {
    const l: TestLayer = { inH: 1, inW: 1, inC: 2, outC: 1, kernel: 1, stride: 1, pad: 0, relu: false,
      x: Float32Array.from([(1 + 2 ** -23) * 2 ** -53, -(2 ** -53)]), weights: Float32Array.from([2 ** -50, 2 ** -50]), bias: Float32Array.from([0]) };
    expect(modelChoice(l).flushSums).toBe(false);
    expect(simBits(l)[0]).toBe(0x00800000);
    expect((await wasmBits(l, modelChoice(l)))[0]).toBe(0x00800000);
  });
});
