// Exact golden: one conv layer in the contract's order with elementwise tfjs ops and an explicit flush (never tf.conv2d).
// Tensors are channel-first [C,H,W]; every op result is float32, and a flush follows every multiply and add that could be subnormal.
import { tf, type Tensor, type Tensor3D } from './tf.js';

/** Smallest normal binary32. */
const MIN_NORMAL = 2 ** -126;
/** Largest subnormal binary32: |v| − this is > 0 exactly when |v| is normal (or Inf). */
const MAX_SUBNORMAL = 2 ** -126 - 2 ** -149;

/** Geometry and parameters of one layer, as the golden needs them. */
export interface GoldenLayer {
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly inC: number;
  readonly outC: number;
  readonly outH: number;
  readonly outW: number;
  readonly relu: boolean;
  /** Weight values (decoded bfloat18) in tap order [(ky,kx,ci)][co]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Flush to zero with fast elementwise ops: mask = step(|v| − maxSubnormal) is 1 for normals and
 * infinities, 0 for zeros and subnormals; v·mask keeps the sign of zero and propagates NaN.
 */
export function flush(v: Tensor): Tensor {
  return tf.tidy(() => tf.mul(v, tf.step(tf.sub(tf.abs(v), MAX_SUBNORMAL), 0)));
}

/** Every NaN of `v` as the canonical positive quiet NaN. */
function canonicalNaN(v: Tensor): Tensor {
  return tf.tidy(() => tf.where(tf.isNaN(v), tf.fill(v.shape, NaN), v));
}

/** Smallest nonzero magnitude in `a` (Infinity when all zero). */
function minNonzero(a: Float32Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v !== 0 && v < m) m = v;
  }
  return m;
}

/**
 * The input values tap (ky, kx, ci) meets over output rows [rowStart, rowEnd): a [1, rows, outW] plane,
 * gathered from HWC `x` with +0 where the tap falls in the zero padding. (Data movement only, no arithmetic.)
 */
function tapPlane(x: Float32Array, inH: number, inW: number, l: GoldenLayer, ky: number, kx: number, ci: number, rowStart: number, rowEnd: number): Float32Array {
  const { stride: s, pad: p, inC, outW } = l;
  const plane = new Float32Array((rowEnd - rowStart) * outW);
  // Output columns [c0, c1) read inside the image; the others stay +0 (padding), so the copy loop needs no test.
  const c0 = Math.min(outW, Math.max(0, Math.ceil((p - kx) / s)));
  const c1 = Math.max(c0, Math.min(outW, Math.floor((inW - 1 + p - kx) / s) + 1));
  const step = s * inC;
  for (let r = rowStart, o = 0; r < rowEnd; r++, o += outW) {
    const iy = r * s - p + ky;
    if (iy < 0 || iy >= inH) continue;
    let k = (iy * inW + c0 * s - p + kx) * inC + ci;
    for (let c = c0; c < c1; c++, k += step) plane[o + c] = x[k]!;
  }
  return plane;
}

/** Which flushes of the tap loop can change a result for this layer's data (the bias add is always flushed). */
export interface TapFlushes {
  /** False when min|x|·min|w| ≥ MIN_NORMAL over the nonzero values: no rounded product can be subnormal. */
  readonly products: boolean;
  /** False when min|x|·min|w| ≥ 2^-103: see tapFlushes. */
  readonly sums: boolean;
}

/**
 * The flushes a layer needs, from the smallest nonzero |x| and |w| (their product is exact in a double). The running
 * sum's flush is a no-op when every nonzero product is ≥ 2^-103: a binary32 of that size has an ulp ≥ 2^-126, so every
 * product is an integer multiple of 2^-126; sums of such multiples are multiples, and rounding one to binary32 keeps it
 * a multiple (exactly representable below 2^-103, on a coarser grid above); a nonzero multiple of 2^-126 is normal.
 */
export function tapFlushes(minX: number, minW: number): TapFlushes {
  const least = minX * minW;
  return { products: !(least >= MIN_NORMAL), sums: !(least >= 2 ** -103) };
}

/**
 * Runs output rows [rowStart, rowEnd) of one layer exactly, in the contract's order, with tfjs elementwise ops;
 * returns [outC, rows, outW]. Flushes are skipped only where `flushes` proved them no-ops.
 */
export function exactRows(x: Float32Array, inH: number, inW: number, l: GoldenLayer, wTaps: readonly Tensor3D[], flushes: TapFlushes, rowStart: number, rowEnd: number): Tensor3D {
  const { kernel: k, inC, outW } = l;
  const rows = rowEnd - rowStart;
  let acc: Tensor | null = null;
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      for (let ci = 0; ci < inC; ci++) {
        const tap = (ky * k + kx) * inC + ci;
        const xi = tf.tensor3d(tapPlane(x, inH, inW, l, ky, kx, ci, rowStart, rowEnd), [1, rows, outW]);
        const prod = tapProduct(xi, wTaps[tap]!, flushes.products);
        xi.dispose();
        const next = accumulate(acc, prod, flushes.sums);
        if (acc !== null) {
          acc.dispose();
          prod.dispose();
        }
        acc = next;
      }
    }
  }
  const b = tf.tensor3d(l.bias, [l.outC, 1, 1]);
  const y = finish(acc!, b, l.relu);
  acc!.dispose();
  b.dispose();
  return y as Tensor3D;
}

