// Worker pool for the MAC kernel: splits a layer's output rows across threads over SharedArrayBuffers.
import { Worker } from 'node:worker_threads';
import type { KernelLayer } from './kernel.js';
import type { KernelTimes } from './wasmKernel.js';

/** Threads that each run convRows on a band of output rows. */
export class RowPool {
  private readonly workers: Worker[];
  private readonly sharedCopies = new WeakMap<Float32Array, Float32Array>();

  /** `module`: the wasm kernel to run in every worker, or undefined for the JS kernel. */
  constructor(size: number, private readonly module?: WebAssembly.Module) {
    const url = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: size }, () => new Worker(url));
  }

  /** Resolves once every thread has started and instantiated the kernel (so start-up is not billed to frame 1). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve, reject) => {
      const onMsg = () => { w.off('error', onErr); resolve(); };
      const onErr = (e: Error) => { w.off('message', onMsg); reject(e); };
      w.once('message', onMsg);
      w.once('error', onErr);
      w.postMessage({ init: true, module: this.module });
    })));
  }

  /**
   * Computes all `outH` rows of layer `l` on input `x`; returns a fresh HWC array and the layer's critical path: the
   * slowest thread's kernel and copy times, and this thread's time copying into shared memory.
   */
  async conv(l: KernelLayer, x: Float32Array, outH: number): Promise<{ out: Float32Array; times: KernelTimes; shareMs: number; minMagnitude: number }> {
    const t0 = performance.now();
    const xs = x.buffer instanceof SharedArrayBuffer ? x : share(x);
    const out = new Float32Array(new SharedArrayBuffer(outH * l.outW * l.outC * 4));
    const layer = { ...l, weights: this.shared(l.weights), bias: this.shared(l.bias) };
    const shareMs = performance.now() - t0;
    const n = this.workers.length;
    const bands = Array.from({ length: n }, (_, i) => [Math.floor((i * outH) / n), Math.floor(((i + 1) * outH) / n)] as const);
    const replies = await Promise.all(
      this.workers.map((w, i) => new Promise<BandReply>((resolve, reject) => {
        const [a, b] = bands[i]!;
        if (a === b) return resolve({ times: { kernelMs: 0, copyMs: 0 }, minMagnitude: Infinity });
        const onMsg = (r: BandReply) => { w.off('error', onErr); resolve(r); };
        const onErr = (e: Error) => { w.off('message', onMsg); reject(e); };
        w.once('message', onMsg);
        w.once('error', onErr);
        w.postMessage({ module: this.module, layer, x: xs, out, rowStart: a, rowEnd: b });
      })),
    );
    const slowest = replies.map((r) => r.times).reduce((m, t) => (t.kernelMs + t.copyMs > m.kernelMs + m.copyMs ? t : m));
    return { out, times: slowest, shareMs, minMagnitude: Math.min(...replies.map((r) => r.minMagnitude)) };
  }

  /** `a` in shared memory, copied once per array for the pool's life (weights are the same every frame). */
  private shared(a: Float32Array): Float32Array {
    let s = this.sharedCopies.get(a);
    if (!s) this.sharedCopies.set(a, (s = share(a)));
    return s;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A thread's answer for one band of rows. */
interface BandReply {
  readonly times: KernelTimes;
  /** Smallest nonzero |value| in the band's output (Infinity if none). */
  readonly minMagnitude: number;
}

function share(a: Float32Array): Float32Array {
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}
