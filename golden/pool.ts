// Worker pool for the golden: each thread has its own tfjs backend and computes a band of output rows (exact or float);
// one pool serves every layer and frame of a run.
import { Worker } from 'node:worker_threads';
import { SimrunError } from '../core/errors.js';
import type { GoldenBackend } from './backend.js';
import type { GoldenLayer } from './exact.js';

/** Threads that each run exactLayerRows on a band of a layer's output rows. */
export class GoldenPool {
  private readonly workers: Worker[];

  /** Starts `size` threads that will use `backend`. */
  constructor(size: number, private readonly backend: GoldenBackend | 'auto') {
    const url = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: size }, () => new Worker(url));
  }

  /** Computes every output row of `l` (input HWC [inH, inW, inC]), exactly or as the float reference; returns HWC output and the backend used. */
  async layer(x: Float32Array, inH: number, inW: number, l: GoldenLayer, float = false): Promise<{ out: Float32Array; backend: GoldenBackend }> {
    const xs = new Float32Array(new SharedArrayBuffer(x.byteLength));
    xs.set(x);
    const out = new Float32Array(new SharedArrayBuffer(l.outH * l.outW * l.outC * 4));
    const n = Math.min(this.workers.length, l.outH);
    let backend: GoldenBackend = 'cpu';
    await Promise.all(this.workers.slice(0, n).map((w, i) => new Promise<void>((resolve, reject) => {
      const rowStart = Math.floor((i * l.outH) / n);
      const rowEnd = Math.floor(((i + 1) * l.outH) / n);
      const done = () => { w.off('message', onMsg); w.off('error', onErr); w.off('exit', onExit); };
      const onMsg = (m: { backend?: GoldenBackend; error?: string }) => {
        done();
        if (m.error) return reject(new SimrunError('INTERNAL', `a golden worker failed: ${m.error}`));
        backend = m.backend!;
        resolve();
      };
      const onErr = (e: Error) => { done(); reject(e); };
      // A thread that ends without a message or an error (killed, out of memory) must not leave the layer waiting.
      const onExit = (code: number) => { done(); reject(new SimrunError('INTERNAL', `a golden worker ended (exit ${code}) before finishing its rows`)); };
      w.once('message', onMsg);
      w.once('error', onErr);
      w.once('exit', onExit);
      w.postMessage({ backend: this.backend, float, x: xs, inH, inW, layer: l, rowStart, rowEnd, out });
    })));
    return { out, backend };
  }

  /** Ends the threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
