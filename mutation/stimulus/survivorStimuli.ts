// The stimuli a survivor of the campaign frames runs on next: corner runs aimed at its own layer (corner weights on it
// and the one before, random or corner pixels), then a long jittered run of many frames on the campaign's weights. A
// kill on one counts only if the unmutated design passes that same stimulus (asked once per stimulus, when needed).
import { join } from 'node:path';
import type { Pacing } from '../../core/pacing.js';
import type { NetworkPlan } from '../../core/plan.js';
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import type { RunContext } from '../../harness/prepare.js';
import type { DesignFolder } from '../../rtl/design.js';
import { randomFrames, references, runMutant, stimulusOf, type References } from '../mutantRun.js';
import { firstText } from '../report/campaignReport.js';
import { cornerFrames, cornerRunKind, cornerRuns, cornerWeights } from './cornerWeights.js';

/**
 * One stimulus a survivor runs on: its context (frames, weights, schedule), references, whose ROM images, and whether
 * the unmutated design agrees with the references on it — asked only when a mutant differs there (a kill counts only
 * on a stimulus the clean design passes), and then once.
 */
export interface SurvivorStimulus {
  readonly ctx: RunContext;
  readonly refs: References;
  readonly romsFromWeights: boolean;
  readonly cleanAgrees: () => Promise<boolean>;
}

/** One stimulus of a layer's survivors: weights for every layer and the frames. */
export interface LayerStimulus {
  readonly weights: readonly HwLayerWeights[];
  readonly frames: readonly Float32Array[];
}

/**
 * The corner stimuli of survivors in `layer` (null: a module no layer owns, or a design whose ROM images rowsim does
 * not write): for a layer, one per corner run of cornerWeights with random frames (corner pixels for layer 1), `frames`
 * frames spread over them (at least one each); otherwise `frames` random frames on the campaign's weights.
 */
export function cornerStimuli(net: NetworkSpec, weights: readonly HwLayerWeights[], layer: number | null, frames: number, seed: number): LayerStimulus[] {
  const size = net.input.height * net.input.width * 3;
  const runs = layer === null ? 1 : cornerRuns(net, layer);
  const each = Math.max(1, Math.ceil(frames / runs));
  return Array.from({ length: runs }, (_, run) => ({
    weights: layer === null ? weights : cornerWeights(net, weights, layer, run, seed),
    frames: layer === 1 ? cornerFrames(each, size, seed + run, cornerRunKind(net, 1, run)) : randomFrames(each, size, seed + run),
  }));
}

/**
 * The stimuli of survivors in `layer`: first `directed` (the coverage runs aimed at the layer), then its corner
 * stimuli, then `replicated` (the layer's cases at every interior output: many runs, for a mutant of one ALU), then
 * the long jittered run (below).
 */
export async function buildSurvivorStimuli(ctx: RunContext, base: RunContext, layer: number | null, frames: number, seed: number, clean: DesignFolder, dir: string, log: (line: string) => void, directed: readonly LayerStimulus[] = [], replicated: readonly LayerStimulus[] = []): Promise<SurvivorStimulus[]> {
  const { net, plan } = ctx;
  const { expectedRun } = await import('../../sim/schedule.js');
  const size = net.input.height * net.input.width * 3;
  const out: SurvivorStimulus[] = [];
  const corners = cornerStimuli(net, base.weights, layer, frames, seed);
  const kindOf = (run: number) => (run < directed.length ? 'a coverage run' : run < directed.length + corners.length ? 'a corner run' : 'a replicated run');
  for (const [run, st] of [...directed, ...corners, ...replicated].entries()) {
    const sctx: RunContext = { ...base, weights: st.weights, stimulus: stimulusOf(st.frames), expected: expectedRun(net, plan, ctx.pacing, st.frames.length) };
    const refs = await references(sctx, join(dir, `run${run}`));
    const romsFromWeights = layer !== null;
    let verdict: Promise<boolean> | null = null;
    const cleanAgrees = () => (verdict ??= runMutant(sctx, refs, clean, 0, join(dir, `clean${run}`), romsFromWeights).then((check) => {
      if (check.status === 'survived') return true;
      log(`notice: the unmutated design disagrees with the golden and the model on survivor run ${run} of layer ${layer} (${kindOf(run)}) (${check.status} ${check.first ? firstText(check.first) : ''}); kills on that stimulus are not counted — run simrun on it to see why`);
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
