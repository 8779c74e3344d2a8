// Worker pool for the MAC kernel: splits a layer's output rows across threads over SharedArrayBuffers.
import { Worker } from 'node:worker_threads';
import type { KernelLayer } from './kernel.js';

/** Threads that each run convRows on a band of output rows. */
export class RowPool {
  private readonly workers: Worker[];

  /** `module`: the wasm kernel to run in every worker, or undefined for the JS kernel. */
  constructor(size: number, private readonly module?: WebAssembly.Module) {
    const url = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: size }, () => new Worker(url));
  }

  /** Computes all `outH` rows of layer `l` on input `x`; returns a fresh HWC array. */
  async conv(l: KernelLayer, x: Float32Array, outH: number): Promise<Float32Array> {
    const share = (a: Float32Array) => {
      const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
      s.set(a);
      return s;
    };
    const xs = x.buffer instanceof SharedArrayBuffer ? x : share(x);
    const out = new Float32Array(new SharedArrayBuffer(outH * l.outW * l.outC * 4));
    const layer = { ...l, weights: share(l.weights), bias: share(l.bias) };
    const n = this.workers.length;
    const bands = Array.from({ length: n }, (_, i) => [Math.floor((i * outH) / n), Math.floor(((i + 1) * outH) / n)] as const);
    await Promise.all(
      this.workers.map((w, i) => new Promise<void>((resolve, reject) => {
        const [a, b] = bands[i]!;
        if (a === b) return resolve();
        const onMsg = () => { w.off('error', onErr); resolve(); };
        const onErr = (e: Error) => { w.off('message', onMsg); reject(e); };
        w.once('message', onMsg);
        w.once('error', onErr);
        w.postMessage({ module: this.module, layer, x: xs, out, rowStart: a, rowEnd: b });
      })),
    );
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
