// Golden worker thread: selects its tfjs backend once, then computes the bands of output rows it is sent (exact or float).
import { parentPort } from 'node:worker_threads';
import { useBackend, type GoldenBackend } from './backend.js';
import { exactLayerRows, floatLayerRows, type GoldenLayer } from './exact.js';

let active: GoldenBackend | undefined;

parentPort!.on('message', async (m: { backend: GoldenBackend | 'auto'; float: boolean; x: Float32Array; inH: number; inW: number; layer: GoldenLayer; rowStart: number; rowEnd: number; out: Float32Array }) => {
  try {
    active ??= await useBackend(m.backend);
    const band = (m.float ? floatLayerRows : exactLayerRows)(m.x, m.inH, m.inW, m.layer, m.rowStart, m.rowEnd);
    m.out.set(band, m.rowStart * m.layer.outW * m.layer.outC);
    parentPort!.postMessage({ backend: active });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
