// `simrun mutate`: a mutation campaign in the manner of MCY. Mutants come from rowsim's semantic catalogue (built into one
// design behind a runtime selector) and from Yosys (single-signal mutations folded into one netlist behind the same kind
// of selector), so each source needs one Verilator build. Every mutant runs on the campaign stimulus (a directed frame
// and two photos) and is compared with the golden and the model computed once: killed (first pair, layer, place),
// deadlock (SIM_DEADLOCK naming the layer), or survived. Survivors run again on random frames, then Yosys tries to prove
// them equivalent: equivalent or undetected. Results are cached per mutant, so an interrupted campaign resumes.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineInfo, EngineName, StimulusSource } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import { makeDirs } from '../core/files.js';
import { forEachLimited } from '../core/jobs.js';
import type { Pacing } from '../core/pacing.js';
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import { VERSION } from '../core/version.js';
import { firstText, type CampaignReport, type MutantFirst, type MutantResult } from './report/campaignReport.js';
import { loadWeights } from '../core/weights/load.js';
import { goldenEngine } from '../golden/engine.js';
import { byLayer, CATALOGUE, catalogueFor, equivalencePair, type PlacedMutant } from './catalogue.js';
import { isUnmodifiedEmit, loadDesign, resolveTaps, type DesignFolder } from '../rtl/design.js';
import { romFiles, writeDesignFolder } from '../rtl/emit.js';
import { rtlEngine } from '../rtl/engine.js';
import { provesEquivalent, provesTextsEquivalent, type YosysMutation } from './formal/yosys.js';
import { foldByModule, foldMutations, listMutations, type ModuleFold } from './yosysMutants.js';
import { simEngine } from '../sim/engine.js';
import { beatWatcher } from './beatWatch.js';
import { compareFrames } from '../harness/comparison.js';
import { cornerFrames, cornerRunKind, cornerRuns, cornerWeights } from './stimulus/cornerWeights.js';
import { witnessStimulus } from './stimulus/witnessRun.js';
import { findWitness, noWitnessText, witnessText } from './formal/witness.js';
import { provesByInvariant } from './formal/invariantProof.js';
import { campaignWeights, directedFrame, layerOneCoverage, type Coverage } from './stimulus/directed.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from '../harness/outdir.js';
import { makePlan } from '../harness/plan.js';
import type { NetworkPlan } from '../core/plan.js';
import { prepare, type RunContext } from '../harness/prepare.js';
import { parseShard } from '../harness/regress.js';
import { record, replay, type StartedRun } from '../harness/replay.js';
import { assembleReport, type RunReport } from '../harness/report.js';
import { startEngine } from '../harness/run.js';
import { loadStimulus } from '../vectors/image.js';

/** Width of the mutant selector port (mutant 0 is the unmutated design). */
const MUTSEL_WIDTH = 16;

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
  readonly jobs?: number;
  readonly shard?: string;
  readonly junit?: string;
  readonly out?: string;
  readonly log?: (line: string) => void;
}

export type { CampaignReport, MutantFirst, MutantResult } from './report/campaignReport.js';
export { firstText } from './report/campaignReport.js';

const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** The fingerprint of a campaign: everything a cached result depends on. */
function fingerprint(d: DesignFolder, parts: unknown): string {
  const h = createHash('sha256').update(VERSION).update(JSON.stringify(parts));
  for (const f of [...d.manifest.sources, ...d.manifest.roms, d.manifest.spec, d.manifest.taps]) h.update(f).update(readFileSync(join(d.dir, f)));
  return h.digest('hex').slice(0, 24);
}

/** Random frames for survivors: uniform values over the range normalized images take, seeded. */
function randomFrames(n: number, size: number, seed: number): Float32Array[] {
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => Math.fround((next() * 2 - 1) * 2.6)));
}

