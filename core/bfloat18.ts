// bfloat18 codes (top 18 bits of binary32: 1 sign, 8 exponent, 9 mantissa) and float32 → bfloat18 quantization.
// Invariant: every code this returns decodes to a normal float32 or a signed zero.
import { SimrunError } from './errors.js';

/** How float32 weights become bfloat18. */
export type QuantMode = 'rne' | 'truncate';

/** Largest finite bfloat18 magnitude code: exponent 254, mantissa all ones. */
const BF18_MAX_MAG = (254 << 9) | 0x1ff;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

function valueOf(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/** Decodes an 18-bit code to the float32 value it stands for. */
export function bf18ToFloat(code: number): number {
  return valueOf((code & 0x3ffff) << 14);
}

/** Round to nearest, ties to even, on the 14 dropped bits; saturate; below the smallest normal → signed zero. */
export function quantizeRne(x: number): number {
  const bits = bitsOf(x);
  const sign = bits >>> 31;
  const mag = bits & 0x7fffffff;
  if (mag < 0x00800000) return sign << 17; // zero or subnormal → zero of the same sign
  if (mag >= 0x7f800000) throw new SimrunError('WEIGHTS_INVALID', `cannot quantize the non-finite weight ${x} to bfloat18; every weight must be finite`);
  const keep = mag >>> 14;
  const dropped = mag & 0x3fff;
  let rounded = keep;
  if (dropped > 0x2000 || (dropped === 0x2000 && (keep & 1) === 1)) rounded = keep + 1;
  if (rounded > BF18_MAX_MAG) rounded = BF18_MAX_MAG;
  return (sign << 17) | rounded;
}

/**
 * IE120R's quantizer: add half the smallest normal in the value's sign (in float32),
 * clamp the magnitude to [smallest normal, largest bfloat18], then drop the 14 low bits.
 */
export function quantizeTruncate(x: number): number {
  const bits = bitsOf(x);
  if ((bits & 0x7fffffff) >= 0x7f800000) throw new SimrunError('WEIGHTS_INVALID', `cannot quantize the non-finite weight ${x} to bfloat18; every weight must be finite`);
  const sign = bits >>> 31;
  const halfMin = 2 ** -127;
  const nudged = Math.fround(x + (sign ? -halfMin : halfMin));
  let mag = bitsOf(nudged) & 0x7fffffff;
  if (mag < 0x00800000) mag = 0x00800000;
  if (mag > (BF18_MAX_MAG << 14)) mag = BF18_MAX_MAG << 14;
  return (sign << 17) | (mag >>> 14);
}

/** Quantizes every element of `w` into bfloat18 codes (RNE reads the bits in place: ten million weights per IE120R run). */
export function quantizeAll(w: Float32Array, mode: QuantMode): Uint32Array {
  const out = new Uint32Array(w.length);
  if (mode !== 'rne') {
    for (let i = 0; i < w.length; i++) out[i] = quantizeTruncate(w[i]!);
    return out;
  }
  const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
  for (let i = 0; i < bits.length; i++) {
    const mag = bits[i]! & 0x7fffffff;
    // Anything but a finite normal takes the checked path (zeros, subnormals, and the error for Inf and NaN).
    if (mag < 0x00800000 || mag >= 0x7f800000) {
      out[i] = quantizeRne(w[i]!);
      continue;
    }
    const keep = mag >>> 14;
    const dropped = mag & 0x3fff;
    const rounded = keep + (dropped > 0x2000 || (dropped === 0x2000 && (keep & 1) === 1) ? 1 : 0);
    out[i] = ((bits[i]! >>> 31) << 17) | (rounded > BF18_MAX_MAG ? BF18_MAX_MAG : rounded);
  }
  return out;
}
