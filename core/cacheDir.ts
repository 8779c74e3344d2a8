// The folder rowsim caches into: $SIMRUN_CACHE, else $XDG_CACHE_HOME/rowsim, else ~/.cache/rowsim — never the current
// folder. Verilator builds and plans live there, each under its own content key.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The cache folder. */
export function cacheRoot(): string {
  if (process.env.SIMRUN_CACHE) return resolve(process.env.SIMRUN_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return resolve(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'rowsim');
}
