// Stage 3 of a run: reads every engine's frames in lockstep and compares every pair that can be compared — values for
// every pair that both produce values, cycles for every pair that both produce beats — one frame at a time, keeping
// only summaries (counts, first mismatches, one heat map, a few frames of timeline), so memory stays flat.
import type { EngineName, EngineRun, FrameOutput, StreamInfo } from '../core/engine.js';
import { lastInputPixel, rowArrivalsInComputeCycles } from '../core/pacing.js';
import { beatsPerFrame, MISSING_WORD, planLayout, type BeatBlock, type StreamLayout } from '../core/stream.js';
import { OwnTimingChecker, type OwnTimingResult } from './ownTiming.js';
import { BitsAccumulator, CyclesAccumulator, floatDistance, rowSpans, type FloatDistance } from './compare.js';
import type { RunContext } from './prepare.js';

/** Frames of row spans kept per engine for the HTML timeline. */
const TIMELINE_FRAMES = 4;

/** One engine's timing of one layer: first and last beat of frame 0 and beats delivered in the run. */
export interface LayerTiming {
  readonly firstBeatCycle: number | null;
  readonly lastBeatCycle: number | null;
  readonly beats: number;
}

/** What the comparison found. */
export interface Comparison {
  /** Per layer: the accumulators of every pair compared. */
  readonly pairs: readonly (readonly (BitsAccumulator | CyclesAccumulator)[])[];
  /** Per layer: pairs that exist for these engines but could not be compared, and why. */
  readonly notCompared: readonly (readonly { a: EngineName; b: EngineName; kind: 'bits' | 'cycles'; reason: string }[])[];
  /** Per beat-producing engine: each frame's latency (last output beat − last input pixel), null if it never came. */
  readonly latency: ReadonlyMap<EngineName, readonly (number | null)[]>;
  /** Per layer, per beat-producing engine. */
  readonly timing: readonly ReadonlyMap<EngineName, LayerTiming>[];
  /** Per layer, per beat-producing engine: row spans of the first TIMELINE_FRAMES frames. */
  readonly timeline: readonly ReadonlyMap<EngineName, readonly (readonly [number, number])[]>[];
  /** Per layer: the float reference's distance from the exact golden (first frame), or null. */
  readonly accuracy: readonly (FloatDistance | null)[];
  /** Cycle of each frame's last input pixel (first TIMELINE_FRAMES frames). */
  readonly lastInputCycles: readonly number[];
  /** This process's resident memory after comparing frames (at most MEMORY_SAMPLES samples, evenly spread). */
  readonly memory: readonly { readonly frame: number; readonly rssMiB: number }[];
  /** The rtl engine's own timing (rows, rate, latency, framing), when it ran; its findings fail the run per the mode. */
  readonly own: OwnTimingResult | null;
}

/** Memory samples kept for a run, however many frames it has. */
const MEMORY_SAMPLES = 200;

interface Started {
  readonly name: EngineName;
  readonly values: boolean;
  readonly beats: boolean;
  readonly observed: ReadonlySet<number>;
  readonly run: EngineRun;
  /** How the engine packs each layer's channels into beats. */
  readonly layouts: readonly StreamLayout[];
  /** The engine's own streams, where it says (a design's flags). */
  readonly streams: readonly (StreamInfo | null)[];
}

/**
 * A frame as the comparison needs it: whatever an engine did not deliver (a frame it never reached, or beats it stopped
 * producing after a failure) stands in as missing — every value MISSING_WORD, no beats — so it counts as a mismatch.
 */
function complete(ctx: RunContext, e: Started, f: number, out: FrameOutput | undefined): FrameOutput {
  const { net, plan } = ctx;
  const empty = (lanes: number): BeatBlock => ({ count: 0, lanes, cycle: new Float64Array(0), row: new Int32Array(0), col: new Int32Array(0), group: new Int32Array(0) });
  const values = out?.values ?? (e.values ? net.layers.map((l) => (e.observed.has(l.index) ? new Float32Array(new Uint32Array(l.outH * l.outW * l.outC).fill(MISSING_WORD).buffer) : null)) : undefined);
  const beats = out?.beats ?? (e.beats ? net.layers.map((l) => (e.observed.has(l.index) ? empty(e.layouts[l.index - 1]!.lanes) : null)) : undefined);
  return { ...(out ?? {}), frame: f, ...(values ? { values } : {}), ...(beats ? { beats } : {}) };
}

/** How a comparison runs. */
export interface CompareOptions {
  /**
   * Stop after the first frame in which any pair differs (a mutation campaign needs the first difference, not all of
   * them); later frames are not read, so their engines can be closed early.
   */
  readonly stopAtFirstDifference?: boolean;
}

