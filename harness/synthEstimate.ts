// `simrun synth --estimate`: a design too large to synthesize outright (the full ie120r) costed from per-unit costs —
// per layer, per ALU, per output lane, per row-buffer bit, per ROM lane-bit — fitted to a small calibration build's
// synthesized modules, and with --check the same estimate set beside an outright synthesis of the design.
// Invariants: the estimate is labelled as one everywhere it is shown; --check refuses a design too large to
// synthesize before anything runs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import type { NetworkPlan } from '../core/plan.js';
import { loadWeights } from '../core/weights/load.js';
import { loadDesign } from '../rtl/design.js';
import { writeDesignFolder } from '../rtl/emit.js';
import { agilexFit, type FitVerdict } from './agilexFit.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';
import { makePlan } from './plan.js';
import { addResources, checkSize, NO_RESOURCES, parseTarget, synthesizeFolder, type Resources, type SynthOptions, type SynthTarget } from './synth.js';
import { calibrate, calibrationSpec } from './synthCalibration.js';
import { designFeatures, fitCosts, LAYER_ALU_TERM, LAYER_BUFFER_TERM, predictModule, RESOURCE_KEYS, TERMS, uncalibrated, type CostModel, type ModuleFeatures } from './synthCost.js';

/** Options of `simrun synth --estimate`. */
export interface EstimateOptions extends SynthOptions {
  /** Also synthesize the design outright and set the estimate beside it. */
  readonly check?: boolean;
  /** A spec to calibrate on instead of rowsim's calibration network. */
  readonly calibration?: string;
}

/** The estimate against an outright synthesis: both totals and the estimate's relative error per resource. */
export interface EstimateCheck {
  readonly synthesized: Resources;
  /** (estimate − synthesized) / synthesized, or null where the synthesis has none of the resource. */
  readonly error: Readonly<Record<(typeof RESOURCE_KEYS)[number], number | null>>;
}

/** What `simrun synth --estimate` reports. */
export interface EstimateReport {
  readonly kind: 'estimate';
  readonly target: SynthTarget;
  readonly design: string;
  readonly alus: number;
  readonly calibration: { readonly spec: string; readonly modules: number; readonly seconds: number; readonly cached: boolean };
  /** The fitted per-unit costs: for each module kind, its terms and each resource's coefficient per term. */
  readonly costs: { readonly terms: typeof TERMS; readonly model: Partial<CostModel> };
  /** One ALU's resources (the per-ALU coefficients). */
  readonly perAlu: Resources;
  readonly modules: Readonly<Record<string, Resources & { readonly instances: number }>>;
  readonly total: Resources;
  readonly check: EstimateCheck | null;
  /** Against the published design's Agilex 7 device; intel target only. */
  readonly fit: FitVerdict | null;
  /**
   * The same with the ROMs and row buffers in block RAM (as a flow with wide, registered reads would place them): the
   * layers' controllers and ALUs in logic, every memory bit in M20K. Intel target only.
   */
  readonly fitWithMemoriesInRam: FitVerdict | null;
  /** What the calibration could not cost (see uncalibrated); printed as warnings. */
  readonly warnings: readonly string[];
  readonly seconds: number;
}

/** A design's modules by name, each with its cost terms (synthCost.ts designFeatures). */
type DesignFeatures = ReadonlyMap<string, ModuleFeatures>;

const sum = (xs: readonly Resources[]): Resources => xs.reduce((a, x) => addResources(a, x), NO_RESOURCES);

/** The modules and total `model` predicts for a design of these module features. */
function predictDesign(model: Partial<CostModel>, features: DesignFeatures): { modules: EstimateReport['modules']; total: Resources } {
  const modules: Record<string, Resources & { instances: number }> = {};
  for (const [name, f] of features) {
    const r = predictModule(model, f);
    if (!r) throw new SimrunError('INTERNAL', `synth --estimate: the calibration has no ${f.kind} module to cost ${name} by`);
    modules[name] = { ...r, instances: 1 };
  }
  return { modules, total: sum(Object.values(modules)) };
}

