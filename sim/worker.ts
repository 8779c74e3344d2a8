// Worker thread entry: instantiates the wasm MAC kernel (or uses the JS one) and runs the band of rows it is sent.
import { parentPort } from 'node:worker_threads';
import { convRows, type KernelLayer } from './kernel.js';
import { WasmConv } from './wasmKernel.js';

let wasm: WasmConv | undefined;

parentPort!.on('message', (m: { init?: true; module?: WebAssembly.Module; layer: KernelLayer; x: Float32Array; out: Float32Array; rowStart: number; rowEnd: number }) => {
  if (m.module && !wasm) wasm = new WasmConv(m.module);
  if (m.init) {
    parentPort!.postMessage('ready');
    return;
  }
  if (m.module) {
    parentPort!.postMessage(wasm!.run(m.layer, m.x, m.out, m.rowStart, m.rowEnd));
  } else {
    const t = performance.now();
    convRows(m.layer, m.x, m.out, m.rowStart, m.rowEnd);
    parentPort!.postMessage({ kernelMs: performance.now() - t, copyMs: 0 });
  }
});
