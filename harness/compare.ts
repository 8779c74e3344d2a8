// Bit and cycle comparison of engines: per-layer mismatch counts, max ULP distance and the first mismatch, as data.
import type { LayerBeats } from '../sim/timing.js';

/** The first differing word of a layer. */
export interface FirstMismatch {
  readonly row: number;
  readonly col: number;
  readonly chan: number;
  readonly expected: string;
  readonly actual: string;
  readonly expectedValue: number;
  readonly actualValue: number;
}

/** Bit comparison of one layer. */
export interface BitCompare {
  readonly mismatches: number;
  readonly maxUlp: number;
  readonly meanUlp: number;
  readonly first: FirstMismatch | null;
}

/** Maps binary32 bits onto a line where adjacent floats differ by 1 (−0 and +0 both map to 0). */
function ordered(bits: number): number {
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/** Hex word as 8 lowercase digits. */
export function hex32(bits: number): string {
  return (bits >>> 0).toString(16).padStart(8, '0');
}

/** Compares `actual` against `expected` (both HWC, C channels per pixel, same length) bit for bit. */
export function compareBits(expected: Float32Array, actual: Float32Array, width: number, channels: number): BitCompare {
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  let mismatches = 0;
  let maxUlp = 0;
  let sumUlp = 0;
  let first: FirstMismatch | null = null;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i]) continue;
    mismatches++;
    const ulp = Math.abs(ordered(e[i]!) - ordered(a[i]!));
    sumUlp += ulp;
    if (ulp > maxUlp) maxUlp = ulp;
    if (!first) {
      const pix = Math.floor(i / channels);
      first = {
        row: Math.floor(pix / width), col: pix % width, chan: i % channels,
        expected: hex32(e[i]!), actual: hex32(a[i]!), expectedValue: expected[i]!, actualValue: actual[i]!,
      };
    }
  }
  return { mismatches, maxUlp, meanUlp: e.length ? sumUlp / e.length : 0, first };
}

/** The first beat whose timing or coordinates differ. */
export interface FirstBeatMismatch {
  readonly beat: number;
  readonly frame: number;
  readonly row: number;
  readonly col: number;
  readonly chan: number;
  readonly expectedCycle: number;
  readonly actualCycle: number;
}

/** Cycle comparison of one layer's beat streams. */
export interface CycleCompare {
  readonly beats: number;
  readonly mismatches: number;
  readonly first: FirstBeatMismatch | null;
}

/** Compares two beat streams beat by beat: cycle, frame, row, col and channel group must all agree. */
export function compareBeats(expected: LayerBeats, actual: LayerBeats): CycleCompare {
  const n = Math.max(expected.cycle.length, actual.cycle.length);
  let mismatches = 0;
  let first: FirstBeatMismatch | null = null;
  for (let i = 0; i < n; i++) {
    const same = i < expected.cycle.length && i < actual.cycle.length &&
      expected.cycle[i] === actual.cycle[i] && expected.frame[i] === actual.frame[i] && expected.row[i] === actual.row[i] &&
      expected.col[i] === actual.col[i] && expected.group[i] === actual.group[i];
    if (same) continue;
    mismatches++;
    if (!first) {
      const src = i < expected.cycle.length ? expected : actual;
      first = {
        beat: i, frame: src.frame[i]!, row: src.row[i]!, col: src.col[i]!, chan: src.group[i]!,
        expectedCycle: i < expected.cycle.length ? expected.cycle[i]! : -1,
        actualCycle: i < actual.cycle.length ? actual.cycle[i]! : -1,
      };
    }
  }
  return { beats: n, mismatches, first };
}

/** How far the float (tf.conv2d) reference is from the exact result: information only, never pass/fail. */
export interface FloatDistance {
  /** ULP distance (ordered binary32 encodings): max, mean and median over the layer. */
  readonly maxUlp: number;
  readonly meanUlp: number;
  readonly medianUlp: number;
  /** Largest |float − exact|, and that divided by the layer's largest |exact|. */
  readonly maxAbs: number;
  readonly relToRange: number;
}

/** Distance of `actual` from `expected`; the median is taken over at most 65,536 evenly spaced elements. */
export function floatDistance(expected: Float32Array, actual: Float32Array): FloatDistance {
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  let maxUlp = 0, sum = 0, maxAbs = 0, range = 0;
  const step = Math.max(1, Math.floor(e.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < e.length; i++) {
    const u = Math.abs(ordered(e[i]!) - ordered(a[i]!));
    if (u > maxUlp) maxUlp = u;
    sum += u;
    if (i % step === 0) sample.push(u);
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]! - actual[i]!));
    range = Math.max(range, Math.abs(expected[i]!));
  }
  sample.sort((x, y) => x - y);
  return {
    maxUlp, meanUlp: e.length ? sum / e.length : 0, medianUlp: sample.length ? sample[sample.length >> 1]! : 0,
    maxAbs, relToRange: range > 0 ? maxAbs / range : 0,
  };
}
