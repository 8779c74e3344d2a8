// `simrun explain`: the whole MAC sequence of one output word — every tap's x, w, product and running sum, then bias
// and ReLU — computed by the golden's and the model's own code side by side (each on its own input, with the run's
// faults), the first step where they differ marked; with the rtl engine, the RTL's own registers read from a waveform.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Table from 'cli-table3';
import type { Engine, EngineName, EngineRun } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import type { ExplainTarget, Explanation } from '../core/explain.js';
import { readUserText } from '../core/files.js';
import { faultsFor, parseFault, type AimedFault } from '../core/faults.js';
import { parsePacing } from '../core/pacing.js';
import type { NetworkPlan } from '../core/plan.js';
import { loadSpec, type LayerSpec, type NetworkSpec } from '../core/spec.js';
import { beatsPerFrame, makeLayout, planLayout, slotOfChannel, type StreamLayout } from '../core/stream.js';
import { findBeatInLog } from '../core/beatLog.js';
import { loadWeights } from '../core/weights/load.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { explainGolden } from '../golden/explain.js';
import { decodeCodes, faultedParams, runGolden } from '../golden/run.js';
import { isUnmodifiedEmit, loadDesign, type DesignFolder } from '../rtl/design.js';
import { readNetlist } from '../rtl/netlist.js';
import { rtlEngine } from '../rtl/engine.js';
import { ALU_REGISTERS, aluSignals, explainRtl, explainTrace, type RtlExplanation } from '../rtl/explain.js';
import type { WaveformSource } from '../rtl/waveformEngine.js';
import { explainModel } from '../sim/explain.js';
import { kernelLayers, ModelRunner } from '../sim/model.js';
import { expectedRun, NetworkScheduler } from '../sim/schedule.js';
import { loadStimulus } from '../vectors/image.js';
import { makePlan } from './plan.js';
import { designPlan, type RunContext, type RunSource } from './prepare.js';
import { PLAIN } from './report.js';

/** Where a difference between two explanations first shows. */
export interface FirstStepDifference {
  readonly a: EngineName;
  readonly b: EngineName;
  /** Tap index, or 'bias' / 'out' for the steps after the taps. */
  readonly step: number | 'bias' | 'out';
  readonly field: 'x' | 'w' | 'product' | 'sum' | 'biased' | 'out';
  readonly ka: number;
  readonly kb: number;
}

/** What `simrun explain --json` prints. */
export interface ExplainReport {
  readonly config: string;
  readonly target: ExplainTarget & { readonly frame: number; readonly name: string; readonly relu: boolean };
  readonly golden: Explanation & { readonly delivered: number };
  readonly sim: Explanation & { readonly delivered: number };
  readonly rtl: RtlExplanation | null;
  /** The word the RTL delivered for this output on its tap, its beat and cycle (or why it is not known). */
  readonly rtlDelivered: RtlDelivered | null;
  /** First difference between golden and sim, then golden and rtl (null where they agree throughout). */
  readonly differences: readonly FirstStepDifference[];
  /** Where the RTL's word first departs from the golden's: its ALU, its output register, or between that and the tap. */
  readonly entry: { readonly stage: 'alu' | 'output register' | 'tap' | 'word'; readonly text: string } | null;
}

/** The word a tapped stream delivered for one output. */
export type RtlDelivered =
  | { readonly found: true; readonly word: number; readonly beat: number; readonly cycle: number; readonly from: 'the run\'s beat log' | 'a re-run' | 'the waveform' }
  | { readonly found: false; readonly reason: string };

/** The run to explain: a run folder's report.json, or options given directly. */
export interface ExplainOptions {
  readonly runFolder?: string;
  readonly source?: Partial<RunSource>;
  readonly target: ExplainTarget;
  readonly frame?: number;
  /** Read the RTL's registers from a waveform (default: when the run used the rtl engine). */
  readonly rtl?: boolean;
  readonly log?: (line: string) => void;
}

