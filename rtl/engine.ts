// The rtl engine: runs a design folder (the emitted one, or a user's) under Verilator behind the one Engine interface.
// Stages: design folder (faults built in) → taps checked against the netlist → ROMs, stimulus and arrivals → cached
// build (profile-guided: trained on those) → paced run → the beat log read back frame by frame (memory stays flat
// however many frames run).
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BeatLogReader, type BeatRecord } from '../core/beatLog.js';
import type { QuantMode } from '../core/bfloat18.js';
import type { Engine, EngineFailure, EngineJob, EngineRun, FrameOutput } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import type { NetworkSpec } from '../core/spec.js';
import type { Fault } from '../core/faults.js';
import { parseMemh } from '../core/memh.js';
import { safeSegment } from '../core/names.js';
import { frameArrivals, onInputClock, type InputClock } from '../core/pacing.js';
import { runTool } from '../core/proc.js';
import { beatsPerFrame, valuesFromBeats, type BeatBlock } from '../core/stream.js';
import { isUnmodifiedEmit, loadDesign, resolveTaps, type DesignFolder, type ResolvedTaps } from './design.js';
import { hexLines, writableRom, writeDesignFolder } from './emit.js';
import { romNames } from './emitRom.js';
import { faultPlusargs } from './emitLayer.js';
import { DEADLOCK_EXIT, emitTestbench, tapConfig, traceScope, type BenchOptions } from './testbench.js';
import { buildMaybeProfiled, type PgoMode } from './profiledBuild.js';
import { type Build, type BuildSpec } from './verilator.js';

/** Waveform options: format, an optional cycle window, optional layers (others are not dumped) or explicit scopes. */
export interface TraceOptions {
  readonly format: 'fst' | 'vcd';
  readonly window?: readonly [number, number];
  readonly layers?: readonly number[];
  /** Trace scopes ('TOP.top.inst'), instead of the scopes of the layers' taps. */
  readonly scopes?: readonly string[];
}

/** What a mutation campaign adds to an rtl run: one build for every mutant, and a watcher that stops at the first difference. */
export interface CampaignHooks {
  /** A mutant selector the design carries, and the mutant to select (one-build mutation campaigns). */
  readonly mutant?: { readonly port: string; readonly width: number; readonly id: number };
  /**
   * Sees every beat while the simulation runs (the beat log is tailed); returning true stops the simulation at once —
   * a campaign's first difference needs nothing after it. A stopped run hands out no frames and says so in its facts.
   */
  readonly watch?: (beat: BeatRecord) => boolean;
  /** Write every ROM image from the job's weights (rowsim's ROM layout) instead of taking the folder's. */
  readonly romsFromWeights?: boolean;
  /**
   * Give every explicit X in the design a random value from this seed (Verilator's --x-assign unique) instead of the
   * constant Verilator picks: a netlist from Yosys carries X for don't-care cases, and a mutation that routes one into
   * the datapath shows only when X is not always 0.
   */
  readonly xSeed?: number;
}

/** Options of the rtl engine, fixed for a run. */
export interface RtlEngineOptions {
  /** A design folder to run; without it the plan's design is emitted into the run's folder first. */
  readonly design?: DesignFolder;
  /** Name of the weights and the rounding that made them (for the emitted folder's manifest). */
  readonly weightsName: string;
  readonly quant?: QuantMode;
  /** Cycles without any beat before the bench gives up (SIM_DEADLOCK naming the stuck layer). */
  readonly watchdog: number;
  readonly trace?: TraceOptions;
  /** Cycles the run should take (from the model's schedule): long runs are estimated first. */
  readonly expectedCycles?: number;
  readonly onEstimate?: (e: { cycles: number; secondsPerCycle: number; seconds: number }) => void;
  /** Stop the simulation after this cycle (a waveform of an early window needs no more). */
  readonly stopAfter?: number;
  readonly onBuilt?: (b: Build) => void;
  /** What a mutation campaign adds (absent for every other run). */
  readonly campaign?: CampaignHooks;
  /** Profile-guided build (rtl/profiledBuild.ts); default auto. A campaign's builds never are. */
  readonly pgo?: PgoMode;
}

const TIMING_FAULTS = new Set(['bit', 'delay', 'stall']);

/** Designs with at least this many ALUs are built with two Verilator threads. */
const THREADED_ALUS = 512;