/** How a mutant run came out, from its report. */
function classify(r: RunReport): { status: 'killed' | 'deadlock' | 'survived'; first: MutantFirst | null } {
  const dead = r.failures.find((f) => f.engine === 'rtl' && f.code === 'SIM_DEADLOCK');
  if (dead) return { status: 'deadlock', first: { pair: 'rtl', kind: 'deadlock', layer: dead.layer ?? 0, ...(dead.cycle !== undefined ? { cycle: dead.cycle } : {}) } };
  for (const l of r.layers) {
    const p = l.pairs.find((q) => q.status === 'differ' && (q.a === 'rtl' || q.b === 'rtl'));
    if (!p) continue;
    if (p.kind === 'bits') {
      const f = p.first!;
      return { status: 'killed', first: { pair: `${p.a}~${p.b}`, kind: 'bits', layer: l.index, frame: f.frame, row: f.row, col: f.col, chan: f.chan, ...(f.beat ? { beat: f.beat.index, cycle: f.beat.cycle } : {}) } };
    }
    const f = p.first!;
    return { status: 'killed', first: { pair: `${p.a}~${p.b}`, kind: 'cycles', layer: l.index, frame: f.frame, beat: f.beat, cycle: f.actualCycle >= 0 ? f.actualCycle : f.expectedCycle, differs: f.differs } };
  }
  return { status: 'survived', first: null };
}

/** A stimulus as the engines take it: each frame its own image. */
function stimulusOf(frames: readonly Float32Array[]): StimulusSource {
  return { frames: frames.length, frame: (f) => frames[f]!, imageOf: (f) => f };
}

/**
 * Bumped when survivors' stimulus or their proofs change, so cached verdicts of an older campaign do not count
 * (6: ROM words as the contract allows; proofs stop at a submodule instance in the mutated cone; 7: witness runs,
 * opened proofs; 8: x bits of a mux are equivalent, witnesses write their register; 9: a jittered long run, proofs up
 * to flush-to-zero and by reachability from reset).
 */
const SURVIVOR_VERDICT_VERSION = 9;

/** Golden and model results on a stimulus, computed once. */
async function references(ctx: RunContext, dir: string) {
  const g = await record(await startEngine(ctx, goldenEngine({ floatReference: false }), join(dir, 'golden')));
  const s = await record(await startEngine(ctx, simEngine(), join(dir, 'sim')));
  return { g, s };
}

/**
 * Runs one mutant (id 0: none) of `design` on `ctx`'s stimulus and classifies it against the references: beats are
 * checked live as the simulation writes them (the first difference stops it), and a run that ends without one is
 * compared in full (missing frames, deadlocks, anything the live check does not see).
 */
