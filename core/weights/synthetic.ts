// Deterministic synthetic parameters: integer PRNG plus Irwin–Hall normals (only + and ×), identical on every machine.
import { SimrunError } from '../errors.js';
import type { LayerSpec } from '../spec.js';
import type { RawLayerParams } from './types.js';

/** splitmix32-style generator: 32-bit integer state, uniform doubles in [0,1). */
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** The next 32-bit hash of the state. */
  private next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  uniform(): number {
    return this.next() / 4294967296;
  }
  /**
   * Approximately standard normal: Irwin–Hall of four 16-bit uniforms (two hashes), centred and scaled to unit variance.
   * Only +, × and a correctly rounded constant, so every machine draws the same values; four terms instead of twelve
   * because the full IE120R draws ten million of these on every run.
   */
  normal(): number {
    const a = this.next();
    const b = this.next();
    const sum = (a >>> 16) + (a & 0xffff) + (b >>> 16) + (b & 0xffff); // 4 uniforms on 0..65535
    return (sum / 65536 - 2 + 2 / 65536) * SQRT3;
  }
}

/** √3: the sum of 4 unit uniforms has variance 1/3. */
const SQRT3 = 1.7320508075688772;

function fill(n: number, f: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f();
  return a;
}

/** He-normal conv weights, small biases and batch-norm statistics in realistic ranges, for every layer. */
export function syntheticParams(layers: readonly LayerSpec[], seed: number): RawLayerParams[] {
  return layers.map((l) => syntheticLayer(l, seed));
}

/** One layer's synthetic parameters; each layer has its own generator, so layers can be drawn in any order or thread. */
export function syntheticLayer(l: LayerSpec, seed: number): RawLayerParams {
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
}

/**
 * The seed of a `synthetic[:SEED]` weight spec, or null for another spec. The generator is seeded with 32 bits, so a
 * seed of 2^32 or more (which would quietly repeat a smaller one) is refused, as is anything but decimal digits.
 */
export function syntheticSeed(spec: string): number | null {
  const m = /^synthetic(?::(.*))?$/.exec(spec);
  if (!m) return null;
  if (m[1] === undefined) return 0;
  if (!/^\d+$/.test(m[1]) || Number(m[1]) >= 2 ** 32) {
    throw new SimrunError('WEIGHTS_INVALID', `weights '${spec}': the seed '${m[1]}' is not a decimal whole number below 2^32 (4294967296); pass e.g. synthetic:7`);
  }
  return Number(m[1]);
}
