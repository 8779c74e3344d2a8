// How the Verilator build cache (core/cacheDir.ts: $SIMRUN_CACHE, $XDG_CACHE_HOME/rowsim or ~/.cache/rowsim; plans live
// there too) stays bounded: each use marks a build as recently used, and after a new build the least recently used
// ones are removed until the cache fits its cap. Invariant: a build some live process is using is never
// removed (each user holds a marker `.in-use-<host>-<pid>` inside it while it runs; a marker from another node of a
// cluster sharing the cache counts while it was touched within the last day: its user touches it hourly).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cacheRoot } from '../core/cacheDir.js';
import { SimrunError } from '../core/errors.js';
import { processAlive } from '../core/proc.js';

/** Default cap of the build cache, in bytes (SIMRUN_CACHE_MAX_MB overrides it). */
const DEFAULT_CACHE_MAX_MB = 8192;

/** File whose mtime says when a build was last used. */
const USED = '.last-used';

export { cacheRoot };

/** The cap in bytes: SIMRUN_CACHE_MAX_MB (a positive whole number of MiB) or the default. */
export function cacheCap(): number {
  const raw = process.env.SIMRUN_CACHE_MAX_MB;
  if (raw === undefined) return DEFAULT_CACHE_MAX_MB * 2 ** 20;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new SimrunError('USAGE', `SIMRUN_CACHE_MAX_MB '${raw}' is not a positive whole number of MiB; unset it or give e.g. 4096`);
  return Number(raw) * 2 ** 20;
}

/** One cached build. */
export interface CacheEntry {
  readonly name: string;
  readonly dir: string;
  readonly bytes: number;
  /** When it was last used (ms since the epoch). */
  readonly lastUsed: number;
  /** Processes using it now. */
  readonly users: readonly number[];
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

/** A build lock whose holder has died on this host (another host's lock stays: its holder cannot be asked). */
function lockGone(path: string): boolean {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as { host?: string; pid?: number };
    return o.host === hostname() && typeof o.pid === 'number' && !processAlive(o.pid);
  } catch {
    return false;
  }
}

/** A marker's pid when its user still runs: alive on this host, or (another host's) marked within the last day. */
function liveUser(marker: string): number | null {
  const m = /\.in-use-(?:(.+)-)?(\d+)$/.exec(marker);
  const pid = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(pid)) return null;
  if (m[1] === undefined || m[1] === hostname()) return processAlive(pid) ? pid : null;
  try {
    return Date.now() - statSync(marker).mtimeMs < 24 * 3600_000 ? pid : null;
  } catch {
    return null;
  }
}

/** Every finished build in the cache (folders being built, `*.tmp-<pid>`, are not entries), most recently used first. */
export function listCache(root = cacheRoot()): CacheEntry[] {
  if (!existsSync(root)) return [];
  const out: CacheEntry[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.includes('.tmp-') || e.name === 'lint' || e.name === 'plans' || e.name === 'weights') continue;
    const dir = join(root, e.name);
    if (!existsSync(join(dir, 'sim'))) continue;
    const used = existsSync(join(dir, USED)) ? statSync(join(dir, USED)).mtimeMs : statSync(dir).mtimeMs;
    const users = readdirSync(dir).filter((f) => f.startsWith('.in-use-')).map((f) => liveUser(join(dir, f))).filter((pid): pid is number => pid !== null);
    out.push({ name: e.name, dir, bytes: folderBytes(dir), lastUsed: used, users });
  }
  return out.sort((a, b) => b.lastUsed - a.lastUsed);
}

/**
 * Marks a build as used now and in use by this process until `release` (or the process ends); returns the release.
 * Markers of processes that died are ignored by eviction, so a crash never pins a build for ever.
 */
