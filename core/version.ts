// rowsim's version, read once from the package's package.json (found by walking up from this file, so it works from
// the sources under test and from dist/ alike).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const j = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (j.name === 'rowsim' && j.version) return j.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** The package version, e.g. '0.2.0'. */
export const VERSION: string = packageVersion();
