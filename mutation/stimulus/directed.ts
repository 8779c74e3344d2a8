// The directed frame of a mutation campaign: pixel values solved against layer 1's weights so that its products land on
// rounding ties, carry into the exponent and sit in the band just below the smallest normal, and so that first
// accumulations tie and carry. Every construction is checked with exact
// double arithmetic (a product of a bfloat18 and a binary32 is exact in a double, and so is a sum of two binary32).
import { bf18ToFloat } from '../../core/bfloat18.js';
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { bitsOf, valueOf } from '../formal/f32bits.js';
import { xorshift32 } from './prng.js';

const MIN_NORMAL = 2 ** -126;

/** The ULP of the binary32 value `v` (normal, nonzero). */
function ulp(v: number): number {
  return 2 ** (((bitsOf(v) >>> 23) & 0xff) - 150);
}

/** An exact double `e` rounds to binary32 as a tie (exactly halfway between two floats). */
function isTie(e: number): boolean {
  const r = Math.fround(e);
  return r !== e && Number.isFinite(r) && Math.abs(e - r) * 2 === ulp(r);
}

/** `e` rounds up across a power of two (a carry into the exponent). */
function carries(e: number): boolean {
  const r = Math.fround(e);
  if (r === e || !Number.isFinite(r) || r === 0) return false;
  return (bitsOf(r) & 0x7fffff) === 0 && Math.abs(r) > Math.abs(e);
}

/** `e` lies in [2^-126 − 2^-150, 2^-126): the products a correct multiplier rounds up to the smallest normal. */
function atSubnormalBoundary(e: number): boolean {
  const a = Math.abs(e);
  return a >= MIN_NORMAL - 2 ** -150 && a < MIN_NORMAL;
}

/** The float `steps` ULPs away from `x` (towards larger magnitude for positive steps). */
function nudge(x: number, steps: number): number {
  return valueOf(bitsOf(x) + steps);
}

/** Searches floats near `guess` for one whose product with `w` satisfies `ok`. */
function solve(w: number, guess: number, ok: (p: number) => boolean, span = 48): number | null {
  const g = Math.fround(guess);
  if (!Number.isFinite(g) || g === 0 || Math.abs(g) < MIN_NORMAL) return null;
  for (let k = 0; k <= span; k++) {
    for (const s of k ? [k, -k] : [0]) {
      const x = nudge(g, s);
      if (Math.abs(x) >= MIN_NORMAL && Number.isFinite(x) && ok(w * x)) return x;
    }
  }
  return null;
}

/**
 * A stimulus frame (H·W·3, HWC) aimed at layer 1's arithmetic. Background pixels are random in the range normalized
 * images take; most pixels are then solved so that one of their products with a layer-1 weight ties, carries or sits at
 * the subnormal boundary; on a sparse grid of outputs the first two taps' products are solved so their sum ties or
 * carries; and with `zeroBiasChannel`, windows of zeros hold a single product at the subnormal boundary.
 */
