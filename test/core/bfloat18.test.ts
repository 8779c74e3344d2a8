// bfloat18 quantization against codes worked out by hand from the binary32 patterns.
import { describe, expect, it } from 'vitest';
import { bf18ToFloat, quantizeAll, quantizeRne, quantizeTruncate } from '../../core/bfloat18.js';
import { fromBits } from '../support/reference.js';

describe('bfloat18 rne', () => {
  it('exact value keeps its top 18 bits: 1.0 → 0x0fe00', () => {
    expect(quantizeRne(1)).toBe(0x0fe00); // 0x3f800000 >> 14
  });
  it('tie with even keep rounds down: 0x3f802000 → 0x0fe00', () => {
    expect(quantizeRne(fromBits(0x3f802000))).toBe(0x0fe00);
  });
  it('tie with odd keep rounds up: 0x3f806000 → 0x0fe02', () => {
    expect(quantizeRne(fromBits(0x3f806000))).toBe(0x0fe02);
  });
  it('just above a tie rounds up: 0x3f802001 → 0x0fe01', () => {
    expect(quantizeRne(fromBits(0x3f802001))).toBe(0x0fe01);
  });
  it('mantissa carry into the exponent: 0x3fffe000 → 2.0 (0x10000)', () => {
    expect(quantizeRne(fromBits(0x3fffe000))).toBe(0x10000);
    expect(bf18ToFloat(0x10000)).toBe(2);
  });
  it('negative values keep the sign: -1.0 → 0x2fe00', () => {
    expect(quantizeRne(-1)).toBe(0x2fe00);
  });
  it('saturates to the largest finite code instead of Inf', () => {
    expect(quantizeRne(fromBits(0x7f7fffff))).toBe(0x1fdff);
    expect(quantizeRne(-fromBits(0x7f7fffff))).toBe(0x3fdff);
    expect(bf18ToFloat(0x1fdff)).toBe(fromBits(0x7f7fc000));
  });
  it('subnormals become a zero of the same sign', () => {
    expect(quantizeRne(fromBits(0x007fffff))).toBe(0);
    expect(quantizeRne(-fromBits(0x00000001))).toBe(0x20000);
  });
  it('rejects non-finite weights', () => {
    expect(() => quantizeRne(NaN)).toThrow(/non-finite/);
  });
});

describe('bfloat18 truncate (IE120R)', () => {
  it('drops the low bits instead of rounding: 0x3f806000 → 0x0fe01', () => {
    expect(quantizeTruncate(fromBits(0x3f806000))).toBe(0x0fe01);
  });
  it('clamps tiny magnitudes and zero up to the smallest normal', () => {
    expect(quantizeTruncate(0)).toBe(0x00200); // 0x00800000 >> 14
    expect(quantizeTruncate(-1e-40)).toBe(0x20200);
  });
  it('clamps to the largest bfloat18', () => {
    expect(quantizeTruncate(fromBits(0x7f7fffff))).toBe(0x1fdff);
  });
});

describe('quantizeAll (rne) reads bits in place and agrees with quantizeRne element by element', () => {
  it('200,000 random bit patterns plus ties, carries, saturation, zeros and subnormals of both signs', () => {
    const edges = [0x3f802000, 0x3f806000, 0x3f802001, 0x3fffe000, 0x7f7fffff, 0x7f7fe000, 0x7f7fc000, 0x00800000, 0x007fffff, 0x00000001, 0, 0x00802000];
    const bits = new Uint32Array(200_000 + 2 * edges.length);
    let s = 12345;
    for (let i = 0; i < 200_000; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // Keep exponents finite: the checked path throws on Inf and NaN (tested above).
      bits[i] = (s & 0x7fffffff) >= 0x7f800000 ? s & 0x807fffff : s;
    }
    edges.forEach((e, i) => { bits[200_000 + 2 * i] = e; bits[200_001 + 2 * i] = (e | 0x80000000) >>> 0; });
    const w = new Float32Array(bits.buffer);
    const all = quantizeAll(w, 'rne');
    const bad = Array.from(w).findIndex((v, i) => all[i] !== quantizeRne(v));
    expect(bad === -1 ? 'all agree' : `bits ${bits[bad]!.toString(16)}: ${all[bad]!.toString(16)} vs ${quantizeRne(w[bad]!).toString(16)}`).toBe('all agree');
  });
});
