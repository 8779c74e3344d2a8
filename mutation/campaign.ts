// `simrun mutate`: a mutation campaign in the manner of MCY, as a list of stages. Mutants come from rowsim's semantic
// catalogue and from Yosys, each source behind a runtime selector so one Verilator build serves all its mutants. Every
// mutant meets the detectors in order (mutation/detectors.ts): killed, deadlock, equivalent (proven) or undetected.
// Results are cached per mutant under the campaign's fingerprint, so an interrupted campaign resumes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimrunError } from '../core/errors.js';
import { forEachLimited } from '../core/jobs.js';
import { resolveShard, shardItems } from '../core/shard.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from '../harness/outdir.js';
import { makePlan } from '../harness/plan.js';
import { prepare, type RunContext } from '../harness/prepare.js';
import { isUnmodifiedEmit, loadDesign, type DesignFolder } from '../rtl/design.js';
import { romFiles, writeDesignFolder } from '../rtl/emit.js';
import { loadStimulus } from '../vectors/image.js';
import { DETECTOR_ORDERS, judgeMutant, SURVIVOR_VERDICT_VERSION, survivorStimuliCache, type Campaign, type DetectorOrder, type Planned } from './detectors.js';
import { references, runMutant, stimulusOf } from './mutantRun.js';
import { catalogueMutants, fingerprint, yosysMutants } from './plannedMutants.js';
import { firstText, type CampaignReport, type MutantResult } from './report/campaignReport.js';
import { campaignReport, writeCampaign } from './report/writeCampaign.js';
import { campaignWeights, directedFrame } from './stimulus/directed.js';
import { summarizeCoverage } from '../harness/coverage.js';
import { planCampaignStimulus } from './stimulus/campaignCoverage.js';

/** Options of a campaign. */
export interface MutateOptions {
  readonly config?: string;
  /** A design folder to mutate (default: the plan's emitted design). */
  readonly rtl?: string;
  readonly weights?: string;
  /** Photos of the campaign stimulus (default: the two shipped examples). */
  readonly images?: readonly string[];
  /** Yosys mutations to list (0: none). */
  readonly count?: number;
  readonly seed?: number;
  /** Catalogue mutants: each kind at its first applicable layer, at every applicable layer, or none. */
  readonly catalogue?: 'first' | 'all' | 'none';
  /** Only Yosys mutations on this wire or in this module. */
  readonly yosysWire?: string;
  readonly yosysModule?: string;
  /** Random frames a survivor runs on before the equivalence check. */
  readonly randomFrames?: number;
  readonly aluBudget?: number | 'min';
  /** The factor on every proof's CPU time and search size (default 1); a larger one judges unresolved mutants again. */
  readonly proofBudget?: number;
  readonly jobs?: number;
  /** i/n, or auto: from the scheduler's array variables (SLURM, Kubernetes, GitLab, Buildkite). */
  readonly shard?: string;
  /** The shard count where the scheduler does not export it (a Kubernetes Indexed Job's completions). */
  readonly shards?: number;
  readonly junit?: string;
  /** The order of the survivor detectors (default 'witness-first'); 'proof-first', the order before it, is for the bench. */
  readonly detectorOrder?: DetectorOrder;
  readonly out?: string;
  readonly log?: (line: string) => void;
}

export type { CampaignReport, MutantFirst, MutantResult } from './report/campaignReport.js';
export { firstText } from './report/campaignReport.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** The options checked once: counts, jobs, shard and photos. */
function checkedOptions(o: MutateOptions) {
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), availableParallelism()));
  if (o.jobs !== undefined && (!Number.isSafeInteger(o.jobs) || o.jobs < 1)) throw new SimrunError('USAGE', `--jobs ${o.jobs} is not a whole number of parallel mutants; pass 1 or more`);
  const count = o.count ?? 30, seed = o.seed ?? 1, catalogue = o.catalogue ?? 'first';
  if (!Number.isSafeInteger(count) || count < 0 || count > 10_000) throw new SimrunError('USAGE', `--count ${count} is not a whole number of Yosys mutants from 0 to 10000`);
  const proofBudget = o.proofBudget ?? 1;
  if (!Number.isFinite(proofBudget) || proofBudget < 0.01 || proofBudget > 1000) throw new SimrunError('USAGE', `--proof-budget ${o.proofBudget} is not a factor on the proofs' limits from 0.01 to 1000; pass e.g. 4 for four times the CPU time`);
  const shard = resolveShard(o.shard, o.shards);
  const images = (o.images?.length ? o.images : [join(EXAMPLES, 'coffee.png'), join(EXAMPLES, 'chelsea.png')]).map((i) => resolve(i));
  if (images.length < 2) throw new SimrunError('USAGE', 'a campaign needs at least 2 photos (--image twice); the defaults are the two shipped examples');
  return { jobs, count, seed, catalogue, shard, images, proofBudget, randomCount: o.randomFrames ?? 4, log: o.log ?? (() => {}) };
}