function sourceOf(o: ExplainOptions): RunSource {
  if (o.runFolder) {
    const path = join(o.runFolder, 'report.json');
    const r = JSON.parse(readUserText(path, 'run report', 'USAGE', 'pass a folder a simrun run wrote (it holds report.json)')) as { run?: RunSource };
    if (!r.run) throw new SimrunError('USAGE', `${path} does not say how its run was made (written by an older rowsim); pass the run's options instead`);
    return r.run;
  }
  const s = o.source ?? {};
  if (!s.images?.length) throw new SimrunError('USAGE', 'explain needs a run folder or --image (and the run\'s --config, --weights, ...)');
  return {
    config: s.config ?? 'ie120r', images: s.images.map((i) => resolve(i)), weights: s.weights ?? 'synthetic:0',
    engines: s.engines ?? (s.rtl ? ['golden', 'sim', 'rtl'] : ['golden', 'sim']), frames: s.frames ?? (o.frame ?? 0) + 1, quant: s.quant ?? 'rne',
    pacing: s.pacing ?? 'uniform', inject: s.inject ?? [], rtl: s.rtl ?? null, aluBudget: s.aluBudget ?? null,
    timing: s.timing ?? 'exact', latencyBudget: s.latencyBudget ?? [],
  };
}

function flip(word: number, f: readonly AimedFault[], engine: EngineName, t: ExplainTarget): number {
  let w = word;
  for (const a of f) if (a.engine === engine && a.fault.kind === 'bit' && a.fault.layer === t.layer && a.fault.row === t.row && a.fault.col === t.col && a.fault.chan === t.chan) w = (w ^ (1 << a.fault.bit)) >>> 0;
  return w;
}

/** The first step where two explanations (or an explanation and the RTL's registers) differ. */
function firstDifference(a: EngineName, b: EngineName, x: Explanation, y: { taps: readonly { x?: number; w?: number; product: number; sum: number }[]; biased?: number; out: number }): FirstStepDifference | null {
  for (let i = 0; i < x.taps.length; i++) {
    const p = x.taps[i]!, q = y.taps[i]!;
    for (const field of ['x', 'w', 'product', 'sum'] as const) {
      const v = q[field];
      if (v !== undefined && v !== p[field]) return { a, b, step: i, field, ka: p[field], kb: v };
    }
  }
  if (y.biased !== undefined && y.biased !== x.biased) return { a, b, step: 'bias', field: 'biased', ka: x.biased, kb: y.biased };
  if (y.out !== x.out) return { a, b, step: 'out', field: 'out', ka: x.out, kb: y.out };
  return null;
}

