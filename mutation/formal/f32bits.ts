// binary32 values and their bit patterns, for the mutation campaign's stimulus and witnesses (which build inputs bit by
// bit). Not engine arithmetic: golden, sim and rtl each keep their own. Invariant: a value is rounded to binary32 on
// the way in (Float32Array), so bitsOf(valueOf(b)) === b for every non-NaN pattern.
const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/** The binary32 value with bit pattern `bits`. */
export function valueOf(bits: number): number {
  U[0] = bits >>> 0;
  return F[0]!;
}

/** The bit pattern of `v` rounded to binary32. */
export function bitsOf(v: number): number {
  F[0] = v;
  return U[0]!;
}

/** The unbiased exponent of `v` rounded to binary32 (−127 for zeros and subnormals). */
export function exponentOf(v: number): number {
  return ((bitsOf(v) >>> 23) & 0xff) - 127;
}
