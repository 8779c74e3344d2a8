// The synth cost model: non-negative least squares on hand-made data, the features of the calibration network worked
// out by hand, predictions of a fitted model, and the Agilex fit verdict on totals computed by hand.
import { expect, it } from 'vitest';
import { AGILEX_027, agilexFit } from '../../harness/agilexFit.js';
import { makePlan } from '../../harness/plan.js';
import { loadSpec } from '../../core/spec.js';
import { calibrationSpec } from '../../harness/synthCalibration.js';
import { designFeatures, fitCosts, fitNonNegative, predictModule, uncalibrated } from '../../harness/synthCost.js';
import type { Resources } from '../../harness/synth.js';

const res = (logic: number, flipFlops = 0, multipliers = 0): Resources => ({ cells: logic + flipFlops + multipliers, logic, flipFlops, multipliers, ramBlocks: 0, ramBits: 0, lutRamBlocks: 0 });

it('fitNonNegative: y = 50 + 1800·alus + 0.25·bits recovered exactly from 4 modules', () => {
  const x = [[1, 1, 4000], [1, 2, 1000], [1, 3, 8000], [1, 1, 40000]];
  const y = x.map(([, a, b]) => 50 + 1800 * a! + 0.25 * b!);
  const c = fitNonNegative(x, y);
  expect(c[0]).toBeCloseTo(50, 6);
  expect(c[1]).toBeCloseTo(1800, 6);
  expect(c[2]).toBeCloseTo(0.25, 9);
});

it('fitNonNegative: data that an unconstrained fit explains with a negative constant gets a constant of 0 instead', () => {
  // y = 10·a − 30 exactly: least squares would say −30; a cost cannot be negative.
  const x = [[1, 5], [1, 10], [1, 20]];
  const c = fitNonNegative(x, [20, 70, 170]);
  expect(c[0]).toBe(0);
  expect(c[1]).toBeGreaterThan(0);
  // The constrained optimum of Σ(k·a − y)² is k = Σ a·y / Σ a² = (100 + 700 + 3400) / 525 = 8.
  expect(c[1]).toBeCloseTo(8, 9);
});

it('designFeatures: the calibration network (32×32×3, 7 layers; c1 1 ALU, c5 3 lanes, c4 2 strips) as worked out by hand', () => {
  const net = calibrationSpec();
  const f = designFeatures(net, makePlan(net));
  // c1: 3×3, 3 → 2 channels, strips 1, ocmux 2: 1 lane, 1 ALU; weights 9·3·2 codes of 18 bits = 972 bits read by 1 lane.
  expect(f.get('rs_layer1')!.terms.slice(0, 3)).toEqual([1, 1, 1]);
  expect(f.get('rs_wrom1')!.terms).toEqual([1, 972]);
  // c5: 3×3, 4 → 6 channels, ocmux 2: 3 lanes, 1 strip, 3 ALUs; 9·4·6·18 = 3888 bits, each lane reads them all.
  expect(f.get('rs_layer5')!.terms.slice(1, 3)).toEqual([3, 3]);
  expect(f.get('rs_wrom5')!.terms).toEqual([1, 3 * 3888]);
  expect(f.get('rs_brom5')!.terms).toEqual([1, 3 * 6 * 32]);
  // c4: strips 2, ocmux 4 of 4 channels: 1 lane (both strips share it), 2 ALUs.
  expect(f.get('rs_layer4')!.terms.slice(1, 3)).toEqual([2, 1]);
  // Row buffers, one term whatever feeds them. c1's buffer holds a whole input beat (the image's 3 channels) a word:
  // 4 rows (K + S) × 34 columns (one strip of 32 outputs: (32 − 1)·S + K) × 3 lanes × 32 bits = 13,056. c2 is fed
  // c1's single lane: 5 rows (K + S at stride 2) × 33 columns ((16 − 1)·2 + 3) × 2 channels × 32 bits = 10,560.
  const c1 = f.get('rs_layer1')!.terms, c2 = f.get('rs_layer2')!.terms;
  expect(c1).toEqual([1, 1, 1, 4 * 34 * 3 * 32]);
  expect(c2[3]).toBe(5 * 33 * 2 * 32);
  expect(f.get('rs_top')!.terms).toEqual([1]);
  expect([...f.keys()]).toHaveLength(7 * 3 + 1);
});

