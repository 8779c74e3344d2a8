// Batch-norm fusion into conv weights/bias, in float32 (eps 1e-5), and conversion to hardware tap order.
import type { LayerSpec } from '../spec.js';
import type { RawLayerParams } from './types.js';

const EPS = Math.fround(1e-5);
const MIN_NORMAL = 2 ** -126;

/** Replaces a subnormal by a zero of the same sign: hardware inputs are never subnormal. */
function flushSubnormal(x: number): number {
  return Math.abs(x) < MIN_NORMAL ? x * 0 : x;
}

/**
 * Fuses batch norm (w' = w·γ/√(σ²+ε), b' = (b−μ)·γ/√(σ²+ε)+β, every step rounded to float32)
 * and reorders weights from [Cout,Cin,K,K] to tap order [(ky,kx,ci)][co].
 */
export function fuseLayer(layer: LayerSpec, p: RawLayerParams): { weight: Float32Array; bias: Float32Array } {
  const { kernel: k, inC: cin, outC: cout } = layer;
  const scale = new Float32Array(cout).fill(1);
  const bias = new Float32Array(cout);
  for (let co = 0; co < cout; co++) {
    if (p.bn) {
      const s = Math.fround(p.bn.gamma[co]! / Math.fround(Math.sqrt(Math.fround(p.bn.variance[co]! + EPS))));
      scale[co] = s;
      bias[co] = Math.fround(Math.fround(Math.fround(p.bias[co]! - p.bn.mean[co]!) * s) + p.bn.beta[co]!);
    } else {
      bias[co] = p.bias[co]!;
    }
    bias[co] = flushSubnormal(bias[co]!);
  }
  const weight = new Float32Array(k * k * cin * cout);
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const src = ((co * cin + ci) * k + ky) * k + kx;
          const tap = (ky * k + kx) * cin + ci;
          weight[tap * cout + co] = p.bn ? Math.fround(p.weight[src]! * scale[co]!) : p.weight[src]!;
        }
      }
    }
  }
  return { weight, bias };
}
