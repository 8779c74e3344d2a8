// The `emit` pipeline: spec → plan → weights → a complete design folder (Verilog, ROM images, spec, plan, tap map,
// README), the same folder the rtl engine runs and `simrun --rtl` accepts. Invariant: after an emit the folder holds
// exactly what that emit wrote (a design emitted there before is cleared first; any other content is refused).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantMode } from '../core/bfloat18.js';
import { SimrunError } from '../core/errors.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { writeDesignFolder } from '../rtl/emit.js';
import type { RomFormat } from '../rtl/romFormats.js';
import { LOCK_FILE } from './outLock.js';
import { makePlan } from './plan.js';
import { prepareOutDir, releaseOutDir } from './outdir.js';

/** Options of `simrun emit`. */
export interface EmitOptions {
  readonly config: string;
  readonly weights: string;
  readonly out?: string;
  readonly aluBudget?: number | 'min';
  readonly quant?: QuantMode;
  /** ROM image formats (memh is always written: the Verilog loads it); mif and hex are written beside it. */
  readonly romFormats?: readonly RomFormat[];
  /** Wrap rs_top in AXI4-Stream ports (rs_axis_top becomes the design's top). */
  readonly axis?: boolean;
}

/** Writes the design folder into `out`; returns the folder and the names of the files this emit wrote. */
export function runEmit(opts: EmitOptions): { outDir: string; files: string[]; top: string } {
  const net = loadSpec(opts.config);
  const plan = makePlan(net, opts.aluBudget);
  const weights = loadWeights(net, opts.weights, opts.quant ?? 'rne');
  const outDir = prepareOutDir(opts.out, `${net.name}-rtl`);
  try {
    clearEarlierEmit(outDir);
    const m = writeDesignFolder(outDir, net, plan, weights, opts.weights, { romFormats: opts.romFormats ?? [], axis: opts.axis ?? false }, opts.quant ?? 'rne');
    const files = [...m.sources, ...m.roms, ...(m.romExports ?? []), m.spec, m.taps, 'README.md', 'design.json'].sort();
    return { outDir, files, top: m.top };
  } finally {
    releaseOutDir(outDir);
  }
}

/**
 * Empties a folder a previous `simrun emit` wrote (its design.json says which files), so a smaller design does not
 * leave the larger one's layers behind; a folder holding anything else is refused rather than mixed into.
 */
function clearEarlierEmit(dir: string): void {
  const present = readdirSync(dir).filter((f) => f !== LOCK_FILE);
  if (present.length === 0) return;
  const refuse = () => new SimrunError('USAGE', `--out '${dir}' is not empty and holds no design rowsim emitted (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); pass a new or empty folder`);
  let listed: string[];
  try {
    const m = JSON.parse(readFileSync(join(dir, 'design.json'), 'utf8')) as { emitted?: unknown; sources?: string[]; roms?: string[]; romExports?: string[]; spec?: string; taps?: string };
    if (!m.emitted) throw refuse();
    listed = [...(m.sources ?? []), ...(m.roms ?? []), ...(m.romExports ?? []), m.spec ?? '', m.taps ?? '', 'README.md', 'design.json'].filter((f) => f && !f.split('/').includes('..'));
  } catch (e) {
    throw e instanceof SimrunError ? e : refuse();
  }
  for (const f of listed) rmSync(join(dir, f), { force: true });
  if (existsSync(join(dir, 'rom')) && readdirSync(join(dir, 'rom')).length === 0) rmSync(join(dir, 'rom'), { recursive: true });
  const left = readdirSync(dir).filter((f) => f !== LOCK_FILE);
  if (left.length) throw new SimrunError('USAGE', `--out '${dir}' holds files the earlier emitted design did not list (${left.slice(0, 3).join(', ')}); move them away or pass a new folder`);
}
