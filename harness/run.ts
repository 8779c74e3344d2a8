// The run pipeline, top to bottom: spec → plan → weights → stimulus → engines → compare → report.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import { SimrunError } from '../core/errors.js';
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { runGolden } from '../golden/run.js';
import { runRtl, type RtlResult, type TraceOptions } from '../rtl/run.js';
import { runModel, scheduleNetwork, type BitFault } from '../sim/model.js';
import type { TimingFault } from '../sim/timing.js';
import { loadStimulus, type Stimulus } from '../vectors/image.js';
import { compareBeats, compareBits, floatDistance, type BitCompare } from './compare.js';
import { makePlan } from './plan.js';
import { prepareOutDir, writeAtomic } from './outdir.js';
import { renderHtml, type HeatMap, type RowSpans } from './html.js';
import { planColumns, type LayerReport, type RunReport } from './report.js';

/** Engines a run can compare. */
export const ENGINES = ['golden', 'sim', 'rtl'] as const;
export type Engine = (typeof ENGINES)[number];

/** Published IE120R latency, for comparison in every report. */
export const PUBLISHED_LATENCY_MS = 11.57274;

/** Everything a run needs; parsed once by bin/ or a test. */
export interface RunOptions {
  readonly config: string;
  /** One or more images; frame f uses images[f % images.length]. */
  readonly images: readonly string[];
  readonly weights: string;
  readonly engines: readonly string[];
  readonly frames: number;
  readonly out?: string;
  readonly quant?: QuantMode;
  /** Waveform of the RTL run (needs the rtl engine). */
  readonly trace?: TraceOptions;
  /** ALU budget for the planner ('min' = fewest ALUs; default: the spec's aluBudget). */
  readonly aluBudget?: number | 'min';
  /** Worker threads for the model's MAC kernel. */
  readonly workers?: number;
  /** Also run the float (tf.conv2d) reference and report its ULP distance. */
  readonly floatReference?: boolean;
  readonly log?: (line: string) => void;
  /** Test-only faults injected into the model. */
  readonly faults?: { readonly bit?: BitFault; readonly timing?: TimingFault };
}

/** Validates the engine list (unknown engine → ENGINE_UNKNOWN). */
export function parseEngines(list: readonly string[]): Engine[] {
  const out: Engine[] = [];
  for (const e of list) {
    if (!(ENGINES as readonly string[]).includes(e)) throw new SimrunError('ENGINE_UNKNOWN', `unknown engine '${e}'; choose from ${ENGINES.join(', ')}`);
    if (!out.includes(e as Engine)) out.push(e as Engine);
  }
  if (out.length === 0) throw new SimrunError('ENGINE_UNKNOWN', `no engine given; choose from ${ENGINES.join(', ')}`);
  return out;
}

