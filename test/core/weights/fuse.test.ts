// Batch-norm fusion against values worked out by hand, and the synthetic weights' determinism.
import { describe, expect, it } from 'vitest';
import { fuseLayer } from '../../../core/weights/fuse.js';
import { syntheticParams } from '../../../core/weights/synthetic.js';
import { loadSpec } from '../../../core/spec.js';

describe('batch-norm fusion', () => {
  it('w·γ/√(σ²+ε) and (b−μ)·γ/√(σ²+ε)+β for k=1 cin=1 cout=1', () => {
    const layer = loadSpec('tiny').layers[0]!;
    const one = { ...layer, kernel: 1, inC: 1, outC: 1 };
    // γ = 2, σ² = 4 − 1e-5 (so σ²+ε ≈ 4, √ = 2, scale ≈ 1), μ = 0.5, β = 0.25, w = 3, b = 1.5.
    const f = fuseLayer(one, {
      weight: Float32Array.of(3), bias: Float32Array.of(1.5),
      bn: { gamma: Float32Array.of(2), beta: Float32Array.of(0.25), mean: Float32Array.of(0.5), variance: Float32Array.of(4 - 1e-5) },
    });
    expect(f.weight[0]).toBeCloseTo(3, 5);
    expect(f.bias[0]).toBeCloseTo((1.5 - 0.5) * 1 + 0.25, 5);
  });
  it('reorders [Cout,Cin,K,K] into tap order (ky,kx,ci)×co for k=3 cin=2 cout=2', () => {
    const layer = { ...loadSpec('tiny').layers[0]!, kernel: 3, inC: 2, outC: 2, batchnorm: false };
    const w = Float32Array.from({ length: 36 }, (_, i) => i);
    const f = fuseLayer(layer, { weight: w, bias: new Float32Array(2) });
    // co=1, ci=0, ky=2, kx=1 is source index ((1·2+0)·3+2)·3+1 = 25; tap = (2·3+1)·2+0 = 14 → slot 14·2+1 = 29.
    expect(f.weight[29]).toBe(25);
  });
});

describe('synthetic weights', () => {
  it('are identical for the same seed and differ for another (ie120r-mini)', () => {
    const net = loadSpec('ie120r-mini');
    const a = syntheticParams(net.layers, 7);
    const b = syntheticParams(net.layers, 7);
    const c = syntheticParams(net.layers, 8);
    expect(Buffer.from(a[4]!.weight.buffer).equals(Buffer.from(b[4]!.weight.buffer))).toBe(true);
    expect(Buffer.from(a[4]!.weight.buffer).equals(Buffer.from(c[4]!.weight.buffer))).toBe(false);
  });
  it('have He-normal spread: std ≈ √(2/fan_in) on layer1 of ie120r (fan_in 27)', () => {
    const w = syntheticParams(loadSpec('ie120r').layers.slice(0, 1), 0)[0]!.weight;
    let s = 0;
    for (const v of w) s += v * v;
    expect(Math.sqrt(s / w.length)).toBeGreaterThan(0.8 * Math.sqrt(2 / 27));
    expect(Math.sqrt(s / w.length)).toBeLessThan(1.2 * Math.sqrt(2 / 27));
  });
});
