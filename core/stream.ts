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
  /** AXI4-Stream taps: each beat's tuser and tlast as seen (FLAG_TUSER | FLAG_TLAST of core/beatLog.ts). */
  readonly axis?: Uint8Array;
}

/**
 * How a stream packs a layer's channels into beats: `groups` beats per pixel, `lanes` words per beat, and which channel
 * each (group, lane) carries. rowsim's own streams are `interleaved` (lane j of group g carries channel j·groups + g); a
 * design may declare `blocked` (g·lanes + j) or any table. Invariant: every channel appears exactly once.
 */
export interface StreamLayout {
  readonly lanes: number;
  readonly groups: number;
  /** channel[g·lanes + j]: the channel lane j of a beat in group g carries. */
  readonly channel: Int32Array;
}

/** A layout by name, or from an explicit [group][lane] table (checked by the caller). */
export function makeLayout(lanes: number, groups: number, order: 'interleaved' | 'blocked' | readonly (readonly number[])[]): StreamLayout {
  const channel = new Int32Array(lanes * groups);
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < lanes; j++) {
      channel[g * lanes + j] = order === 'interleaved' ? j * groups + g : order === 'blocked' ? g * lanes + j : order[g]![j]!;
    }
  }
  return { lanes, groups, channel };
}

/** The layout of rowsim's plan for a layer: Cout/ocmux lanes in ocmux interleaved groups. */
export function planLayout(p: LayerPlan): StreamLayout {
  return makeLayout(p.lanes, p.ocmux, 'interleaved');
}

/** Where channel `c` travels in a layout: its group and lane (−1, −1 if no lane carries it). */
export function slotOfChannel(layout: StreamLayout, c: number): { group: number; lane: number } {
  const i = layout.channel.indexOf(c);
  return i < 0 ? { group: -1, lane: -1 } : { group: Math.floor(i / layout.lanes), lane: i % layout.lanes };
}

/** Beats one layer emits per frame: one per output pixel and channel group. */
export function beatsPerFrame(l: LayerSpec, p: LayerPlan | StreamLayout): number {
  return l.outH * l.outW * ('groups' in p ? p.groups : p.ocmux);
}

/** An empty beat block with room for `n` beats (and data when `lanes` > 0 and `withData`; last flags with `withLast`). */
export function allocBeats(n: number, lanes: number, withData: boolean, withLast = false, withAxis = false): BeatBlock & { count: number } {
  return {
    count: n, lanes,
    cycle: new Float64Array(n), row: new Int32Array(n), col: new Int32Array(n), group: new Int32Array(n),
    ...(withData ? { data: new Uint32Array(n * lanes) } : {}),
    ...(withLast ? { last: new Uint8Array(n) } : {}),
    ...(withAxis ? { axis: new Uint8Array(n) } : {}),
  };
}

/**
 * The layer's values (HWC binary32 words) assembled from beats that carry data, by coordinate, whatever their order;
 * outputs no beat delivered stay MISSING_WORD. Beats outside the layer's shape are ignored here, and a coordinate
 * delivered twice keeps its first beat's words (the own-timing checks and the cycle comparison report both).
 */
export function valuesFromBeats(l: LayerSpec, layout: LayerPlan | StreamLayout, b: BeatBlock): Float32Array {
  const lay = 'groups' in layout ? layout : planLayout(layout);
  const out = new Uint32Array(l.outH * l.outW * l.outC).fill(MISSING_WORD);
  if (!b.data) throw new SimrunError('INTERNAL', 'valuesFromBeats needs beats that carry data');
  const seen = new Uint8Array(l.outH * l.outW * lay.groups);
  for (let i = 0; i < b.count; i++) {
    const r = b.row[i]!, c = b.col[i]!, g = b.group[i]!;
    if (r < 0 || r >= l.outH || c < 0 || c >= l.outW || g < 0 || g >= lay.groups) continue;
    const pix = r * l.outW + c;
    if (seen[pix * lay.groups + g]) continue;
    seen[pix * lay.groups + g] = 1;
    const base = pix * l.outC;
    for (let j = 0; j < lay.lanes; j++) out[base + lay.channel[g * lay.lanes + j]!] = b.data[i * b.lanes + j]!;
  }
  return new Float32Array(out.buffer);
}

/** Lanes per beat of every layer's stream (index 0 = the top input: 3 channels in one group). */
export function streamShape(net: NetworkSpec, plan: NetworkPlan, layer: number): { lanes: number; ocmux: number } {
  return layer === 0 ? { lanes: 3, ocmux: 1 } : { lanes: plan.layers[layer - 1]!.lanes, ocmux: plan.layers[layer - 1]!.ocmux };
}
