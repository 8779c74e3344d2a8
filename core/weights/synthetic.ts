// Deterministic synthetic parameters: integer PRNG plus Irwin–Hall normals (only + and ×), identical on every machine.
import type { LayerSpec } from '../spec.js';
import type { RawLayerParams } from './types.js';

/** splitmix32-style generator: 32-bit integer state, uniform doubles in [0,1). */
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  uniform(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  }
  /** Approximately standard normal: sum of 12 uniforms minus 6 (no transcendental functions). */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.uniform();
    return s - 6;
  }
}

function fill(n: number, f: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f();
  return a;
}

/** He-normal conv weights, small biases and batch-norm statistics in realistic ranges. */
export function syntheticParams(layers: readonly LayerSpec[], seed: number): RawLayerParams[] {
  return layers.map((l) => {
    const rng = new Prng((Math.imul(seed + 1, 0x27d4eb2d) ^ Math.imul(l.index, 0x165667b1)) >>> 0);
    const fanIn = l.inC * l.kernel * l.kernel;
    const std = Math.sqrt(2 / fanIn);
    const weight = fill(l.outC * fanIn, () => rng.normal() * std);
    const bias = fill(l.outC, () => rng.normal() * 0.02);
    if (!l.batchnorm) return { weight, bias };
    return {
      weight,
      bias,
      bn: {
        gamma: fill(l.outC, () => 1 + 0.1 * rng.normal()),
        beta: fill(l.outC, () => 0.1 * rng.normal()),
        mean: fill(l.outC, () => 0.05 * rng.normal()),
        variance: fill(l.outC, () => 0.6 + 0.8 * rng.uniform()),
      },
    };
  });
}