/** Runs one comparison and writes `<out>/report.json`; returns the report and the folder. */
export async function runPipeline(opts: RunOptions): Promise<{ report: RunReport; outDir: string }> {
  const log = opts.log ?? (() => {});
  // 1. Parse everything once, before any long work, so bad input fails fast.
  const engines = parseEngines(opts.engines);
  if (opts.trace && !engines.includes('rtl')) throw new SimrunError('USAGE', '--trace records the RTL run; add rtl to --engines');
  const net = loadSpec(opts.config);
  for (const n of opts.trace?.layers ?? []) {
    if (!Number.isInteger(n) || n < 1 || n > net.layers.length) throw new SimrunError('USAGE', `--trace-layers names layer ${n}, but ${net.name} has layers 1..${net.layers.length}`);
  }
  const plan = makePlan(net, opts.aluBudget);
  if (!Number.isInteger(opts.frames) || opts.frames < 1) throw new SimrunError('USAGE', `--frames ${opts.frames} is not a positive whole number; pass --frames 1 or more`);
  if (opts.images.length === 0) throw new SimrunError('USAGE', 'no --image given; pass --image <file>');
  const weights = loadWeights(net, opts.weights, opts.quant ?? 'rne');
  const stimuli: Stimulus[] = [];
  for (const img of opts.images) stimuli.push(await loadStimulus(img, net));
  const warnings = stimuli.flatMap((s) => s.warnings);
  for (const w of warnings) log(`warning: ${w}`);
  const outDir = prepareOutDir(opts.out, net.name);
  rmSync(join(outDir, 'report.json'), { force: true }); // never leave an old report that looks like this run's
  const frames = Array.from({ length: opts.frames }, (_, f) => stimuli[f % stimuli.length]!.data);

  // 2. Golden: exact bits for every distinct image, plus the float reference on the first.
  let goldenBackend: string | null = null;
  const golden: Float32Array[][] = [];
  if (engines.includes('golden')) {
    for (let i = 0; i < Math.min(stimuli.length, opts.frames); i++) {
      const g = await runGolden(net, weights, stimuli[i]!.data, { mode: 'exact', onLayer: (k) => log(`golden exact, image ${i + 1}: layer ${k}/${net.layers.length}`) });
      goldenBackend = g.backend;
      golden.push([...g.activations]);
    }
  }
  const floatActs = engines.includes('golden') && opts.floatReference !== false
    ? (await runGolden(net, weights, stimuli[0]!.data, { mode: 'float' })).activations
    : null;

  // 3. The model: arithmetic and timing of every frame.
  let model = null;
  if (engines.includes('sim')) {
    log(`sim: ${opts.frames} frame(s)`);
    model = await runModel(net, plan, weights, frames, {
      workers: opts.workers ?? 0, bitFault: opts.faults?.bit, timingFault: opts.faults?.timing,
      onLayer: (f, k) => log(`sim frame ${f + 1}: layer ${k}/${net.layers.length}`),
    });
  }

  // 4. The RTL under Verilator, watched by a deadlock bound taken from the model's schedule.
  let rtl: RtlResult | null = null;
  if (engines.includes('rtl')) {
    const expected = model ? { timings: model.timings } : scheduleNetwork(net, plan, opts.frames);
    const watchdog = watchdogBound(expected.timings.map((t) => t.beats.cycle));
    log(`rtl: building with Verilator (${plan.totals.alus} ALUs), then ${opts.frames} frame(s); watchdog ${watchdog} cycles`);
    rtl = await runRtl(net, plan, weights, frames, {
      watchdog,
      trace: opts.trace,
      expectedCycles: Math.max(...expected.timings.map((t) => t.beats.cycle[t.beats.cycle.length - 1] ?? 0)),
      workDir: join(outDir, 'rtl'),
      onBuilt: (b) => log(b.cached ? 'rtl: cached build' : `rtl: built in ${b.seconds.toFixed(1)} s`),
      onEstimate: (e) => log(`notice: rtl: estimated run time ${e.seconds.toFixed(0)} s = ${e.cycles} cycles × ${(e.secondsPerCycle * 1e6).toFixed(2)} µs per cycle (measured)`),
    });
  }

  // 5. Compare per layer (every frame; the report keeps the worst frame's first mismatch).
  const layers: LayerReport[] = net.layers.map((l) => {
    const i = l.index - 1;
    // Bits of an engine against the golden over every frame; the first frame that disagrees is kept.
    const againstGolden = (acts: readonly (readonly Float32Array[])[] | undefined): BitCompare | null => {
      if (!acts || !golden.length) return null;
      let worst: BitCompare | null = null;
      for (let f = 0; f < opts.frames; f++) {
        const c = compareBits(golden[f % golden.length]![i]!, acts[f]![i]!, l.outW, l.outC);
        if (!worst || (worst.mismatches === 0 && c.mismatches > 0)) worst = c;
      }
      return worst;
    };
    const simVsGolden = againstGolden(model?.activations);
    const rtlVsGolden = againstGolden(rtl?.activations);
    const rtlVsSimCycles = rtl && model ? compareBeats(model.timings[i]!.beats, rtl.beats[i]!) : null;
    const fe = floatActs && golden.length ? floatDistance(golden[0]![i]!, floatActs[i]!) : null;
    const t = model?.timings[i];
    return {
      index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC],
      plan: planColumns(plan, l.index),
      compare: { simVsGolden, rtlVsGolden, rtlVsSimCycles, floatVsExact: fe ? { ...fe, meanUlp: Number(fe.meanUlp.toFixed(1)) } : null },
      timing: {
        firstBeatCycle: t ? t.beats.cycle[0]! : 0,
        lastBeatCycle: t ? t.beats.cycle[t.beats.cycle.length - 1]! : 0,
        beats: t ? t.beats.cycle.length : 0,
        bufferHighWater: t ? t.bufferHighWater : 0,
        bufferRows: plan.layers[i]!.bufferRows,
      },
    };
  });
  const pass = layers.every((l) => (l.compare.simVsGolden?.mismatches ?? 0) === 0 && (l.compare.rtlVsGolden?.mismatches ?? 0) === 0 && (l.compare.rtlVsSimCycles?.mismatches ?? 0) === 0);
  const cycles = model ? Math.max(...model.latency.perFrame) : 0;
  const rtlCycles = rtl ? rtlLatency(net, rtl) : null;
  const report: RunReport = {
    config: net.name, engines, pass, frames: opts.frames, images: opts.images, weights: opts.weights, goldenBackend,
    latency: {
      cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)), rtlCycles,
      perFrameCycles: model ? model.latency.perFrame : [], steadyIntervalCycles: model ? model.latency.steadyInterval : null,
      publishedIe120rMs: PUBLISHED_LATENCY_MS,
    },
    totals: plan.totals, layers, warnings,
  };
  // 6. report.html (timeline and heat maps), then report.json last and atomically: its presence means the run completed.
  const heatMaps: HeatMap[] = [];
  net.layers.forEach((l, i) => {
    for (const [pair, acts] of [['sim vs golden', model?.activations], ['rtl vs golden', rtl?.activations]] as const) {
      if (!acts || !golden.length) continue;
      for (let f = 0; f < opts.frames; f++) {
        const counts = pixelMismatches(golden[f % golden.length]![i]!, acts[f]![i]!, l.outC);
        if (counts) { heatMaps.push({ layer: l.index, pair: `${pair}, frame ${f}`, height: l.outH, width: l.outW, counts }); break; }
      }
    }
  });
  const { height: H, width: W } = net.input;
  writeAtomic(join(outDir, 'report.html'), renderHtml(report, {
    timeline: net.layers.map((l, i) => ({
      layer: l.index,
      ...(model ? { sim: spansOf(model.timings[i]!.rows) } : {}),
      ...(rtl ? { rtl: rtlSpans(rtl.beats[i]!) } : {}),
    })),
    heatMaps,
    lastInputCycles: Array.from({ length: opts.frames }, (_, f) => f * H * net.rowPeriod + (H - 1) * net.rowPeriod + W - 1),
    clockHz: net.clockHz,
  }));
  writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, outDir };
}

