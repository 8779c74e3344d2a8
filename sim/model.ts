// The model's arithmetic: runs one frame at a time through every layer in hardware order (the MAC kernel, on worker
// threads or here), with the model's own weight decode; faults aimed at the model change its weights or outputs.
import type { Fault } from '../core/faults.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { MIN_NORMAL, minNonzero } from './arith.js';
import { convRows, type KernelLayer } from './kernel.js';
import { RowPool } from './pool.js';
import { kernelModule, WasmConv } from './wasmKernel.js';

/** Options of the model's arithmetic. */
export interface ModelOptions {
  /** Worker threads for the MAC kernel (0 = run in this thread). */
  readonly workers?: number;
  /** `wasm` (default): the SIMD kernel; `js`: the readable scalar definition it is tested against. */
  readonly kernel?: 'wasm' | 'js';
  /** Faults aimed at the model (bit, weight and bias change values here; timing faults live in the scheduler). */
  readonly faults?: readonly Fault[];
}

/** Decodes every layer's weights for the kernel (the model's own decode), with weight and bias faults applied. */
export function kernelLayers(net: NetworkSpec, weights: readonly HwLayerWeights[], faults: readonly Fault[] = []): KernelLayer[] {
  return net.layers.map((l) => {
    const w = weights[l.index - 1]!;
    const codes = Uint32Array.from(w.codes);
    const bias = Float32Array.from(w.bias);
    const biasBits = new Uint32Array(bias.buffer);
    for (const f of faults) {
      if (f.layer !== l.index) continue;
      if (f.kind === 'weight') codes[f.index] = (codes[f.index]! ^ (1 << f.bit)) & 0x3ffff;
      if (f.kind === 'bias') biasBits[f.index] = (biasBits[f.index]! ^ (1 << f.bit)) >>> 0;
    }
    // A bfloat18 code is the top 18 bits of its binary32 (the model's own decode, as bf18Value, over whole arrays).
    const dec = new Float32Array(codes.length);
    const decBits = new Uint32Array(dec.buffer);
    for (let i = 0; i < dec.length; i++) decBits[i] = codes[i]! << 14;
    return {
      kernel: l.kernel, stride: l.stride, pad: l.pad, inH: l.inH, inW: l.inW, inC: l.inC,
      outW: l.outW, outC: l.outC, relu: l.relu, weights: dec, bias, flushProducts: true, flushSums: true,
    };
  });
}

/** 2^-103: every binary32 value at least this large is a multiple of 2^-126 (its ulp is at least 2^-126). */
const SUM_GRID_BOUND = 2 ** -103;

/**
 * Which flushes of the tap loop can change a result, given the smallest nonzero |x|·|w| of a layer (exact in a double:
 * 24 × 10 significand bits). Products: only when that bound is below the smallest normal. Running sums: when every
 * nonzero product is ≥ 2^-103, every product is a multiple of 2^-126, so every exact sum is too, and rounding to binary32
 * keeps it one (below 2^-103 such multiples are representable, above it the grid is coarser); a nonzero multiple of
 * 2^-126 is at least the smallest normal, so no running sum is ever subnormal. The bias add is always flushed.
 */
export function neededFlushes(minProduct: number): { flushProducts: boolean; flushSums: boolean } {
  return { flushProducts: !(minProduct >= MIN_NORMAL), flushSums: !(minProduct >= SUM_GRID_BOUND) };
}

function canonicalizeNaN(a: Float32Array): void {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < u.length; i++) if ((u[i]! & 0x7fffffff) > 0x7f800000) u[i] = 0x7fc00000;
}

/** Where the model's time went, in milliseconds, summed over the frames run so far (for the bench). */
export interface ModelProfile {
  /** Weight decode, flush bounds of the weights, worker start-up (once per run). */
  readonly startupMs: number;
  /** The MAC kernel on each layer's critical path (the slowest thread). */
  kernelMs: number;
  /** Copies into and out of the kernel's memory on the critical path, plus copies into shared memory. */
  copyMs: number;
  /** This thread's work between layers: flush bounds of the activations, NaN canonicalization, faults. */
  betweenLayersMs: number;
  /** Everything else in frame(): messages to and from the threads, and waiting on the slower thread. */
  dispatchMs: number;
  frames: number;
}

/** The model's arithmetic for a whole network, one frame at a time. */
export class ModelRunner {
  private readonly timing: ModelProfile;

