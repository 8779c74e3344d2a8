// Golden orchestration: decodes hardware weights, runs every layer (exact or float) and returns all activations as HWC float32.
import * as tf from '@tensorflow/tfjs';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { useBackend, type GoldenBackend } from './backend.js';
import { exactLayer, floatLayer, type GoldenLayer } from './exact.js';

/** `exact` follows the arithmetic contract bit for bit; `float` is the tf.conv2d accuracy reference. */
export type GoldenMode = 'exact' | 'float';

/** Every layer's output (HWC, float32) and the backend that computed it. */
export interface GoldenResult {
  readonly backend: GoldenBackend;
  readonly mode: GoldenMode;
  readonly activations: readonly Float32Array[];
}

/** bfloat18 code → float32 weight: the code is the top 18 bits of the binary32 pattern. */
function decodeCodes(codes: Uint32Array): Float32Array {
  const bits = new Uint32Array(codes.length);
  for (let i = 0; i < codes.length; i++) bits[i] = (codes[i]! << 14) >>> 0;
  return new Float32Array(bits.buffer);
}

/** Rewrites every NaN to the contract's canonical 0x7FC00000. */
function canonicalizeNaN(a: Float32Array): Float32Array {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < u.length; i++) if ((u[i]! & 0x7fffffff) > 0x7f800000) u[i] = 0x7fc00000;
  return a;
}

/** Options for a golden run. */
export interface GoldenOptions {
  readonly mode?: GoldenMode;
  readonly backend?: GoldenBackend | 'auto';
  /** Called after each layer (for progress). */
  readonly onLayer?: (index: number) => void;
}

/** Runs the whole network on one frame (`input` HWC float32, H×W×3). */
export async function runGolden(net: NetworkSpec, weights: readonly HwLayerWeights[], input: Float32Array, opts: GoldenOptions = {}): Promise<GoldenResult> {
  const mode = opts.mode ?? 'exact';
  const backend = await useBackend(opts.backend ?? 'auto');
  const { height: H, width: W } = net.input;
  const activations: Float32Array[] = [];
  // exact runs channel-first [C,H,W]; float runs HWC (tf.conv2d's layout).
  let x: tf.Tensor3D = mode === 'exact'
    ? tf.tidy(() => tf.transpose(tf.tensor3d(input, [H, W, 3]), [2, 0, 1]) as tf.Tensor3D)
    : tf.tensor3d(input, [H, W, 3]);
  for (const l of net.layers) {
    const w = weights[l.index - 1]!;
    const gl: GoldenLayer = {
      kernel: l.kernel, stride: l.stride, pad: l.pad, inC: l.inC, outC: l.outC, outH: l.outH, outW: l.outW, relu: l.relu,
      weights: mode === 'exact' ? decodeCodes(w.codes) : (w.fused ?? decodeCodes(w.codes)),
      bias: w.bias,
    };
    const y = mode === 'exact' ? exactLayer(x, gl) : floatLayer(x, gl);
    x.dispose();
    x = y;
    const hwc = mode === 'exact' ? tf.tidy(() => tf.transpose(y, [1, 2, 0])) : y;
    activations.push(canonicalizeNaN(new Float32Array(hwc.dataSync())));
    if (hwc !== y) hwc.dispose();
    opts.onLayer?.(l.index);
  }
  x.dispose();
  return { backend, mode, activations };
}
