// The campaign stimulus's random numbers: xorshift32, so a seed gives the same stimulus on every machine and Node
// version (Math.random cannot be seeded). Invariant: a state of 0 would stay 0 forever, so it becomes 1.

/** Uniform numbers in [0, 1) from xorshift32 started at `state` (0 → 1). */
export function xorshift32(state: number): () => number {
  let s = (state >>> 0) || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * xorshift32 from `seed` spread over the 32 bits first (Knuth's multiplicative hash), so nearby seeds diverge at once.
 * The product is a double reduced mod 2^32, not Math.imul: campaigns' seeds keep the stimulus they always had.
 */
export function prng(seed: number): () => number {
  return xorshift32((seed * 2654435761) >>> 0);
}
