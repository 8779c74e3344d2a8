// The folder rowsim caches into: $SIMRUN_CACHE, else $XDG_CACHE_HOME/rowsim, else ~/.cache/rowsim — never the current
// folder. Verilator builds, plans, weights and synth calibrations live there, each under its own content key.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The cache folder. */
export function cacheRoot(): string {
  if (process.env.SIMRUN_CACHE) return resolve(process.env.SIMRUN_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return resolve(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'rowsim');
}

/**
 * Keeps `text` at `path` in the cache, atomically (temp + rename: a concurrent reader sees all of it or none). A cache
 * that cannot be written only costs the next run the work again, so failure is silent by design.
 */
export function writeCacheFile(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Host and a random part too: processes on two machines sharing the cache (pods of one job) often have one pid.
    const tmp = `${path}.tmp-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch {
    // read-only or full cache: nothing kept
  }
}
