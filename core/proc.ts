// Child processes (Verilator, make, compilers, benches, Yosys) run in their own process groups, so an interrupted
// rowsim ends every process it started and removes its temporary folders. Invariant: after an interrupt handled here,
// no child group of this process is left running.

/** How a tool run ended. */
export interface ToolResult {
  readonly exitCode: number;
  /** The signal that ended it, if any. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved. */
  readonly all: string;
  /** The executable was not found. */
  readonly notFound: boolean;
  /** It was ended because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
}

const groups = new Set<number>();
const cleanups = new Set<() => void>();

/** Options of a tool run. */
export interface ToolOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Largest output kept, in bytes (default 64 MiB). */
  readonly maxBuffer?: number;
  /** Ends the tool's whole process group when aborted. */
  readonly signal?: AbortSignal;
  /** Ends the tool's group after this many milliseconds (the result then has `timedOut`). */
  readonly timeoutMs?: number;
  /** Environment variables the tool must not see (say, a user's SQUEUE_* filters), by name prefix. */
  readonly withoutEnv?: readonly string[];
}

/** The tool's environment: this process's plus `env`, less the `withoutEnv` prefixes. */
function toolEnv(opts: ToolOptions): Record<string, string> {
  const all = { ...process.env, ...opts.env } as Record<string, string>;
  return Object.fromEntries(Object.entries(all).filter(([k, v]) => v !== undefined && !(opts.withoutEnv ?? []).some((p) => k.startsWith(p))));
}

/**
 * Runs `file args` in a new process group and waits for it; never throws for a non-zero exit (the caller turns the
 * result into its own error code). The group is remembered until the tool ends, so an interrupt can end it.
 */
export async function runTool(file: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  // Loaded on the first tool run: execa takes ~0.1 s to load, and most commands never start a tool.
  const { execa } = await import('execa');
  const child = execa(file, args, {
    cwd: opts.cwd, env: opts.env || opts.withoutEnv ? toolEnv(opts) : undefined, extendEnv: !opts.withoutEnv,
    detached: true, cleanup: false, reject: false, all: true, stdin: 'ignore', maxBuffer: opts.maxBuffer ?? 64 << 20,
  });
  if (child.pid !== undefined) groups.add(child.pid);
  const abort = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  let timedOut = false;
  const timer = opts.timeoutMs !== undefined ? setTimeout(() => { timedOut = true; abort(); }, opts.timeoutMs) : undefined;
  try {
    const r = await child;
    const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String((r as { originalMessage?: string }).originalMessage ?? ''));
    return {
      exitCode: r.exitCode ?? (notFound ? 127 : 128),
      signal: r.signal ?? null,
      stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), all: String(r.all ?? ''),
      notFound, timedOut,
    };
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', abort);
    if (child.pid !== undefined) groups.delete(child.pid);
  }
}

/** Registers `fn` to run if rowsim is interrupted (e.g. removing a temporary folder); returns its unregister. */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Kills every child group this process started and runs the interrupt clean-ups. Synchronous, for signal handlers. */
function endEverything(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Wait (briefly) until the groups are really gone, so clean-ups do not race a compiler still writing.
  for (let waited = 0; waited < 2000 && [...groups].some(alive); waited += 20) sleepSync(20);
  groups.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: keep cleaning
    }
  }
  cleanups.clear();
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** On SIGINT/SIGTERM/SIGHUP: end every child group, clean up, and exit with 128 + the signal number. */
export function installInterruptHandlers(onSignal?: (signal: NodeJS.Signals) => void): void {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  for (const sig of Object.keys(numbers) as NodeJS.Signals[]) {
    process.once(sig, () => {
      onSignal?.(sig);
      endEverything();
      process.exit(128 + numbers[sig]!);
    });
  }
}

/** Whether a process with this pid exists (one of another user's counts: signalling it is merely not permitted). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
