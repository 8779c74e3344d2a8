// The `emit` pipeline: spec → plan → weights → a complete design folder (Verilog, ROM images, spec, plan, tap map,
// README), the same folder the rtl engine runs and `simrun --rtl` accepts.
import { readdirSync } from 'node:fs';
import type { QuantMode } from '../core/bfloat18.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { writeDesignFolder } from '../rtl/emit.js';
import { makePlan } from './plan.js';
import { prepareOutDir, releaseOutDir } from './outdir.js';

/** Options of `simrun emit`. */
export interface EmitOptions {
  readonly config: string;
  readonly weights: string;
  readonly out?: string;
  readonly aluBudget?: number | 'min';
  readonly quant?: QuantMode;
}

/** Writes the design folder into `out`; returns the folder and the file names. */
export function runEmit(opts: EmitOptions): { outDir: string; files: string[]; top: string } {
  const net = loadSpec(opts.config);
  const plan = makePlan(net, opts.aluBudget);
  const weights = loadWeights(net, opts.weights, opts.quant ?? 'rne');
  const outDir = prepareOutDir(opts.out, `${net.name}-rtl`);
  try {
    const manifest = writeDesignFolder(outDir, net, plan, weights, opts.weights, {}, opts.quant ?? 'rne');
    return { outDir, files: readdirSync(outDir).sort(), top: manifest.top };
  } finally {
    releaseOutDir(outDir);
  }
}
