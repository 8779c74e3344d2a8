// The TS model: runs frames through every layer (arithmetic in hardware order + event-driven timing) and measures latency.
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { bf18Value, MIN_NORMAL } from './arith.js';
import { convRows, type KernelLayer } from './kernel.js';
import { RowPool } from './pool.js';
import { kernelModule, WasmConv } from './wasmKernel.js';
import { inputArrivals, scheduleLayer, type LayerTiming, type TimingFault } from './timing.js';

/** Test-only arithmetic fault: flip one bit of one output word (frame 0). */
export interface BitFault {
  readonly layer: number;
  readonly row: number;
  readonly col: number;
  readonly chan: number;
  readonly bit: number;
}

/** Options for a model run. */
export interface ModelOptions {
  /** Worker threads for the MAC kernel (0 = run in this thread). */
  readonly workers?: number;
  /** `wasm` (default): the SIMD kernel; `js`: the readable scalar definition it is tested against. */
  readonly kernel?: 'wasm' | 'js';
  readonly bitFault?: BitFault;
  readonly timingFault?: TimingFault;
  readonly onLayer?: (frame: number, layer: number) => void;
}

/** Latency figures of DESIGN §5. */
export interface ModelLatency {
  /** Per frame: last output beat − last input pixel. */
  readonly perFrame: readonly number[];
  /** Mean gap between the last output beats of consecutive frames (null for one frame). */
  readonly steadyInterval: number | null;
}

/** What a model run produces. */
export interface ModelResult {
  /** activations[frame][layer] as HWC float32. */
  readonly activations: readonly (readonly Float32Array[])[];
  readonly timings: readonly LayerTiming[];
  readonly latency: ModelLatency;
}

function minNonzero(a: Float32Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]! < 0 ? -a[i]! : a[i]!;
    if (v !== 0 && v < m) m = v;
  }
  return m;
}

/** Decodes a layer's weights for the kernel (the model's own decode, not shared with the other engines). */
export function kernelLayers(net: NetworkSpec, weights: readonly HwLayerWeights[]): KernelLayer[] {
  return net.layers.map((l) => {
    const w = weights[l.index - 1]!;
    const dec = new Float32Array(w.codes.length);
    for (let i = 0; i < dec.length; i++) dec[i] = bf18Value(w.codes[i]!);
    return {
      kernel: l.kernel, stride: l.stride, pad: l.pad, inH: l.inH, inW: l.inW, inC: l.inC,
      outW: l.outW, outC: l.outC, relu: l.relu, weights: dec, bias: w.bias, flushProducts: true,
    };
  });
}

/** Timing only (no arithmetic): beats, rows and latency of `frames` frames. */
export function scheduleNetwork(net: NetworkSpec, plan: NetworkPlan, frames: number, fault?: TimingFault): { timings: LayerTiming[]; latency: ModelLatency } {
  let arrivals = inputArrivals(net, frames);
  const timings: LayerTiming[] = [];
  for (const l of net.layers) {
    const t = scheduleLayer(l, plan.layers[l.index - 1]!, arrivals, frames, fault);
    timings.push(t);
    arrivals = t.rows;
  }
  const last = timings[timings.length - 1]!;
  const outH = net.layers[net.layers.length - 1]!.outH;
  const { height: H, width: W } = net.input;
  const P = net.rowPeriod;
  const perFrame: number[] = [];
  const lastBeat: number[] = [];
  for (let f = 0; f < frames; f++) {
    const lb = last.rows.last[f * outH + outH - 1]!;
    lastBeat.push(lb);
    perFrame.push(lb - (f * H * P + (H - 1) * P + W - 1));
  }
  const steadyInterval = frames > 1 ? (lastBeat[frames - 1]! - lastBeat[0]!) / (frames - 1) : null;
  return { timings, latency: { perFrame, steadyInterval } };
}

/** Runs `frames` (each HWC float32 H×W×3) through the model. */
export async function runModel(net: NetworkSpec, plan: NetworkPlan, weights: readonly HwLayerWeights[], frames: readonly Float32Array[], opts: ModelOptions = {}): Promise<ModelResult> {
  const layers = kernelLayers(net, weights);
  const minW = layers.map((l) => minNonzero(l.weights));
  const module = (opts.kernel ?? 'wasm') === 'wasm' ? await kernelModule() : undefined;
  const pool = opts.workers ? new RowPool(opts.workers, module) : undefined;
  const local = module && !pool ? new WasmConv(module) : undefined;
  try {
    const activations: Float32Array[][] = [];
    for (let f = 0; f < frames.length; f++) {
      let x = frames[f]!;
      const acts: Float32Array[] = [];
      for (const l of net.layers) {
        const kl = { ...layers[l.index - 1]!, flushProducts: !(minNonzero(x) * minW[l.index - 1]! >= MIN_NORMAL) };
        const y = pool ? await pool.conv(kl, x, l.outH) : new Float32Array(l.outH * l.outW * l.outC);
        if (!pool) (local ? local.run(kl, x, y, 0, l.outH) : convRows(kl, x, y, 0, l.outH));
        canonicalizeNaN(y);
        const bf = opts.bitFault;
        if (bf && f === 0 && bf.layer === l.index) {
          const u = new Uint32Array(y.buffer, y.byteOffset, y.length);
          u[(bf.row * l.outW + bf.col) * l.outC + bf.chan] ^= 1 << bf.bit;
        }
        acts.push(y);
        x = y;
        opts.onLayer?.(f, l.index);
      }
      activations.push(acts);
    }
    const { timings, latency } = scheduleNetwork(net, plan, frames.length, opts.timingFault);
    return { activations, timings, latency };
  } finally {
    await pool?.close();
  }
}

function canonicalizeNaN(a: Float32Array): void {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < u.length; i++) if ((u[i]! & 0x7fffffff) > 0x7f800000) u[i] = 0x7fc00000;
}