  private constructor(
    private readonly net: NetworkSpec,
    private readonly layers: readonly KernelLayer[],
    private readonly minW: readonly number[],
    private readonly bitFaults: readonly Extract<Fault, { kind: 'bit' }>[],
    private readonly pool: RowPool | undefined,
    private readonly local: WasmConv | undefined,
    private readonly module: WebAssembly.Module | undefined,
    startupMs: number,
  ) {
    this.timing = { startupMs, kernelMs: 0, copyMs: 0, betweenLayersMs: 0, dispatchMs: 0, frames: 0 };
  }

  /** Where the time went so far. */
  profile(): Readonly<ModelProfile> {
    return { ...this.timing };
  }

  /** Decodes weights and starts the kernel (worker threads when `workers` > 0). */
  static async create(net: NetworkSpec, weights: readonly HwLayerWeights[], opts: ModelOptions = {}): Promise<ModelRunner> {
    const t0 = performance.now();
    const faults = opts.faults ?? [];
    const layers = kernelLayers(net, weights, faults);
    const module = (opts.kernel ?? 'wasm') === 'wasm' ? await kernelModule() : undefined;
    const pool = opts.workers ? new RowPool(opts.workers, module) : undefined;
    const local = module && !pool ? new WasmConv(module) : undefined;
    const bits = faults.filter((f): f is Extract<Fault, { kind: 'bit' }> => f.kind === 'bit');
    const minW = layers.map((l) => minNonzero(l.weights));
    if (pool) await pool.ready();
    return new ModelRunner(net, layers, minW, bits, pool, local, module, performance.now() - t0);
  }

  /** Every layer's output (HWC float32) for one frame. */
  async frame(input: Float32Array, onLayer?: (layer: number) => void): Promise<Float32Array[]> {
    const t = this.timing;
    const start = performance.now();
    const onThreads0 = t.kernelMs + t.copyMs;
    let between = 0;
    let x = input;
    let minX = minNonzero(input); // of each layer's input: the threads return it for their output bands
    const acts: Float32Array[] = [];
    for (const l of this.net.layers) {
      let mark = performance.now();
      const kl = { ...this.layers[l.index - 1]!, ...neededFlushes(minX * this.minW[l.index - 1]!) };
      between += performance.now() - mark;
      let y: Float32Array;
      let minY: number | undefined;
      if (this.pool) {
        const r = await this.pool.conv(kl, x, l.outH);
        y = r.out;
        minY = r.minMagnitude;
        t.kernelMs += r.times.kernelMs;
        t.copyMs += r.times.copyMs + r.shareMs;
      } else {
        y = new Float32Array(l.outH * l.outW * l.outC);
        if (this.local) {
          const r = this.local.run(kl, x, y, 0, l.outH);
          t.kernelMs += r.kernelMs;
          t.copyMs += r.copyMs;
        } else {
          mark = performance.now();
          convRows(kl, x, y, 0, l.outH);
          t.kernelMs += performance.now() - mark;
        }
      }
      mark = performance.now();
      // The wasm kernel writes canonical NaNs itself; the JS definition leaves it to here.
      if (!this.module) canonicalizeNaN(y);
      let faulted = false;
      for (const bf of this.bitFaults) {
        if (bf.layer !== l.index) continue;
        const u = new Uint32Array(y.buffer, y.byteOffset, y.length);
        u[(bf.row * l.outW + bf.col) * l.outC + bf.chan] = (u[(bf.row * l.outW + bf.col) * l.outC + bf.chan]! ^ (1 << bf.bit)) >>> 0;
        faulted = true;
      }
      minX = minY !== undefined && !faulted ? minY : minNonzero(y);
      between += performance.now() - mark;
      acts.push(y);
      x = y;
      onLayer?.(l.index);
    }
    t.betweenLayersMs += between;
    t.frames++;
    t.dispatchMs += Math.max(0, performance.now() - start - between - (t.kernelMs + t.copyMs - onThreads0));
    return acts;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/** Every frame's activations (activations[frame][layer], HWC) — a convenience for tests and the bench. */
export async function runModel(net: NetworkSpec, weights: readonly HwLayerWeights[], frames: readonly Float32Array[], opts: ModelOptions = {}): Promise<Float32Array[][]> {
  const m = await ModelRunner.create(net, weights, opts);
  try {
    const out: Float32Array[][] = [];
    for (const x of frames) out.push(await m.frame(x));
    return out;
  } finally {
    await m.close();
  }
}
