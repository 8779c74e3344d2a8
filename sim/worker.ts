// Worker thread entry: runs the pure MAC kernel on the band of rows it is sent, then acknowledges.
import { parentPort } from 'node:worker_threads';
import { convRows, type KernelLayer } from './kernel.js';

parentPort!.on('message', (m: { layer: KernelLayer; x: Float32Array; out: Float32Array; rowStart: number; rowEnd: number }) => {
  convRows(m.layer, m.x, m.out, m.rowStart, m.rowEnd);
  parentPort!.postMessage('done');
});
