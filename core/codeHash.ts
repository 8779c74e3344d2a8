// A hash of compiled source files, for cache keys that must change whenever the code that made a cached thing changes
// (the planner for plans, the weight generator for weights). Read once per process and list of files.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const known = new Map<string, string>();

/**
 * sha256 over `files` (paths relative to `from`, a module's import.meta.url). A missing file is hashed as its name, so
 * a run from sources (the tests) still gets a key different from a build's.
 */
export function codeHash(files: readonly string[], from: string): string {
  const id = `${from}|${files.join('|')}`;
  let h = known.get(id);
  if (h === undefined) {
    const sha = createHash('sha256');
    for (const f of files) {
      try {
        sha.update(readFileSync(fileURLToPath(new URL(f, from))));
      } catch {
        sha.update(`missing ${f}`);
      }
    }
    h = sha.digest('hex');
    known.set(id, h);
  }
  return h;
}
