// Stage 1 of a run: every option parsed and checked once, before any long work, into a readonly run context — the
// network, its plan, weights, stimulus, pacing, faults, the engines to run and the folder to write into.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import { ENGINE_NAMES, type Engine, type EngineJob, type EngineName, type StimulusSource } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import { faultsFor, parseFault, type AimedFault } from '../core/faults.js';
import { formatPacing, parsePacing, type InputClock, type Pacing } from '../core/pacing.js';
import type { NetworkPlan } from '../core/plan.js';
import { applyDeclaredTiming } from '../core/timingModel.js';
import { parseBudgets, type TimingMode } from './budgets.js';
import type { LatencyBudgets } from './ownTiming.js';
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import { loadWeightsParallel } from '../core/weights/parallel.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import type { DesignFolder } from '../rtl/design.js';
import type { PgoMode } from '../rtl/profiledBuild.js';
import type { TraceOptions } from '../rtl/engine.js';
import type { WaveformSource } from '../rtl/waveformEngine.js';

export type { TraceOptions } from '../rtl/engine.js';
import { expectedRun, type ExpectedRun } from '../sim/schedule.js';
import { loadStimulus, type Stimulus } from '../vectors/image.js';
import { beatsPerFrame } from '../core/stream.js';
import { makePlan } from './plan.js';
import { prepareOutDir, releaseOutDir } from './outdir.js';
import { StageClock } from './stageClock.js';

/** Everything a run needs; parsed once by bin/ or a test. */
export interface RunOptions {
  /** Preset or spec file; default: the design folder's spec with --rtl, else ie120r. */
  readonly config?: string;
  /** One or more images; frame f uses images[f % images.length]. */
  readonly images: readonly string[];
  /** Default: the weights the design folder was emitted with, else synthetic:0. */
  readonly weights?: string;
  readonly engines: readonly string[];
  readonly frames: number;
  readonly out?: string;
  readonly quant?: QuantMode;
  /** A design folder for the rtl engine (default: the emitted design of the plan). */
  readonly rtl?: string;
  /** Input pacing profile (uniform, jitter:SEED, stall:ROW:CYCLES, burst[:ROWS]). */
  readonly pacing?: string;
  /** Faults to build into one engine each ([engine@]kind:args). */
  readonly inject?: readonly string[];
  /** Waveform of the RTL run (needs the rtl engine); 'auto-fst'/'auto-vcd': of the first failure, only if the run fails. */
  readonly trace?: TraceOptions | 'auto-fst' | 'auto-vcd';
  /** ALU budget for the planner ('min' = fewest ALUs; default: the spec's aluBudget). */
  readonly aluBudget?: number | 'min';
  /** Worker threads for the golden and the model (capped at the machine's cores). */
  readonly workers?: number;
  /** Also run the float (tf.conv2d) reference and report its ULP distance (default true). */
  readonly floatReference?: boolean;
  /** The model's kernel: the wasm fast path (default) or the readable JS definition. */
  readonly simKernel?: 'wasm' | 'js';
  /** Golden tfjs backend (default: the best available). */
  readonly goldenBackend?: 'cpu' | 'wasm' | 'auto';
  /** How the RTL's cycles are judged (default: the design folder's `timing`, else exact). */
  readonly timing?: TimingMode;
  /** Latency budgets: '900' (cycles), '3.6us', '2=300' (layer 2), … (docs/timing.md); over design.json's. */
  readonly latencyBudget?: readonly string[];
  /** Write report.json and report.html (default true; the library's `run` asks only for the report). */
  readonly writeReports?: boolean;
  /** Record contract coverage (computed by the model) into the report. */
  readonly coverage?: boolean;
  /** Profile-guided Verilator build: on, off or auto (default; rtl/profiledBuild.ts). */
  readonly rtlPgo?: PgoMode;
  /** The rtl engine's beats from a waveform another simulator dumped (simrun check --waveform) instead of Verilator. */
  readonly waveform?: WaveformSource;
  readonly log?: (line: string) => void;
}

