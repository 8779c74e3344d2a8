// Contract coverage computed by the model: hand-worked cases counted exactly (none extra), the classifiers on operand
// pairs whose cases were worked out by hand, counts that add up to the operations a layer performs, the pass's outputs
// against the golden's bit for bit, and unreachable cases reported as unreachable rather than as holes.
import { describe, expect, it } from 'vitest';
import { CONTRACT_CASES, siteTally, type SiteKind } from '../../core/coverage.js';
import { loadSpec, validateSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { runGolden } from '../../golden/run.js';
import { classifyAdd, classifyMultiply } from '../../sim/contractCases.js';
import { contractCoverage, coverageAndOutputs } from '../../sim/coverage.js';
import { loadStimulus } from '../../vectors/image.js';

/** The binary32 with bit pattern `u`. */
const f32 = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0]!;
/** The bfloat18 code of a value whose binary32 pattern has its low 14 bits clear. */
const code = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0]! >>> 14;

/** The cases one operation reaches, as ids (each with its count when not 1). */
function casesOf(kind: SiteKind, run: (c: Float64Array) => void): string[] {
  const c = new Float64Array(CONTRACT_CASES[kind].length);
  run(c);
  return CONTRACT_CASES[kind].flatMap((k, i) => (c[i] ? [c[i] === 1 ? k.id : `${k.id} ×${c[i]}`] : []));
}

/** One layer, 1×1 input, kernel 1: three products (ci 0..2), two accumulations, the bias add and the ReLU. */
const ONE_LAYER = validateSpec({
  name: 'one-layer', input: { height: 1, width: 1, channels: 3 }, clockHz: 100_000_000, rowRateHz: 1000,
  layers: [{ name: 'l1', kernel: 1, stride: 1, pad: 0, outChannels: 1, batchnorm: false, relu: true }],
}, 'one-layer test spec');

describe('contract cases of a hand-built one-layer network', () => {
  it('x=(3, 1, 2^-100), w=(1.5, −0, 2^-30), bias −4.5: every case as worked out by hand, none extra', () => {
    const weights = [{ codes: Uint32Array.from([1.5, -0, 2 ** -30].map(code)), bias: Float32Array.from([-4.5]) }];
    const frame = Float32Array.from([3, 1, 2 ** -100]);
    const cov = contractCoverage(ONE_LAYER, weights, [frame]);
    const reached = (site: SiteKind) => {
      const s = cov.sites.find((x) => x.site === site)!;
      return CONTRACT_CASES[site].flatMap((k, i) => (s.counts[i] ? [`${k.id} ×${s.counts[i]}`] : []));
    };
    // 3·1.5 = 4.5 exactly (significands 1.5·1.5 = 2.25 ≥ 2); 1·(−0) = −0; 2^-100·2^-30 = 2^-130, exact but subnormal: flushed.
    expect(reached('multiply')).toEqual(['w −0 ×1', 'x+ w+ ×2', 'significands multiply to < 2 ×1', 'significands multiply to ≥ 2 ×1', 'exact ×2', 'flushed to zero ×1']);
    // 4.5 + (−0), then 4.5 + (+0): each only its zero operand.
    expect(reached('accumulate')).toEqual(['b +0 ×1', 'b −0 ×1']);
    // 4.5 + (−4.5): equal exponents, opposite signs, equal magnitudes; exactly +0.
    expect(reached('bias-add')).toEqual(['opposite sign, |a|=|b| ×1', 'exact ×1']);
    expect(reached('relu')).toEqual(['+0 ×1']);
    expect(cov.frames).toBe(1);
  });
});

