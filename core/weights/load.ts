// Weight spec → hardware weights: synthetic[:SEED] | *.safetensors | a directory of memh; fused and quantized once.
import { statSync } from 'node:fs';
import { quantizeAll, type QuantMode } from '../bfloat18.js';
import { SimrunError } from '../errors.js';
import type { NetworkSpec } from '../spec.js';
import { fuseLayer } from './fuse.js';
import { readMemhDirWeights } from './memhDir.js';
import { readSafetensorsParams } from './safetensors.js';
import { syntheticParams } from './synthetic.js';
import type { HwLayerWeights, RawLayerParams } from './types.js';

/** Loads weights named by `spec` (`synthetic[:SEED]`, a .safetensors file, or a memh directory). */
export function loadWeights(net: NetworkSpec, weightSpec: string, mode: QuantMode = 'rne'): HwLayerWeights[] {
  const m = /^synthetic(?::(\d+))?$/.exec(weightSpec);
  if (m) return fromRaw(net, syntheticParams(net.layers, Number(m[1] ?? 0)), mode);
  if (weightSpec.endsWith('.safetensors')) return fromRaw(net, readSafetensorsParams(weightSpec, net.layers), mode);
  let isDir = false;
  try {
    isDir = statSync(weightSpec).isDirectory();
  } catch {
    throw new SimrunError('WEIGHTS_INVALID', `weights '${weightSpec}' not found; use synthetic[:SEED], a .safetensors file or a directory of weight{N}.memh`);
  }
  if (!isDir) throw new SimrunError('WEIGHTS_INVALID', `weights '${weightSpec}' is neither a .safetensors file nor a directory; use synthetic[:SEED], a .safetensors file or a memh directory`);
  return readMemhDirWeights(weightSpec, net.layers);
}

/** Fuses batch norm, quantizes to bfloat18 and keeps the fused float weights for the accuracy reference. */
export function fromRaw(net: NetworkSpec, raw: readonly RawLayerParams[], mode: QuantMode): HwLayerWeights[] {
  return net.layers.map((l, i) => {
    const p = raw[i]!;
    for (const a of [p.weight, p.bias, ...(p.bn ? [p.bn.gamma, p.bn.beta, p.bn.mean, p.bn.variance] : [])]) {
      for (let j = 0; j < a.length; j++) {
        if (!Number.isFinite(a[j]!)) throw new SimrunError('WEIGHTS_INVALID', `layer '${l.name}' has a non-finite parameter (${a[j]}); fix the weights file`);
      }
    }
    const fused = fuseLayer(l, p);
    return { codes: quantizeAll(fused.weight, mode), bias: fused.bias, fused: fused.weight };
  });
}
