// Writes an IE120R-compatible vector set: input, weight{N}, bias{N}, activation{N} .memh and vectors.json (written last).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMemh } from '../core/memh.js';
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';

function wordsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** The manifest that describes a vector set. */
export interface VectorsManifest {
  readonly config: string;
  readonly input: { readonly height: number; readonly width: number; readonly channels: 3; readonly file: string };
  readonly layers: readonly { index: number; name: string; shape: [number, number, number]; taps: number; weight: string; bias: string; activation: string }[];
  readonly wordLayout: Readonly<Record<string, string>>;
}

/** Writes every file of the vector set into `dir` (which must exist); the manifest goes last. */
export function writeVectors(dir: string, net: NetworkSpec, weights: readonly HwLayerWeights[], input: Float32Array, activations: readonly Float32Array[]): VectorsManifest {
  writeFileSync(join(dir, 'input.memh'), formatMemh(wordsOf(input), 3, 'highFirst'));
  const layers = net.layers.map((l) => {
    const w = weights[l.index - 1]!;
    const names = { weight: `weight${l.index}.memh`, bias: `bias${l.index}.memh`, activation: `activation${l.index}.memh` };
    writeFileSync(join(dir, names.weight), formatMemh(w.codes, l.outC, 'highFirst'));
    writeFileSync(join(dir, names.bias), formatMemh(wordsOf(w.bias), l.outC, 'highFirst'));
    writeFileSync(join(dir, names.activation), formatMemh(wordsOf(activations[l.index - 1]!), l.outC, 'lowFirst'));
    return { index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC] as [number, number, number], taps: l.kernel * l.kernel * l.inC, ...names };
  });
  const manifest: VectorsManifest = {
    config: net.name,
    input: { height: net.input.height, width: net.input.width, channels: 3, file: 'input.memh' },
    layers,
    wordLayout: {
      'input.memh': 'one line per pixel in raster order; 3 binary32 words, channel 2 first',
      'weight{N}.memh': 'one line per tap in order (ky, kx, ci); Cout bfloat18 codes zero-extended to 32 bits, channel Cout-1 first',
      'bias{N}.memh': 'one line; Cout binary32 words, channel Cout-1 first',
      'activation{N}.memh': 'one line per output pixel in raster order; C binary32 words, channel 0 first',
    },
  };
  writeFileSync(join(dir, 'vectors.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
