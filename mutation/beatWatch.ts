// A campaign's live check of the RTL's beats against the golden's values and the model's beats, beat by beat as the
// simulation writes them: the first beat that differs (its cycle, coordinates, end-of-frame flag, a lane's word) stops
// the run — a mutant killed at cycle 3,000 needs no more cycles than that. A beat that is due and has not come does not
// stop it: it either comes late (and differs in cycle then) or never, and then the bench's deadlock watchdog names the
// stalled layer, which is the better verdict.
import type { BeatRecord } from '../core/beatLog.js';
import type { FrameOutput } from '../core/engine.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { beatsPerFrame } from '../core/stream.js';

/** The first difference a watcher saw, in the campaign's terms. */
export interface WatchedDifference {
  readonly pair: 'golden~rtl' | 'sim~rtl';
  readonly kind: 'bits' | 'cycles';
  readonly layer: number;
  readonly frame: number;
  readonly beat: number;
  readonly cycle: number;
  readonly row?: number;
  readonly col?: number;
  readonly chan?: number;
  readonly differs?: 'missing' | 'extra' | 'cycle' | 'coordinates' | 'last';
}

/**
 * A watcher over recorded references: `golden` frames with values, `sim` frames with beats. `observed` lists the
 * layers the RTL taps; `withLast` those whose end-of-frame flag it taps.
 */
export function beatWatcher(net: NetworkSpec, plan: NetworkPlan, golden: readonly FrameOutput[], sim: readonly FrameOutput[], observed: readonly number[], withLast: readonly number[]) {
  const per = net.layers.map((l) => beatsPerFrame(l, plan.layers[l.index - 1]!));
  const frames = Math.min(golden.length, sim.length);
  let first: WatchedDifference | null = null;
  const goldenWords = (f: number, li: number) => {
    const v = golden[f]!.values![li]!;
    return new Uint32Array(v.buffer, v.byteOffset, v.length);
  };
  const expectedBeat = (li: number, index: number) => {
    const f = Math.floor(index / per[li]!);
    return f < frames ? { f, k: index % per[li]!, b: sim[f]!.beats![li]! } : null;
  };
  const watch = (r: BeatRecord): boolean => {
    const li = r.layer - 1;
    const e = expectedBeat(li, r.index);
    const at = (differs: WatchedDifference['differs'], f: number) => ({ pair: 'sim~rtl' as const, kind: 'cycles' as const, layer: r.layer, frame: f, beat: r.index, cycle: r.cycle, row: r.row, col: r.col, differs });
    if (!e) { first = at('extra', Math.floor(r.index / per[li]!)); return true; }
    const { f, k, b } = e;
    if (b.cycle[k] !== r.cycle) { first = at('cycle', f); return true; }
    if (b.row[k] !== r.row || b.col[k] !== r.col || b.group[k] !== r.group) { first = at('coordinates', f); return true; }
    if (withLast.includes(r.layer) && b.last && b.last[k] !== (r.flags & 1)) { first = at('last', f); return true; }
    const l = net.layers[li]!, ocmux = plan.layers[li]!.ocmux;
    const g = goldenWords(f, li);
    for (let j = 0; j < r.data.length; j++) {
      const chan = j * ocmux + r.group;
      if (g[(r.row * l.outW + r.col) * l.outC + chan] !== r.data[j]) {
        first = { pair: 'golden~rtl', kind: 'bits', layer: r.layer, frame: f, beat: r.index, cycle: r.cycle, row: r.row, col: r.col, chan };
        return true;
      }
    }
    return false;
  };
  return { watch, first: (): WatchedDifference | null => first };
}