async function runMutant(ctx: RunContext, refs: Awaited<ReturnType<typeof references>>, design: DesignFolder, id: number, work: string, romsFromWeights = false) {
  // A Yosys netlist says X for don't-care values; random X (seeded by the mutant) lets a mutation that routes one into
  // the datapath show, where Verilator's constant X would hide it. The clean run proves the design itself ignores X.
  const xSeed = design.manifest.sources.includes('folded.v') ? 1 + id : undefined;
  const taps = await resolveTaps(design, ctx.net, ctx.plan);
  const watcher = beatWatcher(ctx.net, ctx.plan, refs.g.frames, refs.s.frames, taps.layers.map((t) => t.layer), taps.layers.filter((t) => t.last).map((t) => t.layer));
  const engine = rtlEngine({ design, weightsName: ctx.weightsName, watchdog: ctx.expected.quietBound, campaign: { mutant: { port: 'mutsel', width: MUTSEL_WIDTH, id }, watch: watcher.watch, romsFromWeights, ...(xSeed !== undefined ? { xSeed } : {}) } });
  const rtl: StartedRun = await startEngine({ ...ctx, log: () => {} }, engine, work);
  try {
    const runs = [replay(refs.g), replay(refs.s), rtl];
    const cmp = await compareFrames(ctx, runs, { stopAtFirstDifference: true });
    const seen = watcher.first();
    if (seen) {
      const { pair, kind, layer, frame, beat, cycle, row, col, chan, differs } = seen;
      return { status: 'killed' as const, first: { pair, kind, layer, frame, beat, cycle, ...(row !== undefined ? { row, col, ...(chan !== undefined ? { chan } : {}) } : {}), ...(differs ? { differs } : {}) } };
    }
    const info = new Map<EngineName, EngineInfo>(runs.map((r) => [r.name, r.run.info()]));
    return classify(assembleReport(ctx, info, cmp));
  } finally {
    await rtl.run.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * One stimulus a survivor runs on: its context (frames, weights, schedule), references, whose ROM images, and whether
 * the unmutated design agrees with the references on it — asked only when a mutant differs there (a kill counts only
 * on a stimulus the clean design passes), and then once.
 */
interface SurvivorStimulus {
  readonly ctx: RunContext;
  readonly refs: Awaited<ReturnType<typeof references>>;
  readonly romsFromWeights: boolean;
  readonly cleanAgrees: () => Promise<boolean>;
}

/**
 * The random stimuli of survivors in `layer` (null: a module no layer owns, or a design whose ROM images rowsim does not
 * write): for a layer, one per corner run of cornerWeights with random frames (corner pixels for layer 1), `frames`
 * frames spread over them (at least one each); otherwise `frames` random frames on the campaign's weights.
 */
async function buildSurvivorStimuli(ctx: RunContext, base: RunContext, layer: number | null, frames: number, seed: number, clean: DesignFolder, dir: string, log: (line: string) => void): Promise<SurvivorStimulus[]> {
  const { net, plan } = ctx;
  const { expectedRun } = await import('../sim/schedule.js');
  const size = net.input.height * net.input.width * 3;
  const runs = layer === null ? 1 : cornerRuns(net, layer);
  const each = Math.max(1, Math.ceil(frames / runs));
  const out: SurvivorStimulus[] = [];
  for (let run = 0; run < runs; run++) {
    const pixels = layer === 1 ? cornerFrames(each, size, seed + run, cornerRunKind(net, 1, run)) : randomFrames(each, size, seed + run);
    const weights = layer === null ? base.weights : cornerWeights(net, base.weights, layer, run, seed);
    const sctx: RunContext = { ...base, weights, stimulus: stimulusOf(pixels), expected: expectedRun(net, plan, ctx.pacing, each) };
    const refs = await references(sctx, join(dir, `run${run}`));
    const romsFromWeights = layer !== null;
    let verdict: Promise<boolean> | null = null;
    const cleanAgrees = () => (verdict ??= runMutant(sctx, refs, clean, 0, join(dir, `clean${run}`), romsFromWeights).then((check) => {
      if (check.status === 'survived') return true;
      log(`notice: the unmutated design disagrees with the golden and the model on corner run ${run} of layer ${layer} (${check.status} ${check.first ? firstText(check.first) : ''}); kills on that stimulus are not counted — run simrun on it to see why`);
      return false;
    }));
    out.push({ ctx: sctx, refs, romsFromWeights, cleanAgrees });
  }
  // Last, many frames back to back on the campaign's weights: a row-buffer ring whose frame offset (+ IN_H mod R) only
  // wraps after several frames keeps state-machine mutants hidden from one- and three-frame runs. Pixels arrive with
  // jitter (unless the campaign already set a pacing): under even pacing every layer's beats keep one phase against
  // the clock, and a counter that goes wrong only on the other phase (a bit that flips on every idle cycle) passes.
  const long = longRunFrames(net, plan);
  const pacing: Pacing = ctx.pacing.kind === 'uniform' ? { kind: 'jitter', seed: (seed + 1000) % 2 ** 32 } : ctx.pacing;
  const lctx: RunContext = { ...base, pacing, stimulus: stimulusOf(randomFrames(long, size, seed + 1000)), expected: expectedRun(net, plan, pacing, long) };
  const lrefs = await references(lctx, join(dir, 'long'));
  let lverdict: Promise<boolean> | null = null;
  out.push({
    ctx: lctx, refs: lrefs, romsFromWeights: false,
    cleanAgrees: () => (lverdict ??= runMutant(lctx, lrefs, clean, 0, join(dir, 'clean-long')).then((c) => c.status === 'survived')),
  });
  return out;
}

/** Frames until every layer's row-buffer ring has taken each of its frame offsets and come back: max R / gcd(IN_H, R) + 2. */
function longRunFrames(net: NetworkSpec, plan: NetworkPlan): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const period = Math.max(1, ...net.layers.map((l, i) => plan.layers[i]!.bufferRows / gcd(l.inH, plan.layers[i]!.bufferRows)));
  return Math.min(16, period + 2);
}

/** A mutant to run: where it lives and what it is. */
interface Planned {
  readonly key: string;
  readonly source: 'yosys' | 'catalogue';
  readonly id: number;
  readonly kind: string;
  readonly layer: number | null;
  readonly description: string;
  readonly src: readonly string[];
  readonly design: DesignFolder;
  readonly yosys?: YosysMutation;
  readonly placed?: PlacedMutant;
}

/** Runs a campaign; returns its report, folder and exit code (1 when a mutant went undetected). */
export async function mutate(o: MutateOptions): Promise<{ report: CampaignReport; outDir: string; exitCode: number }> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), availableParallelism()));
  if (o.jobs !== undefined && (!Number.isSafeInteger(o.jobs) || o.jobs < 1)) throw new SimrunError('USAGE', `--jobs ${o.jobs} is not a whole number of parallel mutants; pass 1 or more`);
  const count = o.count ?? 30, seed = o.seed ?? 1, catalogueMode = o.catalogue ?? 'first';
  if (!Number.isSafeInteger(count) || count < 0 || count > 10_000) throw new SimrunError('USAGE', `--count ${count} is not a whole number of Yosys mutants from 0 to 10000`);
  const shard = o.shard ? parseShard(o.shard) : null;
  const images = (o.images?.length ? o.images : [join(EXAMPLES, 'coffee.png'), join(EXAMPLES, 'chelsea.png')]).map((i) => resolve(i));
  if (images.length < 2) throw new SimrunError('USAGE', 'a campaign needs at least 2 photos (--image twice); the defaults are the two shipped examples');

  // 1. The design: the user's folder, or the plan's design emitted into the campaign folder.
  const outDir = prepareOutDir(o.out, 'mutate');
  try {
    // An interrupted campaign must not leave an older campaign's report behind that looks like this one's.
    for (const f of ['report.json', 'report.html', ...(o.junit ? [resolve(o.junit)] : [])]) rmSync(resolve(outDir, f), { force: true });
    let designDir: string;
    let emitted: boolean;
    if (o.rtl) {
      designDir = loadDesign(o.rtl).dir;
      emitted = isUnmodifiedEmit(loadDesign(o.rtl));
    } else {
      const net = loadSpec(o.config ?? 'tiny');
      const plan = makePlan(net, o.aluBudget);
      designDir = join(outDir, 'design');
      mkdirSync(designDir, { recursive: true });
      writeDesignFolder(designDir, net, plan, loadWeights(net, o.weights ?? 'synthetic:0'), o.weights ?? 'synthetic:0');
      emitted = true;
    }
    const design = loadDesign(designDir);
    const prepared = await prepare({ rtl: designDir, images, weights: o.weights, engines: ['golden', 'sim', 'rtl'], frames: images.length + 1, out: join(outDir, 'reference'), floatReference: false, log: () => {} });
    releaseOutDir(prepared.outDir); // the reference folder lies inside the campaign's own locked folder
    const { net, plan } = prepared;

    // 2. The campaign stimulus: a directed frame first (rounding, carries, the subnormal boundary in layer 1), then photos;
    //    and the campaign's weights: layer 1's channel-0 bias set to +0, so tiny results can reach an output at all (a
    //    normal bias swallows any difference below ~2^-100). The design's ROM images are data: the campaign writes its own.
    const ownRoms = design.manifest.roms.every((f) => /^rom\/[wb]\d+\.memh$/.test(f));
    const weights = ownRoms ? campaignWeights(prepared.weights, 0) : prepared.weights;
    const base: RunContext = { ...prepared, weights };
    const photos = await Promise.all(images.map((i) => loadStimulus(i, net)));
    const directed = directedFrame(net, weights, seed, ownRoms ? { zeroBiasChannel: 0 } : {});
    const ctx: RunContext = { ...base, stimulus: stimulusOf([directed, ...photos.map((p) => p.data)]) };
    const coverage = { directed: layerOneCoverage(net, weights, directed), photo: layerOneCoverage(net, weights, photos[0]!.data) };
    log(`campaign stimulus: a directed frame (layer 1: ${coverage.directed.productTies} product ties, ${coverage.directed.sumTies} sum ties, ${coverage.directed.productCarries + coverage.directed.sumCarries} carries, ${coverage.directed.subnormalBoundary} at the subnormal boundary) and ${photos.length} photos`);

    // 3. The mutants, and a fingerprint: a cached result counts only for the same campaign.
    const randomCount = o.randomFrames ?? 4;
    const fp = fingerprint(design, { ownRoms, images: photos.map((p) => createHash('sha256').update(new Uint8Array(p.data.buffer)).digest('hex')), count, seed, catalogueMode, wire: o.yosysWire, module: o.yosysModule, randomCount, weights: base.weightsName, survivorVerdicts: SURVIVOR_VERDICT_VERSION });
    const cacheDir = join(outDir, 'results');
    const meta = join(outDir, 'campaign.json');
    if (existsSync(meta) && (JSON.parse(readFileSync(meta, 'utf8')) as { fingerprint: string }).fingerprint !== fp) {
      // Another campaign's: its results and its catalogue design (built from its plan and weights) do not count here.
      for (const d of [cacheDir, join(outDir, 'catalogue')]) rmSync(d, { recursive: true, force: true });
    }
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(meta, JSON.stringify({ fingerprint: fp, design: designDir }, null, 2) + '\n');
    const builds: Record<string, number> = {};
    const planned: Planned[] = [];
    if (catalogueMode !== 'none') {
      if (!emitted) {
        log('notice: the catalogue mutants are rowsim\'s own design with bugs built in; this folder was edited or written by hand, so only Yosys mutants run');
      } else {
        const cat = catalogueFor(net, plan, catalogueMode);
        const dir = join(outDir, 'catalogue');
        if (!existsSync(join(dir, 'design.json'))) {
          mkdirSync(dir, { recursive: true });
          writeDesignFolder(dir, net, plan, weights, base.weightsName, { mutants: byLayer(cat), mutselWidth: MUTSEL_WIDTH });
        }
        const cd = loadDesign(dir);
        for (const m of cat) planned.push({ key: `catalogue-${m.id}`, source: 'catalogue', id: m.id, kind: m.kind, layer: m.layer, description: CATALOGUE[m.kind], src: [`rs_layer${m.layer}.v`], design: cd, placed: m });
      }
    }
    if (count > 0) {
      const ydir = join(outDir, 'yosys');
      const listFile = join(ydir, 'mutations.json');
      let list: YosysMutation[];
      if (existsSync(listFile) && (JSON.parse(readFileSync(listFile, 'utf8')) as { fingerprint: string }).fingerprint === fp) {
        list = (JSON.parse(readFileSync(listFile, 'utf8')) as { mutations: YosysMutation[] }).mutations;
      } else {
        const tl = performance.now();
        log(`yosys: listing ${count} mutations`);
        list = await listMutations(design, ydir, { count, seed, ...(o.yosysWire ? { wire: o.yosysWire } : {}), ...(o.yosysModule ? { module: o.yosysModule } : {}) });
        const taps = await resolveTaps(design, net, plan);
        log(`yosys: folding ${list.length} mutations, one netlist per mutated module`);
        const images = ownRoms ? romFiles(net, weights) : [];
        const folds = await foldByModule(design, taps.netlist, list, MUTSEL_WIDTH, ydir);
        const hybrids: Record<string, string> = {};
        for (const [module, fold] of folds) {
          const dir = join(ydir, `design-${module.replace(/[^A-Za-z0-9_]/g, '_')}`);
          if (writeHybridFolder(design, fold, dir, images)) hybrids[module] = dir;
        }
        // A module whose source file also defines modules kept as designed cannot be swapped alone: those mutants run on
        // the whole design folded into one netlist.
        if (list.some((m) => !hybrids[m.module])) {
          const folded = await foldMutations(design, taps.netlist, list.filter((m) => !hybrids[m.module]), MUTSEL_WIDTH, ydir);
          writeFoldedFolder(design, folded, join(ydir, 'design'), images);
        }
        writeFileSync(join(ydir, 'hybrids.json'), JSON.stringify(hybrids, null, 2) + '\n');
        builds.yosysListAndFoldSeconds = Number(((performance.now() - tl) / 1000).toFixed(1));
        writeFileSync(listFile, JSON.stringify({ fingerprint: fp, mutations: list }, null, 2) + '\n');
      }
      // Mutated module → its own hybrid design folder (none: every mutant on the whole folded netlist in yosys/design).
      const hybridsFile = join(ydir, 'hybrids.json');
      const hybrids = existsSync(hybridsFile) ? (JSON.parse(readFileSync(hybridsFile, 'utf8')) as Record<string, string>) : {};
      const designs = new Map<string, DesignFolder>();
      const designOf = (module: string) => {
        const dir = hybrids[module] ?? join(ydir, 'design');
        let d = designs.get(dir);
        if (!d) designs.set(dir, (d = loadDesign(dir)));
        return d;
      };
      const layerOf = (module: string) => Number(/^rs_layer(\d+)$/.exec(module)?.[1] ?? NaN);
      for (const m of list) {
        const layer = layerOf(m.module);
        planned.push({ key: `yosys-${m.id}`, source: 'yosys', id: m.id, kind: m.mode, layer: Number.isNaN(layer) ? null : layer, description: `mutate ${m.args.replace(/ -src \S+/g, '')}`, src: m.src, design: designOf(m.module), yosys: m });
      }
    }
    const mine = shard ? planned.filter((_, i) => i % shard.count === shard.index - 1) : planned;

    // 4. References: the golden and the model on the campaign stimulus, once; and each mutant source clean (mutant 0).
    log(`references: golden and model on ${ctx.stimulus.frames} frames`);
    const refs = await references(ctx, join(outDir, 'reference'));
    // Each design (the catalogue's, one hybrid per mutated module) is built and run clean; two at a time, as jobs allow.
    const designs = [...new Set(mine.map((p) => p.design))];
    const tb = performance.now();
    log(`building and checking ${designs.length} design(s) clean`);
    await forEachLimited(designs, jobs, async (d) => {
      const clean = await runMutant(ctx, refs, d, 0, join(outDir, 'work', `clean-${d.dir.split('/').slice(-2).join('-')}`));
      if (clean.status !== 'survived') {
        throw new SimrunError('DESIGN_INVALID', `the design in ${d.dir} already disagrees with the golden and the model without any mutant (${clean.status} at layer ${clean.first?.layer}); fix it before a campaign (simrun --rtl ${designDir})`);
      }
    });
    builds.buildAndCleanRunSeconds = Number(((performance.now() - tb) / 1000).toFixed(1));

    // 5. Every mutant not cached yet, on a pool of jobs; survivors on random frames, then an equivalence proof.
    //    A survivor's random frames aim at its own layer: with the campaign's own ROM images, corner weights on that layer
    //    and the one before it (mutation/stimulus/cornerWeights.ts) drive its arithmetic into overflow, underflow, cancellation and
    //    special values. A kill there counts only if the unmutated design passes that stimulus (checked once, when a
    //    mutant first differs on it; the campaign says so when it does not).
    const survivorStimuli = new Map<string, Promise<SurvivorStimulus[]>>();
    const stimuliFor = (layer: number | null, d: DesignFolder): Promise<SurvivorStimulus[]> => {
      const key = `${layer ?? 'top'}|${d.dir}`;
      let p = survivorStimuli.get(key);
      if (!p) {
        p = buildSurvivorStimuli(ctx, base, layer !== null && ownRoms ? layer : null, randomCount, seed, d, join(outDir, 'reference-random', `${layer ?? 'top'}-${survivorStimuli.size}`), log);
        survivorStimuli.set(key, p);
      }
      return p;
    };
    // A survivor's witness (mutation/formal/witness.ts): SAT operands at one ALU site of its layer, set up in weights and inputs
    // (mutation/stimulus/witnessRun.ts) and run like a corner run; a kill counts only if the clean design passes the same run.
    const witnessRun = async (p: Planned, layer: number, work: string): Promise<{ result: Awaited<ReturnType<typeof runMutant>> | null; detail: string }> => {
      const l = net.layers[layer - 1]!;
      const w = await findWitness(join(outDir, 'yosys', 'prepared.il'), p.yosys!, { relu: l.relu, firstLayer: layer === 1, inputsNonNegative: layer > 1 && net.layers[layer - 2]!.relu }, join(work, 'witness'));
      if ('none' in w) return { result: null, detail: noWitnessText(w) };
      const text = witnessText(w);
      const st = witnessStimulus(net, base.weights, layer, w);
      if (!st) return { result: null, detail: `${text}, which no stimulus of this layer can set up` };
      const { expectedRun } = await import('../sim/schedule.js');
      const wctx: RunContext = { ...base, weights: st.weights, stimulus: stimulusOf([st.frame]), expected: expectedRun(net, plan, ctx.pacing, 1) };
      const dir = join(work, 'witness-run');
      const wrefs = await references(wctx, join(dir, 'refs'));
      const r = await runMutant(wctx, wrefs, p.design, p.id, join(dir, 'mutant'), true);
      if (r.status === 'survived') return { result: null, detail: `${text}; a run built on it did not show it` };
      const clean = await runMutant(wctx, wrefs, p.design, 0, join(dir, 'clean'), true);
      if (clean.status !== 'survived') return { result: null, detail: `${text}; the unmutated design fails the run built on it too (${clean.status}), so the kill is not counted` };
      return { result: r, detail: text };
    };
    const results = new Map<string, MutantResult>();
    for (const p of mine) {
      const f = join(cacheDir, `${p.key}.json`);
      if (existsSync(f)) results.set(p.key, JSON.parse(readFileSync(f, 'utf8')) as MutantResult);
    }
    const todo = mine.filter((p) => !results.has(p.key));
    if (mine.length - todo.length) log(`resuming: ${mine.length - todo.length} of ${mine.length} mutants already have results`);
    let done = 0;
    const runOne = async (p: Planned): Promise<void> => {
      const ts = performance.now();
      let c = await runMutant(ctx, refs, p.design, p.id, join(outDir, 'work', p.key));
      let foundBy: MutantResult['foundBy'] = c.status === 'survived' ? null : 'campaign';
      let status: MutantResult['status'];
      let proofDetail: string | null = null;
      if (c.status === 'survived' && randomCount > 0) {
        for (const [k, st] of (await stimuliFor(p.layer, p.design)).entries()) {
          const r = await runMutant(st.ctx, st.refs, p.design, p.id, join(outDir, 'work', `${p.key}-random${k}`), st.romsFromWeights);
          if (r.status !== 'survived' && await st.cleanAgrees()) { c = r; foundBy = 'random'; break; }
        }
      }
      if (c.status === 'survived') {
        const work = join(outDir, 'work', `${p.key}-equiv`);
        const proof = p.yosys
          ? await provesEquivalent(join(outDir, 'yosys', 'prepared.il'), p.yosys, work, { romContract: ownRoms })
          : await (async () => {
            const pair = equivalencePair(net, plan, p.placed!, MUTSEL_WIDTH);
            const roms = (p.design.manifest.romSources ?? []).filter((x) => x === `rs_wrom${p.placed!.layer}.v` || x === `rs_brom${p.placed!.layer}.v`).map((x) => join(p.design.dir, x));
            return provesTextsEquivalent(pair.module, pair.gold, pair.gate, roms, work, p.key);
          })();
        status = proof.equivalent ? 'equivalent' : 'undetected';
        proofDetail = proof.detail;
        // Not proven: ask SAT for operands that show the mutant at an ALU site, and run a stimulus built on them.
        if (!proof.equivalent && p.yosys && ownRoms && p.layer !== null) {
          // A stimulus built from SAT values is new to the engines: should one of them refuse it, the mutant keeps its
          // verdict and the campaign goes on.
          const seen = await witnessRun(p, p.layer, work).catch((e: unknown) => {
            if (e instanceof SimrunError && !['VERILATOR_MISSING', 'YOSYS_MISSING', 'OUT_NOT_WRITABLE'].includes(e.code)) return { result: null, detail: `witness run failed: ${e.message}` };
            throw e;
          });
          if (seen.result && seen.result.status !== 'survived') { c = seen.result; foundBy = 'witness'; status = seen.result.status; }
          proofDetail = `${proof.detail}; ${seen.detail}`;
        }
        // Still not proven nor killed: proofs that carry a relation other than equality between the two designs' states.
        if (status === 'undetected' && p.yosys) {
          // A proof that breaks (a netlist it cannot read) leaves the mutant undetected and the campaign going.
          const deep = await provesByInvariant(join(outDir, 'yosys', 'prepared.il'), p.yosys, { top: p.design.manifest.top, reset: p.design.taps.reset }, work, true).catch((e: unknown) => {
            if (e instanceof SimrunError && !['YOSYS_MISSING', 'OUT_NOT_WRITABLE'].includes(e.code)) return { equivalent: false, detail: `proofs with a relation failed: ${e.message}` };
            throw e;
          });
          if (deep.equivalent) status = 'equivalent';
          proofDetail = `${proofDetail ?? proof.detail}; ${deep.detail}`;
        }
        rmSync(work, { recursive: true, force: true });
      } else {
        status = c.status;
      }
      const result: MutantResult = {
        id: p.key, source: p.source, kind: p.kind, layer: p.layer, description: p.description, src: p.src,
        status, foundBy: status === 'killed' || status === 'deadlock' ? foundBy : null, first: c.first, proof: proofDetail, seconds: Number(((performance.now() - ts) / 1000).toFixed(2)),
      };
      writeAtomic(join(cacheDir, `${p.key}.json`), JSON.stringify(result, null, 2) + '\n');
      results.set(p.key, result);
      done++;
      log(`${String(done).padStart(4)}/${todo.length} ${p.key.padEnd(14)} ${status}${result.first ? ` ${firstText(result.first)}` : ''}${result.foundBy === 'random' ? ' on random frames' : result.foundBy === 'witness' ? ' on its witness run' : ''}${result.proof ? ` — ${result.proof}` : ''}`);
    };
    await forEachLimited(todo, jobs, runOne);
    rmSync(join(outDir, 'work'), { recursive: true, force: true });

    // 6. The report.
    const mutants = mine.map((p) => results.get(p.key)!);
    const counts = { killed: 0, deadlock: 0, equivalent: 0, undetected: 0 };
    for (const m of mutants) counts[m.status]++;
    const nonEquivalent = mutants.length - counts.equivalent;
    const seconds = (performance.now() - t0) / 1000;
    const report: CampaignReport = {
      schemaVersion: 1, rowsim: VERSION, config: net.name, design: designDir,
      score: nonEquivalent ? Number(((counts.killed + counts.deadlock) / nonEquivalent).toFixed(4)) : null,
      counts, mutants,
      stimulus: {
        frames: ['directed', ...images], directed: coverage.directed, photo: coverage.photo, randomFrames: randomCount,
        weights: ownRoms ? `${base.weightsName} with layer 1's channel-0 bias set to +0` : base.weightsName,
      },
      timing: { seconds: Number(seconds.toFixed(1)), mutantsPerMinute: todo.length ? Number(((60 * todo.length) / seconds).toFixed(1)) : 0, builds },
      shard: o.shard ?? null,
    };
    const { campaignHtml, campaignJunit } = await import('./report/campaignPages.js');
    writeAtomic(join(outDir, 'report.html'), campaignHtml(report));
    if (o.junit) {
      makeDirs(dirname(resolve(o.junit)));
      writeAtomic(resolve(o.junit), campaignJunit(report));
    }
    writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    return { report, outDir, exitCode: counts.undetected ? 1 : 0 };
  } finally {
    releaseOutDir(outDir);
  }
}

