// The model's own implementation of the arithmetic contract (docs/contract.md) as scalar JS on float32 values held in doubles.
// Independent of golden/: products are exact in a double, and one Math.fround gives binary32 round-to-nearest-even.

/** Smallest normal binary32. */
export const MIN_NORMAL = 1.1754943508222875e-38;

/** Flush to zero: a subnormal becomes a zero of the same sign (x·0 keeps the sign). */
export function ftz(x: number): number {
  return x !== 0 && x < MIN_NORMAL && x > -MIN_NORMAL ? x * 0 : x;
}

/** p = ftz(rne32(w × x)); the double product of a 10-bit and a 24-bit significand is exact. */
export function mul(w: number, x: number): number {
  return ftz(Math.fround(w * x));
}

/** s = ftz(rne32(a + b)); double rounding through binary64 is innocuous for one binary32 add. */
export function add(a: number, b: number): number {
  return ftz(Math.fround(a + b));
}

/** ReLU by the sign bit: negatives and −0 become +0; NaN (canonical, positive) passes. */
export function relu(x: number): number {
  return x < 0 || Object.is(x, -0) ? 0 : x;
}

/** bfloat18 code → weight value (the code is the top 18 bits of binary32). */
export function bf18Value(code: number): number {
  BITS[0] = (code << 14) >>> 0;
  return FLOAT[0]!;
}

const FLOAT = new Float32Array(1);
const BITS = new Uint32Array(FLOAT.buffer);

/** Smallest nonzero magnitude in `a` (Infinity if none); compares bit patterns, which order like magnitudes. */
export function minNonzero(a: Float32Array): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let best = 0x7f800000; // +Inf: NaNs (above it) never win
  for (let i = 0; i < u.length; i++) {
    const m = u[i]! & 0x7fffffff;
    if (m !== 0 && m < best) best = m;
  }
  BITS[0] = best;
  return FLOAT[0]!;
}
