// rowsim as a library: the public entry point (package.json `exports`). Everything here is public and follows semver;
// every other module is internal. Functions return data and write nothing unless asked; failures are SimrunError with a
// stable `code`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { BitsAccumulator, type BitsPairResult } from '../harness/compare.js';
import type { RunOptions } from '../harness/prepare.js';
import type { RunReport } from '../harness/report.js';

export { SimrunError, type ErrorCode } from '../core/errors.js';
export { loadSpec, type LayerSpec, type NetworkSpec } from '../core/spec.js';
export type { LayerPlan, NetworkPlan } from '../core/plan.js';
export type { HwLayerWeights } from '../core/weights/types.js';
export { makeLayout, type StreamLayout } from '../core/stream.js';
export { parsePacing, type Pacing } from '../core/pacing.js';
export type { BitsPairResult, FirstMismatch, PairResult } from '../harness/compare.js';
export type { RunReport } from '../harness/report.js';
export type { OwnFinding, OwnTimingResult, LatencyBudgets } from '../harness/ownTiming.js';
export { Scoreboard, type Beat, type ScoreboardOptions, type ScoreboardResult } from '../harness/scoreboard.js';
export { readBeatsJsonl } from '../harness/beatsFile.js';

/** The hardware plan of a network: the fewest ALUs, or the lowest latency an ALU budget buys. */
export async function plan(spec: NetworkSpec, opts: { readonly aluBudget?: number | 'min' } = {}): Promise<NetworkPlan> {
  const { makePlan } = await import('../harness/plan.js');
  return makePlan(spec, opts.aluBudget);
}

/** Weights fused and quantized for the hardware: `synthetic[:SEED]`, a .safetensors file, or a folder of weight{N}.memh. */
export async function loadWeights(spec: NetworkSpec, weights = 'synthetic:0', quant: QuantMode = 'rne'): Promise<HwLayerWeights[]> {
  const { loadWeights: load } = await import('../core/weights/load.js');
  return load(spec, weights, quant);
}

/** An image (PNG, JPEG, TIFF, WebP) or input.memh as the network's input: H·W·3 binary32, HWC, normalized. */
export async function stimulus(path: string, spec: NetworkSpec): Promise<Float32Array> {
  const { loadStimulus } = await import('../vectors/image.js');
  return (await loadStimulus(path, spec)).data;
}

/** Every layer's output (HWC binary32) by the golden, exact to the arithmetic contract (or `float`: tf.conv2d). */
export async function golden(spec: NetworkSpec, weights: readonly HwLayerWeights[], input: Float32Array, opts: { readonly mode?: 'exact' | 'float' } = {}): Promise<Float32Array[]> {
  const { runGolden } = await import('../golden/run.js');
  return [...(await runGolden(spec, weights, input, { mode: opts.mode ?? 'exact' })).activations];
}

/** Every layer's output (HWC binary32) by the model, frame by frame. */
export async function model(spec: NetworkSpec, weights: readonly HwLayerWeights[], frames: readonly Float32Array[]): Promise<Float32Array[][]> {
  const { runModel } = await import('../sim/model.js');
  return runModel(spec, weights, frames);
}

/** Layer by layer, word for word: `actual` against `expected` (both every layer's HWC binary32 values). */
export function compare(spec: NetworkSpec, expected: readonly Float32Array[], actual: readonly Float32Array[]): BitsPairResult[] {
  return spec.layers.map((l, i) => {
    const acc = new BitsAccumulator('expected', 'actual', l.outW, l.outC);
    acc.add(0, expected[i]!, actual[i]!, null, null, 0);
    return acc.result();
  });
}

/** Options of `run`: those of `simrun run` (docs/cli.md), and whether to write report.json and report.html. */
export type RunApiOptions = Omit<RunOptions, 'out'> & {
  /** A folder for the engines' work and, with `write`, the reports (default: a temporary folder, removed after). */
  readonly out?: string;
  /** Write report.json and report.html into `out` (default false: the report is returned only). */
  readonly write?: boolean;
};

/** A whole run — engines, comparison, own timing — as `simrun run` does it; returns the report. */
export async function run(opts: RunApiOptions): Promise<RunReport> {
  const { runPipeline } = await import('../harness/run.js');
  const out = opts.out ?? mkdtempSync(join(tmpdir(), 'rowsim-api-'));
  try {
    return (await runPipeline({ ...opts, out, writeReports: opts.write === true })).report;
  } finally {
    if (!opts.out) rmSync(out, { recursive: true, force: true });
  }
}
