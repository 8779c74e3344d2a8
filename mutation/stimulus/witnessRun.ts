// The stimulus of a witness run: the operands a SAT witness (mutation/formal/witness.ts) found at one ALU site of layer N, set up in
// weights and inputs so that every inside output of layer N meets them there. Layer N − 1 (or, for layer 1, the pixels)
// holds one constant value per input channel; layer N reads them through weights that are zero except at one or two
// taps, so its running sum is exactly the witness's sum (a product with ±1 is exact, and adding +0 changes nothing
// nonzero), and every output channel gets the same weights and bias. Returns null when the witness cannot be set up
// (an accumulator witness needs two input channels, or one value on both).
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import type { Witness } from '../formal/witness.js';
import { code, inputs, liveTaps } from './cornerWeights.js';
import { valueOf } from '../formal/f32bits.js';

const f32 = valueOf;
/** The bfloat18 code of ±1. */
const ONE = (negative: boolean): number => code(negative ? 1 : 0, 127, 0);

/** Weights and pixels that put the witness's operands at its site in layer `layer`. */
export interface WitnessStimulus {
  readonly weights: HwLayerWeights[];
  /** One frame (H·W·3, HWC): for layer 1 every pixel of channel c holds the channel's value; otherwise 0. */
  readonly frame: Float32Array;
}

/** The stimulus for `w` at `layer` (1-based), from the campaign's weights; null when it cannot be set up. */
export function witnessStimulus(net: NetworkSpec, weights: readonly HwLayerWeights[], layer: number, w: Witness): WitnessStimulus | null {
  const l = net.layers[layer - 1]!;
  const live = liveTaps(l);
  if (live.length === 0) return null;
  const values = new Array<number>(l.inC).fill(0);
  const codes = new Uint32Array(weights[layer - 1]!.codes.length);
  const bias = new Float32Array(l.outC);
  const setTap = (t: number, c: number) => { for (let co = 0; co < l.outC; co++) codes[t * l.outC + co] = c; };
  const t0 = live[0]!;
  const c0 = t0 % l.inC;
  if (w.site === 'multiply') {
    // The weight's code as it is, the input as it is (its sign allowed where the layer before has no ReLU).
    values[c0] = f32(w.b);
    setTap(t0, w.a & 0x3ffff);
  } else {
    // The running sum a is a product |a|·(±1) on the first live tap.
    values[c0] = Math.abs(f32(w.a));
    setTap(t0, ONE((w.a >>> 31) === 1));
    if (w.site === 'bias-add') {
      bias.fill(f32(w.b));
    } else {
      // The product b on the next live tap that reads another channel (or the same one, when |a| = |b|).
      const sameMagnitude = (w.a & 0x7fffffff) === (w.b & 0x7fffffff);
      const t1 = live.find((t) => t > t0 && (t % l.inC !== c0 || sameMagnitude));
      if (t1 === undefined) return null;
      values[t1 % l.inC] = Math.abs(f32(w.b));
      setTap(t1, ONE((w.b >>> 31) === 1));
    }
  }
  const out = weights.map((x) => x);
  out[layer - 1] = { ...weights[layer - 1]!, codes, bias };
  if (layer > 1) out[layer - 2] = inputs(weights[layer - 2]!, net.layers[layer - 2]!.outC, (co) => values[co] ?? 0);
  const { height, width } = net.input;
  const frame = new Float32Array(height * width * 3);
  if (layer === 1) for (let i = 0; i < frame.length; i++) frame[i] = values[i % 3] ?? 0;
  return { weights: out, frame };
}
