// Runs the built CLI (dist/bin/simrun.js) as a real process and captures exit code, stdout and stderr.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const BIN = resolve('dist/bin/simrun.js');

/** Result of one CLI invocation. */
export interface CliResult {
  readonly code: number;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where and as whom to run. */
export interface CliOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Run as this user id (tests run as root, who can read every file; permission errors need another user). */
  readonly uid?: number;
  readonly gid?: number;
}

function check(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' (npm test does it)`);
}

/** Spawns `node dist/bin/simrun.js ...args`; the build must exist (npm test builds first). */
export function simrun(args: string[], env: Record<string, string> | CliOptions = {}): CliResult {
  check();
  const o: CliOptions = 'env' in env || 'cwd' in env || 'uid' in env ? (env as CliOptions) : { env: env as Record<string, string> };
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...o.env }, cwd: o.cwd, uid: o.uid, gid: o.gid, timeout: 600_000 });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts simrun in the background; `stop(signal)` sends a signal; `done` resolves when it exits. */
export function simrunAsync(args: string[], o: CliOptions = {}): { pid: number; stop: (sig: NodeJS.Signals) => void; done: Promise<CliResult> } {
  check();
  const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...o.env }, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((res) => p.on('close', (code, signal) => res({ code: code ?? -1, signal, stdout, stderr })));
  return { pid: p.pid!, stop: (sig) => p.kill(sig), done };
}