/**
 * A smaller design's build flags: one thread, always blocks kept whole (-fno-split), and its sequential logic cut into
 * functions of 3,000 statements rather than 1,000 (these flags come after MODEL_FLAGS, and Verilator takes the last).
 * Calling a function costs its entry and exit every cycle, and on ie120r-mini 17 of them cost about 190 instructions
 * of its 2,429 a cycle; with 3,000, 7 functions. callgrind, a frame: ie120r-mini 2,126 → 2,065 million instructions
 * (2,000: 2,116; 4,000: 2,153; unsplit, one function g++ compiles less well: 2,133), tiny and examples/small.yaml
 * 0.4 % fewer, beats identical. The threaded build keeps 1,000: its functions are the two threads' shares of the work.
 */
export const SINGLE_THREAD_FLAGS = ['-fno-split', '--output-split-cfuncs', '3000'] as const;

/**
 * The folder to run. Bit, delay and stall faults go into a copy emitted with runtime fault hooks — the same copy for
 * every fault, selected by plusargs at run time — so one build serves a whole investigation (faults, --trace, explain).
 */
function designToRun(job: EngineJob, opts: RtlEngineOptions): { design: DesignFolder; faultable: boolean } {
  const built = job.faults.filter((f) => TIMING_FAULTS.has(f.kind));
  if (opts.design && built.length === 0) return { design: opts.design, faultable: false };
  if (opts.design && !isUnmodifiedEmit(opts.design)) {
    throw new SimrunError('USAGE', `--inject ${built[0]!.kind} faults are built into the Verilog by rowsim's emitter, and '${opts.design.dir}' is not an unedited emitted folder; edit the design yourself, or inject weight: or bias: faults (they patch ROM files)`);
  }
  const dir = join(job.workDir, built.length ? 'design-faultable' : 'design');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeDesignFolder(dir, job.spec, job.plan, job.weights, opts.weightsName, { runtimeFaults: built.length > 0 }, opts.quant ?? 'rne');
  return { design: loadDesign(dir), faultable: built.length > 0 };
}

/**
 * Trace arguments for one layer: its tapped instance; a layer observed through the top's ports is traced inside its
 * emitted instance (u_layer{N}) when the design has one, else only the top's own signals.
 */
function traceArgsOf(taps: ResolvedTaps, t: ResolvedTaps['layers'][number]): string[] {
  if (t.valid.scope.length) return ['--trace-scope', traceScope(taps.top, t)];
  const own = `u_layer${t.layer}`;
  return taps.netlist.root.children.has(own) ? ['--trace-scope', `TOP.${taps.top}.${own}`] : ['--trace-ports', `TOP.${taps.top}`];
}

/** Everything that goes into the Verilator build of a design folder: its sources, the tap config, the bench. */
function designBuildSpec(d: DesignFolder, job: Pick<EngineJob, 'spec' | 'plan'> & Partial<Pick<EngineJob, 'log'>>, taps: ResolvedTaps, opts: { trace?: TraceOptions; bench?: BenchOptions; randomX?: boolean; quickCompile?: boolean } = {}): BuildSpec {
  return {
    name: `rs-${safeSegment(job.spec.name)}${opts.trace ? `-${opts.trace.format}` : ''}`,
    top: d.manifest.top,
    ...(job.log ? { log: job.log } : {}),
    verilog: d.manifest.sources.map((f) => ({ name: f, text: readFileSync(join(d.dir, f), 'utf8') })),
    headers: d.manifest.headers.map((f) => ({ name: f, text: readFileSync(join(d.dir, f), 'utf8') })),
    cpp: [emitTestbench(job.spec, job.plan, taps, opts.bench)],
    config: [tapConfig(taps)],
    flags: [
      ...(opts.trace ? [opts.trace.format === 'fst' ? '--trace-fst' : '--trace'] : []), '--timescale-override', '1ns/1ns',
      // Large designs spend most cycles in ALUs: two model threads share them (the full IE120R's first 300,000 cycles:
      // 97 → 59–68 µs per cycle with the data-flow FPU; Verilator makes 7 macro-tasks of it, see docs/architecture.md);
      // small ones would only pay the threads' per-cycle handshake. Small ones spend theirs in the 22 layers' control
      // logic instead, and there -fno-split helps: Verilator otherwise cuts every always block into one statement per
      // register and regroups them across layers, so an idle layer tests its enable once per register, not once per
      // block (perf, ie120r-mini: 1.95 → 2.35 M cycles/s, beats identical). Threaded, the split statements are what the
      // two threads share out; unsplit, the full IE120R ran ~5 % slower, so it keeps them.
      ...(job.plan.totals.alus >= THREADED_ALUS ? ['--threads', '2'] : SINGLE_THREAD_FLAGS),
      ...(opts.randomX ? ['--x-assign', 'unique'] : []),
      // See QUICK_COMPILE_CYCLES (make takes the last OPT_FAST it is given).
      ...(opts.quickCompile ? ['-MAKEFLAGS', 'OPT_FAST=-O1'] : []),
    ],
  };
}

