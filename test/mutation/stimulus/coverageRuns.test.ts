// Directed coverage runs: with the campaign frames and each layer's corner runs they reach every reachable contract
// case of tiny and ie120r-mini (measured by the model, for several seeds: ie120r-mini's 90210 is one where the random
// search alone left layer 12's accumulator cancelling 24 bits unreached); their weights, biases and pixels stay inside
// the contract; the golden and the model agree on them bit for bit.
import { describe, expect, it } from 'vitest';
import { siteTally } from '../../../core/coverage.js';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';
import { runGolden } from '../../../golden/run.js';
import { summarizeCoverage } from '../../../harness/coverage.js';
import { planCampaignStimulus } from '../../../mutation/stimulus/campaignCoverage.js';
import { coverageRuns } from '../../../mutation/stimulus/coverageRuns.js';
import { campaignWeights, directedFrame } from '../../../mutation/stimulus/directed.js';
import { runModel } from '../../../sim/model.js';
import { loadStimulus } from '../../../vectors/image.js';

const MIN_NORMAL = 2 ** -126;

async function campaignPlan(config: string, seed: number) {
  const net = loadSpec(config);
  const weights = campaignWeights(loadWeights(net, 'synthetic:0'), 0);
  const photos = await Promise.all(['coffee', 'chelsea'].map((i) => loadStimulus(`examples/${i}.png`, net)));
  const frames = [directedFrame(net, weights, seed, { zeroBiasChannel: 0 }), ...photos.map((p) => p.data)];
  return { net, weights, plan: planCampaignStimulus(net, weights, frames, true, 4, seed) };
}

describe('the campaign stimulus reaches every reachable case', () => {
  for (const [config, seed] of [['tiny', 1], ['tiny', 17], ['tiny', 4242], ['ie120r-mini', 90210]] as const) {
    it(`${config}, seed ${seed}: campaign frames + corner runs + coverage runs cover 100 % of reachable cases, none left unreached`, async () => {
      const { net, plan } = await campaignPlan(config, seed);
      expect(plan.notGenerated).toEqual([]);
      const s = summarizeCoverage(plan.coverage!);
      expect(s.covered).toBe(s.reachable);
      // Every site of every layer is there, and no site's case list lost a reachable case to the count.
      for (const site of plan.coverage!.sites) expect(siteTally(site).holes).toEqual([]);
      expect(new Set(plan.coverage!.sites.map((x) => x.layer)).size).toBe(net.layers.length);
      expect([...plan.directed.keys()].every((l) => l >= 1 && l <= net.layers.length)).toBe(true);
    }, 120_000);
  }
});

describe('coverage runs stay inside the contract and agree across engines', () => {
  it('tiny, seed 2, every run: weight codes normal or zero, biases finite and never subnormal, pixels finite and never subnormal', () => {
    const net = loadSpec('tiny');
    const { runs } = coverageRuns(net, loadWeights(net, 'synthetic:0'), 2);
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) {
      for (const w of r.weights) {
        for (const c of w.codes) {
          const exp = (c >>> 9) & 0xff, mant = c & 0x1ff;
          expect(exp === 0xff || (exp === 0 && mant !== 0)).toBe(false);
        }
        for (const b of w.bias) expect(Number.isFinite(b) && (b === 0 || Math.abs(b) >= MIN_NORMAL)).toBe(true);
      }
      for (const x of r.frame) expect(Number.isFinite(x) && (x === 0 || Math.abs(x) >= MIN_NORMAL)).toBe(true);
    }
  });

  it('tiny, seed 2: the golden and the model agree bit for bit on the first coverage run of each layer, every layer', async () => {
    const net = loadSpec('tiny');
    const { runs } = coverageRuns(net, loadWeights(net, 'synthetic:0'), 2);
    for (const layer of net.layers.map((l) => l.index)) {
      const r = runs.find((x) => x.layer === layer)!;
      const g = await runGolden(net, r.weights, r.frame);
      const [m] = await runModel(net, r.weights, [r.frame]);
      for (const l of net.layers) expect(new Uint32Array(m![l.index - 1]!.buffer)).toEqual(new Uint32Array(g.activations[l.index - 1]!.buffer));
    }
  }, 120_000);
});