it('fitCosts → predictModule: a layer of 10 ALUs, 4 lanes and 105 kbit of buffer, predicted from six calibration layers; an unseen kind has no prediction', () => {
  // Terms: the layer, its ALUs, its lanes, its buffer bits. 40 flip-flops a layer and 32 a lane, none of their logic.
  const layer = (alus: number, lanes: number, bits: number) => ({
    features: { kind: 'layer' as const, terms: [1, alus, lanes, bits] },
    resources: { ...res(1000 * alus + bits / 50, 40 + 96 * alus + 32 * lanes + bits / 100, 2 * alus), lutRamBlocks: bits / 32 },
  });
  const model = fitCosts([layer(1, 1, 12_000), layer(2, 2, 10_000), layer(2, 1, 4000), layer(3, 3, 40_000), layer(4, 2, 14_000), layer(1, 1, 9000)]);
  const p = predictModule(model, { kind: 'layer', terms: [1, 10, 4, 105_000] })!;
  expect(p.logic).toBe(10_000 + 2100);
  expect(p.flipFlops).toBe(40 + 960 + 128 + 1050);
  expect(p.multipliers).toBe(20);
  expect(p.lutRamBlocks).toBe(Math.round(105_000 / 32));
  expect(predictModule(model, { kind: 'weights', terms: [1, 100] })).toBeNull();
});

it('fitCosts: multipliers come from ALUs only, MLABs from buffer bits only, logic never from the layer constant or its lanes, even when that would fit better', () => {
  // Multipliers that track the buffer bits, MLABs that track the ALUs, logic with an offset and a per-lane part.
  const s = (alus: number, lanes: number, ram: number, mult: number, mlab: number) => ({ features: { kind: 'layer' as const, terms: [1, alus, lanes, ram] }, resources: { ...res(500 + 1000 * alus + 300 * lanes, 0, mult), lutRamBlocks: mlab } });
  const model = fitCosts([s(1, 1, 1000, 10, 1), s(2, 1, 2000, 20, 2), s(4, 4, 1000, 10, 4), s(2, 2, 3000, 30, 2)]);
  expect(model.layer!.multipliers.filter((_, i) => i !== 1)).toEqual([0, 0, 0]);
  expect(model.layer!.lutRamBlocks.slice(0, 3)).toEqual([0, 0, 0]);
  expect([model.layer!.logic[0], model.layer!.logic[2]]).toEqual([0, 0]);
});

it('agilexFit: 1,000,000 ALUTs and 8,000 multipliers do not fit (500,000 ALMs fit, DSPs fit: the ALMs are what fails only above 912,800)', () => {
  const small = agilexFit(res(1_000_000, 400_000, 8_000), 200e6);
  expect(small.alms).toBe(500_000);
  expect(small.fits).toBe(true);
  const big = agilexFit(res(4_000_000, 1_000_000, 9_000), 300e6);
  expect(big.alms).toBe(2_000_000);
  expect(big.fits).toBe(false);
  expect(big.over[0]).toMatch(/^ALMs: 2,000,000 of 912,800 \(219 %\)/);
  expect(agilexFit(res(200_000_000), 0).over[0]).toMatch(/\(10,955 %\)$/);
  expect(big.over[1]).toMatch(/^DSP blocks: 9,000 of 8,528/);
  // Flip-flops bound the ALMs when there are four times as many as ALUTs per ALM.
  expect(agilexFit(res(100, 4 * AGILEX_027.alms + 4), 0).fits).toBe(false);
  // A MISTRAL_MLAB cell is 32 × 1 bits, 20 of them a 10-ALM MLAB: 1,000 cells add 500 ALMs to 50 ALUTs' 25.
  expect(agilexFit({ ...res(50), lutRamBlocks: 1000 }, 0).alms).toBe(525);
});

