// `simrun check --beats`: a design simulated anywhere, verified from the beats its testbench wrote (JSON Lines): the
// golden computes every frame's expected values, the scoreboard checks each tapped layer by coordinate and the
// own-timing rules, and report.json records where the beats came from (`engine: "beats"`).
import { join, resolve } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { parsePacing } from '../core/pacing.js';
import { loadSpec, type NetworkSpec } from '../core/spec.js';
import { makeLayout, planLayout, type StreamLayout } from '../core/stream.js';
import { loadWeights } from '../core/weights/load.js';
import { runGolden } from '../golden/run.js';
import { VERSION } from '../core/version.js';
import { loadStimulus } from '../vectors/image.js';
import { readBeatsJsonl } from './beatsFile.js';
import { parseBudgets } from './budgets.js';
import type { BitsPairResult } from './compare.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';
import { ownTimingClaim, type OwnTimingResult } from './ownTiming.js';
import { makePlan } from './plan.js';
import { Scoreboard } from './scoreboard.js';

/** Options of `simrun check --beats`. */
export interface CheckOptions {
  readonly beats: string;
  readonly images: readonly string[];
  readonly config?: string;
  readonly weights?: string;
  /** A tap map (taps.json) saying which layers the beats carry and how each packs channels; default: every layer as planned. */
  readonly taps?: string;
  readonly frames?: number;
  readonly pacing?: string;
  readonly latencyBudget?: readonly string[];
  readonly out?: string;
}

/** report.json of a check. */
export interface CheckReport {
  readonly schemaVersion: 1;
  readonly rowsim: string;
  readonly config: string;
  /** Where the beats came from. */
  readonly engine: 'beats';
  readonly source: string;
  readonly pass: boolean;
  readonly summary: string;
  readonly frames: number;
  readonly layers: readonly { readonly layer: number; readonly name: string; readonly values: BitsPairResult }[];
  readonly ownTiming: OwnTimingResult;
}

/** Stream layouts per observed layer: from a tap map's entries (lanes, groups, channels), else the plan's. */
async function layoutsOf(net: NetworkSpec, tapsFile: string | undefined): Promise<Map<number, StreamLayout>> {
  const plan = makePlan(net, 'min');
  if (!tapsFile) return new Map(net.layers.map((l) => [l.index, planLayout(plan.layers[l.index - 1]!)]));
  const { loadTapMap, streamLayout } = await import('../rtl/design.js');
  const taps = loadTapMap(tapsFile);
  const out = new Map<number, StreamLayout>();
  const L = net.layers.length;
  for (const [k, s] of [...Object.entries(taps.layers), [String(L), taps.output] as const]) {
    const n = Number(k);
    const l = net.layers[n - 1];
    if (!l) throw new SimrunError('USAGE', `${tapsFile}: layer ${k} does not exist; ${net.name} has layers 1..${L}`);
    out.set(n, s.lanes || s.groups || s.channels ? streamLayout(l, s, undefined, null, `layers.${k}`, `fix ${tapsFile}`) : planLayout(plan.layers[n - 1]!));
  }
  return out;
}

/** Runs the check; returns its report and folder (report.json written there). */
export async function checkBeats(o: CheckOptions): Promise<{ report: CheckReport; outDir: string }> {
  const net = loadSpec(o.config ?? 'ie120r');
  if (o.images.length === 0) throw new SimrunError('USAGE', 'no --image given; pass the --image the beats were made from');
  const weights = loadWeights(net, o.weights ?? 'synthetic:0');
  const streams = await layoutsOf(net, o.taps);
  const images = await Promise.all(o.images.map((i) => loadStimulus(i, net)));
  const expected = new Map<number, Promise<readonly Float32Array[]>>();
  const goldenOf = (f: number) => {
    const k = f % images.length;
    if (!expected.has(k)) expected.set(k, runGolden(net, weights, images[k]!.data, { mode: 'exact' }).then((g) => g.activations));
    return expected.get(k)!;
  };
  const sb = new Scoreboard({
    spec: net, streams, expected: goldenOf, pacing: parsePacing(o.pacing ?? 'uniform', net),
    budgets: parseBudgets(net, undefined, o.latencyBudget ?? [], ''), last: true,
  });
  let maxFrame = -1;
  for await (const b of readBeatsJsonl(o.beats)) {
    if (o.frames !== undefined && b.frame >= o.frames) throw new SimrunError('USAGE', `${o.beats}: a beat of frame ${b.frame}, but --frames ${o.frames} says frames 0..${o.frames - 1}`);
    maxFrame = Math.max(maxFrame, b.frame);
    sb.push(b);
  }
  if (o.frames !== undefined && maxFrame < o.frames - 1) await sb.endFrame(o.frames - 1);
  const r = await sb.result();
  const bad = r.layers.filter((l) => l.values.mismatches > 0);
  const summary = r.pass
    ? `PASS: the beats agree with the golden in every observed layer (${r.layers.map((l) => l.layer).join(', ')}) over ${r.frames} frame(s), and keep their own timing: ${ownTimingClaim(r.timing.steadyStateChecked)}`
    : `FAIL: ${[...bad.map((l) => `layer ${l.layer} values (${l.values.mismatches} of ${l.values.compared} words)`), ...r.timing.findings.map((f) => `${f.kind}${f.layer ? ` in layer ${f.layer}` : ''}`)].join('; ')}`;
  const report: CheckReport = {
    schemaVersion: 1, rowsim: VERSION, config: net.name, engine: 'beats', source: resolve(o.beats), pass: r.pass, summary, frames: r.frames,
    layers: r.layers.map((l) => ({ layer: l.layer, name: net.layers[l.layer - 1]!.name, values: l.values })), ownTiming: r.timing,
  };
  const outDir = prepareOutDir(o.out, 'check');
  try {
    writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  } finally {
    releaseOutDir(outDir);
  }
  return { report, outDir };
}