export function useBuild(dir: string): () => void {
  const now = new Date();
  try {
    writeFileSync(join(dir, USED), '');
    utimesSync(join(dir, USED), now, now);
  } catch {
    // a read-only cache still works; it just cannot record use
  }
  const marker = join(dir, `.in-use-${hostname()}-${process.pid}`);
  try {
    writeFileSync(marker, '');
  } catch {
    return () => {};
  }
  markers.add(marker);
  // Another node judges a marker by its age: touched hourly while this process lives, it never looks abandoned.
  const beat = setInterval(() => {
    try {
      const t = new Date();
      utimesSync(marker, t, t);
      utimesSync(join(dir, USED), t, t);
    } catch {
      // removed meanwhile: nothing to keep fresh
    }
  }, 3600_000);
  beat.unref();
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => { for (const m of markers) rmSync(m, { force: true }); });
  }
  return () => {
    clearInterval(beat);
    markers.delete(marker);
    rmSync(marker, { force: true });
  };
}

const markers = new Set<string>();
let exitHook = false;

/** Removes least recently used builds nobody is using until the cache fits `cap` bytes; returns what it removed. */
export function evict(cap = cacheCap(), root = cacheRoot()): CacheEntry[] {
  removeDeadWork(root, DEAD_WORK_QUIET_MS);
  const entries = listCache(root);
  let total = entries.reduce((a, e) => a + e.bytes, 0);
  const removed: CacheEntry[] = [];
  for (const e of [...entries].reverse()) {
    if (total <= cap) break;
    if (e.users.length) continue;
    rmSync(e.dir, { recursive: true, force: true });
    total -= e.bytes;
    removed.push(e);
  }
  return removed;
}

/** Removes every build nobody is using; returns the removed and the kept (in use). */
export function clearCache(root = cacheRoot()): { removed: CacheEntry[]; kept: CacheEntry[] } {
  const entries = listCache(root);
  const kept = entries.filter((e) => e.users.length);
  const removed = entries.filter((e) => !e.users.length);
  for (const e of removed) rmSync(e.dir, { recursive: true, force: true });
  // Leftovers of interrupted lints and builds of dead processes go too.
  if (existsSync(root)) {
    for (const f of readdirSync(root)) {
      // Build locks `<build>.lock` of processes gone from this host.
      if ((f.endsWith('.lock') && lockGone(join(root, f))) || f === 'lint' || f === 'plans' || f === 'weights' || f === 'yosys') rmSync(join(root, f), { recursive: true, force: true });
    }
    removeDeadWork(root, 0);
  }
  return { removed, kept };
}

/**
 * How long a dead process's work folder must have been still before a build's eviction removes it: two containers with
 * one host name but their own process ids share a cache, so "no such pid here" alone could be a live build next door.
 * A live build adds files to its folders every few seconds (the full IE120R's whole compile takes about two minutes).
 */
const DEAD_WORK_QUIET_MS = 30 * 60_000;

/**
 * Removes work folders `<build>.tmp-<host>-<pid>` whose process is gone from this host and that nothing has touched for
 * `quietMs`, nor their build's lock `<build>.lock`: a build killed outright (SIGKILL, a lost node) cannot clean up after
 * itself, and its half-built folder would otherwise stay until a clear (which, asked for, passes 0). A live build's lock
 * is touched every 30 s however long a step writes nothing into its folder (a profile-guided build's training run).
 */
function removeDeadWork(root: string, quietMs: number): void {
  if (!existsSync(root)) return;
  for (const f of readdirSync(root)) {
    const m = /\.tmp-(?:(.+)-)?(\d+)$/.exec(f);
    if (!m || (m[1] !== undefined && m[1] !== hostname()) || processAlive(Number(m[2]))) continue;
    const dir = join(root, f);
    if (quietMs > 0 && Date.now() - Math.max(lastTouched(dir), lastTouched(join(root, `${f.slice(0, m.index)}.lock`))) < quietMs) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The newest modification time of a file, or of a folder and its direct entries (ms; 0 if it cannot be read). */
function lastTouched(path: string): number {
  try {
    const st = statSync(path);
    return st.isDirectory() ? Math.max(st.mtimeMs, ...readdirSync(path).map((e) => statSync(join(path, e)).mtimeMs)) : st.mtimeMs;
  } catch {
    return 0;
  }
}
