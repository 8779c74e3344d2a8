// The golden's explanation of one output word: the same tap product, accumulate and finish functions exactRows uses,
// applied to one output with tfjs tensors, reading back the bits after every step.
import { tf, type Tensor } from './tf.js';
import { tapOrder, type Explanation } from '../core/explain.js';
import { useBackend } from './backend.js';
import { accumulate, finish, tapProduct, type GoldenLayer } from './exact.js';

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);
const bitsOf = (t: Tensor) => {
  F[0] = (t.dataSync() as Float32Array)[0]!;
  return U[0]!;
};

/** Explains output (row, col, chan) of layer `l` whose input is HWC `x` [inH, inW, inC]; weights as GoldenLayer holds them. */
export async function explainGolden(x: Float32Array, inH: number, inW: number, l: GoldenLayer, row: number, col: number, chan: number): Promise<Explanation> {
  await useBackend();
  const taps = tapOrder(l.kernel, l.inC, l.stride, l.pad, row, col);
  const steps: { ky: number; kx: number; ci: number; x: number; w: number; product: number; sum: number }[] = [];
  let acc: Tensor | null = null;
  taps.forEach((t, i) => {
    const inside = t.iy >= 0 && t.iy < inH && t.ix >= 0 && t.ix < inW;
    const xv = inside ? x[(t.iy * inW + t.ix) * l.inC + t.ci]! : 0;
    const xt = tf.tensor1d([xv]);
    const wt = tf.tensor1d([l.weights[i * l.outC + chan]!]);
    const p = tapProduct(xt, wt, true);
    const next = accumulate(acc, p);
    steps.push({ ky: t.ky, kx: t.kx, ci: t.ci, x: bitsOf(xt), w: bitsOf(wt), product: bitsOf(p), sum: bitsOf(next) });
    if (acc !== null) {
      acc.dispose();
      p.dispose();
    }
    xt.dispose();
    wt.dispose();
    acc = next;
  });
  const b = tf.tensor1d([l.bias[chan]!]);
  const biased = finish(acc!, b, false);
  const out = finish(acc!, b, l.relu);
  const e: Explanation = { taps: steps, bias: bitsOf(b), biased: bitsOf(biased), out: bitsOf(out) };
  for (const t of [acc!, b, biased, out]) t.dispose();
  return e;
}
