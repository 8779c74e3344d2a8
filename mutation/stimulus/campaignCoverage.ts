// The campaign's stimulus as coverage sees it: the campaign frames, each layer's corner runs, and directed runs
// (coverageRuns.ts) for the cases those leave, measured together by the model. A mutant in layer L meets layer L's
// directed runs first among its survivor stimuli. Not computed for networks whose scalar pass would take minutes a
// frame (the note says so), nor directed where the design's ROM images are its own (the campaign cannot set weights).
import { macsPerFrame, type ContractCoverage } from '../../core/coverage.js';
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { mergeCoverage } from '../../harness/coverage.js';
import { contractCoverage, coverageAndOutputs } from '../../sim/coverage.js';
import { coverageRuns, type NotGenerated } from './coverageRuns.js';
import { replicatedRuns } from './replicatedRuns.js';
import { cornerStimuli, type LayerStimulus } from './survivorStimuli.js';

/** Multiply-accumulates per frame above which coverage is not computed in a campaign (the full IE120R has 6.8 G). */
export const COVERAGE_MAC_LIMIT = 50_000_000;

/** What the campaign's stimulus covers, what it cannot, and each layer's directed runs. */
export interface CampaignStimulusPlan {
  readonly coverage: ContractCoverage | null;
  readonly notGenerated: readonly NotGenerated[];
  /** Why coverage is missing or partial, or null. */
  readonly note: string | null;
  readonly directed: ReadonlyMap<number, readonly LayerStimulus[]>;
  /** Each layer's replicated runs (replicatedRuns.ts): every case at every interior output, so at every ALU. */
  readonly replicated: ReadonlyMap<number, readonly LayerStimulus[]>;
  /** What the replicated runs reach at every interior output, and the reachable cases they leave; null when not built. */
  readonly everyOutput: { readonly covered: number; readonly reachable: number; readonly notReplicated: readonly NotGenerated[]; readonly measured: boolean } | null;
}

/**
 * Plans and measures the campaign's stimulus: `frames` on `weights` (the campaign's), plus, when the campaign writes
 * the ROM images (`ownRoms`), each layer's corner runs (`randomCount` frames, `seed`) and directed runs for what is left.
 */
export function planCampaignStimulus(net: NetworkSpec, weights: readonly HwLayerWeights[], frames: readonly Float32Array[], ownRoms: boolean, randomCount: number, seed: number): CampaignStimulusPlan {
  const macs = macsPerFrame(net);
  if (macs > COVERAGE_MAC_LIMIT) {
    return { coverage: null, notGenerated: [], directed: new Map(), replicated: new Map(), everyOutput: null, note: `contract coverage is not computed for ${net.name}: its ${(macs / 1e6).toFixed(0)} M multiply-accumulates a frame would take the model's scalar pass minutes per frame (the limit is ${COVERAGE_MAC_LIMIT / 1e6} M); run a campaign on a smaller spec of the same layers` };
  }
  const campaign = contractCoverage(net, weights, frames);
  if (!ownRoms) {
    return { coverage: campaign, notGenerated: [], directed: new Map(), replicated: new Map(), everyOutput: null, note: 'the design\'s ROM images are its own, so the campaign cannot choose weights: coverage is that of the campaign frames only, and no directed runs fill its holes' };
  }
  // Each layer's corner runs count at that layer's sites only: the layers after it compute on corner weights' outputs.
  const corners = net.layers.flatMap((l) => cornerStimuli(net, weights, l.index, randomCount, seed).map((st) => coverageAndOutputs(net, st.weights, st.frames, l.index).coverage));
  const seen = mergeCoverage([campaign, ...corners]);
  const filled = coverageRuns(net, weights, seed, { seen });
  const directed = new Map<number, LayerStimulus[]>();
  for (const r of filled.runs) directed.set(r.layer, [...(directed.get(r.layer) ?? []), { weights: r.weights, frames: [r.frame] }]);
  // The same cases again at every interior output of each layer, so at whatever ALU a one-site mutant sits in.
  const rep = replicatedRuns(net, weights, seed);
  const replicated = new Map<number, LayerStimulus[]>();
  for (const r of rep.runs) replicated.set(r.layer, [...(replicated.get(r.layer) ?? []), { weights: r.weights, frames: r.frames }]);
  const parts = [seen, ...(filled.coverage ? [filled.coverage] : []), ...(rep.coverage ? [rep.coverage] : [])];
  return { coverage: mergeCoverage(parts), notGenerated: filled.notGenerated, directed, replicated, everyOutput: { ...rep.everyOutput, notReplicated: rep.notReplicated, measured: rep.measured }, note: null };
}
