// Every rule of the arithmetic contract on hand-picked cases, with expected bits worked out by hand, through golden and model.
import { describe, expect, it } from 'vitest';
import { tapFlushes } from '../../golden/exact.js';
import { goldenBits, simBits, wasmBits, type TestLayer } from '../support/engines.js';
import { nearBoundLayer, WIDE_SHAPES } from '../support/random.js';
import { fromBits, referenceConv } from '../support/reference.js';

const f32 = (a: number[]) => Float32Array.from(a);
const MAXBF = fromBits(0x7f7fc000); // largest bfloat18

/** A 1×1 conv over a 1×1 pixel with Cin taps: out = contract(taps) for one output channel. */
function chain(ws: number[], xs: number[], bias: number, relu = false): TestLayer {
  return { inH: 1, inW: 1, inC: ws.length, outC: 1, kernel: 1, stride: 1, pad: 0, relu, x: f32(xs), weights: f32(ws), bias: f32([bias]) };
}

const cases: { name: string; layer: TestLayer; expected: number }[] = [
  {
    // 2^-100 · 2^-30 = 2^-130 is subnormal → flushed to −0 (negative weight); −0 + −0 bias stays −0.
    name: 'product below the smallest normal flushes to a signed zero',
    layer: chain([-(2 ** -100)], [2 ** -30], -0), expected: 0x80000000,
  },
  {
    // acc = 2^-125; + (−1.5·2^-126) = 2^-127 subnormal → +0; + 2^-126 → 2^-126 (0x00800000). Without the flush: 1.5·2^-126.
    name: 'sum below the smallest normal flushes before the next tap',
    layer: chain([2 ** -60, -(2 ** -60), 2 ** -60], [2 ** -65, 1.5 * 2 ** -66, 2 ** -66], 0), expected: 0x00800000,
  },
  {
    // p0 = 1, p1 = 2^24: 1 + 2^24 ties to even → 2^24; bias −2^24 → +0. Bias first would give 1.
    name: 'bias is added last, after every tap',
    layer: chain([1, 2 ** 24], [1, 1], -(2 ** 24)), expected: 0x00000000,
  },
  {
    // 2^24 + 1 + 1: each add ties to even and stays 2^24 (0x4b800000); an exact sum would be 2^24 + 2.
    name: 'each add rounds to nearest even in turn',
    layer: chain([2 ** 24, 1, 1], [1, 1, 1], 0), expected: 0x4b800000,
  },
  {
    // Largest bfloat18 × 2 overflows to +Inf; Inf + 1 = Inf.
    name: 'overflow gives +Inf',
    layer: chain([MAXBF], [2], 1), expected: 0x7f800000,
  },
  {
    // +Inf + −Inf = NaN, canonical 0x7fc00000, which ReLU passes (sign bit clear).
    name: 'Inf − Inf is the canonical NaN and passes ReLU',
    layer: chain([MAXBF, -MAXBF], [2, 2], 0, true), expected: 0x7fc00000,
  },
  {
    // −0.5·1 + 0 = −0.5 → ReLU → +0.
    name: 'ReLU turns a negative into +0',
    layer: chain([-0.5], [1], 0, true), expected: 0x00000000,
  },
  {
    // −1·(+0) = −0; −0 + −0 = −0; ReLU by the sign bit → +0.
    name: 'ReLU turns −0 into +0',
    layer: chain([-1], [0], -0, true), expected: 0x00000000,
  },
  {
    // 1·0.75 + 0.25 = 1.0, positive passes ReLU unchanged.
    name: 'ReLU passes a positive value unchanged',
    layer: chain([1], [0.75], 0.25, true), expected: 0x3f800000,
  },
];

describe('arithmetic contract edge cases', () => {
  for (const c of cases) {
    it(`${c.name} (expected ${c.expected.toString(16)})`, async () => {
      expect((await goldenBits(c.layer))[0]).toBe(c.expected);
      expect(simBits(c.layer)[0]).toBe(c.expected);
      expect((await wasmBits(c.layer))[0]).toBe(c.expected);
      const ref = referenceConv(c.layer.x, c.layer, c.layer.weights, c.layer.bias).out;
      expect(new Uint32Array(ref.buffer)[0]).toBe(c.expected);
    });
  }

  it('padding taps run with x = +0 and the first tap keeps the sign of zero (k=3 pad=1 on a 1x1 input)', async () => {
    // Centre tap (tap 4) sees x = +0; the 8 others are padding. Every weight −1 → every product −0 → −0 + (−0 bias) = −0.
    const allNeg: TestLayer = { inH: 1, inW: 1, inC: 1, outC: 1, kernel: 3, stride: 1, pad: 1, relu: false, x: f32([0]), weights: f32(new Array(9).fill(-1)), bias: f32([-0]) };
    expect((await goldenBits(allNeg))[0]).toBe(0x80000000);
    expect(simBits(allNeg)[0]).toBe(0x80000000);
    // One padding tap with weight +1 gives +0, and −0 + +0 = +0: only true if padding taps are included.
    const w = new Array(9).fill(-1);
    w[8] = 1;
    const onePos = { ...allNeg, weights: f32(w) };
    expect((await goldenBits(onePos))[0]).toBe(0x00000000);
    expect(simBits(onePos)[0]).toBe(0x00000000);
    expect((await wasmBits(allNeg))[0]).toBe(0x80000000);
    expect((await wasmBits(onePos))[0]).toBe(0x00000000);
  });
});

describe('the golden skips the running-sum flush only where it cannot matter', () => {
  WIDE_SHAPES.forEach((s, i) => {
    for (const e of [-110, -104, -103, -100]) {
      it(`products from 2^${e} with frequent cancellation: golden equals the always-flushing definition, in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} seed=${i + 7}`, async () => {
        const l = nearBoundLayer(i + 7, e, s);
        expect(Array.from(await goldenBits(l))).toEqual(Array.from(simBits(l)));
      });
    }
  });
  it('tapFlushes: 2^-104 products keep the sum flush, 2^-103 products drop it (hand cases of test/sim/wasmKernel)', () => {
    expect(tapFlushes((1 + 2 ** -23) * 2 ** -54, 2 ** -50).sums).toBe(true);
    expect(tapFlushes(2 ** -53, 2 ** -50).sums).toBe(false);
    expect(tapFlushes(2 ** -53, 2 ** -50).products).toBe(false);
    expect(tapFlushes(2 ** -80, 2 ** -50).products).toBe(true);
  });
  it('p0 + p1 = 2^-127 flushes before p2 = 2^-104 is added (2^-104, not one ulp above)', async () => {
    const l: TestLayer = { inH: 1, inW: 1, inC: 3, outC: 1, kernel: 1, stride: 1, pad: 0, relu: false,
      x: f32([(1 + 2 ** -23) * 2 ** -54, -(2 ** -54), 2 ** -54]), weights: f32([2 ** -50, 2 ** -50, 2 ** -50]), bias: f32([0]) };
    expect((await goldenBits(l))[0]).toBe(0x0b800000);
  });
});