/** The prepared run. */
export interface RunContext {
  readonly net: NetworkSpec;
  readonly plan: NetworkPlan;
  readonly weights: readonly HwLayerWeights[];
  readonly weightsName: string;
  readonly images: readonly string[];
  readonly stimulus: StimulusSource;
  readonly pacing: Pacing;
  readonly faults: readonly AimedFault[];
  readonly engines: readonly Engine[];
  readonly expected: ExpectedRun;
  readonly outDir: string;
  readonly workers: number;
  readonly warnings: readonly string[];
  readonly design?: DesignFolder;
  readonly trace?: TraceOptions | 'auto-fst' | 'auto-vcd';
  readonly log: (line: string) => void;
  /** Wall time per stage; each stage laps it as it ends. */
  readonly clock: StageClock;
  /** The options that reproduce this run (paths made absolute), for report.json and `simrun explain`. */
  readonly source: RunSource;
  /** How the RTL's cycles are judged; the plan carries the declared timing when it is `declared`. */
  readonly timing: TimingMode;
  /** Under declared timing, a design whose input has its own clock: the model times its input rows by it. */
  readonly inputClock?: InputClock;
  readonly budgets: LatencyBudgets;
}

/** What reproduces a run: its options with every path absolute. */
export interface RunSource {
  readonly config: string;
  readonly images: readonly string[];
  readonly weights: string;
  readonly engines: readonly EngineName[];
  readonly frames: number;
  readonly quant: QuantMode;
  readonly pacing: string;
  readonly inject: readonly string[];
  readonly rtl: string | null;
  readonly aluBudget: number | 'min' | null;
  readonly timing: TimingMode;
  readonly latencyBudget: readonly string[];
  /** simrun check --waveform: the dump the rtl engine's beats (and explain's registers) are read from. */
  readonly waveform?: WaveformSource;
}

/** A preset name stays a name; a file becomes an absolute path. */
function absolute(nameOrPath: string): string {
  return /[./\\]/.test(nameOrPath) ? resolve(nameOrPath) : nameOrPath;
}

/** Frames above this are refused: each frame's result is compared as it comes, but cycles must stay exact in a double. */
const MAX_FRAMES = 1_000_000;

/** Validates the engine list (unknown engine → ENGINE_UNKNOWN); duplicates are dropped, order is the canonical one. */
function parseEngines(list: readonly string[]): EngineName[] {
  for (const e of list) {
    if (!(ENGINE_NAMES as readonly string[]).includes(e)) throw new SimrunError('ENGINE_UNKNOWN', `unknown engine '${e}'; choose from ${ENGINE_NAMES.join(', ')}`);
  }
  const out = ENGINE_NAMES.filter((n) => list.includes(n));
  if (out.length === 0) throw new SimrunError('ENGINE_UNKNOWN', `no engine given; choose from ${ENGINE_NAMES.join(', ')}`);
  return out;
}

/** Worker threads: a whole number ≥ 0, at most the machine's cores (more would only share them). */
function parseWorkers(n: number | undefined, log: (l: string) => void): number {
  const cores = availableParallelism();
  if (n === undefined) return Math.min(2, cores);
  if (!Number.isSafeInteger(n) || n < 0) throw new SimrunError('USAGE', `--workers ${n} is not a whole number of threads; pass 0 (this thread) up to ${cores}`);
  if (n > cores) {
    log(`notice: --workers ${n} is more than this machine's ${cores} cores; using ${cores}`);
    return cores;
  }
  return n;
}

async function specAndDesign(opts: RunOptions): Promise<{ net: NetworkSpec; design?: DesignFolder }> {
  if (!opts.rtl) return { net: loadSpec(opts.config ?? 'ie120r') };
  const [{ loadDesign, checkRomNames }, { isWritableRomName }] = await Promise.all([import('../rtl/design.js'), import('../rtl/emit.js')]); // only runs on a user's design load the netlist reader
  const design = loadDesign(opts.rtl);
  const own = loadSpec(join(design.dir, design.manifest.spec));
  checkRomNames(design, own.layers.length, isWritableRomName);
  if (opts.config) {
    const given = loadSpec(opts.config);
    const shape = (n: NetworkSpec) => JSON.stringify([n.input, n.rowPeriod, n.layers.map((l) => [l.kernel, l.stride, l.pad, l.outC, l.relu])]);
    if (shape(given) !== shape(own)) {
      throw new SimrunError('USAGE', `--config ${opts.config} is not the network the design folder '${opts.rtl}' implements (${design.manifest.spec}); drop --config to use the folder's`);
    }
  }
  return { net: own, design };
}

/**
 * The plan of a design folder: its spec (strips and ocmux pinned) planned, checked against design.json's plan; without
 * a plan in design.json (a design with its own timing), rowsim's fewest-ALU plan, which only the model follows. Under
 * `declared` timing the folder's declared model is applied (and design.json must say its strips and ocmux).
 */
