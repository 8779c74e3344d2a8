// A hash of compiled source files, for cache keys that must change whenever the code that made a cached thing changes
// (the planner for plans, the weight generator for weights). Read once per process and list of files.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const known = new Map<string, string>();

/**
 * sha256 over `files` (paths relative to `from`, a module's import.meta.url). A run from sources (the tests, under
 * vitest) has no `.js` files: each is then read as the `.ts` source beside it, so an edited planner or generator
 * changes the key there too. A file missing in both forms is hashed as its name.
 */
export function codeHash(files: readonly string[], from: string): string {
  const id = `${from}|${files.join('|')}`;
  let h = known.get(id);
  if (h === undefined) {
    const sha = createHash('sha256');
    for (const f of files) {
      sha.update(readSource(f, from));
    }
    h = sha.digest('hex');
    known.set(id, h);
  }
  return h;
}

/** The bytes of `f` relative to `from`, or of its `.ts` source when only that exists, or a marker naming it. */
function readSource(f: string, from: string): Buffer | string {
  for (const name of [f, f.replace(/\.js$/, '.ts')]) {
    try {
      return readFileSync(fileURLToPath(new URL(name, from)));
    } catch {
      // not this form: try the next
    }
  }
  return `missing ${f}`;
}