/** The layers and top without their memories: each layer's constant, ALUs and lanes (no buffer bits), no ROM module. */
function datapathOnly(model: Partial<CostModel>, features: DesignFeatures): Resources {
  const parts: Resources[] = [];
  for (const [, f] of features) {
    if (f.kind === 'layer') parts.push(predictModule(model, { kind: 'layer', terms: f.terms.map((t, i) => (i === LAYER_BUFFER_TERM ? 0 : t)) })!);
    if (f.kind === 'top') parts.push(predictModule(model, f)!);
  }
  return sum(parts);
}

/** One ALU's costs: the model's per-ALU coefficients, rounded. */
function perAluCosts(model: Partial<CostModel>): Resources {
  const layer = model.layer!;
  return Object.fromEntries(RESOURCE_KEYS.map((k) => [k, Math.round(layer[k][LAYER_ALU_TERM]!)])) as unknown as Resources;
}

/** Estimates the design of `o` (a --config) from the calibration's costs; with `check`, synthesizes it too. */
export async function runEstimate(o: EstimateOptions): Promise<{ report: EstimateReport; outDir: string }> {
  const t0 = performance.now();
  const target = parseTarget(o.target);
  if (o.rtl) throw new SimrunError('USAGE', '--estimate costs a design rowsim emits from a --config; a design folder (--rtl) is synthesized outright, without --estimate');
  const net = loadSpec(o.config ?? 'tiny');
  const plan = makePlan(net, o.aluBudget);
  const calNet = calibrationSpec(o.calibration);
  if (o.check) checkSize(net.name, plan.totals.alus, '--check synthesizes it outright; drop --check for the estimate alone');
  const outDir = prepareOutDir(o.out, 'synth');
  let ok = false;
  try {
    const cal = await calibrate(target, calNet, join(outDir, 'calibration'));
    const model = fitCosts(cal.samples);
    const features = designFeatures(net, plan);
    const { modules, total } = predictDesign(model, features);
    const check = o.check ? await checkOutright(net, plan, outDir, target, total) : null;
    const memoryBits = plan.layers.reduce((s, p, i) => s + p.weightBits + net.layers[i]!.outC * 32 + p.rowBufferBits + p.partialSumBits, 0);
    const report: EstimateReport = {
      kind: 'estimate', target, design: net.name, alus: plan.totals.alus,
      calibration: { spec: cal.spec, modules: cal.samples.length, seconds: cal.seconds, cached: cal.cached },
      costs: { terms: TERMS, model }, perAlu: perAluCosts(model), modules, total, check,
      fit: target === 'intel' ? agilexFit(total, memoryBits) : null,
      fitWithMemoriesInRam: target === 'intel' ? agilexFit({ ...datapathOnly(model, features), ramBits: memoryBits }, memoryBits) : null,
      warnings: uncalibrated(cal.samples, features),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    };
    writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    ok = true;
    return { report, outDir };
  } finally {
    releaseOutDir(outDir, !ok);
  }
}

/** Synthesizes `net` outright and compares its total with the estimate's. */
async function checkOutright(net: NetworkSpec, plan: NetworkPlan, outDir: string, target: SynthTarget, estimate: Resources): Promise<EstimateCheck> {
  const dir = join(outDir, 'design');
  mkdirSync(dir, { recursive: true });
  writeDesignFolder(dir, net, plan, loadWeights(net, 'synthetic:0'), 'synthetic:0');
  const { total } = await synthesizeFolder(loadDesign(dir), join(outDir, 'yosys'), target);
  const error = Object.fromEntries(RESOURCE_KEYS.map((k) => [k, total[k] === 0 ? null : (estimate[k] - total[k]) / total[k]]));
  return { synthesized: total, error: error as EstimateCheck['error'] };
}
