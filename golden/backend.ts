// tfjs backend selection for the golden: tfjs-node when installed and working, else wasm, else cpu; says which.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { SimrunError } from '../core/errors.js';

/** The backends the golden can run on. */
export type GoldenBackend = 'tensorflow' | 'wasm' | 'cpu';

let chosen: GoldenBackend | undefined;

async function tryNode(): Promise<boolean> {
  // Optional dependency: its native library is fetched by an install script that may not have run.
  const name = '@tensorflow/tfjs-node';
  try {
    await import(name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

/**
 * Makes `want` (or the best available) the active tfjs backend and returns its name.
 * `auto` prefers tensorflow (tfjs-node), then wasm, then cpu.
 */
export async function useBackend(want: GoldenBackend | 'auto' = 'auto'): Promise<GoldenBackend> {
  if (want === 'auto' && chosen) {
    await tf.setBackend(chosen);
    return chosen;
  }
  const order: GoldenBackend[] = want === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [want];
  for (const b of order) {
    const ok = b === 'tensorflow' ? await tryNode() : await tf.setBackend(b).catch(() => false);
    if (ok) {
      await tf.ready();
      if (want === 'auto') chosen = b;
      return b;
    }
  }
  throw new SimrunError('INTERNAL', `tfjs backend '${want}' is not available on this machine; choose another (auto picks the first that loads) or reinstall with npm ci`);
}