/** Copies the design's ROM images into the run folder (writing missing emitted-layout ones), with ROM faults applied. */
function stageRoms(d: DesignFolder, job: EngineJob, runDir: string, fromJob = false): void {
  for (const name of d.manifest.roms) {
    const dst = join(runDir, name);
    mkdirSync(dirname(dst), { recursive: true });
    const own = fromJob || !existsSync(join(d.dir, name)) ? writableRom(job.spec, job.weights, name) : null;
    if (own !== null) writeFileSync(dst, own);
    else if (existsSync(join(d.dir, name))) copyFileSync(join(d.dir, name), dst);
    else throw new SimrunError('DESIGN_INVALID', `design folder '${d.dir}' lists ROM '${name}', which is not there and is not a weight{N}.memh, bias{N}.memh, rom/w{N}.memh or rom/b{N}.memh rowsim can write; add the file`);
  }
  for (const f of job.faults) if (f.kind === 'weight' || f.kind === 'bias') patchRom(runDir, job, f);
}

/** Flips one bit of one word of a rom/w{N}.memh or rom/b{N}.memh in the run folder (a corrupted ROM word). */
function patchRom(runDir: string, job: EngineJob, f: Extract<Fault, { kind: 'weight' | 'bias' }>): void {
  const l = job.spec.layers[f.layer - 1]!;
  const names = romNames(f.layer);
  const name = f.kind === 'weight' ? names.weights : names.bias;
  const path = join(runDir, name);
  if (!existsSync(path)) throw new SimrunError('USAGE', `--inject ${f.kind}:${f.layer}:...: this design has no ROM image '${name}' to corrupt (rowsim corrupts its own ROM layout)`);
  const words = parseMemh(readFileSync(path, 'utf8'), path, 1, 'lowFirst', f.kind === 'weight' ? l.kernel * l.kernel * l.inC * l.outC : l.outC, f.kind === 'weight' ? 5 : 8);
  words[f.index] = (words[f.index]! ^ (1 << f.bit)) >>> 0;
  writeFileSync(path, hexLines(words, f.kind === 'weight' ? 5 : 8));
}