/** Explains one output of one frame of a run. */
export async function explain(o: ExplainOptions): Promise<ExplainReport> {
  const log = o.log ?? (() => {});
  const src = sourceOf(o);
  const design: DesignFolder | undefined = src.rtl ? loadDesign(src.rtl) : undefined;
  const net: NetworkSpec = loadSpec(design ? join(design.dir, design.manifest.spec) : src.config);
  const plan: NetworkPlan = design ? designPlan(net, design, src.timing ?? 'exact') : makePlan(net, src.aluBudget ?? undefined);
  const t = o.target;
  const l = net.layers[t.layer - 1];
  if (!l) throw new SimrunError('USAGE', `--layer ${t.layer} does not exist; ${net.name} has layers 1..${net.layers.length}`);
  for (const [what, v, n] of [['row', t.row, l.outH], ['col', t.col, l.outW], ['chan', t.chan, l.outC]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v >= n) throw new SimrunError('USAGE', `--${what} ${v} is outside layer ${l.index} '${l.name}' (0..${n - 1})`);
  }
  const frame = o.frame ?? 0;
  if (!Number.isSafeInteger(frame) || frame < 0 || frame >= src.frames) throw new SimrunError('USAGE', `--frame ${frame} is not a frame of the run (0..${src.frames - 1})`);
  const weights: readonly HwLayerWeights[] = loadWeights(net, src.weights, src.quant);
  const faults = src.inject.map((f) => parseFault(f, net, 'sim'));
  const x = (await loadStimulus(src.images[frame % src.images.length]!, net)).data;

  log(`golden: layers 1..${t.layer - 1}`);
  const gActs = t.layer > 1 ? (await runGolden(net, weights, x, { faults: faultsFor(faults, 'golden'), throughLayer: t.layer - 1 })).activations : [];
  const gIn = t.layer > 1 ? gActs[t.layer - 2]! : x;
  const gp = faultedParams(l.index, weights[l.index - 1]!.codes, weights[l.index - 1]!.bias, faultsFor(faults, 'golden'));
  const golden = await explainGolden(gIn, l.inH, l.inW, {
    kernel: l.kernel, stride: l.stride, pad: l.pad, inC: l.inC, outC: l.outC, outH: l.outH, outW: l.outW, relu: l.relu,
    weights: decodeCodes(gp.codes), bias: gp.bias,
  }, t.row, t.col, t.chan);

  log(`sim: layers 1..${t.layer - 1}`);
  const simFaults = faultsFor(faults, 'sim');
  const model = await ModelRunner.create(net, weights, { faults: simFaults });
  let sIn = x;
  try {
    if (t.layer > 1) sIn = (await model.frame(x))[t.layer - 2]!;
  } finally {
    await model.close();
  }
  const sim = explainModel(l, kernelLayers(net, weights, simFaults)[t.layer - 1]!, sIn, t.row, t.col, t.chan);

  let rtl: RtlExplanation | null = null;
  let rtlDelivered: RtlDelivered | null = null;
  if (o.rtl ?? src.engines.includes('rtl')) {
    const layout = runLayout(o.runFolder, t.layer) ?? planLayout(plan.layers[t.layer - 1]!);
    rtlDelivered = fromBeatLog(o.runFolder, l, layout, t, frame) ?? await rerunDelivered(net, plan, weights, src, faults, design, l, layout, t, frame, log);
    // Said at once, before any build: a design without rowsim's register names has no ALU to read.
    const missing = src.waveform ? null : await missingAluRegisters(design, t.layer);
    if (src.waveform) {
      rtl = await dumpRegisters(src.waveform, net, plan, src, t, frame, log, rtlDelivered.found ? rtlDelivered.cycle : undefined);
    } else if (missing) {
      log(`notice: rtl: ${missing}`);
      rtl = { found: false, reason: missing };
    } else {
      rtl = await rtlRegisters(net, plan, weights, src, faults, design, t, frame, log, rtlDelivered.found ? rtlDelivered.cycle : undefined);
    }
  }

  const differences = [firstDifference('golden', 'sim', golden, sim), rtl?.found ? firstDifference('golden', 'rtl', golden, rtl) : null].filter((d): d is FirstStepDifference => d !== null);
  return {
    config: net.name,
    target: { ...t, frame, name: l.name, relu: l.relu },
    golden: { ...golden, delivered: flip(golden.out, faults, 'golden', t) },
    sim: { ...sim, delivered: flip(sim.out, faults, 'sim', t) },
    rtl, rtlDelivered, differences, entry: entryOf(golden.out, rtl, rtlDelivered, differences),
  };
}

