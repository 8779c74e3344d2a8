// Worker thread entry: instantiates the wasm MAC kernel (or uses the JS one), runs the band of rows it is sent and
// replies with its times and the smallest nonzero magnitude of the band.
import { parentPort } from 'node:worker_threads';
import { convRows, type KernelLayer } from './kernel.js';
import { minNonzero } from './arith.js';
import { WasmConv, type KernelTimes } from './wasmKernel.js';

let wasm: WasmConv | undefined;

parentPort!.on('message', (m: { init?: true; module?: WebAssembly.Module; layer: KernelLayer; x: Float32Array; out: Float32Array; rowStart: number; rowEnd: number }) => {
  if (m.module && !wasm) wasm = new WasmConv(m.module);
  if (m.init) {
    parentPort!.postMessage('ready');
    return;
  }
  let times: KernelTimes;
  if (m.module) {
    times = wasm!.run(m.layer, m.x, m.out, m.rowStart, m.rowEnd);
  } else {
    const t = performance.now();
    convRows(m.layer, m.x, m.out, m.rowStart, m.rowEnd);
    times = { kernelMs: performance.now() - t, copyMs: 0 };
  }
  // The next layer's flush bound needs the smallest nonzero output: each thread scans its own band.
  const row = m.layer.outW * m.layer.outC;
  parentPort!.postMessage({ times, minMagnitude: minNonzero(m.out.subarray(m.rowStart * row, m.rowEnd * row)) });
});