/** The run folder: ROM images and the stimulus, on the input's own clock when the design has one. */
function stageRun(design: DesignFolder, job: EngineJob, taps: ResolvedTaps, romsFromWeights?: boolean): { runDir: string; inputClock: InputClock | null } {
  const runDir = join(job.workDir, 'run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  stageRoms(design, job, runDir, romsFromWeights);
  const inputClock = inputClockOf(taps);
  const inputNet = inputClock ? onInputClock(job.spec, inputClock) : job.spec;
  if (!inputNet) throw new SimrunError('DESIGN_INVALID', `design folder '${design.dir}': the input clock '${taps.input.clock.path}' (${inputClock!.inputPs} ps) does not give a whole number of its cycles per row period (${job.spec.rowPeriod} compute cycles of ${inputClock!.computePs} ps); choose periods whose ratio divides the row period`);
  stageStimulus(job, runDir, inputNet);
  return { runDir, inputClock };
}

/**
 * stimulus.bin (every frame's HWC words) and arrivals.bin (cycles since the previous pixel, in the input clock's
 * cycles), written frame by frame.
 */
function stageStimulus(job: EngineJob, runDir: string, inputNet: NetworkSpec): void {
  const s = openSync(join(runDir, 'stimulus.bin'), 'w');
  const a = openSync(join(runDir, 'arrivals.bin'), 'w');
  try {
    let prev = 0;
    for (let f = 0; f < job.stimulus.frames; f++) {
      const x = job.stimulus.frame(f);
      writeSync(s, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      const arr = frameArrivals(inputNet, job.pacing, f);
      const gaps = new Uint32Array(arr.length);
      for (let i = 0; i < arr.length; i++) {
        gaps[i] = arr[i]! - prev;
        prev = arr[i]!;
      }
      writeSync(a, new Uint8Array(gaps.buffer));
    }
  } finally {
    closeSync(s);
    closeSync(a);
  }
}

/**
 * Tails a beat log while `done` is pending, feeding `reader` (whose watcher may stop it); returns the frames completed.
 * Records can be caught half written: bytes past the last whole word wait for the next read.
 */
async function tailBeatLog(path: string, reader: BeatLogReader, done: Promise<unknown>): Promise<{ frame: number; beats: (BeatBlock | null)[] }[]> {
  let finished = false;
  void done.finally(() => { finished = true; });
  const frames: { frame: number; beats: (BeatBlock | null)[] }[] = [];
  const buf = new Uint8Array(1 << 20);
  let rest = new Uint8Array(0);
  let fd: number | null = null;
  try {
    for (;;) {
      const last = finished;
      if (fd === null && existsSync(path)) fd = openSync(path, 'r');
      for (let n = fd === null ? 0 : readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd!, buf, 0, buf.length, null)) {
        const bytes = new Uint8Array(rest.length + n);
        bytes.set(rest);
        bytes.set(buf.subarray(0, n), rest.length);
        const whole = bytes.length - (bytes.length % 4);
        rest = bytes.slice(whole);
        frames.push(...reader.push(new Uint32Array(bytes.slice(0, whole).buffer)));
        if (reader.stopped) return frames;
      }
      if (last) break;
      await new Promise((r) => setTimeout(r, 15));
    }
    if (rest.length) throw new SimrunError('BEAT_LOG_CORRUPT', `beat log ${path} was cut in the middle of a word; rerun`);
    frames.push(...reader.end());
    return frames;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Reads a beat log in chunks, handing out each frame as soon as it is complete. */
function* readBeatLog(path: string, reader: BeatLogReader): Generator<{ frame: number; beats: (BeatBlock | null)[] }> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(4 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      if (n % 4 !== 0) throw new SimrunError('BEAT_LOG_CORRUPT', `beat log ${path} was cut in the middle of a word; rerun`);
      yield* reader.push(new Uint32Array(buf.slice(0, n).buffer));
    }
    yield* reader.end();
  } finally {
    closeSync(fd);
  }
}

/**
 * A campaign's builds (their folded netlists are new with every seed) of a design whose frame is at most this many
 * cycles compile at -O1 instead of -O2: there the build, not the runs, is the cost. A tiny hybrid (1,600 cycles a
 * frame) built in 22 s instead of 34 and ran its frame no slower. Larger designs keep -O2, which was worth 1.7× in
 * run time on ie120r-mini (rtl/verilator.ts).
 */
const QUICK_COMPILE_CYCLES = 20_000;


/** The RTL under Verilator as an engine. */
export function rtlEngine(opts: RtlEngineOptions): Engine {
  return {
    name: 'rtl',
    produces: { values: true, beats: true },
    async start(job: EngineJob): Promise<EngineRun> {
      const { spec: net, plan } = job;
      const { design, faultable } = designToRun(job, opts);
      const taps = await resolveTaps(design, net, plan);
      mkdirSync(job.workDir, { recursive: true });   // only now: a folder whose taps fail leaves no empty engine folder
      const hooks = opts.campaign ?? {};
      const bench: BenchOptions = hooks.mutant ? { mutsel: { port: hooks.mutant.port, width: hooks.mutant.width } } : {};
      // A faultable build is made with VCD tracing from the start: --trace auto and explain then reuse it.
      const traceBuild: TraceOptions | undefined = opts.trace ?? (faultable ? { format: 'vcd' } : undefined);
      const { runDir, inputClock } = stageRun(design, job, taps, hooks.romsFromWeights);
      const frames = job.stimulus.frames;
      const base = ['stimulus.bin', 'arrivals.bin', String(frames)];
      job.log(`rtl: building ${design.dir} with Verilator (${design.manifest.plan ? `${plan.totals.alus} ALUs` : 'no plan of its own'}${faultable ? ', runtime fault hooks, VCD tracing' : ''})`);
      const plain = designBuildSpec(design, job, taps, { trace: traceBuild, bench, randomX: hooks.xSeed !== undefined, quickCompile: hooks.mutant !== undefined && net.input.height * net.rowPeriod <= QUICK_COMPILE_CYCLES });
      const build = await buildMaybeProfiled(plain, {
        mode: opts.campaign ? 'off' : opts.pgo ?? 'auto', alus: plan.totals.alus, traced: traceBuild !== undefined, runDir, args: base, watchdog: opts.watchdog, log: job.log,
        ...(opts.expectedCycles !== undefined ? { expectedCycles: opts.expectedCycles } : {}),
      });
      opts.onBuilt?.(build);
      const plusargs = faultable ? faultPlusargs(job.faults, (layer) => plan.layers[layer - 1]!.ocmux) : [];
      const extra = [...plusargs, ...(hooks.mutant ? ['--mutant', String(hooks.mutant.id)] : []), ...(hooks.xSeed !== undefined ? ['--x-seed', String(hooks.xSeed)] : []), ...(opts.stopAfter !== undefined ? ['--max-cycles', String(opts.stopAfter)] : [])];
      if (opts.onEstimate && (opts.expectedCycles ?? 0) > 2_000_000) {
        const probe = 20_000;
        const tp = performance.now();
        const p = await runTool(build.exe, [...base, 'probe.bin', String(opts.watchdog), '--max-cycles', String(probe), ...extra], { cwd: runDir });
        const total = (performance.now() - tp) / 1000;
        const m = loopTiming(p.stdout);
        // The bench times the cycles alone; loading the ROM images is a fixed start-up cost paid once.
        const secondsPerCycle = m ? m.seconds / m.cycles : total / probe;
        opts.onEstimate({ cycles: opts.expectedCycles!, secondsPerCycle, seconds: (m ? total - m.seconds : 0) + secondsPerCycle * opts.expectedCycles! });
      }
      const observed = taps.layers.map((t) => t.layer);
      const wave = opts.trace ? join(runDir, `wave.${opts.trace.format}`) : null;
      const traceArgs = opts.trace
        ? ['--trace', wave!, ...(opts.trace.window ? ['--trace-window', `${opts.trace.window[0]}:${opts.trace.window[1]}`] : []),
          // Scopes given, or the chosen layers' own scopes; without either, every signal (a whole-design dump).
          ...(opts.trace.scopes?.flatMap((s) => ['--trace-scope', s]) ?? (opts.trace.layers ? taps.layers.filter((t) => opts.trace!.layers!.includes(t.layer)).flatMap((t) => traceArgsOf(taps, t)) : []))]
        : [];
      job.log(`rtl: running ${frames} frame(s)`);
      const t0 = performance.now();
      // The simulation runs in its own process while the other engines compute; frames() waits for it.
      const stop = new AbortController();
      const running = runTool(build.exe, [...base, 'beats.bin', String(opts.watchdog), ...traceArgs, '--progress', 'progress.txt', ...extra], { cwd: runDir, signal: stop.signal });
      let failure: EngineFailure | undefined;
      let cycles = 0;
      let runSeconds = 0;
      let loopSeconds = 0;
      const tapOf = net.layers.map((l) => taps.layers.find((t) => t.layer === l.index));
      const lanes = tapOf.map((t) => t?.lanes ?? 0);
      const withLast = tapOf.map((t) => t?.last !== undefined);
      const withAxis = tapOf.map((t) => t?.kind === 'axis');
      const perFrame = net.layers.map((l, i) => beatsPerFrame(l, tapOf[i]?.layout ?? plan.layers[i]!));
      const reader = new BeatLogReader(lanes, perFrame, frames, join(runDir, 'beats.bin'), withLast, hooks.watch, withAxis);
      // A watched run reads its beat log as it grows, and stops the simulation when the watcher has seen enough.
      const tailed = hooks.watch ? tailBeatLog(join(runDir, 'beats.bin'), reader, running).then((fr) => { if (reader.stopped) stop.abort(); return fr; }) : null;
      return {
        async *frames(): AsyncGenerator<FrameOutput> {
          const watched = tailed ? await tailed : null;
          const r = await running;
          runSeconds = (performance.now() - t0) / 1000;
          if (reader.stopped) return;
          if (r.exitCode !== 0 && r.exitCode !== DEADLOCK_EXIT) {
            throw new SimrunError('VERILATOR_FAILED', `rtl simulation exited with ${r.signal ?? r.exitCode}: ${r.all.trim().split('\n').slice(-8).join(' | ')}`);
          }
          const deadlock = r.exitCode === DEADLOCK_EXIT ? r.stdout.split('\n').find((x) => x.startsWith('DEADLOCK')) ?? 'DEADLOCK' : null;
          const dead = deadlock ? /layer (\d+) cycle (\d+)/.exec(deadlock) : null;
          if (dead) cycles = Number(dead[2]);
          const dropped = /BACKPRESSURE (\d+) first_cycle (\d+) pixel (\d+)/.exec(r.stdout);
          if (dropped) {
            // The root cause comes first: a design that refused pixels computes on data it never had.
            const k = Number(dropped[3]), H = net.input.height, W = net.input.width;
            const at = `frame ${Math.floor(k / (H * W))} row ${Math.floor((k % (H * W)) / W)} col ${k % W}`;
            failure = { code: 'RTL_BACKPRESSURE', layer: 1, cycle: Number(dropped[2]), message: `rtl dropped tready while the input offered pixel ${at} at cycle ${dropped[2]} (${dropped[1]} pixel(s) refused in the run${deadlock ? ', and the run then deadlocked' : ''}); a camera cannot be stalled, so the design must always take a pixel` };
          } else if (deadlock) {
            failure = { code: 'SIM_DEADLOCK', message: `rtl ${deadlock.replace(/^DEADLOCK /, '')}`, ...(dead ? { layer: Number(dead[1]), cycle: Number(dead[2]) } : {}) };
          }
          if (r.exitCode !== DEADLOCK_EXIT) {
            const done = loopTiming(r.stdout);
            cycles = done?.cycles ?? 0;
            loopSeconds = done?.seconds ?? 0;
          }
          for (const fr of watched ?? readBeatLog(join(runDir, 'beats.bin'), reader)) {
            const values = fr.beats.map((b, i) => (b ? valuesFromBeats(net.layers[i]!, tapOf[i]?.layout ?? plan.layers[i]!, b) : null));
            yield { frame: fr.frame, values, beats: fr.beats };
          }
        },
        info: () => ({
          observedLayers: observed,
          streams: tapOf.map((t) => (t ? { layout: t.layout, last: t.last !== undefined, axis: t.kind === 'axis' ? { tuser: t.tuser !== undefined, tlast: t.tlast !== undefined } : null } : null)),
          periodPs: taps.clocks.find((c) => c.signal.variable.name === taps.clock.variable.name)!.periodPs,
          ...(inputClock ? { inputClock } : {}),
          ...(failure ? { failure } : {}),
          facts: {
            design: design.dir, build: build.dir, buildSeconds: Number(build.seconds.toFixed(2)), cached: build.cached,
            ...(build.profileCounters !== undefined ? { profileCounters: build.profileCounters } : {}),
            ...(build.scheduledTasks !== undefined ? { scheduledTasks: build.scheduledTasks } : {}),
            cycles, runSeconds: Number(runSeconds.toFixed(2)), loopSeconds: Number(loopSeconds.toFixed(4)), waveform: wave, watchdog: opts.watchdog, ...(reader.stopped ? { stoppedByWatcher: true } : {}),
          },
        }),
        close: async () => {
          stop.abort();
          await running.catch(() => undefined);
        },
        progress: () => {
          try {
            const cycles = Number(readFileSync(join(runDir, 'progress.txt'), 'utf8').trim());
            return Number.isFinite(cycles) ? { cycles, expected: opts.expectedCycles ?? null } : null;
          } catch {
            return null;
          }
        },
      };
    },
  };
}

/** The input's own clock, when it is not the compute clock. */
function inputClockOf(taps: ResolvedTaps): InputClock | null {
  const period = (s: { variable: { name: string } }) => taps.clocks.find((c) => c.signal.variable.name === s.variable.name)!.periodPs;
  return taps.input.clock.variable.name === taps.clock.variable.name ? null : { inputPs: period(taps.input.clock), computePs: period(taps.clock) };
}

/** The bench's last line: cycles simulated and its cycle loop's own seconds (the process's less ROM loading and start-up). */
function loopTiming(stdout: string): { readonly cycles: number; readonly seconds: number } | null {
  const m = /cycles (\d+) seconds ([\d.]+)/.exec(stdout);
  return m ? { cycles: Number(m[1]), seconds: Number(m[2]) } : null;
}
