// One mutant's run: the golden and the model on a stimulus computed once (references), and one mutant of a design (0:
// none) on the same stimulus, checked live beat by beat and then in full: killed (first pair, layer, place), deadlock, or
// survived. Every detector of the campaign that simulates goes through here.
import { findings, firstOf, type Finding } from '../harness/rtlFindings.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineInfo, EngineName, StimulusSource } from '../core/engine.js';
import { goldenEngine } from '../golden/engine.js';
import { compareFrames } from '../harness/comparison.js';
import type { RunContext } from '../harness/prepare.js';
import { record, replay, type StartedRun } from '../harness/replay.js';
import { assembleReport, type RunReport } from '../harness/report.js';
import { startEngine } from '../harness/run.js';
import { resolveTaps, type DesignFolder } from '../rtl/design.js';
import { rtlEngine } from '../rtl/engine.js';
import { simEngine } from '../sim/engine.js';
import { beatWatcher } from './beatWatch.js';
import { prng } from './stimulus/prng.js';
import type { MutantFirst } from './report/campaignReport.js';

/** Width of the mutant selector port (mutant 0 is the unmutated design). */
export const MUTSEL_WIDTH = 16;

/** How one mutant run came out. */
export interface MutantRunResult {
  readonly status: 'killed' | 'deadlock' | 'survived';
  readonly first: MutantFirst | null;
}

/** The golden's and the model's recorded frames on one stimulus. */
export type References = Awaited<ReturnType<typeof references>>;

/** Random frames for survivors: uniform values over the range normalized images take, seeded. */
export function randomFrames(n: number, size: number, seed: number): Float32Array[] {
  const next = prng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => Math.fround((next() * 2 - 1) * 2.6)));
}

/** How a mutant run came out, from its report. */
function classify(r: RunReport): MutantRunResult {
  const all = findings(r);
  const dead = firstOf(all, 'failure', (f) => f.rtl && f.failure.code === 'SIM_DEADLOCK')?.failure;
  if (dead) return { status: 'deadlock', first: { pair: 'rtl', kind: 'deadlock', layer: dead.layer ?? 0, ...(dead.cycle !== undefined ? { cycle: dead.cycle } : {}) } };
  // The first layer where a pair with the rtl differs, in values or in cycles.
  const d = all.find((f): f is Extract<Finding, { kind: 'bits' | 'cycles' }> => (f.kind === 'bits' || f.kind === 'cycles') && f.rtl);
  if (!d) return { status: 'survived', first: null };
  const pair = `${d.pair.a}~${d.pair.b}`;
  if (d.kind === 'bits') {
    const f = d.pair.first!;
    return { status: 'killed', first: { pair, kind: 'bits', layer: d.layer, frame: f.frame, row: f.row, col: f.col, chan: f.chan, ...(f.beat ? { beat: f.beat.index, cycle: f.beat.cycle } : {}) } };
  }
  const f = d.pair.first!;
  return { status: 'killed', first: { pair, kind: 'cycles', layer: d.layer, frame: f.frame, beat: f.beat, cycle: f.actualCycle >= 0 ? f.actualCycle : f.expectedCycle, differs: f.differs } };
}

/** A stimulus as the engines take it: each frame its own image. */
export function stimulusOf(frames: readonly Float32Array[]): StimulusSource {
  return { frames: frames.length, frame: (f) => frames[f]!, imageOf: (f) => f };
}

/** Golden and model results on a stimulus, computed once. */
export async function references(ctx: RunContext, dir: string) {
  const g = await record(await startEngine(ctx, goldenEngine({ floatReference: false }), join(dir, 'golden')));
  const s = await record(await startEngine(ctx, simEngine(), join(dir, 'sim')));
  return { g, s };
}

/**
 * Runs one mutant (id 0: none) of `design` on `ctx`'s stimulus and classifies it against the references: beats are
 * checked live as the simulation writes them (the first difference stops it), and a run that ends without one is
 * compared in full (missing frames, deadlocks, anything the live check does not see).
 */
export async function runMutant(ctx: RunContext, refs: References, design: DesignFolder, id: number, work: string, romsFromWeights = false): Promise<MutantRunResult> {
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
