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
  expect(f.get('rs_layer1')!.terms[0]).toBe(1);
  expect(f.get('rs_wrom1')!.terms).toEqual([1, 972]);
  // c5: 3×3, 4 → 6 channels, ocmux 2: 3 lanes, 1 strip, 3 ALUs; 9·4·6·18 = 3888 bits, each lane reads them all.
  expect(f.get('rs_layer5')!.terms[0]).toBe(3);
  expect(f.get('rs_wrom5')!.terms).toEqual([1, 3 * 3888]);
  expect(f.get('rs_brom5')!.terms).toEqual([1, 3 * 6 * 32]);
  // c4: strips 2, ocmux 4 of 4 channels: 1 lane per strip, 2 ALUs.
  expect(f.get('rs_layer4')!.terms[0]).toBe(2);
  // Row buffers: c1 is written by the image's 3 channels a beat (flip-flop terms: bits, bits × 3 lanes), c2 by c1's
  // single lane (LUT-RAM term). c1's buffer: 4 rows (K + S) of 34 columns (one strip of 32 outputs: (32 − 1)·S + K) ×
  // 3 channels × 32 bits = 13,056.
  const c1 = f.get('rs_layer1')!.terms, c2 = f.get('rs_layer2')!.terms;
  expect(c1[1]).toBe(4 * 34 * 3 * 32);
  expect(c1[2]).toBe(3 * 4 * 34 * 3 * 32);
  expect(c1[3]).toBe(0);
  expect(c2.slice(1, 3)).toEqual([0, 0]);
  expect(c2[3]).toBeGreaterThan(0);
  expect(f.get('rs_top')!.terms).toEqual([1]);
  expect([...f.keys()]).toHaveLength(7 * 3 + 1);
});

it('fitCosts → predictModule: a layer of 10 ALUs, 100 kbit written by 8 lanes and 5 kbit of LUT RAM, predicted from five calibration layers; an unseen kind has no prediction', () => {
  // Terms: ALUs, flip-flop buffer bits, those bits × write lanes, LUT-RAM buffer bits.
  const layer = (alus: number, ff: number, lanes: number, ram: number) => ({
    features: { kind: 'layer' as const, terms: [alus, ff, ff * lanes, ram] },
    resources: { ...res(1000 * alus + 0.5 * ff * lanes + ram / 50, 96 * alus + ff, 2 * alus), lutRamBlocks: ram / 32 },
  });
  const model = fitCosts([layer(1, 12_000, 3, 0), layer(2, 0, 1, 10_000), layer(1, 4000, 2, 0), layer(3, 0, 1, 40_000), layer(4, 14_000, 4, 0)]);
  const p = predictModule(model, { kind: 'layer', terms: [10, 100_000, 800_000, 5000] })!;
  expect(p.logic).toBe(10_000 + 400_000 + 100);
  expect(p.flipFlops).toBe(960 + 100_000);
  expect(p.multipliers).toBe(20);
  expect(p.lutRamBlocks).toBe(Math.round(5000 / 32));
  expect(predictModule(model, { kind: 'weights', terms: [1, 100] })).toBeNull();
});

it('fitCosts: multipliers come from ALUs only, MLABs from LUT-RAM bits only, even when another term would fit them better', () => {
  // Multipliers that track the buffer bits rather than the ALUs: the fit may not hand them to the bits.
  const s = (alus: number, ram: number, mult: number, mlab: number) => ({ features: { kind: 'layer' as const, terms: [alus, ram, 0, ram] }, resources: { ...res(0, 0, mult), lutRamBlocks: mlab } });
  const model = fitCosts([s(1, 1000, 10, 1), s(2, 2000, 20, 2), s(4, 1000, 10, 4)]);
  expect(model.layer!.multipliers.slice(1)).toEqual([0, 0, 0]);
  expect(model.layer!.lutRamBlocks.slice(0, 3)).toEqual([0, 0, 0]);
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

it('uncalibrated: the calibration network covers tiny and ie120r; a calibration without single-write buffers leaves that term named', () => {
  const cal = calibrationSpec();
  const samples = [...designFeatures(cal, makePlan(cal))].map(([, features]) => ({ features, resources: res(1) }));
  const design = (name: 'tiny' | 'ie120r-mini') => designFeatures(loadSpec(name), makePlan(loadSpec(name)));
  expect(uncalibrated(samples, design('tiny'))).toEqual([]);
  expect(uncalibrated(samples, design('ie120r-mini'))).toEqual([]);
  // Only layers fed several lanes a beat (c1, c3, c6, c7): ie120r-mini's single-lane buffers cannot be costed.
  const multiLane = samples.filter((s) => s.features.kind !== 'layer' || s.features.terms[3] === 0);
  const w = uncalibrated(multiLane, design('ie120r-mini'));
  expect(w).toHaveLength(1);
  expect(w[0]).toMatch(/no layer module of the calibration has a 'per row-buffer bit written one word a cycle' term, so the estimate costs it 0/);
});
