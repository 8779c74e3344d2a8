// Exact golden: one conv layer in the contract's order with elementwise tfjs ops and an explicit flush (never tf.conv2d).
// Tensors are channel-first [C,H,W]; every op result is float32, and a flush follows every multiply and add that could be subnormal.
import * as tf from '@tensorflow/tfjs';

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
export function flush(v: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(v, tf.step(tf.sub(tf.abs(v), MAX_SUBNORMAL), 0)));
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
 * Runs one layer exactly. `x` is [inC, inH, inW]; returns [outC, outH, outW] (caller disposes).
 * Product flushes are skipped only when provably no-ops: if min|x|·min|w| ≥ MIN_NORMAL over the
 * nonzero values, no rounded product can be subnormal.
 */
export function exactLayer(x: tf.Tensor3D, l: GoldenLayer): tf.Tensor3D {
  const { kernel: k, stride: s, pad: p, inC, outC, outH, outW } = l;
  const [, inH, inW] = x.shape;
  const needH = s * (outH - 1) + k;
  const needW = s * (outW - 1) + k;
  const xp = tf.pad(x, [[0, 0], [p, Math.max(0, needH - inH - p)], [p, Math.max(0, needW - inW - p)]]) as tf.Tensor3D;
  const minX = tf.tidy(() => {
    const a = tf.abs(x);
    return tf.min(tf.where(tf.equal(a, 0), tf.fill(a.shape, Infinity), a)).dataSync()[0]!;
  });
  const flushProducts = !(minX * minNonzero(l.weights) >= MIN_NORMAL);
  const taps = k * k * inC;
  const wAll = tf.tensor4d(l.weights, [taps, outC, 1, 1]);
  const wTaps = tf.unstack(wAll) as tf.Tensor3D[];
  wAll.dispose();
  let acc: tf.Tensor | null = null;
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const window = tf.stridedSlice(xp, [0, ky, kx], [inC, ky + s * (outH - 1) + 1, kx + s * (outW - 1) + 1], [1, s, s]) as tf.Tensor3D;
      const channels = tf.unstack(window);
      window.dispose();
      for (let ci = 0; ci < inC; ci++) {
        const tap = (ky * k + kx) * inC + ci;
        const xi = channels[ci]!.expandDims(0);
        let prod = tf.mul(xi, wTaps[tap]!);
        xi.dispose();
        if (flushProducts) {
          const f = flush(prod);
          prod.dispose();
          prod = f;
        }
        if (acc === null) {
          acc = prod; // the first tap loads the accumulator: no add, so the sign of a zero product survives
        } else {
          const sum = tf.add(acc, prod);
          acc.dispose();
          prod.dispose();
          acc = flush(sum);
          sum.dispose();
        }
      }
      for (const c of channels) c.dispose();
    }
  }
  for (const w of wTaps) w.dispose();
  xp.dispose();
  return tf.tidy(() => {
    const b = tf.tensor3d(l.bias, [outC, 1, 1]);
    let y = flush(tf.add(acc!, b));
    // ReLU by the sign bit: negatives and −0 become +0 (relu, then +0 turns −0 into +0 on every backend).
    if (l.relu) y = tf.add(tf.relu(y), 0);
    acc!.dispose();
    return y as tf.Tensor3D;
  });
}

/** The float accuracy reference: tf.conv2d with unquantized weights (order undefined, never pass/fail). */
export function floatLayer(xHwc: tf.Tensor3D, l: GoldenLayer): tf.Tensor3D {
  return tf.tidy(() => {
    const { kernel: k, stride: s, pad: p, inC, outC, outH, outW } = l;
    const [inH, inW] = xHwc.shape;
    const needH = s * (outH - 1) + k;
    const needW = s * (outW - 1) + k;
    const xp = tf.pad(xHwc, [[p, Math.max(0, needH - inH - p)], [p, Math.max(0, needW - inW - p)], [0, 0]]);
    const filt = tf.tensor4d(l.weights, [k, k, inC, outC]);
    let y = tf.add(tf.conv2d(xp as tf.Tensor3D, filt, s, 'valid'), tf.tensor1d(l.bias));
    if (l.relu) y = tf.relu(y);
    return y.slice([0, 0, 0], [outH, outW, outC]) as tf.Tensor3D;
  });
}