/** Stage 3: compares the started engines' frames. `observed` lists, per engine, the layers it delivers. */
export async function compareFrames(ctx: RunContext, runs: readonly { name: EngineName; values: boolean; beats: boolean; observed: readonly number[]; run: EngineRun }[], opts: CompareOptions = {}): Promise<Comparison> {
  const { net, plan } = ctx;
  const engines: Started[] = runs.map((r) => {
    const own = r.run.info().streams;
    return { ...r, observed: new Set(r.observed), streams: own ?? [], layouts: net.layers.map((_, i) => own?.[i]?.layout ?? planLayout(plan.layers[i]!)) };
  });
  const pairs = net.layers.map(() => [] as (BitsAccumulator | CyclesAccumulator)[]);
  const notCompared = net.layers.map(() => [] as { a: EngineName; b: EngineName; kind: 'bits' | 'cycles'; reason: string }[]);
  for (let i = 0; i < engines.length; i++) {
    for (let j = i + 1; j < engines.length; j++) {
      const a = engines[i]!, b = engines[j]!;
      for (const l of net.layers) {
        const li = l.index - 1;
        const unseen = [a, b].find((e) => !e.observed.has(l.index));
        for (const kind of ['bits', 'cycles'] as const) {
          const both = kind === 'bits' ? a.values && b.values : a.beats && b.beats;
          if (!both) continue;
          if (unseen) notCompared[li]!.push({ a: a.name, b: b.name, kind, reason: `${unseen.name} does not observe this layer (no tap)` });
          else if (kind === 'cycles' && ctx.timing === 'own') notCompared[li]!.push({ a: a.name, b: b.name, kind, reason: 'timing own: the design keeps its own cycles (judged by its own-timing checks)' });
          else pairs[li]!.push(kind === 'bits' ? new BitsAccumulator(a.name, b.name, l.outW, l.outC, a.layouts[li], b.layouts[li]) : new CyclesAccumulator(a.name, b.name));
        }
      }
    }
  }
  const beatEngines = engines.filter((e) => e.beats);
  const latency = new Map(beatEngines.map((e) => [e.name, [] as (number | null)[]]));
  const timing = net.layers.map(() => new Map<EngineName, { firstBeatCycle: number | null; lastBeatCycle: number | null; beats: number }>());
  const timeline = net.layers.map(() => new Map<EngineName, [number, number][]>());
  let accuracy: (FloatDistance | null)[] = net.layers.map(() => null);
  const lastInputCycles: number[] = [];
  const memory: { frame: number; rssMiB: number }[] = [];
  const sampleEvery = Math.max(1, Math.ceil(ctx.stimulus.frames / MEMORY_SAMPLES));
  const rtl = engines.find((e) => e.name === 'rtl');
  const own = rtl ? ownChecker(ctx, rtl) : null;
  const iters = engines.map((e) => e.run.frames()[Symbol.asyncIterator]());
  const done = engines.map(() => false);
  let current = 0;
  const t0 = performance.now();
  // While an engine simulates (the RTL of a large design takes minutes a frame), say where it is every 2 s.
  const ticker = setInterval(() => ctx.log(statusLine(engines, current, ctx.stimulus.frames, t0)), 2000);
  ticker.unref();
  try {
    for (let f = 0; f < ctx.stimulus.frames; f++) {
      current = f;
      await compareFrame(f);
      if (opts.stopAtFirstDifference && pairs.some((ps) => ps.some((acc) => acc.mismatches > 0))) break;
    }
  } finally {
    clearInterval(ticker);
  }
  return { pairs, notCompared, latency, timing, timeline, accuracy, lastInputCycles, memory, own: own ? own.result() : null };

  async function compareFrame(f: number): Promise<void> {
    // Every engine works on frame f at once: the golden's threads, the model's and the Verilator process overlap.
    const next = await Promise.all(iters.map((it, k) => (done[k] ? undefined : it.next())));
    const outs: FrameOutput[] = next.map((n, k) => {
      if (!n || n.done) done[k] = true;
      return complete(ctx, engines[k]!, f, n && !n.done ? n.value : undefined);
    });
    const byName = new Map(engines.map((e, k) => [e.name, outs[k]!]));
    const lastIn = lastInputPixel(net, ctx.pacing, f);
    if (f < TIMELINE_FRAMES) lastInputCycles.push(lastIn);
    // An engine whose input runs on its own clock counts its latency from its own last pixel, in its compute cycles.
    const lastInOf = (e: Started) => {
      const c = e.run.info().inputClock ?? ctx.inputClock;
      if (!c) return lastIn;
      const rows = rowArrivalsInComputeCycles(net, ctx.pacing, f, c).last;
      return rows[rows.length - 1]!;
    };
    for (const l of net.layers) {
      const li = l.index - 1;
      for (const acc of pairs[li]!) {
        const A = byName.get(acc.a as EngineName)!, B = byName.get(acc.b as EngineName)!;
        if (acc instanceof BitsAccumulator) acc.add(f, A.values![li]!, B.values![li]!, A.beats?.[li], B.beats?.[li], f * beatsPerFrame(l, engines.find((e) => e.name === acc.b)!.layouts[li]!));
        else {
          const per = beatsPerFrame(l, engines.find((e) => e.name === acc.a)!.layouts[li]!);
          acc.add(f, A.beats![li]!, B.beats![li]!, per, f * per);
        }
      }
      for (const e of beatEngines) {
        const b = byName.get(e.name)!.beats?.[li];
        if (!b) continue;
        const t = timing[li]!.get(e.name) ?? { firstBeatCycle: null, lastBeatCycle: null, beats: 0 };
        if (f === 0 && b.count) {
          t.firstBeatCycle = b.cycle[0]!;
          let m = 0;
          for (let k = 0; k < b.count; k++) if (b.cycle[k]! > m) m = b.cycle[k]!;
          t.lastBeatCycle = m;
        }
        t.beats += b.count;
        timing[li]!.set(e.name, t);
        if (f < TIMELINE_FRAMES) timeline[li]!.set(e.name, [...(timeline[li]!.get(e.name) ?? []), ...rowSpans(b)]);
      }
    }
    if (own && rtl) own.frame(f, byName.get('rtl')!.beats ?? []);
    for (const e of beatEngines) {
      const last = byName.get(e.name)!.beats?.[net.layers.length - 1];
      const per = beatsPerFrame(net.layers[net.layers.length - 1]!, e.layouts[net.layers.length - 1]!);
      let m = -1;
      if (last && last.count === per) for (let k = 0; k < last.count; k++) if (last.cycle[k]! > m) m = last.cycle[k]!;
      latency.get(e.name)!.push(m >= 0 ? m - lastInOf(e) : null);
    }
    const golden = byName.get('golden');
    if (golden?.reference && golden.values) {
      accuracy = net.layers.map((l, i) => floatDistance(golden.values![i]!, golden.reference![i]!));
    }
    if (f % sampleEvery === 0 || f === ctx.stimulus.frames - 1) memory.push({ frame: f, rssMiB: Number((process.memoryUsage.rss() / 2 ** 20).toFixed(1)) });
  }
}

