// Test-only scalar reference of the arithmetic contract (docs/contract.md), written apart from sim/ and golden/:
// rounding by storing into a Float32Array, flush by the exponent field, ReLU by the sign bit.

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/** Rounds a double to binary32 (RNE) via a Float32Array store, then flushes a subnormal by its exponent field. */
function round32ftz(v: number): number {
  F[0] = v;
  if ((U[0]! & 0x7f800000) === 0) U[0] = U[0]! & 0x80000000;
  else if ((U[0]! & 0x7fffffff) > 0x7f800000) U[0] = 0x7fc00000; // IEEE NaN, made canonical (sign clear)
  return F[0]!;
}

/** One output of a conv in contract order; `tap(t)` gives [w, x] for tap t (x = +0 in padding). */
export function referenceOutput(taps: number, tap: (t: number) => [number, number], bias: number, relu: boolean): number {
  let acc = 0;
  for (let t = 0; t < taps; t++) {
    const [w, x] = tap(t);
    const p = round32ftz(w * x);
    acc = t === 0 ? p : round32ftz(acc + p);
  }
  acc = round32ftz(acc + bias);
  if (relu) {
    F[0] = acc;
    if (U[0]! >>> 31) acc = 0;
  }
  return acc;
}

/** A whole conv layer by the reference, HWC in, HWC out; weights in tap order [(ky,kx,ci)][co]. */
export function referenceConv(
  x: Float32Array,
  shape: { inH: number; inW: number; inC: number; outC: number; kernel: number; stride: number; pad: number; relu: boolean },
  weights: Float32Array,
  bias: Float32Array,
): { out: Float32Array; outH: number; outW: number } {
  const { inH, inW, inC, outC, kernel: k, stride: s, pad: p, relu } = shape;
  const outH = Math.floor((inH + 2 * p - k) / s) + 1;
  const outW = Math.floor((inW + 2 * p - k) / s) + 1;
  const out = new Float32Array(outH * outW * outC);
  for (let r = 0; r < outH; r++) {
    for (let c = 0; c < outW; c++) {
      for (let co = 0; co < outC; co++) {
        out[(r * outW + c) * outC + co] = referenceOutput(k * k * inC, (t) => {
          const ci = t % inC;
          const kx = Math.floor(t / inC) % k;
          const ky = Math.floor(t / (inC * k));
          const iy = r * s - p + ky;
          const ix = c * s - p + kx;
          const xv = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? x[(iy * inW + ix) * inC + ci]! : 0;
          return [weights[t * outC + co]!, xv];
        }, bias[co]!, relu);
      }
    }
  }
  // The contract's NaN is canonical.
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < u.length; i++) if ((u[i]! & 0x7fffffff) > 0x7f800000) u[i] = 0x7fc00000;
  return { out, outH, outW };
}

/** Bits of a float32 value. */
export function bits(v: number): number {
  F[0] = v;
  return U[0]!;
}

/** Float32 value of bits. */
export function fromBits(b: number): number {
  U[0] = b >>> 0;
  return F[0]!;
}

/** Deterministic test PRNG (LCG), so random shapes and values repeat. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
