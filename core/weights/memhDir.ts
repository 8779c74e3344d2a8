// Reader for a directory of hardware-format weight{N}.memh / bias{N}.memh (already fused and quantized).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../errors.js';
import { parseMemh } from '../memh.js';
import type { LayerSpec } from '../spec.js';
import type { HwLayerWeights } from './types.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new SimrunError('WEIGHTS_INVALID', `weights directory is missing '${path}'; write it with 'simrun vectors' or point --weights elsewhere`);
  }
}

/** Loads hardware weights for every layer from `dir`. */
export function readMemhDirWeights(dir: string, layers: readonly LayerSpec[]): HwLayerWeights[] {
  return layers.map((l) => {
    const taps = l.kernel * l.kernel * l.inC;
    const wPath = join(dir, `weight${l.index}.memh`);
    const bPath = join(dir, `bias${l.index}.memh`);
    const codes = parseMemh(readText(wPath), wPath, l.outC, 'highFirst', taps);
    for (let i = 0; i < codes.length; i++) {
      if (codes[i]! > 0x3ffff) throw new SimrunError('MEMH_MALFORMED', `${wPath}:${Math.floor(i / l.outC) + 1}: word ${codes[i]!.toString(16)} is wider than an 18-bit bfloat18 code`);
    }
    const bias = new Float32Array(parseMemh(readText(bPath), bPath, l.outC, 'highFirst', 1).buffer);
    return { codes, bias };
  });
}
