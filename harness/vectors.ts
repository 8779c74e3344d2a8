// The `vectors` pipeline: spec → weights → stimulus → exact golden → IE120R-layout .memh set (vectors.json last).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { runGolden } from '../golden/run.js';
import { loadStimulus } from '../vectors/image.js';
import { writeVectors, type VectorsManifest } from '../vectors/write.js';
import { prepareOutDir, releaseOutDir } from './outdir.js';

/** Options of `simrun vectors`. */
export interface VectorsOptions {
  readonly config: string;
  readonly image: string;
  readonly weights: string;
  readonly out: string;
  readonly quant?: QuantMode;
  readonly log?: (line: string) => void;
}

/** Writes input, weights, biases and every layer's golden activations into `out`. */
export async function runVectors(opts: VectorsOptions): Promise<{ manifest: VectorsManifest; outDir: string; backend: string }> {
  const net = loadSpec(opts.config);
  const weights = loadWeights(net, opts.weights, opts.quant ?? 'rne');
  const stim = await loadStimulus(opts.image, net);
  for (const w of stim.warnings) opts.log?.(`warning: ${w}`);
  const outDir = prepareOutDir(opts.out, net.name);
  try {
    rmSync(join(outDir, 'vectors.json'), { force: true });
    const g = await runGolden(net, weights, stim.data, { mode: 'exact', onLayer: (i) => opts.log?.(`golden layer ${i}/${net.layers.length}`) });
    const manifest = writeVectors(outDir, net, weights, stim.data, g.activations);
    return { manifest, outDir, backend: g.backend };
  } finally {
    releaseOutDir(outDir);
  }
}
