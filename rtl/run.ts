// The RTL engine: emit the design, build it with Verilator (cached), write ROM images and stimulus, run, parse beats.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { SimrunError } from '../core/errors.js';
import { formatMemh } from '../core/memh.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { emitDesign } from './emit.js';
import type { RtlFault } from './emitLayer.js';
import { DEADLOCK_EXIT, emitTestbench } from './testbench.js';
import { buildVerilated, cacheRoot, type Build, type BuildSpec } from './verilator.js';

/** One layer's beats as the RTL emitted them (same shape as the model's, for cycle comparison). */
export interface RtlBeats {
  readonly cycle: Float64Array;
  readonly frame: Int32Array;
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly group: Int32Array;
}

/** What an RTL run produces. */
export interface RtlResult {
  readonly beats: readonly RtlBeats[];
  /** activations[frame][layer], HWC float32, assembled from the beats' lanes. */
  readonly activations: readonly (readonly Float32Array[])[];
  readonly build: Build;
  readonly cycles: number;
  readonly runSeconds: number;
}

/** Everything that goes into a Verilator build of this network. */
export function rtlBuildSpec(net: NetworkSpec, plan: NetworkPlan, fault?: RtlFault, trace?: TraceOptions): BuildSpec {
  const verilog = emitDesign(net, plan, fault).map((f) => {
    // Layers left out of a trace are compiled without tracing code, so waveforms stay small.
    const m = /^rs_layer(\d+)\.v$/.exec(f.name);
    const off = trace?.layers && m && !trace.layers.includes(Number(m[1]));
    return off ? { name: f.name, text: `/* verilator tracing_off */\n${f.text}` } : f;
  });
  return {
    name: `rs-${net.name.replace(/[^\w-]/g, '_')}${trace ? `-${trace.format}` : ''}`, top: 'rs_top', verilog, cpp: [emitTestbench(net, plan)],
    flags: trace ? [trace.format === 'fst' ? '--trace-fst' : '--trace'] : [],
  };
}

/** Writes weight{N}.memh and bias{N}.memh (IE120R layout) where the ROMs' $readmemh will look for them. */
export function writeRoms(dir: string, net: NetworkSpec, weights: readonly HwLayerWeights[]): void {
  for (const l of net.layers) {
    const w = weights[l.index - 1]!;
    writeFileSync(join(dir, `weight${l.index}.memh`), formatMemh(w.codes, l.outC, 'highFirst'));
    writeFileSync(join(dir, `bias${l.index}.memh`), formatMemh(new Uint32Array(w.bias.buffer, w.bias.byteOffset, w.bias.length), l.outC, 'highFirst'));
  }
}

/** Waveform options: format, an optional cycle window, optional layers (others are not traced). */
export interface TraceOptions {
  readonly format: 'fst' | 'vcd';
  readonly window?: readonly [number, number];
  readonly layers?: readonly number[];
}

/** Options of an RTL run. */
export interface RtlOptions {
  /** Cycles without any beat before the bench gives up (SIM_DEADLOCK). */
  readonly watchdog: number;
  /** Folder for ROM images, stimulus and the beat log (default: a fresh one in the cache). */
  readonly workDir?: string;
  readonly onBuilt?: (b: Build) => void;
  /** Dump a waveform (wave.fst / wave.vcd in the work folder). */
  readonly trace?: TraceOptions;
  /** Test-only fault built into the design. */
  readonly fault?: RtlFault;
  /** Cycles the run should take (from the model's schedule); long runs are estimated first. */
  readonly expectedCycles?: number;
  /** Called before a long run (over 2M cycles) with the estimate from a measured 20,000-cycle probe. */
  readonly onEstimate?: (e: { cycles: number; secondsPerCycle: number; seconds: number }) => void;
}