describe('classifiers on operands worked out by hand', () => {
  const add = (a: number, b: number) => casesOf('accumulate', (c) => classifyAdd(a, b, c));
  const mul = (x: number, w: number) => casesOf('multiply', (c) => classifyMultiply(x, w, c));
  it('1 + 2^-24: a tie, the even 1.0 kept (distance 24)', () => {
    expect(add(1, 2 ** -24)).toEqual(['larger exponent in a', 'distance 24', 'tie, even kept']);
  });
  it('(1 + 2^-23) + 2^-24: a tie, the odd significand rounded up', () => {
    expect(add(1 + 2 ** -23, 2 ** -24)).toEqual(['larger exponent in a', 'distance 24', 'tie, odd rounded up']);
  });
  it('1.5 + (−1.25) = 0.25: equal exponents, opposite signs, cancellation by 2, exact', () => {
    expect(add(1.5, -1.25)).toEqual(['opposite sign, |a|>|b|', 'cancel 2', 'exact']);
  });
  it('1.25 + (−1.5): the same with the larger magnitude in b', () => {
    expect(add(1.25, -1.5)).toEqual(['opposite sign, |a|<|b|', 'cancel 2', 'exact']);
  });
  it('1.5 + 1.75 = 3.25: equal exponents, a carry out, exact', () => {
    expect(add(1.5, 1.75)).toEqual(['same sign, |a|<|b|', 'carry out', 'exact']);
  });
  it('1.5·2^-126 − 2^-126 = 2^-127: cancellation by 1 into the subnormals, flushed', () => {
    expect(add(1.5 * 2 ** -126, -(2 ** -126))).toEqual(['opposite sign, |a|>|b|', 'bit 22 only, |a|>|b|', 'cancel 1', 'exact', 'flushed to zero']);
  });
  it('(1 + 2^-14) − 1 and 1 − (1 + 2^-23): mantissas one bit apart (bit 9 with a larger; bit 0 with b larger), cancellation by 14 and 23, exact', () => {
    expect(add(1 + 2 ** -14, -1)).toEqual(['opposite sign, |a|>|b|', 'bit 9 only, |a|>|b|', 'cancel 14', 'exact']);
    expect(add(1, -(1 + 2 ** -23))).toEqual(['opposite sign, |a|<|b|', 'bit 0 only, |a|<|b|', 'cancel 23', 'exact']);
    // Same signs, or two bits apart: not a one-bit case.
    expect(add(1 + 2 ** -14, 1)).not.toContain('bit 9 only, |a|>|b|');
    expect(add(1.5, -1.25)).not.toEqual(expect.arrayContaining([expect.stringMatching(/only/)]));
  });
  it('max + max: a carry out and an overflow to Inf', () => {
    const max = f32(0x7f7fffff);
    expect(add(max, max)).toEqual(['same sign, |a|=|b|', 'carry out', 'overflow to Inf']);
  });
  it('1 − 2^-40: distance 40 (≥ 27) from a power of two, cancellation by 1, rounded back up across the binade', () => {
    expect(add(1, -(2 ** -40))).toEqual(['larger exponent in a', 'distance ≥27', 'cancel 1', 'round up', 'rounding carries into the exponent']);
  });
  it('+Inf + −Inf and −0 + −0', () => {
    expect(add(Infinity, -Infinity)).toEqual(['a ±Inf', 'b ±Inf', 'Inf + −Inf']);
    expect(add(-0, -0)).toEqual(['a −0', 'b −0', '−0 + −0']);
  });
  it('(1 − 2^-24)·2^-126: a tie at the subnormal boundary, rounded up to 2^-126', () => {
    expect(mul(f32(0x3f7fffff), 2 ** -126)).toEqual(['x+ w+', 'significands multiply to < 2', 'tie, odd rounded up', 'rounding carries into the exponent', 'rounds up to 2^-126']);
  });
  it('−3 · 1.25 = −3.75: signs x− w+, exact', () => {
    expect(mul(-3, 1.25)).toEqual(['x− w+', 'significands multiply to < 2', 'exact']);
  });
  it('2^-100 · 2^-50 = 2^-150: a tie between 0 and the smallest subnormal, to the even 0, flushed; 2^-100 · 2^-60 rounds down to 0', () => {
    expect(mul(2 ** -100, 2 ** -50)).toEqual(['x+ w+', 'significands multiply to < 2', 'tie, even kept', 'flushed to zero']);
    expect(mul(2 ** -100, 2 ** -60)).toEqual(['x+ w+', 'significands multiply to < 2', 'round down', 'flushed to zero']);
  });
  it('+Inf · 0 and NaN · 2', () => {
    expect(mul(Infinity, 0)).toEqual(['w +0', 'x +Inf', 'Inf × 0']);
    expect(mul(NaN, 2)).toEqual(['x NaN']);
  });
});

