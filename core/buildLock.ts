// A lock around making one content-addressed cache entry (a Verilator build), safe across processes and across the
// nodes of a cluster that share the cache folder: a file created exclusively next to the entry, holding its owner's
// host, pid and start time, which the owner touches every 30 s while it builds. A waiter polls until the entry appears
// or the lock goes. A lock is stale when its owner died on this host, or (an owner on another node cannot be asked)
// when it has not been touched for `staleAfterMs`; a stale lock is moved aside and checked, so of two processes that
// both judged it stale only one takes over.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { SimrunError } from './errors.js';
import { onInterrupt, processAlive } from './proc.js';

interface Owner {
  readonly host: string;
  readonly pid: number;
  readonly started: number;
}

function readOwner(path: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof o.host === 'string' && typeof o.pid === 'number' && typeof o.started === 'number' ? (o as Owner) : null;
  } catch {
    return null;
  }
}

const sameOwner = (a: Owner | null, b: Owner | null) => !!a && !!b && a.host === b.host && a.pid === b.pid && a.started === b.started;

/** How old the lock file's last touch is, in ms (Infinity when it is gone). */
function untouchedFor(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** What waiting on a lock tells its caller. */
export interface LockWait {
  /** The entry is there: stop waiting and use it. */
  readonly ready: () => boolean;
  /** Called once when another process holds the lock (say, to log who). */
  readonly onWait?: (holder: string) => void;
  /** A lock from another host untouched this long is stale (default 10 minutes; its owner touches it every 30 s). */
  readonly staleAfterMs?: number;
  readonly pollMs?: number;
}

/**
 * Runs `make` holding the lock `path`, unless the entry becomes ready while waiting for another holder (then returns
 * null without running it). The lock is removed when `make` ends, however it ends.
 */
export async function withBuildLock<T>(path: string, w: LockWait, make: () => Promise<T>): Promise<T | null> {
  const me: Owner = { host: hostname(), pid: process.pid, started: Date.now() };
  let told = false;
  let unreadableSince: number | null = null;
  for (;;) {
    if (take(path, me)) break;
    if (w.ready()) return null;
    const owner = readOwner(path);
    unreadableSince = owner ? null : unreadableSince ?? Date.now();
    const stale = owner
      ? (owner.host === me.host ? !processAlive(owner.pid) : untouchedFor(path) > (w.staleAfterMs ?? 600_000))
      : Date.now() - unreadableSince! > 5000;   // unreadable for 5 s: its writer crashed mid-write
    if (stale) {
      takeOver(path, owner, me);
      continue;
    }
    if (!told && owner) w.onWait?.(`pid ${owner.pid} on ${owner.host}`);
    told = true;
    await new Promise((r) => setTimeout(r, w.pollMs ?? 1000));
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // taken over (it looked stale): the build goes on; publishing is atomic either way
    }
  }, 30_000);
  heartbeat.unref();
  const release = () => {
    if (sameOwner(readOwner(path), me)) rmSync(path, { force: true });
  };
  const forget = onInterrupt(release);
  try {
    // The holder before us may have just made it.
    return w.ready() ? null : await make();
  } finally {
    clearInterval(heartbeat);
    release();
    forget();
  }
}

/** Creates the lock file exclusively; false when it exists. */
function take(path: string, me: Owner): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SimrunError('OUT_NOT_WRITABLE', `the build cache cannot take the lock ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'}); make ${dirname(path)} writable or point SIMRUN_CACHE elsewhere`);
  }
}

/**
 * Moves a stale lock aside; if what was moved is not the lock judged stale (another process took over first and made
 * a fresh one), puts it back — unless a third has made one meanwhile — so a live holder's lock is never removed.
 */
function takeOver(path: string, judged: Owner | null, me: Owner): void {
  const aside = `${path}.stale-${me.host}-${me.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return;   // gone already
  }
  const moved = readOwner(aside);
  if (moved && !sameOwner(moved, judged)) {
    try {
      linkSync(aside, path);
    } catch {
      // a lock is there again: leave it
    }
  }
  rmSync(aside, { force: true });
}