/** Runs `frames` through the emitted RTL under Verilator. */
export async function runRtl(net: NetworkSpec, plan: NetworkPlan, weights: readonly HwLayerWeights[], frames: readonly Float32Array[], opts: RtlOptions): Promise<RtlResult> {
  const build = await buildVerilated(rtlBuildSpec(net, plan, opts.fault, opts.trace));
  opts.onBuilt?.(build);
  const dir = opts.workDir ?? join(cacheRoot(), 'runs', `${net.name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  writeRoms(dir, net, weights);
  const stim = new Float32Array(frames.reduce((a, f) => a + f.length, 0));
  let o = 0;
  for (const f of frames) { stim.set(f, o); o += f.length; }
  writeFileSync(join(dir, 'stimulus.bin'), new Uint8Array(stim.buffer));
  if (opts.onEstimate && (opts.expectedCycles ?? 0) > 2_000_000) {
    const probe = 20_000;
    const tp = performance.now();
    const p = await execa(build.exe, ['stimulus.bin', String(frames.length), 'probe.bin', String(opts.watchdog), String(probe)], { cwd: dir, reject: false });
    const total = (performance.now() - tp) / 1000;
    const m = /cycles (\d+) seconds ([\d.]+)/.exec(p.stdout ?? '');
    // The bench times the cycles alone; loading the ROM images is a fixed start-up cost paid once.
    const secondsPerCycle = m ? Number(m[2]) / Number(m[1]) : total / probe;
    const startup = m ? total - Number(m[2]) : 0;
    opts.onEstimate({ cycles: opts.expectedCycles!, secondsPerCycle, seconds: startup + secondsPerCycle * opts.expectedCycles! });
  }
  const t0 = performance.now();
  const traceArgs = opts.trace
    ? ['--trace', `wave.${opts.trace.format}`, ...(opts.trace.window ? ['--trace-window', `${opts.trace.window[0]}:${opts.trace.window[1]}`] : [])]
    : [];
  const r = await execa(build.exe, ['stimulus.bin', String(frames.length), 'beats.bin', String(opts.watchdog), ...traceArgs], { cwd: dir, reject: false, all: true });
  const runSeconds = (performance.now() - t0) / 1000;
  if (r.exitCode === DEADLOCK_EXIT) {
    const line = (r.stdout ?? '').split('\n').find((x) => x.startsWith('DEADLOCK')) ?? 'DEADLOCK';
    const m = /layer (\d+) cycle (\d+)/.exec(line);
    throw new SimrunError('SIM_DEADLOCK', `rtl ${line.replace(/^DEADLOCK /, '')}`, m ? { layer: Number(m[1]), cycle: Number(m[2]) } : {});
  }
  if (r.exitCode !== 0) {
    throw new SimrunError('VERILATOR_FAILED', `rtl simulation exited with ${r.exitCode}: ${(r.all ?? '').trim().split('\n').slice(-8).join(' | ')}`);
  }
  const cycles = Number(/cycles (\d+)/.exec(r.stdout ?? '')?.[1] ?? 0);
  const parsed = parseBeats(readFileSync(join(dir, 'beats.bin')), net, plan, frames.length);
  return { ...parsed, build, cycles, runSeconds };
}

/** Parses the bench's binary beat log into per-layer beats and per-frame activations. */
export function parseBeats(buf: Buffer, net: NetworkSpec, plan: NetworkPlan, frames: number): { beats: RtlBeats[]; activations: Float32Array[][] } {
  const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
  const L = net.layers.length;
  const counts = new Array<number>(L).fill(0);
  for (let i = 0; i < words.length; ) {
    const layer = words[i]!;
    if (layer < 1 || layer > L) throw new SimrunError('VERILATOR_FAILED', `beat log is corrupt at word ${i} (layer ${layer})`);
    counts[layer - 1]!++;
    i += 6 + plan.layers[layer - 1]!.lanes;
  }
  const beats: RtlBeats[] = counts.map((n) => ({ cycle: new Float64Array(n), frame: new Int32Array(n), row: new Int32Array(n), col: new Int32Array(n), group: new Int32Array(n) }));
  const activations = Array.from({ length: frames }, () => net.layers.map((l) => new Float32Array(l.outH * l.outW * l.outC)));
  const bits = activations.map((fr) => fr.map((a) => new Uint32Array(a.buffer)));
  const seen = new Array<number>(L).fill(0);
  for (let i = 0; i < words.length; ) {
    const li = words[i]! - 1;
    const l = net.layers[li]!;
    const p = plan.layers[li]!;
    const k = seen[li]!++;
    const perFrame = l.outH * l.outW * p.ocmux;
    const frame = Math.floor(k / perFrame);
    const b = beats[li]!;
    const row = words[i + 1]!, col = words[i + 2]!, grp = words[i + 3]!;
    b.cycle[k] = words[i + 4]! + words[i + 5]! * 4294967296;
    b.frame[k] = frame; b.row[k] = row; b.col[k] = col; b.group[k] = grp;
    if (frame < frames && row < l.outH && col < l.outW) {
      const dst = bits[frame]![li]!;
      for (let j = 0; j < p.lanes; j++) dst[(row * l.outW + col) * l.outC + j * p.ocmux + grp] = words[i + 6 + j]!;
    }
    i += 6 + p.lanes;
  }
  return { beats, activations };
}
