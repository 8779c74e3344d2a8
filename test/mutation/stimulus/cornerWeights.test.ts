// The corner weights' exponent ladder, checked by running the model on it and by replaying its sums in doubles.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';
import { bf18ToFloat } from '../../../core/bfloat18.js';
import { BIAS_EXPONENTS, cornerRunKind, cornerRuns, cornerWeights } from '../../../mutation/stimulus/cornerWeights.js';
import { runModel } from '../../../sim/model.js';

describe('corner run: exponent ladder', () => {
  const net = loadSpec('ie120r-mini');
  const layer = 10;
  const l = net.layers[layer - 1]!;
  const run = Array.from({ length: cornerRuns(net, layer) }, (_, r) => r).find((r) => cornerRunKind(net, layer, r) === 'ladder')!;
  const w = cornerWeights(net, loadWeights(net, 'synthetic:0'), layer, run, 1);

  it(`ie120r-mini layer ${layer} (${l.kernel}x${l.kernel}x${l.inC} taps, ${l.outC} channels): replayed in doubles, the adder sees 0 + p and x + 0 with every biased exponent 1..254 on the nonzero side, x + x of every result exponent 2..254, and every mantissa bit alone`, () => {
    const taps = l.kernel * l.kernel * l.inC;
    const zeroPlus = new Set<number>(), plusZero = new Set<number>(), bothNonzero = new Set<number>(), mantissaBits = new Set<number>();
    const exp = (v: number) => Math.floor(Math.log2(Math.abs(v))) + 127;
    for (let co = 0; co < l.outC; co++) {
      let acc = bf18ToFloat(w[layer - 1]!.codes[co]!); // tap 0 loads the accumulator
      for (let t = 1; t < taps; t++) {
        const code = w[layer - 1]!.codes[t * l.outC + co]!;
        const p = bf18ToFloat(code); // inputs are exactly 1
        if (p !== 0 && (code & 0x1ff) !== 0 && ((code & 0x1ff) & ((code & 0x1ff) - 1)) === 0) mantissaBits.add(Math.log2(code & 0x1ff));
        if (acc === 0 && p !== 0) zeroPlus.add(exp(p));
        if (acc !== 0 && p === 0) plusZero.add(exp(acc));
        if (acc !== 0 && p !== 0 && acc + p !== 0) bothNonzero.add(exp(acc + p));
        acc += p; // powers of two times 10-bit mantissas, cancelling exactly: exact in a double
      }
    }
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(range(1, 254).filter((e) => !zeroPlus.has(e))).toEqual([]);
    expect(range(1, 254).filter((e) => !plusZero.has(e))).toEqual([]);
    expect(range(2, 254).filter((e) => !bothNonzero.has(e))).toEqual([]);
    expect(range(0, 8).filter((b) => !mantissaBits.has(b))).toEqual([]);
  });

  for (const at of [10, 19]) {
    const la = net.layers[at - 1]!;
    it(`ie120r-mini layer ${at} (${la.outH}x${la.outW} outputs): the model computes the output at pixel (min(1, H − 1), min(1, W − 1)) as the last live tap y = 2^(b−127)·(1 + 2^(b mod 9)/512) plus a bias one mantissa step above (even channels) or below (odd) it, b = BIAS_EXPONENTS[channel] (each step cancels exactly; inputs exactly 1)`, async () => {
      const run = Array.from({ length: cornerRuns(net, at) }, (_, k) => k).find((k) => cornerRunKind(net, at, k) === 'ladder')!;
      const wa = cornerWeights(net, loadWeights(net, 'synthetic:0'), at, run, 1);
      const x = new Float32Array(net.input.height * net.input.width * 3).fill(0.5);
      const [acts] = await runModel(net, wa, [x], { workers: 0 });
      expect(acts![at - 2]!.every((v) => v === 1)).toBe(true);
      const out = acts![at - 1]!;
      const r = Math.min(1, la.outH - 1), c = Math.min(1, la.outW - 1); // layer 19 has one output pixel, all of whose windows touch the padding
      // Worked out by hand: y + bias = 2^(b−127)·(2 + (2·2^(b mod 9) ± 1)/512), + on even channels, − on odd; only
      // b = 254 overflows to +Inf.
      const want = Array.from({ length: la.outC }, (_, co) => { const b = BIAS_EXPONENTS[co]!; return b === 254 ? Infinity : 2 ** (b - 127) * (2 + (2 * 2 ** (b % 9) + (co % 2 ? -1 : 1)) / 512); });
      expect(Array.from({ length: la.outC }, (_, co) => out[(r * la.outW + c) * la.outC + co]!)).toEqual(want);
    });
  }

  it(`layer ${layer}'s ${l.outC} channels give the bias adder both operands at the single-bit exponents 1, 2, 4 … 128`, () => {
    const taps = l.kernel * l.kernel * l.inC;
    const lastTap = Array.from({ length: l.outC }, (_, co) => (w[layer - 1]!.codes[(taps - 1) * l.outC + co]! >> 9) & 0xff);
    const bias = Array.from(w[layer - 1]!.bias, (b) => Math.floor(Math.log2(b)) + 127);
    for (const e of [1, 2, 4, 8, 16, 32, 64, 128]) {
      expect(lastTap).toContain(e);
      expect(bias).toContain(e);
    }
  });
});
