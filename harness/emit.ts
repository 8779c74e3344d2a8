// The `emit` pipeline: spec → plan → Verilog (FPUs, layers, top), the C++ bench, ROM images, and a manifest written last.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { rtlBuildSpec, writeRoms } from '../rtl/run.js';
import { makePlan } from './plan.js';
import { prepareOutDir } from './outdir.js';

/** Options of `simrun emit`. */
export interface EmitOptions {
  readonly config: string;
  readonly weights: string;
  readonly out?: string;
  readonly aluBudget?: number | 'min';
}

/** Writes the design into `out`; returns the folder and the file names. */
export function runEmit(opts: EmitOptions): { outDir: string; files: string[] } {
  const net = loadSpec(opts.config);
  const plan = makePlan(net, opts.aluBudget);
  const weights = loadWeights(net, opts.weights);
  const outDir = prepareOutDir(opts.out, `${net.name}-rtl`);
  const spec = rtlBuildSpec(net, plan);
  const files: string[] = [];
  for (const f of [...spec.verilog, ...spec.cpp]) {
    writeFileSync(join(outDir, f.name), f.text);
    files.push(f.name);
  }
  writeRoms(outDir, net, weights);
  net.layers.forEach((l) => files.push(`weight${l.index}.memh`, `bias${l.index}.memh`));
  const build = `verilator --cc --exe --build -O3 --top-module rs_top ${spec.verilog.map((f) => f.name).join(' ')} tb_top.cpp -o sim`;
  writeFileSync(join(outDir, 'design.json'), JSON.stringify({ config: net.name, top: 'rs_top', totals: plan.totals, files, build }, null, 2) + '\n');
  return { outDir, files: [...files, 'design.json'] };
}
