// Synthetic weights kept between runs: the full IE120R draws, fuses and quantizes ten million weights (about 0.3 s of
// two threads) to the same arrays on every run of the same seed. The key is the layers' shapes, the seed, the rounding
// mode and the compiled code that draws, fuses and quantizes, so changed code never serves stale weights. Invariant: a
// cached file is used only when its header names this key, its length is exactly what the layers need and its words
// hash to the header's checksum; anything
// else is drawn afresh (the cache is never trusted over the generator). At most KEEP_FILES files are kept.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantMode } from '../bfloat18.js';
import { cacheRoot } from '../cacheDir.js';
import { codeHash } from '../codeHash.js';
import { processAlive } from '../proc.js';
import type { NetworkSpec } from '../spec.js';
import type { HwLayerWeights } from './types.js';

/** The compiled files whose code decides synthetic weights. */
export const GENERATOR_FILES = ['./synthetic.js', './fuse.js', './load.js', '../bfloat18.js'];

/** Weight files kept (the most recently used); each full-IE120R file is about 80 MB. */
const KEEP_FILES = 4;

/** Header bytes before the arrays: the key and the checksum in ASCII, zero-padded (a multiple of 4: arrays stay aligned). */
const HEADER_BYTES = 64;

/** The arrays of one layer in file order, as empty arrays of the right lengths. */
function emptyLayers(net: NetworkSpec): HwLayerWeights[] {
  return net.layers.map((l) => {
    const n = l.kernel * l.kernel * l.inC * l.outC;
    return { codes: new Uint32Array(n), bias: new Float32Array(l.outC), fused: new Float32Array(n) };
  });
}

const arraysOf = (w: HwLayerWeights) => [w.codes, w.bias, w.fused!] as const;

/**
 * A 32-bit FNV-1a-style hash of every word of every array, in file order: cheap enough to run on each read (tens of
 * ms for the full IE120R), and any changed, swapped or lost word changes it with near certainty.
 */
function checksum(layers: readonly HwLayerWeights[]): string {
  let h = 0x811c9dc5;
  for (const w of layers) {
    for (const a of arraysOf(w)) {
      const v = new Int32Array(a.buffer, a.byteOffset, a.length);
      for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v[i]!, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cache key of `net`'s synthetic weights for `seed` and `mode`. */
function keyOf(net: NetworkSpec, seed: number, mode: QuantMode): string {
  const shapes = net.layers.map((l) => [l.index, l.kernel, l.inC, l.outC, l.batchnorm ? 1 : 0]);
  return createHash('sha256').update(codeHash(GENERATOR_FILES, import.meta.url)).update(JSON.stringify({ shapes, seed, mode })).digest('hex').slice(0, 32);
}

function fileOf(key: string): string {
  return join(cacheRoot(), 'weights', `${key}.bin`);
}

/** The cached synthetic weights, or null when none are cached for exactly this key (or the file is unreadable). */
export function readCachedWeights(net: NetworkSpec, seed: number, mode: QuantMode): HwLayerWeights[] | null {
  const key = keyOf(net, seed, mode);
  const path = fileOf(key);
  const layers = emptyLayers(net);
  const sum = readInto(path, key, layers);
  if (sum === null || checksum(layers) !== sum) return null;
  try {
    const now = new Date();
    utimesSync(path, now, now); // most recently used: the last to be evicted
  } catch {
    // a read-only cache still serves
  }
  return layers;
}

/** Fills `layers` from the file at `path` when its header names `key` and its length fits; returns the header's checksum. */
function readInto(path: string, key: string, layers: readonly HwLayerWeights[]): string | null {
  const need = HEADER_BYTES + layers.reduce((a, w) => a + arraysOf(w).reduce((b, x) => b + x.byteLength, 0), 0);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).size !== need) return null;
    const header = Buffer.alloc(HEADER_BYTES);
    readSync(fd, header, 0, HEADER_BYTES, 0);
    if (header.toString('ascii', 0, key.length + 1) !== `${key} `) return null;
    // Each array is read straight into its own buffer: callers may transfer or share them one by one.
    let pos = HEADER_BYTES;
    for (const w of layers) {
      for (const a of arraysOf(w)) {
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        if (readSync(fd, bytes, 0, bytes.length, pos) !== bytes.length) return null;
        pos += bytes.length;
      }
    }
    return header.toString('ascii', key.length + 1, key.length + 9);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Keeps `weights` for the next run with the same key; a cache that cannot be written only costs that run its drawing. */
export function writeCachedWeights(net: NetworkSpec, seed: number, mode: QuantMode, weights: readonly HwLayerWeights[]): void {
  if (weights.some((w) => !w.fused)) return;
  const key = keyOf(net, seed, mode);
  const path = fileOf(key);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(join(cacheRoot(), 'weights'), { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(`${key} ${checksum(weights)}`, 'ascii');
      writeSync(fd, header);
      for (const w of weights) for (const a of arraysOf(w)) writeSync(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    evictWeights();
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Removes all but the KEEP_FILES most recently used weight files, and files left half-written by runs that died. */
function evictWeights(): void {
  const dir = join(cacheRoot(), 'weights');
  for (const f of readdirSync(dir)) {
    const m = /\.tmp-(\d+)$/.exec(f);
    if (m && !processAlive(Number(m[1]))) rmSync(join(dir, f), { force: true });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP_FILES)) rmSync(join(dir, f), { force: true });
}