it('uncalibrated: the calibration network covers tiny and ie120r-mini; a calibration of one layer leaves the layer costs underdetermined, and one without buffers names that term', () => {
  const cal = calibrationSpec();
  const samples = [...designFeatures(cal, makePlan(cal))].map(([, features]) => ({ features, resources: res(1) }));
  const design = (name: 'tiny' | 'ie120r-mini') => designFeatures(loadSpec(name), makePlan(loadSpec(name)));
  expect(uncalibrated(samples, design('tiny'))).toEqual([]);
  expect(uncalibrated(samples, design('ie120r-mini'))).toEqual([]);
  const oneLayer = samples.filter((s) => s.features.kind !== 'layer').concat(samples.filter((s) => s.features.kind === 'layer').slice(0, 1));
  expect(uncalibrated(oneLayer, design('ie120r-mini'))).toEqual([expect.stringMatching(/the calibration has 1 layer module\(s\) for 4 cost terms/)]);
  const noBuffers = samples.map((s) => (s.features.kind === 'layer' ? { ...s, features: { ...s.features, terms: [1, s.features.terms[1]!, s.features.terms[2]!, 0] } } : s));
  const w = uncalibrated(noBuffers, design('ie120r-mini'));
  expect(w).toHaveLength(1);
  expect(w[0]).toMatch(/no layer module of the calibration has a 'per row-buffer bit' term, so the estimate costs it 0/);
});

it('uncalibrated: a calibration whose layers all have lanes = ALUs (one strip each) cannot part the lane term from the ALU term: one warning for tiny (layers of several strips), none for ie120r-mini (one strip a layer); lanes = 2·ALUs + 1 names the constant too; one layer with lanes ≠ ALUs parts them; buffer bits = 64·lanes warns a design without lanes', () => {
  const cal = calibrationSpec();
  const samples = [...designFeatures(cal, makePlan(cal))].map(([, features]) => ({ features, resources: res(1) }));
  const design = designFeatures(loadSpec('tiny'), makePlan(loadSpec('tiny')));
  const withTerm = (term: number, value: (t: readonly number[], layer: number) => number) => {
    let layer = 0;
    return samples.map((s) => (s.features.kind === 'layer'
      ? { ...s, features: { ...s.features, terms: s.features.terms.map((v, i, t) => (i === term ? value(t, layer) : v)) }, layer: layer++ } : s));
  };
  // The calibration network itself parts them (its c4 has two strips, its c5 three lanes): no warning above.
  expect(samples.some((s) => s.features.kind === 'layer' && s.features.terms[2] !== s.features.terms[1])).toBe(true);
  // tiny has layers of several strips (lanes < ALUs): the split matters there.
  expect([...design.values()].some((f) => f.kind === 'layer' && f.terms[2] !== f.terms[1])).toBe(true);
  const same = uncalibrated(withTerm(2, (t) => t[1]!), design);
  expect(same).toEqual([expect.stringMatching(/in every layer module of the calibration the 'per output lane \(flip-flops only\)' term is the same linear combination of 'per ALU', so the fit cannot tell their costs apart, and this design's layers break that relation/)]);
  // ie120r-mini, whose every layer has lanes = ALUs, gets the same estimate whichever term takes the cost: no warning.
  const mini = designFeatures(loadSpec('ie120r-mini'), makePlan(loadSpec('ie120r-mini')));
  expect([...mini.values()].every((f) => f.kind !== 'layer' || f.terms[2] === f.terms[1])).toBe(true);
  expect(uncalibrated(withTerm(2, (t) => t[1]!), mini)).toEqual([]);
  const affine = uncalibrated(withTerm(2, (t) => 2 * t[1]! + 1), design);
  expect(affine).toEqual([expect.stringMatching(/'per output lane \(flip-flops only\)' term is the same linear combination of 'per layer \(flip-flops only\)' and 'per ALU'/)]);
  // Lanes that differ from the ALUs in the calibration's first layer only are enough to part them.
  expect(uncalibrated(withTerm(2, (t, layer) => t[1]! + (layer === 0 ? 1 : 0)), design)).toEqual([]);
  // A term the design does not use still counts: buffer bits = 64·lanes in the calibration, a design with no lanes.
  const noLanes = new Map([...design].map(([n, f]) => [n, f.kind === 'layer' ? { ...f, terms: f.terms.map((v, i) => (i === 2 ? 0 : v)) } : f]));
  expect(uncalibrated(withTerm(3, (t) => 64 * t[2]!), noLanes)).toEqual([expect.stringMatching(/the 'per row-buffer bit' term is the same linear combination of 'per output lane \(flip-flops only\)'/)]);
});
