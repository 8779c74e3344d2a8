// The whole network's timing from input arrivals: frame by frame through every layer's scheduler, plus the
// planner's questions (one frame's latency, steady-state row buffers) answered by the same schedule.
import { frameRowArrivals, rowArrivalsInComputeCycles, rowsSeenThroughSync, type InputClock, type Pacing } from '../core/pacing.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { SimrunError } from '../core/errors.js';
import { firstBeatOffset, LayerScheduler, neededInputRow, scheduleFrameRows, type LayerFrameTiming, type RowArrivals, type TimingFaults } from './timing.js';

const UNIFORM: Pacing = { kind: 'uniform' };

/** Every layer's timing, frame by frame; keeps only the schedulers' carried state between frames. */
export class NetworkScheduler {
  private readonly layers: LayerScheduler[];

  /**
   * `inputClock`: the design's input runs on its own clock; its rows arrive in compute cycles as that declares.
   * `bufferSlack`: cycles every row's hold is widened by in the buffer check (sizing only; see steadyStateHighWater).
   */
  constructor(private readonly net: NetworkSpec, plan: NetworkPlan, private readonly pacing: Pacing, faults: ReadonlyMap<number, TimingFaults> = new Map(), checkBuffers = true, private readonly inputClock: InputClock | null = null, bufferSlack = 0) {
    this.layers = net.layers.map((l) => new LayerScheduler(l, plan.layers[l.index - 1]!, faults.get(l.index), checkBuffers, bufferSlack));
  }

  /** Frame f's timing in every layer (frames must be asked for in order). */
  frame(f: number, withBeats = true): { input: RowArrivals; layers: LayerFrameTiming[] } {
    // The input as captured (the latency's reference) and as layer 1 sees it complete (through a declared synchronizer).
    const input = this.inputClock ? rowArrivalsInComputeCycles(this.net, this.pacing, f, this.inputClock) : frameRowArrivals(this.net, this.pacing, f);
    let rows = this.inputClock?.sync ? rowsSeenThroughSync(this.net, this.pacing, f, this.inputClock) : input;
    const layers = this.layers.map((s) => {
      const t = s.frame(f, rows, withBeats);
      rows = t.rows;
      return t;
    });
    return { input, layers };
  }

  /** Row-buffer high-water mark of every layer so far. */
  bufferHighWater(): number[] {
    return this.layers.map((s) => s.bufferHighWater);
  }
}

/** Latency in cycles of one frame under uniform pacing (last output beat − last input pixel), from rows alone. */
export function frameLatency(net: NetworkSpec, plan: NetworkPlan): number {
  return latencyOracle(net)(plan);
}

/**
 * frameLatency for a planner that asks about thousands of plans differing in one layer: the rows leaving each layer are
 * kept from the last question and reused for every leading layer whose plan is the same object as last time.
 */
export function latencyOracle(net: NetworkSpec): (plan: NetworkPlan) => number {
  const { height: H, width: W } = net.input;
  const lastInputPixel = (H - 1) * net.rowPeriod + W - 1;
  const entering: RowArrivals[] = [frameRowArrivals(net, UNIFORM, 0)]; // entering[i]: the rows layer i+1 reads
  let asked: NetworkPlan['layers'] = [];
  return (plan) => {
    let same = 0;
    while (same < asked.length && asked[same] === plan.layers[same]) same++;
    for (let i = same; i < net.layers.length; i++) {
      const r = scheduleFrameRows(net.layers[i]!, plan.layers[i]!, entering[i]!, 0);
      entering[i + 1] = { first: r.first, last: r.last };
    }
    asked = [...plan.layers];
    const out = entering[net.layers.length]!.last;
    return out[out.length - 1]! - lastInputPixel;
  };
}

