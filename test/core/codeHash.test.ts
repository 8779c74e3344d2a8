// codeHash: a cache key follows the code that made the cached thing, whether that code runs built (.js) or from its
// sources (.ts, as under vitest); importClosure: the files an entry reaches through value imports.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { codeHash, importClosure } from '../../core/codeHash.js';

const root = mkdtempSync(join(tmpdir(), 'codehash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder `name` holding `files`; the URL of a module inside it (codeHash memoizes per folder and list). */
function folder(name: string, files: Readonly<Record<string, string>>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return pathToFileURL(join(dir, 'caller.js')).href;
}

it('planner.js absent, planner.ts present: an edit of the .ts changes the key; identical sources give one key', () => {
  const a = codeHash(['./planner.js'], folder('a', { 'planner.ts': 'export const x = 1;' }));
  const b = codeHash(['./planner.js'], folder('b', { 'planner.ts': 'export const x = 2;' }));
  const c = codeHash(['./planner.js'], folder('c', { 'planner.ts': 'export const x = 1;' }));
  expect(a).not.toBe(b);
  expect(a).toBe(c);
});

it('planner.js present beside planner.ts: the .js is what is hashed', () => {
  const a = codeHash(['./planner.js'], folder('d', { 'planner.js': 'built', 'planner.ts': 'source 1' }));
  const b = codeHash(['./planner.js'], folder('e', { 'planner.js': 'built', 'planner.ts': 'source 2' }));
  expect(a).toBe(b);
});

it('neither form present: a key still, different from any present file\'s', () => {
  const missing = codeHash(['./planner.js'], folder('f', {}));
  const present = codeHash(['./planner.js'], folder('g', { 'planner.ts': '' }));
  expect(missing).toMatch(/^[0-9a-f]{64}$/);
  expect(missing).not.toBe(present);
});

it('importClosure of emit.js: static, re-exported, side-effect, dynamic (double-quoted) and two-level imports, .ts-only files and a cycle are in; type-only imports, packages and unreached files are out', () => {
  const from = folder('h', {
    'emit.js': "import { a } from './a.js';\nimport type { T } from './types.js';\nexport { b } from './sub/b.js';\nimport { readFileSync } from 'node:fs';\nimport './register.js';\nconst c = await import(\"./c.js\");\n",
    'register.js': '',
    'a.js': "import {\n  x,\n  y,\n} from './emit.js';\n",
    'c.ts': "export * from './d.js';\n",
    'd.js': '',
    'types.js': '',
    'unused.js': "import './emit.js';\n",
  });
  mkdirSync(join(root, 'h', 'sub'));
  writeFileSync(join(root, 'h', 'sub', 'b.js'), "import { e } from '../e.js';\n");
  const names = importClosure(['./emit.js'], from).map((u) => u.slice(u.indexOf('/h/') + 3));
  expect(names).toEqual(['a.js', 'c.js', 'd.js', 'e.js', 'emit.js', 'register.js', 'sub/b.js']);
});