/** 'frame 2/4; rtl at cycle 1.2M of 3.4M (0.9M cycles/s, about 2 s left)' — for progress lines. */
function statusLine(engines: readonly Started[], frame: number, frames: number, t0: number): string {
  const parts = [`comparing frame ${frame + 1}/${frames}`];
  for (const e of engines) {
    const p = e.run.progress?.();
    if (!p || p.cycles <= 0) continue;
    const secs = (performance.now() - t0) / 1000;
    const rate = p.cycles / Math.max(secs, 1e-3);
    const m = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${Math.round(n)}`);
    parts.push(`${e.name} at cycle ${m(p.cycles)}${p.expected ? ` of ${m(p.expected)}` : ''} (${m(rate)} cycles/s${p.expected ? `, about ${Math.max(0, (p.expected - p.cycles) / rate).toFixed(0)} s left` : ''})`);
  }
  return parts.join('; ');
}

/** The own-timing checker of the rtl engine's beats: its observed layers and layouts, the run's pacing and budgets. */
function ownChecker(ctx: RunContext, rtl: Started): OwnTimingChecker {
  const { net, plan } = ctx;
  const observed = net.layers.filter((l) => rtl.observed.has(l.index)).map((l) => ({
    layer: l.index, layout: rtl.layouts[l.index - 1]!, last: rtl.streams[l.index - 1]?.last ?? false, axis: rtl.streams[l.index - 1]?.axis ?? null,
  }));
  const model = ctx.expected.perFrameLatency;
  return new OwnTimingChecker(net, {
    observed, inputRows: (f) => rowArrivalsInComputeCycles(net, ctx.pacing, f, rtl.run.info().inputClock ?? null), uniform: ctx.pacing.kind === 'uniform',
    latencySpread: Math.max(...model) - Math.min(...model) + net.rowPeriod,
    budgets: ctx.budgets, allowed: plan.layers.map((p) => p.cyclesAvailable),
  });
}