export function designPlan(net: NetworkSpec, design: DesignFolder, mode: TimingMode = 'exact', log: (l: string) => void = () => {}): NetworkPlan {
  // Under own timing the model supplies values only: the folder's plan is not judged, and strips or ocmux the spec pins
  // for the design's own microarchitecture may not suit rowsim's cost model, so the model then plans on its own.
  if (mode === 'own') return ownModelPlan(net, log);
  const plan = makePlan(net, 'min');
  const m = design.manifest.plan;
  if (!m) {
    if (mode === 'declared') throw new SimrunError('DESIGN_INVALID', `design folder '${design.dir}': declared timing predicts the design's beats from its plan, and design.json has none; add plan (drain, slots if pipelined, and each layer's strips and ocmux) or use --timing own`);
    return plan;
  }
  const slots = net.slots ?? 'sequential';
  if ((m.slots ?? 'sequential') !== slots) throw new SimrunError('DESIGN_INVALID', `design folder '${design.dir}': design.json's plan.slots is '${m.slots ?? 'sequential'}' but its ${design.manifest.spec} says slots: ${slots}; make them agree, or regenerate the folder with 'simrun emit'`);
  const same = m.drain === net.drain && m.layers.length === plan.layers.length && m.layers.every((p, i) => p.strips === plan.layers[i]!.strips && p.ocmux === plan.layers[i]!.ocmux && (p.passes ?? 1) === plan.layers[i]!.passes);
  if (!same) throw new SimrunError('DESIGN_INVALID', `design folder '${design.dir}': design.json's plan does not match what its ${design.manifest.spec} plans to (pin every layer's strips, ocmux and passes in the spec); regenerate it with 'simrun emit'`);
  const t = design.manifest.timing;
  return mode === 'declared' ? applyDeclaredTiming(net, plan, (typeof t === 'object' ? t.model : undefined) ?? { layers: {} }, `design folder '${design.dir}'`) : plan;
}

/** rowsim's plan for a design judged by its own timing: the spec's pins if rowsim can plan them, else none. */
function ownModelPlan(net: NetworkSpec, log: (l: string) => void): NetworkPlan {
  try {
    return makePlan(net, 'min');
  } catch (e) {
    if (!(e instanceof SimrunError) || e.code !== 'PLAN_INFEASIBLE') throw e;
    log(`notice: the spec's strips/ocmux do not fit rowsim's own cost model (${e.message.split(';')[0]}); the model plans on its own — under own timing it supplies values only`);
    return makePlan({ ...net, layers: net.layers.map(({ strips: _s, ocmux: _o, ...l }) => l) }, 'min');
  }
}

/**
 * Faults that name beats must name beats that exist in this run (USAGE otherwise); a fault that only moves beats in
 * time, with no cycles pair to see it, cannot change the verdict: that is a warning.
 */
function checkFaults(faults: readonly AimedFault[], net: NetworkSpec, plan: NetworkPlan, frames: number, names: readonly EngineName[], timing: TimingMode): string[] {
  const warnings: string[] = [];
  const cyclesCompared = names.includes('sim') && names.includes('rtl') && timing !== 'own';
  for (const a of faults) {
    const f = a.fault;
    if (f.kind === 'delay') {
      const per = beatsPerFrame(net.layers[f.layer - 1]!, plan.layers[f.layer - 1]!);
      if (f.beat >= per * frames) throw new SimrunError('USAGE', `--inject '${a.text}': beat ${f.beat} does not exist; layer ${f.layer} sends ${per} beats a frame, so this ${frames}-frame run has beats 0..${per * frames - 1}`);
    }
    if ((f.kind === 'delay' || f.kind === 'stall') && !cyclesCompared) {
      warnings.push(`--inject '${a.text}' only moves beats in time, and no cycles pair is compared here (${timing === 'own' ? 'timing own' : `engines ${names.join(',')}`}); it can change the verdict only through ${timing === 'own' ? 'the own-timing checks' : 'nothing: add sim and rtl to --engines'}`);
    }
  }
  return warnings;
}

/**
 * The input clock a declared design's tap map names (`clocks` and `input.clock`), with the synchronizer its timing model
 * declares; undefined when the input runs on the compute clock. Periods are checked again against the netlist later.
 */
function declaredInputClock(design: DesignFolder, net: NetworkSpec): InputClock | undefined {
  const t = design.taps;
  if (!t.clocks || !t.input.clock || t.input.clock === t.clock) return undefined;
  const period = (name: string) => t.clocks!.find((c) => c.signal === name)?.periodPs;
  const inputPs = period(t.input.clock), computePs = period(t.clock) ?? 1e12 / net.clockHz;
  if (inputPs === undefined) return undefined;
  const model = typeof design.manifest.timing === 'object' ? design.manifest.timing.model : undefined;
  return { inputPs, computePs, ...(model?.inputSync ? { sync: model.inputSync } : {}) };
}

