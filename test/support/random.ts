// Seeded random layers and specs for cross-checks (shapes printed in test titles so failures can be replayed).
import { quantizeRne, bf18ToFloat } from '../../core/bfloat18.js';
import type { TestLayer } from './engines.js';
import { lcg } from './reference.js';

/** A random single layer with bfloat18-valued weights; some values are tiny so flushes happen. */
export function randomLayer(seed: number, shape: { inH: number; inW: number; inC: number; outC: number; kernel: number; stride: number; pad: number; relu: boolean }): TestLayer {
  const rnd = lcg(seed);
  const val = (scale: number) => {
    const u = rnd();
    // 5 % of values are tiny (near the subnormal boundary) to exercise flush-to-zero; 5 % are exactly ±0.
    if (u < 0.05) return (rnd() - 0.5) * 2 ** -120;
    if (u < 0.1) return rnd() < 0.5 ? 0 : -0;
    return (rnd() * 2 - 1) * scale;
  };
  const flush = (v: number) => (Math.abs(v) < 2 ** -126 ? v * 0 : Math.fround(v));
  const taps = shape.kernel * shape.kernel * shape.inC;
  const x = Float32Array.from({ length: shape.inH * shape.inW * shape.inC }, () => flush(val(2)));
  const weights = Float32Array.from({ length: taps * shape.outC }, () => bf18ToFloat(quantizeRne(val(1 / Math.sqrt(taps)))));
  const bias = Float32Array.from({ length: shape.outC }, () => flush(val(0.1)));
  return { ...shape, x, weights, bias };
}

/** Shapes covering k = 1, 3, 5; stride 1, 2; odd sizes; with and without padding. */
export const RANDOM_SHAPES = [
  { inH: 7, inW: 9, inC: 3, outC: 5, kernel: 3, stride: 1, pad: 1, relu: true },
  { inH: 9, inW: 7, inC: 2, outC: 4, kernel: 3, stride: 2, pad: 1, relu: false },
  { inH: 5, inW: 5, inC: 6, outC: 3, kernel: 1, stride: 1, pad: 0, relu: true },
  { inH: 11, inW: 13, inC: 2, outC: 3, kernel: 5, stride: 2, pad: 2, relu: true },
  { inH: 8, inW: 6, inC: 4, outC: 2, kernel: 5, stride: 1, pad: 0, relu: false },
  { inH: 6, inW: 9, inC: 3, outC: 7, kernel: 1, stride: 2, pad: 0, relu: false },
  { inH: 13, inW: 5, inC: 1, outC: 6, kernel: 3, stride: 2, pad: 0, relu: true },
] as const;

/**
 * A layer whose products are ±(1 + k·2^-23)·2^(e+j), k ∈ 0..3, j ∈ 0..2 (x and w each add 0 or 1), with random signs: running sums are random
 * walks on the products' grid and often cancel down to a few units of 2^(e-23), the smallest sums the data can make.
 * e = -103 is the smallest exponent at which the model and the golden skip the sum flush.
 */
export function nearBoundLayer(seed: number, e: number, shape: (typeof WIDE_SHAPES)[number]): TestLayer {
  const r = lcg(seed);
  const sign = () => (r() < 0.5 ? -1 : 1);
  const pick = (n: number) => Math.floor(r() * n);
  const taps = shape.kernel * shape.kernel * shape.inC;
  const x = Float32Array.from({ length: shape.inH * shape.inW * shape.inC }, () => sign() * (1 + pick(4) * 2 ** -23) * 2 ** (e + 60 + pick(2)));
  const weights = Float32Array.from({ length: taps * shape.outC }, () => sign() * 2 ** (-60 + pick(2)));
  const bias = Float32Array.from({ length: shape.outC }, () => (r() < 0.5 ? 0 : sign() * 2 ** -126));
  return { ...shape, x, weights, bias };
}

/** Shapes wider than 16 channels and with even and odd widths (whole pixel blocks and the single-pixel tail). */
export const WIDE_SHAPES = [
  { inH: 5, inW: 8, inC: 4, outC: 33, kernel: 3, stride: 1, pad: 1, relu: false },
  { inH: 6, inW: 7, inC: 17, outC: 16, kernel: 3, stride: 2, pad: 1, relu: true },
  { inH: 3, inW: 1, inC: 2, outC: 20, kernel: 1, stride: 1, pad: 0, relu: false },
] as const;
