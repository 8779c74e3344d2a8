// The run pipeline, top to bottom: spec → plan → weights → stimulus → engines → compare → report.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import { SimrunError } from '../core/errors.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { runGolden } from '../golden/run.js';
import { runModel, type BitFault } from '../sim/model.js';
import type { TimingFault } from '../sim/timing.js';
import { loadStimulus, type Stimulus } from '../vectors/image.js';
import { compareBits } from './compare.js';
import { makePlan } from './plan.js';
import { prepareOutDir, writeAtomic } from './outdir.js';
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
  if (engines.includes('rtl')) throw new SimrunError('ENGINE_UNKNOWN', `engine 'rtl' is not built into this version yet; run with --engines golden,sim`);
  const net = loadSpec(opts.config);
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
      log(`golden exact: image ${i + 1}/${Math.min(stimuli.length, opts.frames)}`);
      const g = await runGolden(net, weights, stimuli[i]!.data, { mode: 'exact' });
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
    model = await runModel(net, plan, weights, frames, { workers: opts.workers ?? 0, bitFault: opts.faults?.bit, timingFault: opts.faults?.timing });
  }

  // 4. Compare per layer (every frame; the report keeps the worst frame's first mismatch).
  const layers: LayerReport[] = net.layers.map((l) => {
    const i = l.index - 1;
    let simVsGolden = null;
    if (model && golden.length) {
      for (let f = 0; f < opts.frames; f++) {
        const c = compareBits(golden[f % golden.length]![i]!, model.activations[f]![i]!, l.outW, l.outC);
        if (!simVsGolden || (simVsGolden.mismatches === 0 && c.mismatches > 0)) simVsGolden = c;
      }
    }
    const fe = floatActs && golden.length ? compareBits(golden[0]![i]!, floatActs[i]!, l.outW, l.outC) : null;
    const t = model?.timings[i];
    return {
      index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC],
      plan: planColumns(plan, l.index),
      compare: { simVsGolden, rtlVsGolden: null, rtlVsSimCycles: null, floatVsExact: fe ? { maxUlp: fe.maxUlp, meanUlp: Number(fe.meanUlp.toFixed(3)) } : null },
      timing: {
        firstBeatCycle: t ? t.beats.cycle[0]! : 0,
        lastBeatCycle: t ? t.beats.cycle[t.beats.cycle.length - 1]! : 0,
        beats: t ? t.beats.cycle.length : 0,
        bufferHighWater: t ? t.bufferHighWater : 0,
        bufferRows: plan.layers[i]!.bufferRows,
      },
    };
  });
  const pass = layers.every((l) => (l.compare.simVsGolden?.mismatches ?? 0) === 0);
  const cycles = model ? Math.max(...model.latency.perFrame) : 0;
  const report: RunReport = {
    config: net.name, engines, pass, frames: opts.frames, images: opts.images, weights: opts.weights, goldenBackend,
    latency: {
      cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)), rtlCycles: null,
      perFrameCycles: model ? model.latency.perFrame : [], steadyIntervalCycles: model ? model.latency.steadyInterval : null,
      publishedIe120rMs: PUBLISHED_LATENCY_MS,
    },
    totals: plan.totals, layers, warnings,
  };
  // 5. The report is written last and atomically: its presence means the run completed.
  writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return { report, outDir };
}
