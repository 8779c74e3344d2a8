// A scoreboard for beats from anywhere (a cocotb testbench, another simulator, an FPGA capture): feed it beats
// {layer, frame, row, col, group, cycle, data} in any order and it checks each tapped layer by coordinate against the
// expected values (the golden's), every (row, col, group) exactly once, and the own-timing rules (row rate, constant
// latency, budgets). Frames are held until they end (`endFrame`, or `result`), so memory grows with the frames open at
// once, not with the run.
import { SimrunError } from '../core/errors.js';
import { frameRowArrivals, type Pacing } from '../core/pacing.js';
import type { NetworkSpec } from '../core/spec.js';
import { allocBeats, beatsPerFrame, valuesFromBeats, type BeatBlock, type StreamLayout } from '../core/stream.js';
import { BitsAccumulator, type BitsPairResult } from './compare.js';
import { OwnTimingChecker, type LatencyBudgets, type OwnTimingResult } from './ownTiming.js';

/** One beat as a testbench saw it: `data` holds the beat's lanes as binary32 words (unsigned). */
export interface Beat {
  readonly layer: number;
  readonly frame: number;
  readonly row: number;
  readonly col: number;
  readonly group: number;
  readonly cycle: number;
  readonly data: readonly number[] | Uint32Array;
  /** The stream's end-of-frame flag, when the testbench has one. */
  readonly last?: boolean;
}

/** What the scoreboard checks against. */
export interface ScoreboardOptions {
  readonly spec: NetworkSpec;
  /** How each tapped layer's stream packs channels (layer number → layout); the layers not named are not observed. */
  readonly streams: ReadonlyMap<number, StreamLayout>;
  /** The expected values of frame f, every layer HWC binary32 (the golden's activations). */
  readonly expected: (frame: number) => readonly Float32Array[] | Promise<readonly Float32Array[]>;
  /** The input pacing the beats were produced under (for the row rate and the latency; default uniform). */
  readonly pacing?: Pacing;
  readonly budgets?: LatencyBudgets;
  /** Cycles each layer may take per output row (default: the row period times the stride product). */
  readonly allowed?: readonly number[];
  /** Whether the streams carry an end-of-frame flag to check (default: no). */
  readonly last?: boolean;
}

/** One layer's verdict. */
export interface ScoreboardLayer {
  readonly layer: number;
  readonly values: BitsPairResult;
}

/** The scoreboard's verdict. */
export interface ScoreboardResult {
  readonly pass: boolean;
  readonly frames: number;
  readonly layers: readonly ScoreboardLayer[];
  readonly timing: OwnTimingResult;
}

/** Beats of one layer of one frame as they come. */
class FrameLayer {
  readonly beats: Beat[] = [];
}

/** The scoreboard. */
export class Scoreboard {
  private readonly open = new Map<number, Map<number, FrameLayer>>();
  private readonly done = new Set<number>();
  private readonly accs = new Map<number, BitsAccumulator>();
  private readonly checker: OwnTimingChecker;
  private readonly layers: number[];
  private next = 0;

  constructor(private readonly o: ScoreboardOptions) {
    const net = o.spec;
    this.layers = [...o.streams.keys()].sort((a, b) => a - b);
    for (const n of this.layers) {
      const l = net.layers[n - 1];
      if (!l) throw new SimrunError('USAGE', `scoreboard: layer ${n} does not exist; ${net.name} has layers 1..${net.layers.length}`);
      this.accs.set(n, new BitsAccumulator('expected', 'beats', l.outW, l.outC, undefined, o.streams.get(n)));
    }
    if (this.layers[this.layers.length - 1] !== net.layers.length) {
      throw new SimrunError('USAGE', `scoreboard: the last layer (${net.layers.length}) must be observed: the latency is measured at its beats`);
    }
    let strides = 1;
    const allowed = o.allowed ?? net.layers.map((l) => {
      strides *= l.stride;
      return Math.min(net.rowPeriod * strides, Math.floor((net.input.height * net.rowPeriod) / l.outH));
    });
    const pacing = o.pacing ?? { kind: 'uniform' };
    this.checker = new OwnTimingChecker(net, {
      observed: this.layers.map((n) => ({ layer: n, layout: o.streams.get(n)!, last: o.last === true, axis: null })),
      inputRows: (f) => frameRowArrivals(net, pacing, f), uniform: pacing.kind === 'uniform',
      latencySpread: net.rowPeriod, budgets: o.budgets ?? { layers: new Map() }, allowed,
    });
  }

