// One run per output folder: a lock file `<out>/.simrun.lock` holding the owner's pid, host and command, taken before
// anything is written and removed when the run ends (also on a signal or a crash exit). Invariant: while a lock is held,
// no second simrun process (nor a second run in this process) writes into that folder; a lock whose owner is gone on
// this host is taken over, one from another host is reported with how to clear it.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { processAlive } from '../core/proc.js';
import { unreadableReason } from '../core/files.js';

/** The lock's file name inside an output folder. */
export const LOCK_FILE = '.simrun.lock';

/** Who holds a folder. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly started: string;
}

const held = new Set<string>();
let exitHook = false;

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, command: String(h.command ?? '?'), started: String(h.started ?? '?') } : null;
  } catch {
    return null;
  }
}

/** The command line of this process, short, for the lock (what a second user sees). */
function commandLine(): string {
  return ['simrun', ...process.argv.slice(2)].join(' ').slice(0, 300);
}

/**
 * Takes `dir`'s lock for this process (the folder must exist). A live holder, in this process or another, is
 * OUT_BUSY naming it; a holder that has died on this host is replaced.
 */
export function lockOutDir(dir: string): void {
  const path = join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), command: commandLine(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me) + '\n', { flag: 'wx' });
      held.add(path);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', releaseAllLocks);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' is not writable (its lock ${unreadableReason(e).replace('cannot be read', 'cannot be written')}); pass --out <dir> somewhere you can write`);
      }
    }
    const holder = readHolder(path);
    if (!holder) {
      // Being written this instant, or garbage: give a writer a moment, then treat garbage as stale.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      if (attempt >= 2) takeOver(path, null);
      continue;
    }
    const own = holder.pid === process.pid && holder.host === me.host;
    if (own || holder.host !== me.host || processAlive(holder.pid)) {
      const gone = holder.host !== me.host ? `; if that run is gone, delete ${path}` : '';
      throw new SimrunError('OUT_BUSY', `output folder '${dir}' is in use by another simrun run (pid ${holder.pid} on ${holder.host}, since ${holder.started}: ${holder.command}); wait for it to end or pass another --out${gone}`);
    }
    takeOver(path, holder);
  }
  throw new SimrunError('OUT_BUSY', `output folder '${dir}' keeps changing hands; pass another --out`);
}

/** Moves a dead holder's lock aside; only the process whose rename succeeds and still finds that holder removes it. */
function takeOver(path: string, stale: Holder | null): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first
  }
  const now = readHolder(aside);
  if (stale && now && (now.pid !== stale.pid || now.host !== stale.host || now.started !== stale.started)) {
    // Between reading and renaming, a live process took the lock: give it back.
    try {
      renameSync(aside, path);
    } catch {
      // it is gone again; nothing to give back
    }
    return;
  }
  rmSync(aside, { force: true });
}

/** Releases `dir`'s lock if this process holds it. */
export function unlockOutDir(dir: string): void {
  const path = join(dir, LOCK_FILE);
  if (!held.delete(path)) return;
  const h = readHolder(path);
  if (h && h.pid === process.pid) rmSync(path, { force: true });
}

function releaseAllLocks(): void {
  for (const path of held) {
    const h = readHolder(path);
    if (h && h.pid === process.pid) rmSync(path, { force: true });
  }
  held.clear();
}
