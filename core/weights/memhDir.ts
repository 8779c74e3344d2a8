// Reader for a directory of hardware-format weight{N}.memh / bias{N}.memh (already fused and quantized).
import { join } from 'node:path';
import { SimrunError } from '../errors.js';
import { readUserText } from '../files.js';
import { parseMemh } from '../memh.js';
import type { LayerSpec } from '../spec.js';
import type { HwLayerWeights } from './types.js';

function readText(path: string): string {
  return readUserText(path, 'weights file', 'WEIGHTS_INVALID', "write the folder with 'simrun vectors' or point --weights elsewhere");
}

/** Loads hardware weights for every layer from `dir`. */
export function readMemhDirWeights(dir: string, layers: readonly LayerSpec[]): HwLayerWeights[] {
  return layers.map((l) => {
    const taps = l.kernel * l.kernel * l.inC;
    const wPath = join(dir, `weight${l.index}.memh`);
    const bPath = join(dir, `bias${l.index}.memh`);
    const codes = parseMemh(readText(wPath), wPath, l.outC, 'highFirst', taps);
    for (let i = 0; i < codes.length; i++) {
      const at = `${wPath}:${Math.floor(i / l.outC) + 1}: channel ${i % l.outC}`;
      const c = codes[i]!;
      if (c > 0x3ffff) throw new SimrunError('MEMH_MALFORMED', `${at}: word ${c.toString(16)} is wider than an 18-bit bfloat18 code`);
      const exp = (c >>> 9) & 0xff;
      if (exp === 0xff) throw new SimrunError('MEMH_MALFORMED', `${at}: code ${c.toString(16)} is Inf or NaN; weights must be finite`);
      if (exp === 0 && (c & 0x1ff) !== 0) throw new SimrunError('MEMH_MALFORMED', `${at}: code ${c.toString(16)} is subnormal; the contract never uses subnormal weights (quantize flushes them to zero)`);
    }
    const biasWords = parseMemh(readText(bPath), bPath, l.outC, 'highFirst', 1);
    for (let c = 0; c < biasWords.length; c++) {
      const exp = (biasWords[c]! >>> 23) & 0xff;
      if (exp === 0xff) throw new SimrunError('MEMH_MALFORMED', `${bPath}:1: channel ${c}: ${biasWords[c]!.toString(16)} is Inf or NaN; biases must be finite`);
      if (exp === 0 && (biasWords[c]! & 0x7fffff) !== 0) throw new SimrunError('MEMH_MALFORMED', `${bPath}:1: channel ${c}: ${biasWords[c]!.toString(16)} is subnormal; the contract never uses subnormal biases`);
    }
    const bias = new Float32Array(biasWords.buffer);
    return { codes, bias };
  });
}
