// Comparison of two engines' outputs, frame by frame: bits of every value and cycles of every beat, accumulated per
// layer and engine pair as data (counts, the first mismatch with its beat and cycle, difference categories).
import { MISSING_WORD, slotOfChannel, type BeatBlock, type StreamLayout } from '../core/stream.js';

/** Hex word as 8 lowercase digits. */
function hex32(bits: number): string {
  return (bits >>> 0).toString(16).padStart(8, '0');
}

/** Maps binary32 bits onto a line where adjacent floats differ by 1 (−0 and +0 both map to 0). */
function ordered(bits: number): number {
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

const isNaN32 = (u: number) => (u & 0x7fffffff) > 0x7f800000;
const isInf32 = (u: number) => (u & 0x7fffffff) === 0x7f800000;
const isZero32 = (u: number) => (u & 0x7fffffff) === 0;

/** Why two words differ. ULP distances are only quoted for `value` differences (same sign, both finite, nonzero). */
export type DiffKind = 'missing' | 'nan' | 'inf' | 'zero' | 'sign' | 'value';

/** The category of a differing pair of words (`e` expected, `a` actual). */
function diffKind(e: number, a: number): DiffKind {
  if (e === MISSING_WORD || a === MISSING_WORD) return 'missing';
  if (isNaN32(e) || isNaN32(a)) return 'nan';
  if (isInf32(e) || isInf32(a)) return 'inf';
  if (isZero32(e) || isZero32(a)) return 'zero';
  if ((e ^ a) >>> 31) return 'sign';
  return 'value';
}

/** Where a beat was: its index from the start of the run and its cycle, in the engine that emitted it. */
export interface BeatRef {
  readonly engine: string;
  readonly index: number;
  readonly cycle: number;
}

/** The first differing word of a layer. */
export interface FirstMismatch {
  readonly frame: number;
  readonly row: number;
  readonly col: number;
  readonly chan: number;
  readonly expected: string;
  readonly actual: string;
  readonly expectedValue: number | 'missing';
  readonly actualValue: number | 'missing';
  readonly kind: DiffKind;
  /** The beat that carried this output (from the pair's second engine, or its first when the second has no beats). */
  readonly beat: BeatRef | null;
}

/** The first beat whose timing or coordinates differ. */
export interface FirstBeatMismatch {
  readonly frame: number;
  /** Beat index from the start of the run. */
  readonly beat: number;
  readonly row: number;
  readonly col: number;
  readonly group: number;
  /** −1 when that engine has no such beat. */
  readonly expectedCycle: number;
  readonly actualCycle: number;
  /** What differs first on this beat: it is missing on one side, its cycle, its coordinates, or its end-of-frame flag. */
  readonly differs: 'missing' | 'cycle' | 'coordinates' | 'last';
}

/** One layer's comparison of one engine pair. */
export type PairResult = BitsPairResult | CyclesPairResult;

/** What every pair result has. */
interface PairCounts {
  /** The pair's engines (or folders, for `simrun compare`); `a` is the reference. */
  readonly a: string;
  readonly b: string;
  /** Words (bits) or beats (cycles) compared. */
  readonly compared: number;
  readonly mismatches: number;
}

/** A bits pair: values compared word for word. */
export interface BitsPairResult extends PairCounts {
  readonly kind: 'bits';
  readonly first: FirstMismatch | null;
  /** Mismatches by category, and ULP distances over `value` differences (absent on a pair not compared). */
  readonly categories?: Readonly<Record<DiffKind, number>>;
  readonly maxUlp?: number;
  readonly meanUlp?: number;
}

/** A cycles pair: beats compared for cycle, coordinates and flags. */
export interface CyclesPairResult extends PairCounts {
  readonly kind: 'cycles';
  readonly first: FirstBeatMismatch | null;
}

/** Finds the beat of `b` that carried channel `chan` of (row, col) in `layout`; −1 if none did. */
function findBeat(b: BeatBlock | null | undefined, layout: StreamLayout | undefined, row: number, col: number, chan: number): number {
  if (!b || !layout) return -1;
  const { group } = slotOfChannel(layout, chan);
  for (let i = 0; i < b.count; i++) if (b.row[i] === row && b.col[i] === col && b.group[i] === group) return i;
  return -1;
}

/** Accumulates the bit comparison of one layer between two engines over frames. */
export class BitsAccumulator {
  compared = 0;
  mismatches = 0;
  first: FirstMismatch | null = null;
  private maxUlp = 0;
  private sumUlp = 0;
  private readonly cats: Record<DiffKind, number> = { missing: 0, nan: 0, inf: 0, zero: 0, sign: 0, value: 0 };
  /** Mismatching channels per pixel in the first frame that had any (for the heat map). */
  heat: { frame: number; counts: Uint32Array } | null = null;

  /** `layoutA`/`layoutB`: how each engine's beats pack channels (to name the beat of the first mismatch). */
  constructor(readonly a: string, readonly b: string, private readonly width: number, private readonly channels: number, private readonly layoutA?: StreamLayout, private readonly layoutB?: StreamLayout) {}

  /**
   * Adds one frame. `beatsA`/`beatsB` (when the engines have beats) locate the first mismatch's beat;
   * `beatBase` is the index of this frame's first beat in the run.
   */
  add(frame: number, expected: Float32Array, actual: Float32Array, beatsA: BeatBlock | null | undefined, beatsB: BeatBlock | null | undefined, beatBase: number): void {
    const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
    const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
    this.compared += e.length;
    let counts: Uint32Array | null = null;
    for (let i = 0; i < e.length; i++) {
      const x = e[i]!, y = a[i]!;
      if (x === y) continue;
      this.mismatches++;
      const kind = diffKind(x, y);
      this.cats[kind]++;
      if (kind === 'value') {
        const ulp = Math.abs(ordered(x) - ordered(y));
        this.sumUlp += ulp;
        if (ulp > this.maxUlp) this.maxUlp = ulp;
      }
      if (!this.heat) (counts ??= new Uint32Array(e.length / this.channels))[Math.floor(i / this.channels)]!++;
      if (!this.first) {
        const pix = Math.floor(i / this.channels);
        const row = Math.floor(pix / this.width), col = pix % this.width, chan = i % this.channels;
        let beat: BeatRef | null = null;
        for (const [eng, blk, lay] of [[this.b, beatsB, this.layoutB], [this.a, beatsA, this.layoutA]] as const) {
          const k = findBeat(blk, lay, row, col, chan);
          if (k >= 0) { beat = { engine: eng, index: beatBase + k, cycle: blk!.cycle[k]! }; break; }
        }
        this.first = {
          frame, row, col, chan, expected: hex32(x), actual: hex32(y),
          expectedValue: x === MISSING_WORD ? 'missing' : expected[i]!, actualValue: y === MISSING_WORD ? 'missing' : actual[i]!,
          kind, beat,
        };
      }
    }
    if (counts && !this.heat) this.heat = { frame, counts };
  }

  result(): BitsPairResult {
    return {
      a: this.a, b: this.b, kind: 'bits', compared: this.compared, mismatches: this.mismatches, first: this.first,
      categories: { ...this.cats }, maxUlp: this.maxUlp, meanUlp: this.cats.value ? Number((this.sumUlp / this.cats.value).toFixed(2)) : 0,
    };
  }
}

/** Accumulates the cycle comparison of one layer's beat streams over frames: cycle, row, col and group must agree. */
export class CyclesAccumulator {
  compared = 0;
  mismatches = 0;
  first: FirstBeatMismatch | null = null;

  constructor(readonly a: string, readonly b: string) {}

  /** Adds one frame's beats; `expectedCount` beats should be there; `beatBase` is the run index of its first beat. */
  add(frame: number, expected: BeatBlock, actual: BeatBlock, expectedCount: number, beatBase: number): void {
    const n = Math.max(expected.count, actual.count, expectedCount);
    this.compared += n;
    for (let i = 0; i < n; i++) {
      const inE = i < expected.count, inA = i < actual.count;
      const differs = !inE || !inA ? 'missing'
        : expected.cycle[i] !== actual.cycle[i] ? 'cycle'
          : expected.row[i] !== actual.row[i] || expected.col[i] !== actual.col[i] || expected.group[i] !== actual.group[i] ? 'coordinates'
            // The flag is compared where both engines model it.
            : expected.last && actual.last && expected.last[i] !== actual.last[i] ? 'last' : null;
      if (differs === null) continue;
      this.mismatches++;
      if (!this.first) {
        const src = inE ? expected : inA ? actual : null;
        this.first = {
          frame, beat: beatBase + i,
          row: src ? src.row[i]! : -1, col: src ? src.col[i]! : -1, group: src ? src.group[i]! : -1,
          expectedCycle: inE ? expected.cycle[i]! : -1, actualCycle: inA ? actual.cycle[i]! : -1, differs,
        };
      }
    }
  }

  result(): CyclesPairResult {
    return { a: this.a, b: this.b, kind: 'cycles', compared: this.compared, mismatches: this.mismatches, first: this.first };
  }
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
  // Signed views keep every encoding a small integer for V8 (a Uint32Array read above 2^31 is a heap number).
  const e = new Int32Array(expected.buffer, expected.byteOffset, expected.length);
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length);
  let maxUlp = 0, sum = 0, maxAbs = 0, range = 0;
  const step = Math.max(1, Math.floor(e.length / 65536));
  const sample = new Float64Array(Math.ceil(e.length / step));
  for (let i = 0, s = 0; i < e.length; i++) {
    const x = e[i]!, y = a[i]!;
    // The ordered line of `ordered` above, on signed encodings: −0 and +0 both 0.
    const u = Math.abs((x < 0 ? -(x & 0x7fffffff) : x) - (y < 0 ? -(y & 0x7fffffff) : y));
    if (u > maxUlp) maxUlp = u;
    sum += u;
    if (i % step === 0) sample[s++] = u;
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]! - actual[i]!));
    range = Math.max(range, Math.abs(expected[i]!));
  }
  // A typed array sorts numerically without a comparator call per step.
  sample.sort();
  return {
    maxUlp, meanUlp: e.length ? Number((sum / e.length).toFixed(1)) : 0, medianUlp: sample.length ? sample[sample.length >> 1]! : 0,
    maxAbs, relToRange: range > 0 ? maxAbs / range : 0,
  };
}

/** Row spans [first beat, last beat] of a frame's beats (beats of a row are contiguous in emission order). */
export function rowSpans(b: BeatBlock): [number, number][] {
  const spans: [number, number][] = [];
  for (let k = 0; k < b.count; k++) {
    if (k === 0 || b.row[k] !== b.row[k - 1]) spans.push([b.cycle[k]!, b.cycle[k]!]);
    else spans[spans.length - 1]![1] = Math.max(spans[spans.length - 1]![1], b.cycle[k]!);
  }
  return spans;
}