/** Where the RTL's word departs from the golden's, from the ALU result, the output register and the tapped word. */
function entryOf(expected: number, rtl: RtlExplanation | null, delivered: RtlDelivered | null, differences: readonly FirstStepDifference[]): ExplainReport['entry'] {
  const at = delivered?.found ? ` (beat ${delivered.beat} at cycle ${delivered.cycle})` : '';
  if (rtl?.found && rtl.out !== expected) {
    const d = differences.find((x) => x.b === 'rtl');
    return { stage: 'alu', text: `in the ALU${d ? `, at ${typeof d.step === 'number' ? `tap ${d.step}` : d.step} (${d.field})` : ''}: it computes ${word(rtl.out)} where the golden computes ${word(expected)}` };
  }
  if (rtl?.found && rtl.outRegister !== undefined && rtl.outRegister !== expected) {
    return { stage: 'output register', text: `after the ALU: the ALU's result ${word(rtl.out)} is right, but the layer's output register holds ${word(rtl.outRegister)}${at}` };
  }
  if (delivered?.found && delivered.word !== expected) {
    return rtl?.found
      ? { stage: 'tap', text: `between the layer's output register (${rtl.outRegister !== undefined ? word(rtl.outRegister) : 'not read'}) and the tapped signal, which delivers ${word(delivered.word)}${at}` }
      : { stage: 'word', text: `the rtl delivers ${word(delivered.word)}${at} where the golden computes ${word(expected)}; where it enters is not known (${rtl ? rtl.reason : 'its registers were not read'})` };
  }
  return null;
}

/** The stream layout the run's rtl engine reported for a layer (report.json engineInfo.rtl.streams), if any. */
function runLayout(runFolder: string | undefined, layer: number): StreamLayout | null {
  if (!runFolder) return null;
  const r = JSON.parse(readFileSync(join(runFolder, 'report.json'), 'utf8')) as { engineInfo?: { rtl?: { streams?: ({ layout: { lanes: number; groups: number; channel: number[][] } } | null)[] } } };
  const s = r.engineInfo?.rtl?.streams?.[layer - 1];
  return s ? makeLayout(s.layout.lanes, s.layout.groups, s.layout.channel) : null;
}

/** The delivered word from the run folder's beat log (rtl/run/beats.bin), or null when there is none to read. */
function fromBeatLog(runFolder: string | undefined, l: LayerSpec, layout: StreamLayout, t: ExplainTarget, frame: number): RtlDelivered | null {
  const path = runFolder ? join(runFolder, 'rtl', 'run', 'beats.bin') : null;
  if (!path || !existsSync(path)) return null;
  const { group, lane } = slotOfChannel(layout, t.chan);
  const b = findBeatInLog(path, t.layer, frame, beatsPerFrame(l, layout), t.row, t.col, group);
  return b ? { found: true, word: b.data[lane]!, beat: b.index, cycle: b.cycle, from: 'the run\'s beat log' } : { found: false, reason: `the run's beat log has no beat of layer ${t.layer} frame ${frame} row ${t.row} col ${t.col} group ${group}` };
}

/** What a replay of the explained run needs: the run's network, weights, faults and log, its source, up to which frame, where. */
type Replay = Pick<RunContext, 'net' | 'plan' | 'weights' | 'faults' | 'log'> & { readonly src: RunSource; readonly frame: number; readonly dir: string };

/**
 * Starts `engineFor(quietBound)` on the explained run's images and pacing through frame `frame`: the one place explain
 * builds an engine job (a re-run for the delivered word, a traced re-run for the ALU's registers).
 */
async function startReplay(r: Replay, engineFor: (quietBound: number) => Promise<Engine>): Promise<EngineRun> {
  const pacing = parsePacing(r.src.pacing, r.net);
  const images = await Promise.all(r.src.images.map((i) => loadStimulus(i, r.net)));
  const engine = await engineFor(expectedRun(r.net, r.plan, pacing, r.frame + 1).quietBound);
  return engine.start({
    spec: r.net, plan: r.plan, weights: r.weights, pacing, workDir: r.dir, faults: faultsFor(r.faults, 'rtl'), workers: 1, log: r.log,
    stimulus: { frames: r.frame + 1, frame: (f) => images[f % images.length]!.data, imageOf: (f) => f % images.length },
  });
}

