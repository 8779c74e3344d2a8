// Weight spec → hardware weights: synthetic[:SEED] | *.safetensors | a directory of memh; fused and quantized once.
import { statSync } from 'node:fs';
import { quantizeAll, type QuantMode } from '../bfloat18.js';
import { SimrunError } from '../errors.js';
import { unreadableReason } from '../files.js';
import type { LayerSpec, NetworkSpec } from '../spec.js';
import { fuseLayer } from './fuse.js';
import { readMemhDirWeights } from './memhDir.js';
import { readSafetensorsParams } from './safetensors.js';
import { syntheticParams, syntheticSeed } from './synthetic.js';
import type { HwLayerWeights, RawLayerParams } from './types.js';

/** Loads weights named by `spec` (`synthetic[:SEED]`, a .safetensors file, or a memh directory). */
export function loadWeights(net: NetworkSpec, weightSpec: string, mode: QuantMode = 'rne'): HwLayerWeights[] {
  const seed = syntheticSeed(weightSpec);
  if (seed !== null) return fromRaw(net, syntheticParams(net.layers, seed), mode);
  if (weightSpec.endsWith('.safetensors')) return fromRaw(net, readSafetensorsParams(weightSpec, net.layers), mode);
  let isDir = false;
  try {
    isDir = statSync(weightSpec).isDirectory();
  } catch (e) {
    throw new SimrunError('WEIGHTS_INVALID', `weights '${weightSpec}' ${unreadableReason(e)}; use synthetic[:SEED], a .safetensors file or a directory of weight{N}.memh`);
  }
  if (!isDir) throw new SimrunError('WEIGHTS_INVALID', `weights '${weightSpec}' is neither a .safetensors file nor a directory; use synthetic[:SEED], a .safetensors file or a memh directory`);
  return readMemhDirWeights(weightSpec, net.layers);
}

/** Fuses batch norm, quantizes to bfloat18 and keeps the fused float weights for the accuracy reference. */
function fromRaw(net: NetworkSpec, raw: readonly RawLayerParams[], mode: QuantMode): HwLayerWeights[] {
  return net.layers.map((l, i) => hwLayer(l, raw[i]!, mode));
}

/** One layer of fromRaw: checks every parameter is finite, fuses, quantizes. */
export function hwLayer(l: LayerSpec, p: RawLayerParams, mode: QuantMode): HwLayerWeights {
  const named: [string, Float32Array][] = [['weight', p.weight], ['bias', p.bias]];
  if (p.bn) named.push(['batch-norm weight', p.bn.gamma], ['batch-norm bias', p.bn.beta], ['running_mean', p.bn.mean], ['running_var', p.bn.variance]);
  for (const [what, a] of named) {
    if (allFinite(a)) continue;
    for (let j = 0; j < a.length; j++) {
      if (!Number.isFinite(a[j]!)) throw new SimrunError('WEIGHTS_INVALID', `layer '${l.name}': ${what}[${j}] is ${a[j]}; every parameter must be finite — fix the weights file`);
    }
  }
  if (p.bn) {
    // A variance must be ≥ 0: σ² + ε ≤ 0 has no square root and would fuse into NaN weights.
    const j = p.bn.variance.findIndex((v) => !(Math.fround(v + 1e-5) > 0));
    if (j >= 0) throw new SimrunError('WEIGHTS_INVALID', `layer '${l.name}': running_var[${j}] is ${p.bn.variance[j]}; a variance cannot be negative — fix the weights file`);
  }
  const fused = fuseLayer(l, p);
  // Fusion can still overflow (a huge γ over a tiny σ): name it rather than quantize Inf.
  if (!allFinite(fused.weight) || !allFinite(fused.bias)) throw new SimrunError('WEIGHTS_INVALID', `layer '${l.name}': fusing batch norm overflows binary32 (a fused parameter is not finite); fix the batch-norm statistics in the weights file`);
  return { codes: quantizeAll(fused.weight, mode), bias: fused.bias, fused: fused.weight };
}

/** True when every element is finite (a tight loop: weight arrays hold millions of values). */
function allFinite(a: Float32Array): boolean {
  for (let j = 0; j < a.length; j++) {
    const v = a[j]!;
    if (v - v !== 0) return false; // Inf − Inf and NaN − NaN are NaN
  }
  return true;
}