/** One tap's product ftz(rne32(x·w)); the flush is skipped only when the caller proved it a no-op. */
export function tapProduct(x: Tensor, w: Tensor, flushProducts: boolean): Tensor {
  if (!flushProducts) return tf.mul(x, w);
  return tf.tidy(() => flush(tf.mul(x, w)));
}

/**
 * The running sum after a tap: the first tap's product loads the accumulator (no add, so the sign of a zero product
 * survives); each later one is ftz(rne32(acc + p)), the flush skipped only when the caller proved it a no-op.
 * Returns `p` itself for the first tap.
 */
export function accumulate(acc: Tensor | null, p: Tensor, flushSums = true): Tensor {
  if (acc === null) return p;
  if (!flushSums) return tf.add(acc, p);
  return tf.tidy(() => flush(tf.add(acc, p)));
}

/** After the last tap: bias last, every NaN canonical, then ReLU by the sign bit (negatives and −0 → +0; NaN passes). */
export function finish(acc: Tensor, bias: Tensor, relu: boolean): Tensor {
  return tf.tidy(() => {
    // Backends differ in the sign of the NaN that Inf − Inf gives (wasm sets it): canonical first, so ReLU cannot see it.
    const y = canonicalNaN(flush(tf.add(acc, bias)));
    // relu, then + 0 turns −0 into +0 on every backend; tf.where lets NaN through unchanged.
    return relu ? tf.where(tf.isNaN(y), y, tf.add(tf.relu(y), 0)) : y;
  });
}

/** Output elements per band: big enough to amortize per-op overhead, small enough to stay in cache. */
const BAND_ELEMENTS = 1 << 18;

/**
 * Runs output rows [rowStart, rowEnd) of a layer whose input `x` is HWC float32 [inH, inW, inC];
 * returns those rows as HWC float32 [rows, outW, outC]. Works band by band to keep tensors cache-sized.
 */
export function exactLayerRows(x: Float32Array, inH: number, inW: number, l: GoldenLayer, rowStart: number, rowEnd: number): Float32Array {
  const { kernel: k, inC, outC, outW } = l;
  // Only the input rows these outputs read decide which flushes are no-ops (a band's threads need not scan the rest).
  const first = Math.max(0, rowStart * l.stride - l.pad), last = Math.min(inH, (rowEnd - 1) * l.stride - l.pad + k);
  const flushes = tapFlushes(minNonzero(x.subarray(first * inW * inC, Math.max(first, last) * inW * inC)), minNonzero(l.weights));
  // One [outC,1,1] tensor per tap, made straight from the array (tf.unstack slices and is slow on large tensors).
  const wTaps = Array.from({ length: k * k * inC }, (_, t) => tf.tensor3d(l.weights.subarray(t * outC, (t + 1) * outC), [outC, 1, 1]));
  const out = new Float32Array((rowEnd - rowStart) * outW * outC);
  const band = Math.max(1, Math.floor(BAND_ELEMENTS / (outW * outC)));
  for (let r0 = rowStart; r0 < rowEnd; r0 += band) {
    const r1 = Math.min(rowEnd, r0 + band);
    const y = exactRows(x, inH, inW, l, wTaps, flushes, r0, r1);
    const hwc = tf.transpose(y, [1, 2, 0]);
    out.set(hwc.dataSync() as Float32Array, (r0 - rowStart) * outW * outC);
    y.dispose();
    hwc.dispose();
  }
  for (const w of wTaps) w.dispose();
  return out;
}

/**
 * The float accuracy reference for output rows [rowStart, rowEnd): tf.conv2d with unquantized weights over the input
 * rows those outputs read (order undefined, never pass/fail); `x` is HWC float32 [inH, inW, inC], the result HWC rows.
 */
export function floatLayerRows(x: Float32Array, inH: number, inW: number, l: GoldenLayer, rowStart: number, rowEnd: number): Float32Array {
  const { kernel: k, stride: s, pad: p, inC, outC, outW } = l;
  const rows = rowEnd - rowStart;
  // Input rows [top, bottom) feed these outputs; rows outside the image and columns past its edges are zero padding.
  const top = rowStart * s - p;
  const bottom = (rowEnd - 1) * s - p + k;
  const needW = s * (outW - 1) + k;
  const y = tf.tidy(() => {
    const first = Math.max(0, top), last = Math.min(inH, bottom);
    const band = tf.tensor3d(x.subarray(first * inW * inC, last * inW * inC), [last - first, inW, inC]);
    const xp = tf.pad(band, [[first - top, bottom - last], [p, Math.max(0, needW - inW - p)], [0, 0]]);
    const filt = tf.tensor4d(l.weights, [k, k, inC, outC]);
    const conv = tf.add(tf.conv2d(xp as Tensor3D, filt, s, 'valid'), tf.tensor1d(l.bias));
    return tf.slice(l.relu ? tf.relu(conv) : conv, [0, 0, 0], [rows, outW, outC]);
  });
  const out = new Float32Array(y.dataSync());
  y.dispose();
  return out;
}
