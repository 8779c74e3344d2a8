// Worker thread entry: draws, fuses and quantizes the synthetic layers it is sent; arrays go back transferred.
import { parentPort } from 'node:worker_threads';
import type { QuantMode } from '../bfloat18.js';
import { SimrunError } from '../errors.js';
import type { LayerSpec } from '../spec.js';
import { hwLayer } from './load.js';
import { syntheticLayer } from './synthetic.js';

parentPort!.once('message', (m: { layers: LayerSpec[]; seed: number; mode: QuantMode }) => {
  try {
    const out = m.layers.map((l) => hwLayer(l, syntheticLayer(l, m.seed), m.mode));
    parentPort!.postMessage({ ok: out }, out.flatMap((w) => [w.codes.buffer, w.bias.buffer, ...(w.fused ? [w.fused.buffer] : [])]) as ArrayBuffer[]);
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof SimrunError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: String(e) } });
  }
});