export function directedFrame(net: NetworkSpec, weights: readonly HwLayerWeights[], seed: number, opts: { readonly zeroBiasChannel?: number } = {}): Float32Array {
  const l = net.layers[0]!;
  const { height: H, width: W } = net.input;
  const rnd = xorshift32(seed);
  const w = Float32Array.from(weights[0]!.codes, bf18ToFloat);
  const x = new Float32Array(H * W * 3);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround((rnd() * 2 - 1) * 2.2);
  const taps = l.kernel * l.kernel * l.inC;
  const weightFor = (ci: number) => {
    const t = Math.floor(rnd() * l.kernel * l.kernel) * l.inC + ci;
    return w[t * l.outC + Math.floor(rnd() * l.outC)]!;
  };
  for (let i = 0; i < x.length; i++) {
    const ci = i % 3;
    const wv = weightFor(ci);
    if (wv === 0) continue;
    const kind = rnd();
    let v: number | null = null;
    if (kind < 0.6) {
      // A tie: aim for a product near ±1..2 and search nearby floats for an exact halfway product.
      v = solve(wv, ((1 + rnd()) * (rnd() < 0.5 ? -1 : 1)) / wv, isTie, 64);
    } else if (kind < 0.85) {
      // A carry: a product just below a power of two that rounds up to it.
      v = solve(wv, (2 ** Math.floor(rnd() * 3) * (1 - 2 ** -24)) / wv, carries, 8);
    } else if (kind < 0.9 && Math.abs(wv) < 1) {
      // The subnormal boundary: a product a hair below 2^-126 (a correct multiplier rounds it up to 2^-126).
      v = solve(wv, (MIN_NORMAL - 2 ** -151) / wv, atSubnormalBoundary, 4);
    }
    if (v !== null) x[i] = v;
  }
  // First accumulations that tie or carry: on a grid of outputs whose first two taps (ky 0, kx 0, ci 0 and 1) are inside the image.
  if (l.inC >= 2 && taps >= 2) {
    for (let r = 0; r < l.outH; r += 3) {
      for (let c = 0; c < l.outW; c += 3) {
        const iy = r * l.stride - l.pad, ix = c * l.stride - l.pad;
        if (iy < 0 || ix < 0 || iy >= H || ix >= W) continue;
        const co = Math.floor(rnd() * l.outC);
        const w0 = w[0 * l.outC + co]!, w1 = w[1 * l.outC + co]!;
        const px = (iy * W + ix) * 3;
        const p0 = Math.fround(w0 * x[px]!);
        if (w1 === 0 || p0 === 0 || !Number.isFinite(p0)) continue;
        // Alternately a tie of p0 + p1, or a sum just below the next power of two that rounds up into it.
        const carry = (r / 3 + c / 3) % 2 === 1;
        const top = Math.sign(p0) * 2 ** Math.ceil(Math.log2(Math.abs(p0)) + 1e-12);
        const v = carry
          ? solve(w1, (top - p0) / w1, (e) => carries(p0 + Math.fround(e)), 256)
          : solve(w1, (0.75 * p0 * (rnd() < 0.5 ? -1 : 1)) / w1, (e) => isTie(p0 + Math.fround(e)) && Math.fround(e) === e, 256);
        if (v !== null) x[px + 1] = v;
      }
    }
  }
  // Windows whose only nonzero product sits at the subnormal boundary, for output channel `zeroBiasChannel` (whose bias
  // the campaign sets to +0): the sum stays tiny up to the output, so a wrong boundary rounding shows there.
  if (opts.zeroBiasChannel !== undefined) {
    const co = opts.zeroBiasChannel;
    const w0 = w[0 * l.outC + co]!;
    for (let r = 1; r < l.outH && w0 !== 0 && Math.abs(w0) < 1; r += 4) {
      for (let c = 1; c < l.outW; c += 4) {
        const iy = r * l.stride - l.pad, ix = c * l.stride - l.pad;
        if (iy < 0 || ix < 0 || iy + l.kernel > H || ix + l.kernel > W) continue;
        // Positive, so ReLU passes it: the same sign as the weight.
        const v = solve(w0, (Math.sign(w0) * (MIN_NORMAL - 2 ** -151)) / w0, (e) => atSubnormalBoundary(e) && e > 0, 8);
        if (v === null) continue;
        for (let ky = 0; ky < l.kernel; ky++) for (let kx = 0; kx < l.kernel; kx++) for (let ci = 0; ci < 3; ci++) x[((iy + ky) * W + ix + kx) * 3 + ci] = 0;
        x[(iy * W + ix) * 3] = v;
      }
    }
  }
  return x;
}

/** The campaign's weight set: the design's weights with layer 1's bias of `channel` set to +0 (ROM contents are data). */
export function campaignWeights(weights: readonly HwLayerWeights[], channel: number): HwLayerWeights[] {
  return weights.map((w, i) => {
    if (i !== 0) return w;
    const bias = Float32Array.from(w.bias);
    bias[channel] = 0;
    return { ...w, bias };
  });
}
