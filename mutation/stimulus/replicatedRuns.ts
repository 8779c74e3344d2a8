// Replicated runs: contract cases reached at every ALU, whatever the design's strips and lanes. Every output channel of
// the target layer carries one template and the layer's input is constant per channel (a constant frame passed through
// the layers before), so every output whose window lies inside the input computes the same experiment — and so does
// whichever ALU computes it. A Yosys mutant of one inlined adder (one lane of one strip) meets the case there; the
// packed coverage runs (coverageRuns.ts) reach a case at one output only. Runs group experiments by template, one frame
// each. What the runs reach is measured by the model, and what no experiment reached is reported.
import { CONTRACT_CASES, layerSites, macsPerFrame, type ContractCoverage, type SiteKind } from '../../core/coverage.js';
import type { LayerSpec, NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { mergeCoverage } from '../../harness/coverage.js';
import { coverageAndOutputs } from '../../sim/coverage.js';
import { evaluate, holesOf, layerWeights, MAX, searchExperiments, templates, windowOf, type Counts, type CoverageRun, type Experiment, type NotGenerated, type Source, type Template, type Window } from './coverageRuns.js';
import { prng } from './prng.js';
import { chainTo, passThroughWeights } from './passThrough.js';

/** A layer's replicated runs (several frames each) and what they reached at every interior output. */
export interface ReplicatedRuns {
  readonly runs: readonly (Omit<CoverageRun, 'frame'> & { readonly frames: readonly Float32Array[] })[];
  /** The model's coverage of the runs at each target layer's sites (null when not measured: `measured` false). */
  readonly coverage: ContractCoverage | null;
  /** Whether the model measured the runs (small networks); otherwise `everyOutput` is the search's own classification. */
  readonly measured: boolean;
  /** Reachable cases no experiment reached at every interior output. */
  readonly notReplicated: readonly NotGenerated[];
  /** Reachable cases of the target layers' sites, and how many the experiments reach at every interior output. */
  readonly everyOutput: { readonly covered: number; readonly reachable: number };
}

/** Multiply-accumulates per frame up to which the model measures every replicated run (tiny: 69 k; ie120r-mini: 2.4 M). */
export const MEASURE_MAC_LIMIT = 500_000;

/**
 * The input-row bands of layer `l` that each hold one experiment: an output row whose window lies inside the input and
 * shares no row with another band's, so every output of that row (away from the side padding) computes the experiment
 * alone. Rows are the time axis of a row-streaming design; its strips and lanes repeat across columns and channels.
 */
function experimentBands(l: LayerSpec): { first: number; last: number }[] {
  const bands: { first: number; last: number }[] = [];
  for (let r = 0; r < l.outH; r++) {
    const first = r * l.stride - l.pad, last = first + l.kernel - 1;
    if (first >= 0 && last < l.inH && (bands.length === 0 || first > bands[bands.length - 1]!.last)) bands.push({ first, last });
  }
  // A layer too small for a window inside its input (padding on both sides of every row): the whole input, one band.
  return bands.length ? bands : [{ first: 0, last: l.inH - 1 }];
}

/**
 * The fewest experiments (greedy set cover) that reach every case the found ones reach together, preferring templates
 * already chosen on a tie: each template is a run, each experiment a band of a frame.
 */
function fewest(l: LayerSpec, win: Window, tpls: readonly Template[], found: readonly Experiment[]): Experiment[] {
  const sites = layerSites(l);
  const casesOf = found.map((e) => {
    const c: Counts = Object.fromEntries(sites.map((s) => [s, new Float64Array(CONTRACT_CASES[s].length)]));
    evaluate(l, win, tpls[e.template]!, e.xs, c);
    return new Set(sites.flatMap((s) => [...c[s]!].flatMap((n, k) => (n > 0 ? [`${s}|${k}`] : []))));
  });
  const want = new Set(casesOf.flatMap((x) => [...x]));
  const chosen: Experiment[] = [];
  const templatesUsed = new Set<number>();
  while (want.size) {
    let best = -1, bestScore = 0;
    casesOf.forEach((cs, i) => {
      const gain = [...cs].filter((k) => want.has(k)).length;
      const score = gain + (gain > 0 && templatesUsed.has(found[i]!.template) ? 0.5 : 0);
      if (score > bestScore) { best = i; bestScore = score; }
    });
    if (best < 0) break;
    chosen.push(found[best]!);
    templatesUsed.add(found[best]!.template);
    for (const k of casesOf[best]!) want.delete(k);
  }
  return chosen;
}

/**
 * Replicated runs for `layers` (default: all): for each, a seeded search (`proposals` experiments) over constant inputs
 * for every reachable case, then one run per (template, gain) with one constant frame per experiment.
 */
export function replicatedRuns(net: NetworkSpec, base: readonly HwLayerWeights[], seed: number, opts: { readonly layers?: readonly number[]; readonly proposals?: number; readonly measure?: boolean } = {}): ReplicatedRuns {
  // Measuring every run with the model's scalar pass costs about a second per frame of ie120r-mini; without it the
  // cases at every interior output are those the search classified on the constant inputs those outputs all see.
  const measure = opts.measure ?? macsPerFrame(net) <= MEASURE_MAC_LIMIT;
  const runs: ReplicatedRuns['runs'][number][] = [];
  const measured: ContractCoverage[] = [];
  const notReplicated: NotGenerated[] = [];
  let reachable = 0;
  const { height: H, width: W } = net.input;
  const proposals = opts.proposals ?? 20_000;
  for (const li of opts.layers ?? net.layers.map((l) => l.index)) {
    const l = net.layers[li - 1]!;
    const source: Source = { kind: 'pixels', chain: chainTo(net, li) };
    const win = windowOf(l, source, li, true);
    const rnd = prng(seed * 104729 + li);
    // Few templates: each becomes a run of its own.
    const tpls = templates(10, win.cells.length, rnd);
    const holes = holesOf(net, l, null);
    for (const set of holes.values()) reachable += set.size;
    const experiments = fewest(l, win, tpls, searchExperiments(net, l, source, win, tpls, holes, proposals, rnd));
    for (const [site, set] of holes) for (const k of set) notReplicated.push({ layer: li, site: site as SiteKind, case: CONTRACT_CASES[site][k]!.id, why: `no experiment with a constant input reached it at every interior output (${proposals} tried)` });
    const groups = new Map<string, typeof experiments>();
    for (const e of experiments) groups.set(`${e.template}|${e.gain}`, [...(groups.get(`${e.template}|${e.gain}`) ?? []), e]);
    const mine: ReplicatedRuns['runs'][number][] = [];
    const bands = experimentBands(l);
    const scale = source.kind === 'pixels' ? source.chain.scale : 1;
    for (const group of groups.values()) {
      const { template, gain } = group[0]!;
      const weights = base.map((w) => w);
      for (const j of net.layers.slice(0, li - 1)) weights[j.index - 1] = passThroughWeights(j, j.index === li - 1 ? gain : 1);
      weights[li - 1] = layerWeights(l, win, tpls, new Array<number>(l.outC).fill(template), 0);
      const frames: Float32Array[] = [];
      for (let k = 0; k < group.length; k += bands.length) {
        const frame = new Float32Array(H * W * 3);
        group.slice(k, k + bands.length).forEach((e, b) => {
          // The band's input rows hold each program cell's value in its channel at every column (the pixel row the
          // pass-through chain copies: y·scale); a gain of 2 makes the largest float +Inf.
          for (let y = bands[b]!.first; y <= bands[b]!.last; y++) {
            const row = y * scale;
            win.cells.forEach((c, i) => {
              const v = e.xs[i]!;
              const px = li === 1 ? v : v === Infinity ? MAX : v / gain;
              for (let x = 0; x < W; x++) frame[(row * W + x) * 3 + c.ch] = px;
            });
          }
        });
        frames.push(frame);
      }
      mine.push({ layer: li, weights, frames });
    }
    runs.push(...mine);
    if (measure) measured.push(...mine.map((r) => coverageAndOutputs(net, r.weights, r.frames, li).coverage));
  }
  return { runs, coverage: measured.length ? mergeCoverage(measured) : null, measured: measure, notReplicated, everyOutput: { covered: reachable - notReplicated.length, reachable } };
}
