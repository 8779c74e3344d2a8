// Runs the built CLI (dist/bin/simrun.js) as a real process and captures exit code, stdout and stderr.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BIN = 'dist/bin/simrun.js';

/** Result of one CLI invocation. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `node dist/bin/simrun.js ...args`; the build must exist (npm test builds first). */
export function simrun(args: string[], env: Record<string, string> = {}): CliResult {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' (npm test does it)`);
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
