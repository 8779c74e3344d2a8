// Golden exact against the test's own scalar contract, on random layer shapes and on the tiny preset; cpu vs wasm bits.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { runGolden } from '../../golden/run.js';
import { loadStimulus } from '../../vectors/image.js';
import { goldenBits } from '../support/engines.js';
import { RANDOM_SHAPES, randomLayer } from '../support/random.js';
import { bf18ToFloat } from '../../core/bfloat18.js';
import { referenceConv } from '../support/reference.js';

function firstDiff(a: Uint32Array, b: Uint32Array): string {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `word ${i}: ${a[i]!.toString(16)} vs ${b[i]!.toString(16)}`;
  return a.length === b.length ? 'none' : `length ${a.length} vs ${b.length}`;
}

describe('golden exact vs scalar reference', () => {
  RANDOM_SHAPES.forEach((s, i) => {
    it(`conv k=${s.kernel} s=${s.stride} pad=${s.pad} in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} relu=${s.relu} seed=${i + 1}`, async () => {
      const l = randomLayer(i + 1, s);
      const ref = new Uint32Array(referenceConv(l.x, l, l.weights, l.bias).out.buffer);
      const g = await goldenBits(l, 'wasm');
      expect(firstDiff(ref, g)).toBe('none');
    });
  });

  it('tiny preset, every layer, coffee.png, synthetic:3', async () => {
    const net = loadSpec('tiny');
    const w = loadWeights(net, 'synthetic:3');
    const st = await loadStimulus('examples/coffee.png', net);
    const g = await runGolden(net, w, st.data, { backend: 'wasm' });
    let x = st.data;
    for (const l of net.layers) {
      const wv = Float32Array.from(w[l.index - 1]!.codes, bf18ToFloat);
      const ref = referenceConv(x, { inH: l.inH, inW: l.inW, inC: l.inC, outC: l.outC, kernel: l.kernel, stride: l.stride, pad: l.pad, relu: l.relu }, wv, w[l.index - 1]!.bias).out;
      expect(`${l.name}: ${firstDiff(new Uint32Array(ref.buffer), new Uint32Array(g.activations[l.index - 1]!.buffer))}`).toBe(`${l.name}: none`);
      x = ref;
    }
  });
});

describe('golden backends agree bit for bit', () => {
  RANDOM_SHAPES.slice(0, 4).forEach((s, i) => {
    it(`cpu vs wasm k=${s.kernel} s=${s.stride} in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} seed=${i + 11}`, async () => {
      const l = randomLayer(i + 11, s);
      const a = await goldenBits(l, 'cpu');
      const b = await goldenBits(l, 'wasm');
      expect(firstDiff(a, b)).toBe('none');
    });
  });
  it('cpu vs wasm on the tiny preset, all layers', async () => {
    const net = loadSpec('tiny');
    const w = loadWeights(net, 'synthetic:0');
    const st = await loadStimulus('examples/chelsea.png', net);
    const a = await runGolden(net, w, st.data, { backend: 'cpu' });
    const b = await runGolden(net, w, st.data, { backend: 'wasm' });
    expect(a.backend).toBe('cpu');
    expect(b.backend).toBe('wasm');
    for (let i = 0; i < net.layers.length; i++) {
      expect(firstDiff(new Uint32Array(a.activations[i]!.buffer), new Uint32Array(b.activations[i]!.buffer))).toBe('none');
    }
  });
});