/** Frames back to back under uniform pacing long enough to reach steady state; the first overflowing layer, or null. */
export function steadyStateProblem(net: NetworkSpec, plan: NetworkPlan): { layer: number; reason: string } | null {
  // Layer L's buffer can look back ceil(bufferRows/inH) frames; a few frames more than the deepest look-back suffice.
  const frames = 3 + Math.max(...net.layers.map((l) => Math.ceil(plan.layers[l.index - 1]!.bufferRows / l.inH)));
  const s = new NetworkScheduler(net, plan, UNIFORM);
  try {
    for (let f = 0; f < frames; f++) s.frame(f, false);
    return null;
  } catch (e) {
    if (e instanceof SimrunError && e.code === 'SIM_BUFFER_OVERFLOW') return { layer: e.where.layer!, reason: e.message.replace(/^layer \d+ '[^']*': /, '') };
    throw e;
  }
}

/**
 * The most input rows each layer's buffer holds at once, frames back to back with unbounded buffers: the size a buffer
 * needs for this plan, for the pacings the spec's `rowBuffers` names.
 *
 * `high-water` (and by default): under uniform pacing, and exactly (the check above passes with these sizes, and fails
 * with any one smaller). `in-period`: under every pacing that keeps each row's pixels inside its own row period, the
 * input on the compute clock and rowsim's own timing (a declared input clock, synchronizer or timing model is not
 * covered). Under such a pacing (jitter: each
 * row's first pixel arrives no earlier and its last no later than P − W cycles after uniform's). The schedule only
 * takes maxima and sums of arrivals, so under such a pacing every event happens between its uniform time and that time
 * + (P − W): a row written at t is in the buffer at the latest from uniform's t, and its last reader ends at the
 * latest P − W after uniform's. Counting each row as held P − W cycles longer in the uniform schedule is therefore a
 * bound that holds for every such pacing (not always reached).
 */
export function steadyStateHighWater(net: NetworkSpec, plan: NetworkPlan): number[] {
  const open: NetworkPlan = { ...plan, layers: plan.layers.map((p) => ({ ...p, bufferRows: Number.MAX_SAFE_INTEGER })) };
  const frames = 5 + Math.max(...net.layers.map((l) => Math.ceil((l.kernel + l.stride) / l.inH)));
  const slack = net.rowBuffers === 'in-period' ? net.rowPeriod - net.input.width : 0;
  const s = new NetworkScheduler(net, open, UNIFORM, new Map(), true, null, slack);
  for (let f = 0; f < frames; f++) s.frame(f, false);
  return s.bufferHighWater();
}

/**
 * One layer's share of a frame's latency along the critical chain — from the frame's last input pixel to its last output
 * beat, through the last row of each layer and the input row it waited for. `cycles` = wait + compute + drain, and the
 * layers' cycles sum exactly to the frame's latency.
 */
export interface LayerLatency {
  readonly layer: number;
  readonly name: string;
  readonly cycles: number;
  /** From the previous layer's chain beat (the last input pixel for layer 1) to this row's first MAC: the start latency plus any wait for busy ALUs (negative for layer 1 if its last row needs no late input). */
  readonly wait: number;
  /** From the row's first MAC to the last tap of its last slot. */
  readonly compute: number;
  /** From that last tap to the row's last beat: the pipeline drain and the strips' beats. */
  readonly drain: number;
}

/** The critical chain of one frame from its row timings (each layer's last row, back through the rows it waited for). */
function criticalChain(net: NetworkSpec, plan: NetworkPlan, layers: readonly LayerFrameTiming[], lastInputPixel: number): LayerLatency[] {
  const chain: LayerLatency[] = [];
  let row = net.layers[net.layers.length - 1]!.outH - 1;
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i]!;
    const p = plan.layers[i]!;
    const t = layers[i]!;
    const need = neededInputRow(l, row);
    const before = i === 0 ? lastInputPixel : layers[i - 1]!.rows.last[need]!;
    const start = t.rowStart[row]!;
    const last = t.rows.last[row]!;
    // The last slot starts (colsPerStrip·ocmux − 1) slot intervals into the row; its taps end `taps` cycles later.
    const compute = (p.colsPerStrip * p.ocmux - 1) * p.slotInterval + p.taps;
    chain.push({ layer: l.index, name: l.name, cycles: last - before, wait: start - before, compute, drain: last - start - compute });
    row = need;
  }
  return chain.reverse();
}

/** What the model expects of a whole run, from the row-level schedule (no beats enumerated). */
export interface ExpectedRun {
  /** Per frame: last output beat − last input pixel. */
  readonly perFrameLatency: readonly number[];
  /** The critical chain of the frame with the largest latency (the first such frame). */
  readonly chain: readonly LayerLatency[];
  /** Cycle of the run's last output beat. */
  readonly lastCycle: number;
  /**
   * Twice the longest stretch any layer's stream (or the run's start) goes without a beat, plus margin: a design that
   * goes longer than this without any beat is deadlocked.
   */
  readonly quietBound: number;
}

/** The expected run under `pacing` for `frames` frames. */
export function expectedRun(net: NetworkSpec, plan: NetworkPlan, pacing: Pacing, frames: number, inputClock: InputClock | null = null): ExpectedRun {
  // Row buffers are not checked here: an overflow under this pacing is the sim engine's finding, reported as a failure.
  const s = new NetworkScheduler(net, plan, pacing, new Map(), false, inputClock);
  const perFrameLatency: number[] = [];
  const prevLast = net.layers.map(() => -1);
  let maxGap = 0;
  let firstBeat = Infinity;
  let lastCycle = 0;
  let chain: LayerLatency[] = [];
  let worst = -Infinity;
  for (let f = 0; f < frames; f++) {
    const t = s.frame(f, false);
    t.layers.forEach((lt, i) => {
      const p = plan.layers[i]!;
      maxGap = Math.max(maxGap, p.slotCycles);
      for (let r = 0; r < lt.rows.first.length; r++) {
        const first = lt.rowStart[r]! + firstBeatOffset(p);
        if (prevLast[i]! >= 0) maxGap = Math.max(maxGap, first - prevLast[i]!);
        firstBeat = Math.min(firstBeat, first);
        prevLast[i] = lt.rows.last[r]!;
      }
    });
    const last = t.layers[t.layers.length - 1]!.rows.last;
    const lb = last[last.length - 1]!;
    lastCycle = Math.max(lastCycle, lb);
    const inputLast = t.input.last[t.input.last.length - 1]!;
    if (lb - inputLast > worst) {
      worst = lb - inputLast;
      chain = criticalChain(net, plan, t.layers, inputLast);
    }
    perFrameLatency.push(lb - inputLast);
  }
  return { perFrameLatency, chain, lastCycle, quietBound: Math.ceil(2 * Math.max(maxGap, firstBeat) + 10_000) };
}
