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
