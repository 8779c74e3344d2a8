// Output folders: a fresh folder under ./simrun-out/ by default, checked writable before any work starts; reports are
// written atomically and a run first removes any report a previous run left, so an interrupted run never leaves one
// that claims a pass. Every path is built from sanitized names and stays inside its folder.
import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { unreadableReason } from '../core/files.js';
import { inside, safeSegment } from '../core/names.js';

/** Files a run or campaign writes as its result; removed before it starts. */
export const REPORT_FILES = ['report.json', 'report.html', 'junit.xml'] as const;

/** Creates (or accepts) the output folder, proves it is writable, and removes any earlier report in it. */
export function prepareOutDir(out: string | undefined, label: string): string {
  const dir = resolve(out ?? join('simrun-out', `${safeSegment(label)}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' is not writable (${unreadableReason(e).replace('cannot be read', 'cannot be written')}); pass --out <dir> somewhere you can write`);
  }
  for (const f of REPORT_FILES) rmSync(join(dir, f), { force: true });
  return dir;
}

/** A subfolder of `base` named after a user-given name (sanitized; never outside `base`). */
export function subFolder(base: string, name: string): string {
  return inside(base, safeSegment(name));
}

/** Writes a file atomically (temp + rename), so a reader never sees half of it. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
