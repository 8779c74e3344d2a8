// The float accuracy reference (tf.conv2d) against a double-precision convolution written here, and computed band by
// band (as the golden's threads split it) against all rows at once; and the ULP distance the report quotes.
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../golden/backend.js';
import { floatLayerRows, type GoldenLayer } from '../../golden/exact.js';
import { floatDistance } from '../../harness/compare.js';
import { loadSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { loadStimulus } from '../../vectors/image.js';
import { RANDOM_SHAPES, randomLayer } from '../support/random.js';

/** HWC output of a convolution in doubles: zero padding, any order (the float reference's order is undefined too). */
function convDouble(x: Float32Array, l: GoldenLayer & { inH: number; inW: number }): Float64Array {
  const out = new Float64Array(l.outH * l.outW * l.outC);
  for (let r = 0; r < l.outH; r++) {
    for (let c = 0; c < l.outW; c++) {
      for (let co = 0; co < l.outC; co++) {
        let s = l.bias[co]!;
        for (let ky = 0; ky < l.kernel; ky++) {
          for (let kx = 0; kx < l.kernel; kx++) {
            const iy = r * l.stride - l.pad + ky, ix = c * l.stride - l.pad + kx;
            if (iy < 0 || iy >= l.inH || ix < 0 || ix >= l.inW) continue;
            for (let ci = 0; ci < l.inC; ci++) s += x[(iy * l.inW + ix) * l.inC + ci]! * l.weights[((ky * l.kernel + kx) * l.inC + ci) * l.outC + co]!;
          }
        }
        out[(r * l.outW + c) * l.outC + co] = l.relu ? Math.max(0, s) : s;
      }
    }
  }
  return out;
}

describe('float reference', () => {
  RANDOM_SHAPES.forEach((s, i) => {
    it(`conv k=${s.kernel} s=${s.stride} pad=${s.pad} in=${s.inH}x${s.inW}x${s.inC} cout=${s.outC} relu=${s.relu} seed=${i + 1}: within 1e-5 of the range of a double convolution, and bands [0,1)+[1,h) equal all rows`, async () => {
      await useBackend('wasm');
      const t = randomLayer(i + 1, s);
      const outH = Math.floor((s.inH + 2 * s.pad - s.kernel) / s.stride) + 1;
      const outW = Math.floor((s.inW + 2 * s.pad - s.kernel) / s.stride) + 1;
      const l = { ...t, outH, outW };
      const whole = floatLayerRows(t.x, s.inH, s.inW, l, 0, outH);
      const want = convDouble(t.x, l);
      const range = Math.max(...want.map(Math.abs));
      expect(whole.length).toBe(want.length);
      const worst = Math.max(...Array.from(whole, (v, k) => Math.abs(v - want[k]!)));
      expect(worst).toBeLessThanOrEqual(1e-5 * range);
      const banded = new Float32Array(whole.length);
      banded.set(floatLayerRows(t.x, s.inH, s.inW, l, 0, 1), 0);
      banded.set(floatLayerRows(t.x, s.inH, s.inW, l, 1, outH), outW * s.outC);
      const off = Array.from(banded).findIndex((v, k) => Math.abs(v - whole[k]!) > 1e-6 * range);
      expect(off).toBe(-1);
    });
  });
});

// Threads load compiled JavaScript, so the threaded golden is imported from the build (npm test builds first).
const built = (await import(new URL('../../dist/golden/run.js', import.meta.url).href)) as typeof import('../../golden/run.js');

describe('float reference on threads', () => {
  it('ie120r layers 1–4, coffee.png, synthetic:0: the float reference on 2 threads (one pool, exact run first) equals it in this thread, word for word', async () => {
    const net = loadSpec('ie120r');
    const w = loadWeights(net, 'synthetic:0');
    const x = (await loadStimulus('examples/coffee.png', net)).data;
    const pool = built.goldenThreads(net, 2, 'wasm')!;
    expect(pool).toBeDefined();
    try {
      const exact = await built.runGolden(net, w, x, { mode: 'exact', backend: 'wasm', pool, throughLayer: 1 });
      const threaded = await built.runGolden(net, w, x, { mode: 'float', backend: 'wasm', pool, throughLayer: 4 });
      const here = await built.runGolden(net, w, x, { mode: 'float', backend: 'wasm', workers: 0, throughLayer: 4 });
      const words = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
      const differing = here.activations.map((a, i) => words(a).filter((v, k) => v !== words(threaded.activations[i]!)[k]).length);
      expect(differing).toEqual([0, 0, 0, 0]);
      // The float reference is not the exact result (else the comparison above proves nothing about threads).
      expect(floatDistance(exact.activations[0]!, here.activations[0]!).maxUlp).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});

describe('floatDistance', () => {
  const f = (...v: number[]) => new Float32Array(v);
  it('1 vs its next float, −1 vs −1, +0 vs −0, 2 vs 2 − 2 ulps: max 2, mean 0.6, median 0 ulps; max |diff| 2^-22, relative to a range of 2', () => {
    const next1 = 1 + 2 ** -23, twoMinus2 = 2 - 2 * 2 ** -23;
    const d = floatDistance(f(1, -1, 0, 2, 1), f(next1, -1, -0, twoMinus2, 1));
    expect(d.maxUlp).toBe(2);
    expect(d.meanUlp).toBe(0.6);
    expect(d.medianUlp).toBe(0);
    expect(d.maxAbs).toBe(2 ** -22);
    expect(d.relToRange).toBe(2 ** -23);
  });

  it('−1 vs +1 are 2·0x3f800000 ulps apart (across zero); a 200,000-word layer with every 4th word 3 ulps off has median 0 and mean 0.8', () => {
    expect(floatDistance(f(-1), f(1)).maxUlp).toBe(2 * 0x3f800000);
    const n = 200_000;
    const e = new Float32Array(n).fill(1.5);
    const a = new Float32Array(n).fill(1.5);
    const u = new Uint32Array(a.buffer);
    for (let i = 0; i < n; i += 4) u[i] = u[i]! + 3;
    const d = floatDistance(e, a);
    expect([d.maxUlp, d.medianUlp, d.meanUlp]).toEqual([3, 0, 0.8]);
  });
});