/**
 * Deadlock bound from the expected schedule: twice the longest stretch with no beat from any layer, plus the
 * first beat's own wait, plus one row period of margin.
 */
export function watchdogBound(cycles: readonly Float64Array[]): number {
  const all = Float64Array.from(cycles.flatMap((c) => Array.from(c))).sort();
  let gap = all.length ? all[0]! : 0;
  for (let i = 1; i < all.length; i++) gap = Math.max(gap, all[i]! - all[i - 1]!);
  return Math.ceil(2 * gap + 10_000);
}

/** Worst frame latency seen in the RTL: its last layer's last beat of each frame minus that frame's last input pixel. */
function rtlLatency(net: NetworkSpec, rtl: RtlResult): number {
  const last = rtl.beats[rtl.beats.length - 1]!;
  const { height: H, width: W } = net.input;
  let worst = 0;
  for (let k = 0; k < last.cycle.length; k++) {
    const f = last.frame[k]!;
    worst = Math.max(worst, last.cycle[k]! - (f * H * net.rowPeriod + (H - 1) * net.rowPeriod + W - 1));
  }
  return worst;
}

/** Mismatching channels per pixel, or null when the layers agree. */
function pixelMismatches(expected: Float32Array, actual: Float32Array, channels: number): Uint32Array | null {
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  let counts: Uint32Array | null = null;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i]) continue;
    counts ??= new Uint32Array(e.length / channels);
    counts[Math.floor(i / channels)]!++;
  }
  return counts;
}

/** Row spans from the model's per-row first/last beat cycles. */
function spansOf(rows: { first: Float64Array; last: Float64Array }): RowSpans {
  return Array.from(rows.first, (f, i) => [f, rows.last[i]!] as const);
}

/** Row spans from RTL beats (beats of a row are contiguous). */
function rtlSpans(b: { cycle: Float64Array; frame: Int32Array; row: Int32Array }): RowSpans {
  const spans: [number, number][] = [];
  for (let k = 0; k < b.cycle.length; k++) {
    if (k === 0 || b.row[k] !== b.row[k - 1] || b.frame[k] !== b.frame[k - 1]) spans.push([b.cycle[k]!, b.cycle[k]!]);
    else spans[spans.length - 1]![1] = b.cycle[k]!;
  }
  return spans;
}
