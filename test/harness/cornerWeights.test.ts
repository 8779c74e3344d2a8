// The corner weights' exponent ladder, checked by running the model on it and by replaying its sums in doubles.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { bf18ToFloat } from '../../core/bfloat18.js';
import { cornerRunKind, cornerRuns, cornerWeights } from '../../harness/cornerWeights.js';
import { runModel } from '../../sim/model.js';

describe('corner run: exponent ladder', () => {
  const net = loadSpec('ie120r-mini');
  const layer = 10;
  const l = net.layers[layer - 1]!;
  const run = Array.from({ length: cornerRuns(net, layer) }, (_, r) => r).find((r) => cornerRunKind(net, layer, r) === 'ladder')!;
  const w = cornerWeights(net, loadWeights(net, 'synthetic:0'), layer, run, 1);

  it(`ie120r-mini layer ${layer} (${l.kernel}x${l.kernel}x${l.inC} taps, ${l.outC} channels): the running sums, replayed in doubles, visit every biased exponent 1..254 followed by a +0 product`, () => {
    const taps = l.kernel * l.kernel * l.inC;
    const visited = new Set<number>();
    for (let co = 0; co < l.outC; co++) {
      let acc = 0;
      for (let t = 0; t < taps; t++) {
        const wt = bf18ToFloat(w[layer - 1]!.codes[t * l.outC + co]!);
        acc += wt; // inputs are exactly 1; every partial sum is a power of two, exact in a double
        const next = t + 1 < taps ? bf18ToFloat(w[layer - 1]!.codes[(t + 1) * l.outC + co]!) : 0;
        if (acc !== 0 && next === 0) visited.add(Math.log2(acc) + 127);
      }
    }
    const missing = Array.from({ length: 254 }, (_, i) => i + 1).filter((e) => !visited.has(e));
    expect(missing).toEqual([]);
  });

  it('the model computes each interior output as an exact power of two (every step exact, inputs exactly 1)', async () => {
    const x = new Float32Array(net.input.height * net.input.width * 3).fill(0.5);
    const [acts] = await runModel(net, w, [x], { workers: 0 });
    const prev = acts![layer - 2]!;
    expect(prev.every((v) => v === 1)).toBe(true);
    const out = acts![layer - 1]!;
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    const r = 1, c = 1; // interior: no padding taps
    const notPow2 = Array.from({ length: l.outC }, (_, co) => bits[(r * l.outW + c) * l.outC + co]!).filter((b) => (b & 0x7fffff) !== 0 || b === 0 || b >>> 31 !== 0);
    expect(notPow2).toEqual([]);
  });
});
