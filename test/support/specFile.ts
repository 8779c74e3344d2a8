// A network spec written to a JSON file of its own in a fresh temporary folder, for tests that pass specs by path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `spec` as `name` in a new temporary folder and returns the file's path. */
export function writeSpecFile(spec: object, name = 'spec.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rowsim-spec-')), name);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