/** The delivered word from a re-run of the RTL (its cached build) through the explained frame, or from the run's waveform. */
async function rerunDelivered(net: NetworkSpec, plan: NetworkPlan, weights: readonly HwLayerWeights[], src: RunSource, faults: readonly AimedFault[], design: DesignFolder | undefined, l: LayerSpec, layout: StreamLayout, t: ExplainTarget, frame: number, log: (l: string) => void): Promise<RtlDelivered> {
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-explain-'));
  log(src.waveform ? `rtl: reading the waveform ${src.waveform.file} for the word its tap delivered` : `rtl: re-running ${frame + 1} frame(s) for the word its tap delivered`);
  const run = await startReplay({ net, plan, weights, src, faults, frame, dir, log }, async (quietBound) => src.waveform
    ? (await import('../rtl/waveformEngine.js')).waveformEngine(src.waveform)
    : rtlEngine({ ...(design ? { design } : {}), weightsName: src.weights, watchdog: quietBound }))
    .catch((e: unknown) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  try {
    const { group, lane } = slotOfChannel(layout, t.chan);
    for await (const fr of run.frames()) {
      const b = fr.beats?.[t.layer - 1];
      if (fr.frame !== frame || !b) continue;
      for (let i = 0; i < b.count; i++) {
        if (b.row[i] === t.row && b.col[i] === t.col && b.group[i] === group) return { found: true, word: b.data![i * b.lanes + lane]!, beat: frame * beatsPerFrame(l, layout) + i, cycle: b.cycle[i]!, from: src.waveform ? 'the waveform' : 'a re-run' };
      }
    }
    return { found: false, reason: `the rtl delivered no beat of layer ${t.layer} frame ${frame} row ${t.row} col ${t.col} group ${group}${run.info().observedLayers.includes(t.layer) ? '' : ' (the layer has no tap)'}` };
  } finally {
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why the layer's ALU cannot be read (its instance lacks rowsim's register names), or null when it can: decided from
 * the netlist alone, before any build. rowsim's own emitted designs have them.
 */
async function missingAluRegisters(design: DesignFolder | undefined, layer: number): Promise<string | null> {
  if (!design || isUnmodifiedEmit(design)) return null;
  const netlist = await readNetlist(design.manifest.top, design.manifest.sources, design.dir);
  const scope = aluScope(design, layer);
  let inst = netlist.root;
  for (const name of scope) {
    const next = inst.children.get(name);
    if (!next) return `this design has no instance ${[design.manifest.top, ...scope].join('.')} with rowsim's ALU registers (${ALU_REGISTERS.join(', ')}); only the word its tap delivered is shown`;
    inst = next;
  }
  const vars = netlist.modules.get(inst.module);
  const lacking = ALU_REGISTERS.filter((r) => !vars?.has(r));
  return lacking.length ? `this design's layer ${layer} (${[design.manifest.top, ...scope].join('.')}) has no ${lacking.join(', ')}: rowsim reads its emitted ALU registers (${ALU_REGISTERS.join(', ')}); only the word its tap delivered is shown` : null;
}

/** The instance path (below the top) whose registers explain reads for a layer. */
function aluScope(design: DesignFolder | undefined, layer: number): string[] {
  return design?.taps.layers[String(layer)]?.valid?.split('.').slice(1, -1) ?? [`u_layer${layer}`];
}

/** The cycles around the model's slot for this output: wide enough for an RTL whose timing drifted a little. */
function modelWindow(net: NetworkSpec, plan: NetworkPlan, src: RunSource, t: ExplainTarget, frame: number): [number, number] {
  const p = plan.layers[t.layer - 1]!;
  const sched = new NetworkScheduler(net, plan, parsePacing(src.pacing, net), new Map(), false);
  let rowStart = 0, firstPass = 0;
  for (let f = 0; f <= frame; f++) {
    const lt = sched.frame(f, false).layers[t.layer - 1]!;
    rowStart = lt.rowStart[t.row]!;
    // With kernel-row passes the output's taps start in the row's first pass, rows earlier than its last.
    firstPass = lt.passStart ? lt.passStart[t.row * p.passes]! : rowStart;
  }
  const pos = t.col % p.colsPerStrip, grp = t.chan % p.ocmux;
  const slot = (pos * p.ocmux + grp) * p.slotInterval;
  const margin = 2 * p.slotCycles + 100;
  return [Math.max(0, firstPass + slot - margin), rowStart + slot + p.slotCycles + margin];
}

/**
 * The layer's ALU registers read from the run's waveform (simrun check --waveform), where the dump has them: in the
 * two rows' worth of cycles before the output's beat (the dump's design keeps its own timing), else the model's window.
 */
async function dumpRegisters(wave: WaveformSource, net: NetworkSpec, plan: NetworkPlan, src: RunSource, t: ExplainTarget, frame: number, log: (l: string) => void, beatCycle?: number): Promise<RtlExplanation> {
  const p = plan.layers[t.layer - 1]!;
  // Two rows' worth of cycles; with kernel-row passes, the K − 1 input rows between a row's first and last pass too.
  const rowCycles = p.slotInterval * p.colsPerStrip * p.ocmux + p.slotCycles;
  const back = 2 * rowCycles + 100 + (p.passes > 1 ? p.passes * p.cyclesAvailable : 0);
  const window: [number, number] = beatCycle !== undefined ? [Math.max(0, beatCycle - back), beatCycle] : modelWindow(net, plan, src, t, frame);
  log(`rtl: reading layer ${t.layer}'s registers in cycles ${window[0]}..${window[1]} of the waveform`);
  const { waveformRegisters } = await import('../rtl/waveformRegisters.js');
  const regs = await waveformRegisters(wave, t.layer, net.layers.length, [...aluSignals(p, t.col, t.chan), 'out_data'], window);
  if ('reason' in regs) return { found: false, reason: regs.reason };
  const r = explainTrace(regs, p, t.row, t.col, t.chan, window[0], window[1], beatCycle);
  return r.found ? r : { found: false, reason: `${r.reason} (looked in ${regs.instance} of the waveform; dump the layer's registers there — Icarus dumps an array's words only when $dumpvars names each)` };
}

/** Re-runs the RTL to the end of the explained output's slot with a VCD of its layer, and reads its ALU registers. */
async function rtlRegisters(net: NetworkSpec, plan: NetworkPlan, weights: readonly HwLayerWeights[], src: RunSource, faults: readonly AimedFault[], design: DesignFolder | undefined, t: ExplainTarget, frame: number, log: (l: string) => void, beatCycle?: number): Promise<RtlExplanation> {
  const p = plan.layers[t.layer - 1]!;
  const window = modelWindow(net, plan, src, t, frame);
  const top = design?.manifest.top ?? 'rs_top';
  const scope = ['TOP', top, ...aluScope(design, t.layer)].join('.');
  const dir = mkdtempSync(join(tmpdir(), 'rowsim-explain-'));
  try {
    log(`rtl: re-running to cycle ${window[1]} with a waveform of ${scope}`);
    const run = await startReplay({ net, plan, weights, src, faults, frame, dir, log }, async (quietBound) => rtlEngine({
      ...(design ? { design } : {}), weightsName: src.weights, watchdog: quietBound,
      trace: { format: 'vcd', window, scopes: [scope] }, stopAfter: window[1] + 1,
    }));
    try {
      for await (const _ of run.frames()) {
        // the waveform is the product
      }
      const vcd = readFileSync(String(run.info().facts.waveform), 'utf8');
      return explainRtl(vcd, scope, p, t.row, t.col, t.chan, window[0], window[1], beatCycle);
    } finally {
      await run.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
/** A word as hex and value: '3f800000 (1)'. */
function word(bits: number): string {
  U[0] = bits >>> 0;
  return `${U[0]!.toString(16).padStart(8, '0')} (${F[0]})`;
}

/** The explanation as a terminal table, the first differing step marked. */
export function formatExplain(r: ExplainReport): string {
  const rtl = r.rtl?.found ? r.rtl : null;
  const t = new Table({
    head: ['step', 'ky', 'kx', 'ci', 'x', 'w', 'golden product', 'golden sum', 'sim product', 'sim sum', ...(rtl ? ['rtl product', 'rtl sum'] : []), ''],
    ...PLAIN,
  });
  const mark = (step: number | 'bias' | 'out') => r.differences.filter((d) => d.step === step).map((d) => `← ${d.a}~${d.b} ${d.field} differ`).join('; ');
  r.golden.taps.forEach((g, i) => {
    const s = r.sim.taps[i]!;
    t.push([i, g.ky, g.kx, g.ci, word(g.x), word(g.w), word(g.product), word(g.sum), s.product === g.product ? '=' : word(s.product), s.sum === g.sum ? '=' : word(s.sum),
      ...(rtl ? [rtl.taps[i]!.product === g.product ? '=' : word(rtl.taps[i]!.product), rtl.taps[i]!.sum === g.sum ? '=' : word(rtl.taps[i]!.sum)] : []), mark(i)]);
  });
  t.push(['bias', '', '', '', '', word(r.golden.bias), '', word(r.golden.biased), '', r.sim.biased === r.golden.biased ? '=' : word(r.sim.biased), ...(rtl ? ['', ''] : []), mark('bias')]);
  t.push(['out', '', '', '', '', '', '', word(r.golden.out), '', r.sim.out === r.golden.out ? '=' : word(r.sim.out), ...(rtl ? ['', rtl.out === r.golden.out ? '=' : word(rtl.out)] : []), mark('out')]);
  const T = r.target;
  const lines = [`${r.config} layer ${T.layer} '${T.name}', frame ${T.frame}, output row ${T.row} col ${T.col} chan ${T.chan}: ${r.golden.taps.length} taps (ky, kx, ci; ci fastest; padding taps see x = +0), then bias${T.relu ? ', then ReLU' : ' (no ReLU on this layer)'}; '=' means the same bits as the golden`, t.toString()];
  for (const e of ['golden', 'sim'] as const) if (r[e].delivered !== r[e].out) lines.push(`${e} delivers ${word(r[e].delivered)} after an injected bit fault (computed ${word(r[e].out)})`);
  if (r.rtl && !r.rtl.found) lines.push(`rtl: ${r.rtl.reason}`);
  if (rtl) lines.push(`rtl: registers read from a waveform of its ALU, slot starting at cycle ${rtl.slotStart}${rtl.outRegister !== undefined ? `; its output register held ${word(rtl.outRegister)} on the beat` : ''}`);
  const d = r.rtlDelivered;
  if (d) lines.push(d.found ? `rtl delivers ${word(d.word)} on its tap: beat ${d.beat} at cycle ${d.cycle} (from ${d.from})${d.word === r.golden.out ? ', the golden\'s word' : ''}` : `rtl: ${d.reason}`);
  for (const x of r.differences) lines.push(`FIRST DIFFERENCE ${x.a}~${x.b}: ${typeof x.step === 'number' ? `tap ${x.step} (ky ${r.golden.taps[x.step]!.ky}, kx ${r.golden.taps[x.step]!.kx}, ci ${r.golden.taps[x.step]!.ci})` : x.step}, ${x.field}: ${word(x.ka)} vs ${word(x.kb)}`);
  if (r.entry) lines.push(`${{ alu: 'THE RTL DEPARTS IN ITS ALU', 'output register': 'THE RTL DEPARTS AT ITS OUTPUT REGISTER', tap: 'THE RTL DEPARTS AT THE TAP', word: 'THE RTL\'S WORD DIFFERS' }[r.entry.stage]}: ${r.entry.text}`);
  if (!r.differences.length && !r.entry) lines.push(r.rtl && !r.rtl.found && !(d?.found) ? 'golden and sim agree at every step; the rtl could not be read' : `every step agrees${d?.found ? ', and the rtl delivers the same word' : ''}`);
  return lines.join('\n');
}
