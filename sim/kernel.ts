// Pure MAC kernel of the model: computes output rows of one layer in hardware order (taps ky, kx, ci; bias last; ReLU).
// Typed arrays in, typed arrays out; no I/O. Input and output are HWC float32.
import { MIN_NORMAL } from './arith.js';

/** What the kernel needs to know about a layer. */
export interface KernelLayer {
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outW: number;
  readonly outC: number;
  readonly relu: boolean;
  /** Decoded bfloat18 weights, [(ky,kx,ci)][co]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  /** True when some product could be subnormal (else the product flush is provably a no-op). */
  readonly flushProducts: boolean;
  /** True when some running sum could be subnormal (else its flush is provably a no-op; see model.ts). */
  readonly flushSums: boolean;
}

/** Computes output rows [rowStart, rowEnd) into `out` (HWC, outW × outC per row); always flushes sums (the definition). */
export function convRows(l: KernelLayer, x: Float32Array, out: Float32Array, rowStart: number, rowEnd: number): void {
  const { kernel: k, stride: s, pad: p, inH, inW, inC, outW, outC, weights, bias, flushProducts } = l;
  const acc = new Float32Array(outC);
  const MIN = MIN_NORMAL;
  for (let r = rowStart; r < rowEnd; r++) {
    for (let c = 0; c < outW; c++) {
      let first = true;
      for (let ky = 0; ky < k; ky++) {
        const iy = r * s - p + ky;
        const rowIn = iy >= 0 && iy < inH;
        for (let kx = 0; kx < k; kx++) {
          const ix = c * s - p + kx;
          const inside = rowIn && ix >= 0 && ix < inW;
          const xBase = (iy * inW + ix) * inC;
          for (let ci = 0; ci < inC; ci++) {
            const xv = inside ? x[xBase + ci]! : 0; // padding taps run with x = +0
            const wBase = ((ky * k + kx) * inC + ci) * outC;
            if (first) {
              for (let co = 0; co < outC; co++) {
                let pr = Math.fround(weights[wBase + co]! * xv);
                if (flushProducts && pr !== 0 && pr < MIN && pr > -MIN) pr *= 0;
                acc[co] = pr; // the first tap loads the accumulator
              }
              first = false;
            } else {
              for (let co = 0; co < outC; co++) {
                let pr = Math.fround(weights[wBase + co]! * xv);
                if (flushProducts && pr !== 0 && pr < MIN && pr > -MIN) pr *= 0;
                const sum = Math.fround(acc[co]! + pr);
                acc[co] = sum !== 0 && sum < MIN && sum > -MIN ? sum * 0 : sum;
              }
            }
          }
        }
      }
      const oBase = (r * outW + c) * outC;
      for (let co = 0; co < outC; co++) {
        let v = Math.fround(acc[co]! + bias[co]!);
        if (v !== 0 && v < MIN && v > -MIN) v *= 0;
        if (l.relu && (v < 0 || Object.is(v, -0))) v = 0;
        out[oBase + co] = v;
      }
    }
  }
}
