// A pass-through chain: weights that make every layer before a target layer copy one input value to each output (one
// tap (pad, pad) of weight 1, every other weight −0, bias +0), so that the target layer's input at (y, x, c) is a
// pixel at (y·S, x·S, channel(c)) — S the product of the earlier strides. Exact for finite values that are zero or
// normal: the copied value plus −0 products and a +0 bias is the value itself (−0 becomes +0, and a ReLU on the way
// makes negatives +0). The last layer of the chain may use weight 2 (gain 2), so a pixel at the largest float becomes +Inf.
import type { LayerSpec, NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { bitsOf } from '../formal/f32bits.js';

/** The bfloat18 code of `v` (a value whose binary32 pattern has its low 14 bits clear). */
export function bf18Code(v: number): number {
  return bitsOf(v) >>> 14;
}
/** The code of −0, every unused weight: a finite input times −0 is −0, which leaves any running sum as it is. */
export const NEGATIVE_ZERO = 0x20000;

/** How the target layer's input maps back to pixels. */
export interface Chain {
  /** The product of the strides before the target layer. */
  readonly scale: number;
  /** The pixel channel the target layer's input channel `c` copies. */
  readonly channel: (c: number) => number;
  /** A ReLU lies on the way: the target layer's inputs are never negative (and never −0 past layer 1). */
  readonly nonNegative: boolean;
}

/** The pass-through chain to layer `layer` (1-based); a valid spec's padding is below its kernel, so tap (pad, pad) exists. */
export function chainTo(net: NetworkSpec, layer: number): Chain {
  const before = net.layers.slice(0, layer - 1);
  return {
    scale: before.reduce((s, l) => s * l.stride, 1),
    channel: (c) => before.reduceRight((ch, l) => ch % l.inC, c),
    nonNegative: before.some((l) => l.relu),
  };
}

/** Layer `l`'s pass-through weights: output channel co copies input channel co mod inC at tap (pad, pad), times `gain`. */
export function passThroughWeights(l: LayerSpec, gain: 1 | 2): HwLayerWeights {
  const codes = new Uint32Array(l.kernel * l.kernel * l.inC * l.outC).fill(NEGATIVE_ZERO);
  const centre = (l.pad * l.kernel + l.pad) * l.inC;
  for (let co = 0; co < l.outC; co++) codes[(centre + (co % l.inC)) * l.outC + co] = bf18Code(gain);
  return { codes, bias: new Float32Array(l.outC) };
}