/** The timing mode a folder declares (design.json `timing`), if any. */
function folderTiming(design: DesignFolder | undefined): TimingMode | undefined {
  const t = design?.manifest.timing;
  return typeof t === 'string' ? t : t?.mode;
}

/**
 * Stage 1: takes the output folder (locked to this run, its old reports removed first thing, so a run interrupted while
 * preparing leaves no earlier verdict behind), then parses and checks everything and loads weights and images. On bad
 * input the folder's lock is released (and a folder it created is removed again).
 */
export async function prepare(opts: RunOptions): Promise<RunContext> {
  const named = opts.out !== undefined ? prepareOutDir(opts.out, 'run') : undefined;
  let outDir = named;
  try {
    return await prepareIn(opts, named, (d) => { outDir = d; });
  } catch (e) {
    if (outDir) releaseOutDir(outDir, true);
    throw e;
  }
}

async function prepareIn(opts: RunOptions, named: string | undefined, took: (dir: string) => void): Promise<RunContext> {
  const clock = new StageClock();
  clock.lap('start-up');
  const log = opts.log ?? (() => {});
  const names = parseEngines(opts.engines);
  const { net, design } = await specAndDesign(opts);
  if (design && !names.includes('rtl')) throw new SimrunError('USAGE', '--rtl names a design for the rtl engine; add rtl to --engines');
  if (opts.trace && !names.includes('rtl')) throw new SimrunError('USAGE', '--trace records the RTL run; add rtl to --engines');
  const traceOptions = typeof opts.trace === 'object' ? opts.trace : undefined;
  for (const n of traceOptions?.layers ?? []) {
    if (!Number.isInteger(n) || n < 1 || n > net.layers.length) throw new SimrunError('USAGE', `--trace-layers names layer ${n}, but ${net.name} has layers 1..${net.layers.length}`);
  }
  if (!Number.isSafeInteger(opts.frames) || opts.frames < 1 || opts.frames > MAX_FRAMES) {
    throw new SimrunError('USAGE', `--frames ${opts.frames} is not a whole number from 1 to ${MAX_FRAMES}; pass e.g. --frames 2`);
  }
  if (opts.frames * net.input.height * net.rowPeriod > 2 ** 50) {
    throw new SimrunError('USAGE', `--frames ${opts.frames} of ${net.name} is over 2^50 cycles; run fewer frames`);
  }
  if (opts.images.length === 0) throw new SimrunError('USAGE', 'no --image given; pass --image <file>');
  const workers = parseWorkers(opts.workers, log);
  const pacing = parsePacing(opts.pacing ?? 'uniform', net);
  const underTest: EngineName = names.includes('rtl') ? 'rtl' : 'sim';
  const faults = (opts.inject ?? []).map((t) => parseFault(t, net, underTest));
  for (const f of faults) {
    if (!names.includes(f.engine)) throw new SimrunError('USAGE', `--inject '${f.text}' is aimed at ${f.engine}, which is not in --engines ${names.join(',')}; add it or prefix another engine (sim@, rtl@)`);
  }
  if (design && opts.aluBudget !== undefined) throw new SimrunError('USAGE', `--alu-budget plans a new design, but the design folder '${opts.rtl}' brings its own plan; drop --alu-budget (or emit a new folder with it)`);
  const weightsName = opts.weights ?? design?.manifest.emitted?.weights ?? 'synthetic:0';
  const quant = opts.quant ?? design?.manifest.emitted?.quant ?? 'rne';
  // Synthetic weights are drawn on worker threads while this thread plans and reads the images.
  const weightsLoading = loadWeightsParallel(net, weightsName, quant, workers);
  weightsLoading.catch(() => {}); // awaited below; a failure must not surface as unhandled before then
  const timing: TimingMode = opts.timing ?? folderTiming(design) ?? 'exact';
  if (opts.timing && !names.includes('rtl')) throw new SimrunError('USAGE', `--timing ${opts.timing} judges the RTL's cycles; add rtl to --engines`);
  if (opts.rtlPgo && !names.includes('rtl')) throw new SimrunError('USAGE', `--rtl-pgo ${opts.rtlPgo} chooses how the RTL simulator is built; add rtl to --engines`);
  if (timing === 'declared' && !design) throw new SimrunError('USAGE', "--timing declared predicts a design folder's beats from the timing its design.json declares; pass --rtl <folder> (rowsim's emitted design is 'exact')");
  const plan = design ? designPlan(net, design, timing, log) : makePlan(net, opts.aluBudget);
  const folderBudget = typeof design?.manifest.timing === 'object' ? design.manifest.timing.latencyBudget : undefined;
  const budgets = parseBudgets(net, folderBudget, opts.latencyBudget ?? [], design ? `design folder '${design.dir}'` : '');
  const faultWarnings = checkFaults(faults, net, plan, opts.frames, names, timing);
  clock.lap('spec and plan');
  const loaded: Stimulus[] = [];
  for (const img of opts.images) loaded.push(await loadStimulus(img, net));
  clock.lap('images');
  const weights = await weightsLoading;
  clock.lap('weights (the rest)');
  const warnings = [...faultWarnings, ...loaded.flatMap((s) => s.warnings)];
  for (const w of warnings) log(`warning: ${w}`);
  const inputClock = timing === 'declared' && design ? declaredInputClock(design, net) : undefined;
  const expected = expectedRun(net, plan, pacing, opts.frames, inputClock ?? null);
  const outDir = named ?? prepareOutDir(undefined, net.name);
  took(outDir);
  const stimulus: StimulusSource = {
    frames: opts.frames,
    frame: (f) => loaded[f % loaded.length]!.data,
    imageOf: (f) => f % loaded.length,
  };
  // Each engine's module is loaded only when the run uses it (tfjs and the Verilator glue take a while to load).
  const engines: Engine[] = await Promise.all(names.map(async (n) => {
    switch (n) {
      case 'golden': return (await import('../golden/engine.js')).goldenEngine({ floatReference: opts.floatReference !== false, backend: opts.goldenBackend });
      case 'sim': return (await import('../sim/engine.js')).simEngine({ kernel: opts.simKernel });
      case 'rtl': if (opts.waveform) return (await import('../rtl/waveformEngine.js')).waveformEngine(opts.waveform);
        return (await import('../rtl/engine.js')).rtlEngine({
        ...(design ? { design } : {}), weightsName, quant, watchdog: expected.quietBound, trace: traceOptions, expectedCycles: expected.lastCycle,
        ...(opts.rtlPgo ? { pgo: opts.rtlPgo } : {}),
        onBuilt: (b) => log(`${b.cached ? 'rtl: cached build' : `rtl: built in ${b.seconds.toFixed(1)} s`}${b.profileCounters !== undefined ? `, profile-guided (${b.profileCounters} counter files)` : ''}`),
        onEstimate: (e) => log(`notice: rtl: ${e.cycles} cycles to simulate; the first ones ran at ${(e.secondsPerCycle * 1e6).toFixed(2)} µs per cycle, so at least ${e.seconds.toFixed(0)} s (later cycles, with every layer busy, cost more)`),
      });
    }
  }));
  if (pacing.kind !== 'uniform') log(`pacing: ${formatPacing(pacing)}`);
  const source: RunSource = {
    config: design ? join(design.dir, design.manifest.spec) : absolute(opts.config ?? 'ie120r'),
    images: opts.images.map((i) => resolve(i)),
    weights: /^synthetic(:\d+)?$/.test(weightsName) ? weightsName : resolve(weightsName),
    engines: names, frames: opts.frames, quant, pacing: formatPacing(pacing),
    inject: faults.map((f) => `${f.engine}@${f.text.slice(f.text.indexOf('@') + 1)}`),
    rtl: design ? design.dir : null,
    aluBudget: design ? null : (opts.aluBudget ?? null),
    timing, latencyBudget: opts.latencyBudget ?? [],
    ...(opts.waveform ? { waveform: { ...opts.waveform, file: resolve(opts.waveform.file), taps: resolve(opts.waveform.taps) } } : {}),
  };
  return { net, plan, weights, weightsName, images: opts.images, stimulus, pacing, faults, engines, expected, outDir, workers, warnings, design, trace: opts.trace, log, clock, source, timing, budgets, ...(inputClock ? { inputClock } : {}) };
}

/** The job an engine runs for this run, in `workDir`, with the faults aimed at it: the one place a job is made. */
export function engineJob(ctx: RunContext, engine: EngineName, workDir: string): EngineJob {
  return {
    spec: ctx.net, plan: ctx.plan, weights: ctx.weights, stimulus: ctx.stimulus, pacing: ctx.pacing,
    workDir, faults: faultsFor(ctx.faults, engine), workers: ctx.workers, log: ctx.log, ...(ctx.inputClock ? { inputClock: ctx.inputClock } : {}),
  };
}