/** Runs a campaign; returns its report, folder and exit code (1 when a mutant went undetected). */
export async function mutate(o: MutateOptions): Promise<{ report: CampaignReport; outDir: string; exitCode: number }> {
  const t0 = performance.now();
  const opt = checkedOptions(o);
  const { log } = opt;
  const outDir = prepareOutDir(o.out, 'mutate');
  try {
    // An interrupted campaign must not leave an older campaign's report behind that looks like this one's.
    for (const f of ['report.json', 'report.html', ...(o.junit ? [resolve(o.junit)] : [])]) rmSync(resolve(outDir, f), { force: true });
    // 1. The design: the user's folder, or the plan's design emitted into the campaign folder.
    const { designDir, emitted } = designUnderTest(o, outDir);
    const design = loadDesign(designDir);
    const prepared = await prepare({ rtl: designDir, images: opt.images, weights: o.weights, engines: ['golden', 'sim', 'rtl'], frames: opt.images.length + 1, out: join(outDir, 'reference'), floatReference: false, log: () => {} });
    releaseOutDir(prepared.outDir); // the reference folder lies inside the campaign's own locked folder
    const { net, plan } = prepared;

    // 2. The campaign stimulus: a directed frame first (rounding, carries, the subnormal boundary in layer 1), then photos;
    //    and the campaign's weights: layer 1's channel-0 bias set to +0, so tiny results can reach an output at all (a
    //    normal bias swallows any difference below ~2^-100). The design's ROM images are data: the campaign writes its own.
    const ownRoms = design.manifest.roms.every((f) => /^rom\/[wb]\d+\.memh$/.test(f));
    const weights = ownRoms ? campaignWeights(prepared.weights, 0) : prepared.weights;
    const base: RunContext = { ...prepared, weights };
    const photos = await Promise.all(opt.images.map((i) => loadStimulus(i, net)));
    const directed = directedFrame(net, weights, opt.seed, ownRoms ? { zeroBiasChannel: 0 } : {});
    const ctx: RunContext = { ...base, stimulus: stimulusOf([directed, ...photos.map((p) => p.data)]) };
    //    Then coverage: the campaign frames, each layer's corner runs and directed runs for the cases those leave.
    const stim = planCampaignStimulus(net, weights, [directed, ...photos.map((p) => p.data)], ownRoms, opt.randomCount, opt.seed);
    const reached = stim.coverage && summarizeCoverage(stim.coverage);
    const count = (m: ReadonlyMap<number, readonly unknown[]>) => [...m.values()].reduce((a, r) => a + r.length, 0);
    log(`campaign stimulus: a directed frame and ${photos.length} photos${reached ? `; with each layer's corner runs, ${count(stim.directed)} coverage runs and ${count(stim.replicated)} replicated runs it reaches ${reached.covered} of ${reached.reachable} reachable contract cases` : ''}${stim.everyOutput ? `, ${stim.everyOutput.covered} of them at every interior output of their layer` : ''}${stim.note ? ` (${stim.note})` : ''}`);

    // 3. The mutants, under a fingerprint: a cached result counts only for the same campaign.
    const fp = fingerprint(design, { ownRoms, images: photos.map((p) => createHash('sha256').update(new Uint8Array(p.data.buffer)).digest('hex')), count: opt.count, seed: opt.seed, catalogueMode: opt.catalogue, wire: o.yosysWire, module: o.yosysModule, randomCount: opt.randomCount, weights: base.weightsName, survivorVerdicts: SURVIVOR_VERDICT_VERSION, ...(o.detectorOrder && o.detectorOrder !== 'witness-first' ? { detectorOrder: o.detectorOrder } : {}) });
    const cacheDir = join(outDir, 'results');
    keepOnlyThisCampaign(outDir, cacheDir, fp, designDir);
    const builds: Record<string, number> = {};
    const planned: Planned[] = [];
    if (opt.catalogue !== 'none' && !emitted) log('notice: the catalogue mutants are rowsim\'s own design with bugs built in; this folder was edited or written by hand, so only Yosys mutants run');
    if (opt.catalogue !== 'none' && emitted) planned.push(...catalogueMutants(net, plan, opt.catalogue, weights, base.weightsName, outDir));
    if (opt.count > 0) {
      const images = () => (ownRoms ? romFiles(net, weights) : []);
      planned.push(...await yosysMutants(design, net, plan, outDir, { count: opt.count, seed: opt.seed, wire: o.yosysWire, module: o.yosysModule, fingerprint: fp, images, jobs: opt.jobs, log }, builds));
    }
    const mine = shardItems(planned, opt.shard);
    // A campaign (or a shard) with no mutant would pass having checked nothing: say why there are none.
    if (planned.length === 0) {
      const filter = [o.yosysWire !== undefined ? `--yosys-wire '${o.yosysWire}'` : '', o.yosysModule !== undefined ? `--yosys-module '${o.yosysModule}'` : ''].filter(Boolean).join(' and ');
      throw new SimrunError('USAGE', `the campaign has no mutants: ${opt.count > 0 && filter ? `Yosys found none to make under ${filter} (a wire or module as Yosys names it in ${join(outDir, 'yosys', 'prepared.il')})` : 'no Yosys mutations were asked for and no catalogue mutant applies'}; widen the selection or raise --count`);
    }
    if (mine.length === 0) throw new SimrunError('USAGE', `--shard ${opt.shard!.index}/${opt.shard!.count} of a campaign of ${planned.length} mutants gets none; use at most ${planned.length} shards`);

    // 4. References: the golden and the model on the campaign stimulus, once; and each design clean (mutant 0).
    log(`references: golden and model on ${ctx.stimulus.frames} frames`);
    const refs = await references(ctx, join(outDir, 'reference'));
    const tb = performance.now();
    await checkDesignsClean(mine, ctx, refs, outDir, designDir, opt.jobs, log);
    builds.buildAndCleanRunSeconds = Number(((performance.now() - tb) / 1000).toFixed(1));

    // 5. Every mutant without a cached result meets the detectors, on a pool of jobs.
    const campaign: Campaign = { ctx, base, refs, net, plan, outDir, ownRoms, randomCount: opt.randomCount, seed: opt.seed, proofBudget: opt.proofBudget, log, stimuliFor: survivorStimuliCache(ctx, base, ownRoms, opt.randomCount, opt.seed, outDir, log, stim.directed, stim.replicated) };
    const { results, ran } = await judgeAll(mine, campaign, cacheDir, opt.jobs, DETECTOR_ORDERS[o.detectorOrder ?? 'witness-first']);

    // 6. The report.
    const report = campaignReport(mine.map((p) => results.get(p.key)!), {
      config: net.name, design: designDir, images: opt.images, coverage: stim, randomFrames: opt.randomCount,
      weights: ownRoms ? `${base.weightsName} with layer 1's channel-0 bias set to +0` : base.weightsName,
      ran, seconds: (performance.now() - t0) / 1000, builds, fingerprint: mergeKey(fp, planned), items: planned.map((p) => p.key),
      shard: opt.shard ? `${opt.shard.index}/${opt.shard.count}` : null, ...(opt.shard ? { scheduler: opt.shard.scheduler } : {}),
    });
    await writeCampaign(outDir, report, o.junit);
    return { report, outDir, exitCode: report.counts.undetected ? 1 : 0 };
  } finally {
    releaseOutDir(outDir);
  }
}

/**
 * What shards must share to merge: the campaign's fingerprint and the mutants it planned (two hosts with different
 * Yosys builds can list different mutations under the same keys).
 */
function mergeKey(fp: string, planned: readonly Planned[]): string {
  return createHash('sha256').update(fp).update(JSON.stringify(planned.map((p) => [p.key, p.kind, p.yosys?.module ?? null, p.yosys?.args ?? null]))).digest('hex').slice(0, 24);
}

/** Stage 1: the design folder a campaign mutates, and whether it is rowsim's own unmodified emit. */
function designUnderTest(o: MutateOptions, outDir: string): { designDir: string; emitted: boolean } {
  if (o.rtl) return { designDir: loadDesign(o.rtl).dir, emitted: isUnmodifiedEmit(loadDesign(o.rtl)) };
  const net = loadSpec(o.config ?? 'tiny');
  const plan = makePlan(net, o.aluBudget);
  const designDir = join(outDir, 'design');
  mkdirSync(designDir, { recursive: true });
  writeDesignFolder(designDir, net, plan, loadWeights(net, o.weights ?? 'synthetic:0'), o.weights ?? 'synthetic:0');
  return { designDir, emitted: true };
}

/** Stage 3: another campaign's results and catalogue design (built from its plan and weights) do not count here. */
function keepOnlyThisCampaign(outDir: string, cacheDir: string, fp: string, designDir: string): void {
  const meta = join(outDir, 'campaign.json');
  if (existsSync(meta) && (JSON.parse(readFileSync(meta, 'utf8')) as { fingerprint: string }).fingerprint !== fp) {
    for (const d of [cacheDir, join(outDir, 'catalogue')]) rmSync(d, { recursive: true, force: true });
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(meta, JSON.stringify({ fingerprint: fp, design: designDir }, null, 2) + '\n');
}

/** Stage 4: each design the mutants run in (the catalogue's, one hybrid per mutated module) built and run clean. */
async function checkDesignsClean(mine: readonly Planned[], ctx: RunContext, refs: Awaited<ReturnType<typeof references>>, outDir: string, designDir: string, jobs: number, log: (line: string) => void): Promise<void> {
  // A mutation Yosys could not fold runs nowhere: its design (the clean one, with no mutsel) is not a mutant's.
  const designs: DesignFolder[] = [...new Set(mine.filter((p) => !p.yosys?.refused).map((p) => p.design))];
  log(`building and checking ${designs.length} design(s) clean`);
  await forEachLimited(designs, jobs, async (d) => {
    const clean = await runMutant(ctx, refs, d, 0, join(outDir, 'work', `clean-${d.dir.split('/').slice(-2).join('-')}`));
    if (clean.status !== 'survived') {
      throw new SimrunError('DESIGN_INVALID', `the design in ${d.dir} already disagrees with the golden and the model without any mutant (${clean.status} at layer ${clean.first?.layer}); fix it before a campaign (simrun --rtl ${designDir})`);
    }
  });
}

/** Stage 5: results of every mutant — cached ones read, the rest judged `jobs` at a time and cached as they finish. */
async function judgeAll(mine: readonly Planned[], c: Campaign, cacheDir: string, jobs: number, detectors: (typeof DETECTOR_ORDERS)[DetectorOrder]): Promise<{ results: Map<string, MutantResult>; ran: number }> {
  const results = new Map<string, MutantResult>();
  for (const p of mine) {
    const f = join(cacheDir, `${p.key}.json`);
    if (!existsSync(f)) continue;
    const cached = JSON.parse(readFileSync(f, 'utf8')) as MutantResult;
    // An unresolved mutant is judged again when the proofs get more budget than it had.
    if (cached.status === 'unresolved' && (cached.proofBudget ?? 1) < c.proofBudget) continue;
    results.set(p.key, cached);
  }
  const todo = mine.filter((p) => !results.has(p.key));
  if (mine.length - todo.length) c.log(`resuming: ${mine.length - todo.length} of ${mine.length} mutants already have results`);
  let done = 0;
  await forEachLimited(todo, jobs, async (p) => {
    const result = await judgeMutant(p, c, detectors);
    writeAtomic(join(cacheDir, `${p.key}.json`), JSON.stringify(result, null, 2) + '\n');
    results.set(p.key, result);
    done++;
    c.log(`${String(done).padStart(4)}/${todo.length} ${p.key.padEnd(14)} ${result.status}${result.limit ? ` (a proof stopped at ${result.limit})` : ''}${result.first ? ` ${firstText(result.first)}` : ''}${result.foundBy === 'random' ? ' on random frames' : result.foundBy === 'witness' ? ' on its witness run' : ''}${result.proof ? ` — ${result.proof}` : ''}`);
  });
  rmSync(join(c.outDir, 'work'), { recursive: true, force: true });
  return { results, ran: todo.length };
}
