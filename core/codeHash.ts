// A hash of compiled source files, for cache keys that must change whenever the code that made a cached thing changes
// (the planner for plans, the weight generator for weights, the emitter for synthesis calibrations), and the files a
// module reaches through its imports. Read once per process and list of files.
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

/**
 * A relative import of a value: `import … from './x.js'`, `export … from`, a side-effect `import './x.js'`,
 * `import('./x.js')`, in either quotes; type-only ones do not run. (An apostrophe in a comment inside a multi-line
 * import list would hide that import: the sources keep such comments out of import lists.)
 */
const RELATIVE_IMPORT = /(?:^|\n)\s*(?:import|export)(?!\s+type\s)[^'";]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

const closures = new Map<string, string[]>();

/**
 * Every project file `entries` (relative to `from`) reach through relative value imports, the entries included, as
 * absolute URLs in a stable order: so a cache key over them cannot miss a file the emitter (say) gains later. Read from
 * the `.js` file, or its `.ts` source when only that exists; a file missing in both forms stays in the list (codeHash
 * hashes its name).
 */
export function importClosure(entries: readonly string[], from: string): string[] {
  const id = `${from}|${entries.join('|')}`;
  const known = closures.get(id);
  if (known) return known;
  const seen = new Set<string>();
  const todo = entries.map((e) => new URL(e, from).href);
  while (todo.length) {
    const url = todo.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const text = readSource(url, url).toString();
    for (const m of text.matchAll(RELATIVE_IMPORT)) todo.push(new URL((m[1] ?? m[2] ?? m[3])!, url).href);
  }
  const files = [...seen].sort();
  closures.set(id, files);
  return files;
}
