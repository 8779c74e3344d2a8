// Output folders: a fresh folder under ./simrun-out/ by default; checked writable before any work starts.
import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimrunError } from '../core/errors.js';

/** Creates (or accepts) the output folder and proves it is writable. */
export function prepareOutDir(out: string | undefined, label: string): string {
  const dir = resolve(out ?? join('simrun-out', `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch {
    throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' is not writable; pass --out <dir> somewhere you can write`);
  }
  return dir;
}

/** Writes a file atomically (temp + rename), so a reader never sees half of it. */
export function writeAtomic(path: string, text: string): void {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}
