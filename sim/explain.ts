// The model's explanation of one output word: its own scalar arithmetic (sim/arith.ts) and its own weight decode, step
// by step, with the faults aimed at the model applied as they are in its runs.
import { tapOrder, type Explanation } from '../core/explain.js';
import type { LayerSpec } from '../core/spec.js';
import { add, mul, relu } from './arith.js';
import type { KernelLayer } from './kernel.js';

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
const bits = (v: number) => {
  F[0] = v;
  return (U[0]! & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : U[0]!;
};

/** Explains output (row, col, chan) of layer `l` (as the model's kernel holds it) on the model's input `x` (HWC). */
export function explainModel(l: LayerSpec, k: KernelLayer, x: Float32Array, row: number, col: number, chan: number): Explanation {
  const taps = tapOrder(l.kernel, l.inC, l.stride, l.pad, row, col);
  let acc = 0;
  const steps = taps.map((t, i) => {
    const inside = t.iy >= 0 && t.iy < l.inH && t.ix >= 0 && t.ix < l.inW;
    const xv = inside ? x[(t.iy * l.inW + t.ix) * l.inC + t.ci]! : 0;
    const w = k.weights[i * l.outC + chan]!;
    const p = mul(w, xv);
    acc = i === 0 ? p : add(acc, p);
    return { ky: t.ky, kx: t.kx, ci: t.ci, x: bits(xv), w: bits(w), product: bits(p), sum: bits(acc) };
  });
  const biased = add(acc, k.bias[chan]!);
  return { taps: steps, bias: bits(k.bias[chan]!), biased: bits(biased), out: bits(l.relu ? relu(biased) : biased) };
}
