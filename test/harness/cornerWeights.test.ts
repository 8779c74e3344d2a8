// The corner weights' exponent ladder, checked by running the model on it and by replaying its sums in doubles.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { bf18ToFloat } from '../../core/bfloat18.js';
import { BIAS_EXPONENTS, cornerRunKind, cornerRuns, cornerWeights } from '../../harness/cornerWeights.js';
import { runModel } from '../../sim/model.js';

describe('corner run: exponent ladder', () => {
  const net = loadSpec('ie120r-mini');
  const layer = 10;
  const l = net.layers[layer - 1]!;
  const run = Array.from({ length: cornerRuns(net, layer) }, (_, r) => r).find((r) => cornerRunKind(net, layer, r) === 'ladder')!;
  const w = cornerWeights(net, loadWeights(net, 'synthetic:0'), layer, run, 1);

  it(`ie120r-mini layer ${layer} (${l.kernel}x${l.kernel}x${l.inC} taps, ${l.outC} channels): replayed in doubles, the adder sees 0 + p and x + 0 with every biased exponent 1..254 on the nonzero side`, () => {
    const taps = l.kernel * l.kernel * l.inC;
    const zeroPlus = new Set<number>(), plusZero = new Set<number>();
    const exp = (v: number) => Math.log2(Math.abs(v)) + 127;
    for (let co = 0; co < l.outC; co++) {
      let acc = bf18ToFloat(w[layer - 1]!.codes[co]!); // tap 0 loads the accumulator
      for (let t = 1; t < taps; t++) {
        const p = bf18ToFloat(w[layer - 1]!.codes[t * l.outC + co]!); // inputs are exactly 1
        if (acc === 0 && p !== 0) zeroPlus.add(exp(p));
        if (acc !== 0 && p === 0) plusZero.add(exp(acc));
        acc += p; // powers of two and their exact cancellation: exact in a double
      }
    }
    const all = Array.from({ length: 254 }, (_, i) => i + 1);
    expect(all.filter((e) => !zeroPlus.has(e))).toEqual([]);
    expect(all.filter((e) => !plusZero.has(e))).toEqual([]);
  });

  it(`the model computes every interior output as the last tap plus the bias, 2^(b−126) for b = BIAS_EXPONENTS[channel] (each triple cancels exactly; inputs exactly 1)`, async () => {
    const x = new Float32Array(net.input.height * net.input.width * 3).fill(0.5);
    const [acts] = await runModel(net, w, [x], { workers: 0 });
    expect(acts![layer - 2]!.every((v) => v === 1)).toBe(true);
    const out = acts![layer - 1]!;
    const r = 1, c = 1; // interior: no padding taps
    // Worked out by hand: 2^(b−127) + 2^(b−127) = 2^(b−126), which overflows to +Inf only for b = 254.
    const want = Array.from({ length: l.outC }, (_, co) => { const b = BIAS_EXPONENTS[co]!; return b === 254 ? Infinity : 2 ** (b - 126); });
    expect(Array.from({ length: l.outC }, (_, co) => out[(r * l.outW + c) * l.outC + co]!)).toEqual(want);
  });

  it(`layer ${layer}'s ${l.outC} channels give the bias adder both operands at the single-bit exponents 1, 2, 4 … 128`, () => {
    const taps = l.kernel * l.kernel * l.inC;
    const lastTap = Array.from({ length: l.outC }, (_, co) => w[layer - 1]!.codes[(taps - 1) * l.outC + co]! >> 9);
    const bias = Array.from(w[layer - 1]!.bias, (b) => Math.log2(b) + 127);
    for (const e of [1, 2, 4, 8, 16, 32, 64, 128]) {
      expect(lastTap).toContain(e);
      expect(bias).toContain(e);
    }
  });
});
