// Output folders: a fresh folder under ./simrun-out/ by default, checked writable and locked to one run before any work
// starts; reports are written atomically and a run first removes any report a previous run left, so an interrupted run
// never leaves one that claims a pass. Every path is built from sanitized names and stays inside its folder.
import { accessSync, constants, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { makeDirs, unreadableReason } from '../core/files.js';
import { inside, safeSegment } from '../core/names.js';
import { LOCK_FILE, lockOutDir, unlockOutDir } from './outLock.js';

/** Files a run or campaign writes as its result; removed before it starts. */
const REPORT_FILES = ['report.json', 'report.html', 'junit.xml'] as const;

/**
 * Creates (or accepts) the output folder, proves it is writable, takes its lock (OUT_BUSY while another run holds it;
 * released by `releaseOutDir` or when the process ends) and removes any earlier report in it.
 */
export function prepareOutDir(out: string | undefined, label: string): string {
  const dir = resolve(out ?? join('simrun-out', `${safeSegment(label)}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const existed = existsSync(dir);
  try {
    makeDirs(dir);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'cannot be created there' : unreadableReason(e).replace('cannot be read', 'cannot be created');
    throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' ${why}; pass --out <dir> somewhere you can write`);
  }
  try {
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' is not writable (${unreadableReason(e).replace('cannot be read', 'cannot be written')}); pass --out <dir> somewhere you can write`);
  }
  lockOutDir(dir);
  for (const f of REPORT_FILES) rmSync(join(dir, f), { force: true });
  created.set(dir, !existed);
  return dir;
}

const created = new Map<string, boolean>();

/**
 * Releases the folder's lock. With `failed` (the command ended in an error before writing anything that counts), a
 * folder this process created is removed again when it holds nothing but the lock, so bad input leaves no folder.
 */
export function releaseOutDir(dir: string, failed = false): void {
  unlockOutDir(dir);
  if (failed && created.get(dir)) {
    try {
      if (readdirSync(dir).every((f) => f === LOCK_FILE)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort: a folder we cannot list stays
    }
  }
  created.delete(dir);
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
