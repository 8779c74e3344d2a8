// Synthetic weights drawn on worker threads while the caller plans and reads images: layers are dealt to threads by
// size, each thread draws, fuses and quantizes its own, and the arrays come back transferred; large ones are kept in
// the weight cache for the next run. Same values as loadWeights.
import { Worker } from 'node:worker_threads';
import type { QuantMode } from '../bfloat18.js';
import { SimrunError, type ErrorCode } from '../errors.js';
import type { LayerSpec, NetworkSpec } from '../spec.js';
import { loadWeights } from './load.js';
import { syntheticSeed } from './synthetic.js';
import { readCachedWeights, writeCachedWeights } from './weightCache.js';
import type { HwLayerWeights } from './types.js';

/** Below this many weights, a thread's start-up costs more than it saves. */
const PARALLEL_FROM = 1_000_000;

/**
 * loadWeights, on `threads` worker threads when the spec is synthetic and large (and from the weight cache when an
 * earlier run drew the same ones); otherwise in this thread. Start it, do other work, then await it.
 */
export async function loadWeightsParallel(net: NetworkSpec, weightSpec: string, mode: QuantMode, threads: number): Promise<HwLayerWeights[]> {
  const seed = syntheticSeed(weightSpec);
  const total = net.layers.reduce((a, l) => a + l.kernel * l.kernel * l.inC * l.outC, 0);
  if (seed === null || total < PARALLEL_FROM) return loadWeights(net, weightSpec, mode);
  const cached = readCachedWeights(net, seed, mode);
  if (cached) return cached;
  const drawn = threads < 2 ? loadWeights(net, weightSpec, mode) : await drawInParallel(net, seed, mode, threads);
  writeCachedWeights(net, seed, mode, drawn);
  return drawn;
}

/** Every layer drawn on `threads` threads, largest layers dealt first. */
async function drawInParallel(net: NetworkSpec, seed: number, mode: QuantMode, threads: number): Promise<HwLayerWeights[]> {
  const shares = dealBySize(net.layers, threads);
  const parts = await Promise.all(shares.map((layers) => drawOnThread(layers, seed, mode)));
  const byIndex = new Map<number, HwLayerWeights>();
  shares.forEach((layers, t) => layers.forEach((l, i) => byIndex.set(l.index, parts[t]![i]!)));
  return net.layers.map((l) => byIndex.get(l.index)!);
}

/** Largest layers first, each to the thread with the fewest weights so far. */
function dealBySize(layers: readonly LayerSpec[], threads: number): LayerSpec[][] {
  const size = (l: LayerSpec) => l.kernel * l.kernel * l.inC * l.outC;
  const shares: LayerSpec[][] = Array.from({ length: threads }, () => []);
  const load = new Array<number>(threads).fill(0);
  for (const l of [...layers].sort((a, b) => size(b) - size(a))) {
    const t = load.indexOf(Math.min(...load));
    shares[t]!.push(l);
    load[t]! += size(l);
  }
  return shares.filter((s) => s.length > 0);
}

function drawOnThread(layers: readonly LayerSpec[], seed: number, mode: QuantMode): Promise<HwLayerWeights[]> {
  const w = new Worker(new URL('./synthWorker.js', import.meta.url));
  return new Promise<HwLayerWeights[]>((resolve, reject) => {
    w.once('message', (r: { ok?: HwLayerWeights[]; error?: { code: ErrorCode; message: string } }) => {
      if (r.ok) resolve(r.ok);
      else reject(new SimrunError(r.error!.code, r.error!.message));
    });
    w.once('error', (e) => reject(new SimrunError('INTERNAL', `weights thread failed: ${e.message}`)));
    w.postMessage({ layers, seed, mode });
  }).finally(() => void w.terminate());
}