/**
 * A design folder around a folded netlist: the original's ROM modules, spec and taps, folded.v, and ROM images — the
 * campaign's own when given, else the original's; `keptSources` are original files for modules the netlist leaves out.
 */
function writeFoldedFolder(orig: DesignFolder, folded: string, dir: string, images: readonly { name: string; text: string }[], keptSources: readonly string[] = []): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const roms = orig.manifest.romSources ?? [];
  for (const f of [...keptSources, ...roms, ...(images.length ? [] : orig.manifest.roms), orig.manifest.spec, orig.manifest.taps]) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(orig.dir, f), join(dir, f));
  }
  for (const f of images) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.text);
  }
  cpSync(folded, join(dir, 'folded.v'));
  const { emitted: _e, ...manifest } = orig.manifest;
  writeFileSync(join(dir, 'design.json'), JSON.stringify({ ...manifest, sources: ['folded.v', ...keptSources, ...roms], romSources: roms }, null, 2) + '\n');
}

/** The modules each RTL source file of a design defines (ROM sources excluded). */
function modulesByFile(d: DesignFolder): Map<string, string[]> {
  const roms = new Set(d.manifest.romSources ?? []);
  const out = new Map<string, string[]>();
  for (const f of d.manifest.sources) {
    if (roms.has(f)) continue;
    const text = readFileSync(join(d.dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    out.set(f, [...text.matchAll(/^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/gm)].map((m) => m[1]!));
  }
  return out;
}

/**
 * A design folder for one mutated module: its netlist (and the modules carrying mutsel to it) from `fold`, every other
 * module from the design's own files, plus ROM modules, spec, taps and ROM images as in writeFoldedFolder. False when a
 * source file defines both a module of the netlist and one kept as designed (the file cannot be left out or kept whole).
 */
function writeHybridFolder(orig: DesignFolder, fold: ModuleFold, dir: string, images: readonly { name: string; text: string }[]): boolean {
  const fromNetlist = new Set(fold.modules);
  const kept: string[] = [];
  for (const [file, modules] of modulesByFile(orig)) {
    const swapped = modules.filter((m) => fromNetlist.has(m));
    if (swapped.length && swapped.length !== modules.length) return false;
    if (!swapped.length) kept.push(file);
  }
  writeFoldedFolder(orig, fold.file, dir, images, kept);
  return true;
}