  /** Takes one beat (any order); a beat of a frame already ended, or of a layer not observed, is a usage error. */
  push(b: Beat): void {
    if (!this.o.streams.has(b.layer)) throw new SimrunError('USAGE', `scoreboard: a beat of layer ${b.layer}, which is not among the observed layers ${this.layers.join(', ')}`);
    if (!Number.isSafeInteger(b.frame) || b.frame < 0) throw new SimrunError('USAGE', `scoreboard: frame ${b.frame} is not a frame number`);
    if (this.done.has(b.frame) || b.frame < this.next) throw new SimrunError('USAGE', `scoreboard: a beat of frame ${b.frame}, which has already ended`);
    const lanes = this.o.streams.get(b.layer)!.lanes;
    if (b.data.length !== lanes) throw new SimrunError('USAGE', `scoreboard: a beat of layer ${b.layer} carries ${b.data.length} words; its stream has ${lanes} lanes`);
    let f = this.open.get(b.frame);
    if (!f) this.open.set(b.frame, (f = new Map()));
    let fl = f.get(b.layer);
    if (!fl) f.set(b.layer, (fl = new FrameLayer()));
    fl.beats.push(b);
  }

  /** Ends frame `frame` and every earlier one still open: they are checked now and their beats dropped. */
  async endFrame(frame: number): Promise<void> {
    while (this.next <= frame) await this.check(this.next++);
  }

  private async check(f: number): Promise<void> {
    const net = this.o.spec;
    const got = this.open.get(f) ?? new Map<number, FrameLayer>();
    this.open.delete(f);
    this.done.add(f);
    const expected = await this.o.expected(f);
    const blocks: (BeatBlock | null)[] = net.layers.map(() => null);
    for (const n of this.layers) {
      const layout = this.o.streams.get(n)!;
      // Beats in cycle order, as a stream emits them (the end-of-frame flag is judged in that order).
      const beats = [...(got.get(n)?.beats ?? [])].sort((a, b) => a.cycle - b.cycle);
      const blk = allocBeats(beats.length, layout.lanes, true, this.o.last === true);
      beats.forEach((b, i) => {
        blk.cycle[i] = b.cycle; blk.row[i] = b.row; blk.col[i] = b.col; blk.group[i] = b.group;
        blk.data!.set(Array.from(b.data, (w) => w >>> 0), i * layout.lanes);
        if (blk.last) blk.last[i] = b.last ? 1 : 0;
      });
      blocks[n - 1] = blk;
      const l = net.layers[n - 1]!;
      const values = valuesFromBeats(l, layout, blk);
      this.accs.get(n)!.add(f, expected[n - 1]!, values, null, blk, f * beatsPerFrame(l, layout));
    }
    this.checker.frame(f, blocks);
  }

  /** Ends every open frame and gives the verdict: values by coordinate per layer, and the own-timing findings. */
  async result(): Promise<ScoreboardResult> {
    const last = Math.max(this.next - 1, ...this.open.keys());
    await this.endFrame(last);
    const layers = this.layers.map((n) => ({ layer: n, values: this.accs.get(n)!.result() }));
    const timing = this.checker.result();
    return { pass: layers.every((l) => l.values.mismatches === 0 && l.values.compared > 0) && timing.findings.length === 0, frames: this.next, layers, timing };
  }
}