describe('coverage on tiny', () => {
  it('tiny, coffee.png, synthetic:0: products and adds counted once each; the pass\'s output equals the golden\'s bit for bit', async () => {
    const net = loadSpec('tiny');
    const w = loadWeights(net, 'synthetic:0');
    const frame = (await loadStimulus('examples/coffee.png', net)).data;
    const { coverage, outputs } = coverageAndOutputs(net, w, [frame]);
    const golden = await runGolden(net, w, frame);
    expect(new Uint32Array(outputs[0]!.buffer)).toEqual(new Uint32Array(golden.activations[net.layers.length - 1]!.buffer));
    for (const l of net.layers) {
      const products = l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC;
      const site = (k: SiteKind) => coverage.sites.find((s) => s.layer === l.index && s.site === k)!;
      const sum = (k: SiteKind, group: string) => CONTRACT_CASES[k].reduce((a, c, i) => a + (c.group === group ? site(k).counts[i]! : 0), 0);
      // Every product is a zero-operand case or has a sign pair; every add after the first tap is counted once among
      // the zero, special and finite cases (equal exponents or a larger operand).
      const zeroX = site('multiply').counts[CONTRACT_CASES.multiply.findIndex((c) => c.id === 'x +0')]! + site('multiply').counts[CONTRACT_CASES.multiply.findIndex((c) => c.id === 'x −0')]!;
      const zeroW = site('multiply').counts[CONTRACT_CASES.multiply.findIndex((c) => c.id === 'w +0')]! + site('multiply').counts[CONTRACT_CASES.multiply.findIndex((c) => c.id === 'w −0')]!;
      expect(sum('multiply', 'signs') + zeroX + zeroW).toBeGreaterThanOrEqual(products);
      expect(sum('multiply', 'signs') + Math.min(zeroX + zeroW, products)).toBeLessThanOrEqual(products + zeroW);
      expect(sum('multiply', 'significand')).toBe(sum('multiply', 'signs'));
      const finite = sum('accumulate', 'equal exponents') + site('accumulate').counts[CONTRACT_CASES.accumulate.findIndex((c) => c.id === 'larger exponent in a')]! + site('accumulate').counts[CONTRACT_CASES.accumulate.findIndex((c) => c.id === 'larger exponent in b')]!;
      expect(finite).toBeLessThanOrEqual(products - l.outH * l.outW * l.outC);
      expect(finite).toBeGreaterThan(0);
      expect(site('bias-add').counts.length).toBe(CONTRACT_CASES['bias-add'].length);
    }
  });
});

describe('reachability', () => {
  const TWO = validateSpec({
    name: 'two-layer', input: { height: 4, width: 4, channels: 3 }, clockHz: 100_000_000, rowRateHz: 1000,
    layers: [
      { name: 'a', kernel: 1, stride: 1, pad: 0, outChannels: 1, batchnorm: false, relu: true },
      { name: 'b', kernel: 1, stride: 1, pad: 0, outChannels: 2, batchnorm: false, relu: false },
    ],
  }, 'two-layer test spec');
  it('two layers, layer 1 with ReLU and one input tap per output: layer 2 never sees a negative or NaN input', () => {
    const weights = loadWeights(TWO, 'synthetic:3');
    const cov = contractCoverage(TWO, weights, [new Float32Array(4 * 4 * 3).fill(0.5)]);
    const mul2 = cov.sites.find((s) => s.layer === 2 && s.site === 'multiply')!;
    expect(mul2.unreachable['x− w+']).toMatch(/ReLU/);
    expect(mul2.unreachable['x −Inf']).toMatch(/ReLU/);
    expect(mul2.unreachable['x +Inf']).toBeUndefined();
    // Layer 1 has three taps: Inf + −Inf there makes a NaN that reaches layer 2.
    expect(mul2.unreachable['x NaN']).toBeUndefined();
    const t = siteTally(mul2);
    expect(t.holes).not.toContain('x− w+');
    expect(t.holes).toContain('x +Inf');
    expect(t.reachable).toBe(CONTRACT_CASES.multiply.length - Object.keys(mul2.unreachable).length);
    // Layer 2 has no ReLU site; layer 1's bias add can never see an Inf bias.
    expect(cov.sites.some((s) => s.layer === 2 && s.site === 'relu')).toBe(false);
    expect(cov.sites.find((s) => s.layer === 1 && s.site === 'bias-add')!.unreachable['b ±Inf']).toMatch(/finite/);
    expect(cov.sites.find((s) => s.layer === 1 && s.site === 'multiply')!.unreachable['x +Inf']).toMatch(/stimulus is finite/);
  });
});
