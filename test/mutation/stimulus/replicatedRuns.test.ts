// Replicated runs: on tiny, every output of a row away from the side padding, on every channel, computes the same value
// (so every ALU meets the run's cases, whatever the design's strips and lanes); they reach every reachable case at every
// interior output but a NaN input past layer 1; they stay inside the contract; the golden and the model agree on them.
import { describe, expect, it } from 'vitest';
import { CONTRACT_CASES } from '../../../core/coverage.js';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';
import { runGolden } from '../../../golden/run.js';
import { campaignWeights } from '../../../mutation/stimulus/directed.js';
import { replicatedRuns } from '../../../mutation/stimulus/replicatedRuns.js';
import { runModel } from '../../../sim/model.js';

const MIN_NORMAL = 2 ** -126;
const net = loadSpec('tiny');
const weights = campaignWeights(loadWeights(net, 'synthetic:0'), 0);

describe('replicated runs', () => {
  for (const seed of [2, 5]) {
    it(`tiny, seed ${seed}: every reachable case at every interior output of its layer, except x NaN at the multiplies of layers 2–4`, () => {
      const r = replicatedRuns(net, weights, seed);
      expect(r.notReplicated.map((n) => `${n.layer} ${n.site} ${n.case}`).sort()).toEqual(['2 multiply x NaN', '3 multiply x NaN', '4 multiply x NaN']);
      expect(r.everyOutput.covered).toBe(r.everyOutput.reachable - 3);
      expect(new Set(r.runs.map((x) => x.layer))).toEqual(new Set([1, 2, 3, 4]));
      // The model, classifying every output of every run on its own, counts every case the search claims.
      expect(r.measured).toBe(true);
      const left = new Set(r.notReplicated.map((n) => `${n.layer} ${n.site} ${n.case}`));
      for (const site of r.coverage!.sites) {
        CONTRACT_CASES[site.site].forEach((c, k) => {
          if (c.id in site.unreachable || left.has(`${site.layer} ${site.site} ${c.id}`)) return;
          expect(site.counts[k], `layer ${site.layer} ${site.site} ${c.id}`).toBeGreaterThan(0);
        });
      }
    }, 60_000);
  }

  it('tiny, seed 2, every run: in the model, each row of the target layer holds one value at every column whose window is inside and on every channel', async () => {
    const { runs } = replicatedRuns(net, weights, 2);
    for (const run of runs) {
      const l = net.layers[run.layer - 1]!;
      const out = await runModel(net, run.weights, run.frames);
      for (const frame of out) {
        const a = new Uint32Array(frame[run.layer - 1]!.buffer);
        for (let y = 0; y < l.outH; y++) {
          const seen = new Set<number>();
          for (let x = 0; x < l.outW; x++) {
            if (x * l.stride - l.pad < 0 || x * l.stride - l.pad + l.kernel > l.inW) continue;
            for (let c = 0; c < l.outC; c++) seen.add(a[(y * l.outW + x) * l.outC + c]!);
          }
          expect(seen.size, `layer ${run.layer} row ${y}`).toBe(1);
        }
      }
    }
  }, 120_000);

  it('tiny, seed 2, every run: weight codes normal or zero, biases finite and never subnormal, pixels finite and never subnormal', () => {
    for (const run of replicatedRuns(net, weights, 2).runs) {
      for (const w of run.weights) {
        for (const c of w.codes) {
          const exp = (c >>> 9) & 0xff, mant = c & 0x1ff;
          expect(exp === 0xff || (exp === 0 && mant !== 0)).toBe(false);
        }
        for (const b of w.bias) expect(Number.isFinite(b) && (b === 0 || Math.abs(b) >= MIN_NORMAL)).toBe(true);
      }
      for (const f of run.frames) for (const x of f) expect(Number.isFinite(x) && (x === 0 || Math.abs(x) >= MIN_NORMAL)).toBe(true);
    }
  });

  it('tiny, seed 2: the golden and the model agree bit for bit on every frame of the first replicated run of each layer', async () => {
    const { runs } = replicatedRuns(net, weights, 2);
    for (const layer of [1, 2, 3, 4]) {
      const run = runs.find((x) => x.layer === layer)!;
      const model = await runModel(net, run.weights, run.frames);
      for (const [i, frame] of run.frames.entries()) {
        const g = await runGolden(net, run.weights, frame);
        for (const l of net.layers) expect(new Uint32Array(model[i]![l.index - 1]!.buffer), `layer ${layer} frame ${i} output ${l.index}`).toEqual(new Uint32Array(g.activations[l.index - 1]!.buffer));
      }
    }
  }, 180_000);
});
