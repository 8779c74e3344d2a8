// Golden orchestration: decodes hardware weights, runs every layer (exact or float) and returns all activations as HWC float32.
import type { Fault } from '../core/faults.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { useBackend, type GoldenBackend } from './backend.js';
import { exactLayerRows, floatLayerRows, type GoldenLayer } from './exact.js';
import { GoldenPool } from './pool.js';

/** `exact` follows the arithmetic contract bit for bit; `float` is the tf.conv2d accuracy reference. */
export type GoldenMode = 'exact' | 'float';

/** Every layer's output (HWC, float32) and the backend that computed it. */
export interface GoldenResult {
  readonly backend: GoldenBackend;
  readonly mode: GoldenMode;
  readonly activations: readonly Float32Array[];
}

/** bfloat18 code → float32 weight: the code is the top 18 bits of the binary32 pattern. */
export function decodeCodes(codes: Uint32Array): Float32Array {
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
  /** Worker threads for networks over 10^8 MACs (default 2); smaller ones run in this thread. */
  readonly workers?: number;
  /** Threads to use instead of starting `workers` new ones (a run's later frames and its float reference share them). */
  readonly pool?: GoldenPool;
  /** Called after each layer (for progress). */
  readonly onLayer?: (index: number) => void;
  /** Faults aimed at the golden (bit, weight, bias): only tests use them, to prove every engine pair is compared. */
  readonly faults?: readonly Fault[];
  /** Stop after this layer (1-based; default: the last). */
  readonly throughLayer?: number;
}

/** A layer's weights and bias as the golden uses them, with weight and bias faults applied. */
export function faultedParams(layer: number, codes: Uint32Array, bias: Float32Array, faults: readonly Fault[]): { codes: Uint32Array; bias: Float32Array } {
  const mine = faults.filter((f) => f.layer === layer && (f.kind === 'weight' || f.kind === 'bias'));
  if (mine.length === 0) return { codes, bias };
  const c = Uint32Array.from(codes);
  const b = Float32Array.from(bias);
  const bb = new Uint32Array(b.buffer);
  for (const f of mine) {
    if (f.kind === 'weight') c[f.index] = (c[f.index]! ^ (1 << f.bit)) & 0x3ffff;
    if (f.kind === 'bias') bb[f.index] = (bb[f.index]! ^ (1 << f.bit)) >>> 0;
  }
  return { codes: c, bias: b };
}

/** Thread start-up (a tfjs backend each) costs more than networks under 10^8 MACs take. */
function worthThreads(net: NetworkSpec): boolean {
  return net.layers.reduce((a, l) => a + l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC, 0) > 1e8;
}

/** Threads for the golden of `net`, or none when it is small enough for this thread (or `workers` is 0). */
export function goldenThreads(net: NetworkSpec, workers: number, backend: GoldenBackend | 'auto'): GoldenPool | undefined {
  return workers > 0 && worthThreads(net) ? new GoldenPool(workers, backend) : undefined;
}

/** Runs the whole network on one frame (`input` HWC float32, H×W×3). */
export async function runGolden(net: NetworkSpec, weights: readonly HwLayerWeights[], input: Float32Array, opts: GoldenOptions = {}): Promise<GoldenResult> {
  const mode = opts.mode ?? 'exact';
  let backend = await useBackend(opts.backend ?? 'auto');
  const ownPool = opts.pool ? undefined : goldenThreads(net, opts.workers ?? 2, opts.backend ?? backend);
  const pool = opts.pool && worthThreads(net) ? opts.pool : ownPool;
  const activations: Float32Array[] = [];
  try {
    let x = input;
    for (const l of net.layers.slice(0, opts.throughLayer ?? net.layers.length)) {
      const w = weights[l.index - 1]!;
      const p = faultedParams(l.index, w.codes, w.bias, opts.faults ?? []);
      const gl: GoldenLayer = {
        kernel: l.kernel, stride: l.stride, pad: l.pad, inC: l.inC, outC: l.outC, outH: l.outH, outW: l.outW, relu: l.relu,
        weights: mode === 'exact' ? decodeCodes(p.codes) : (w.fused ?? decodeCodes(p.codes)),
        bias: p.bias,
      };
      let y: Float32Array;
      if (pool) {
        const r = await pool.layer(x, l.inH, l.inW, gl, mode === 'float');
        backend = r.backend;
        y = new Float32Array(r.out);
      } else {
        y = (mode === 'float' ? floatLayerRows : exactLayerRows)(x, l.inH, l.inW, gl, 0, l.outH);
      }
      canonicalizeNaN(y);
      for (const f of opts.faults ?? []) {
        if (f.kind !== 'bit' || f.layer !== l.index) continue;
        const u = new Uint32Array(y.buffer, y.byteOffset, y.length);
        const i = (f.row * l.outW + f.col) * l.outC + f.chan;
        u[i] = (u[i]! ^ (1 << f.bit)) >>> 0;
      }
      activations.push(y);
      x = y;
      opts.onLayer?.(l.index);
    }
  } finally {
    await ownPool?.close();
  }
  return { backend, mode, activations };
}
