// The stream contract every engine speaks: output beats (frame, row, col, group, lanes), beats per frame, and how a
// beat's lanes map to channels. Types and formats only — no arithmetic an engine could share.
import type { LayerPlan, NetworkPlan } from './plan.js';
import { SimrunError } from './errors.js';
import type { LayerSpec, NetworkSpec } from './spec.js';

/**
 * A word no engine can produce: every NaN the contract allows is the canonical 0x7FC00000, so 0xFFFFFFFF marks an
 * output the engine never delivered (a beat that did not come).
 */
export const MISSING_WORD = 0xffffffff;

/**
 * One layer's beats of one frame, in emission order (cycle ascending), as columns.
 * Beat i carries output row `row[i]`, column `col[i]` and channel group `group[i]`; with data, lane j of beat i is
 * `data[i·lanes + j]` and holds channel `j·ocmux + group[i]`.
 */
export interface BeatBlock {
  readonly count: number;
  readonly lanes: number;
  /** Absolute cycle of the beat (frames stream back to back from cycle 0). */
  readonly cycle: Float64Array;
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly group: Int32Array;
  /** The lanes' binary32 words, when the engine carries data on its beats. */
  readonly data?: Uint32Array;
  /**
   * The end-of-frame flag of each beat (1 on the frame's final beat of the layer, else 0), when the engine models it —
   * the RTL only when its tap map names the flag.
   */
  readonly last?: Uint8Array;
}

/** Beats one layer emits per frame: one per output pixel and channel group. */
export function beatsPerFrame(l: LayerSpec, p: LayerPlan): number {
  return l.outH * l.outW * p.ocmux;
}

/** The output channel lane `lane` of a beat in group `group` carries. */
export function channelOf(lane: number, group: number, ocmux: number): number {
  return lane * ocmux + group;
}

/** An empty beat block with room for `n` beats (and data when `lanes` > 0 and `withData`; last flags with `withLast`). */
export function allocBeats(n: number, lanes: number, withData: boolean, withLast = false): BeatBlock & { count: number } {
  return {
    count: n, lanes,
    cycle: new Float64Array(n), row: new Int32Array(n), col: new Int32Array(n), group: new Int32Array(n),
    ...(withData ? { data: new Uint32Array(n * lanes) } : {}),
    ...(withLast ? { last: new Uint8Array(n) } : {}),
  };
}

/**
 * The layer's values (HWC binary32 words) assembled from beats that carry data; outputs no beat delivered stay
 * MISSING_WORD. Beats outside the layer's shape are ignored here (the cycle comparison reports them).
 */
export function valuesFromBeats(l: LayerSpec, p: LayerPlan, b: BeatBlock): Float32Array {
  const out = new Uint32Array(l.outH * l.outW * l.outC).fill(MISSING_WORD);
  if (!b.data) throw new SimrunError('INTERNAL', 'valuesFromBeats needs beats that carry data');
  for (let i = 0; i < b.count; i++) {
    const r = b.row[i]!, c = b.col[i]!, g = b.group[i]!;
    if (r < 0 || r >= l.outH || c < 0 || c >= l.outW || g < 0 || g >= p.ocmux) continue;
    const base = (r * l.outW + c) * l.outC;
    for (let j = 0; j < p.lanes; j++) out[base + channelOf(j, g, p.ocmux)] = b.data[i * b.lanes + j]!;
  }
  return new Float32Array(out.buffer);
}

/** Lanes per beat of every layer's stream (index 0 = the top input: 3 channels in one group). */
export function streamShape(net: NetworkSpec, plan: NetworkPlan, layer: number): { lanes: number; ocmux: number } {
  return layer === 0 ? { lanes: 3, ocmux: 1 } : { lanes: plan.layers[layer - 1]!.lanes, ocmux: plan.layers[layer - 1]!.ocmux };
}
