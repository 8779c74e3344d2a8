// Yosys as a tool: one process running a script file with its log beside it, optionally under CPU and memory limits.
// Shared by the mutation campaign's proofs and listings and by `simrun synth`; it knows nothing of what the script does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from './errors.js';
import { runTool } from './proc.js';

export const INSTALL_HINT = 'install it with: apt-get install -y yosys';

/** Limits of one Yosys run: wall time and address space (a SAT proof can otherwise take the machine). */
export interface YosysLimits {
  readonly seconds: number;
  readonly memoryMiB: number;
}

/** Runs a Yosys script (`<cwd>/<what>.ys`, log beside it); a run past `limits` is a YOSYS_FAILED error. */
export async function yosys(script: string, cwd: string, what: string, limits?: YosysLimits): Promise<string> {
  const log = await yosysLimited(script, cwd, what, limits);
  if (log === null) throw new SimrunError('YOSYS_FAILED', `yosys ${what} ran past its limits`);
  return log;
}

/** Runs a Yosys script (`<cwd>/<what>.ys`, log beside it); with `limits`, a run past them returns null instead of throwing. */
export async function yosysLimited(script: string, cwd: string, what: string, limits?: YosysLimits): Promise<string | null> {
  const path = join(cwd, `${what}.ys`);
  writeFileSync(path, script);
  const logPath = join(cwd, `${what}.log`);
  // The limits go through the shell's ulimit, which yosys then inherits: address space, and CPU seconds rather than
  // wall-clock ones, so that a proof's verdict does not depend on how busy the machine is (a wall-clock limit of four
  // times as much only guards against a process that sleeps).
  const r = limits
    ? await runTool('sh', ['-c', `ulimit -v ${limits.memoryMiB * 1024} && ulimit -t ${limits.seconds} && exec yosys -q -l "$1" "$2"`, 'sh', logPath, path], { cwd, timeoutMs: limits.seconds * 4000 })
    : await runTool('yosys', ['-q', '-l', logPath, path], { cwd, maxBuffer: 256 << 20 });
  if (r.notFound || /yosys: (not found|No such file)/.test(r.all)) throw new SimrunError('YOSYS_MISSING', `yosys is not installed or not on PATH; ${INSTALL_HINT}`);
  if (limits && (r.timedOut || r.signal === 'SIGXCPU' || r.signal === 'SIGKILL' || /std::bad_alloc|Out of memory|Cannot allocate/i.test(r.all) || (r.exitCode !== 0 && !existsSync(logPath)))) return null;
  const log = readFileSync(logPath, 'utf8');
  if (limits && r.exitCode !== 0 && /bad_alloc|out of memory/i.test(log)) return null;
  if (r.exitCode !== 0) {
    const err = log.split('\n').filter((l) => /ERROR/.test(l)).slice(-2).join(' | ') || r.all.trim().split('\n').slice(-3).join(' | ');
    throw new SimrunError('YOSYS_FAILED', `yosys ${what} failed: ${err}`);
  }
  return log;
}


/** `yosys -V` (e.g. "Yosys 0.23 (git sha1 7ce5011c24b)"), for cache keys of what Yosys measured; YOSYS_MISSING without it. */
export async function yosysVersion(): Promise<string> {
  const r = await runTool('yosys', ['-V']);
  if (r.notFound) throw new SimrunError('YOSYS_MISSING', `yosys is not installed or not on PATH; ${INSTALL_HINT}`);
  return r.all.trim();
}
