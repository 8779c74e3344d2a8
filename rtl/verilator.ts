// Verilator driver: checks the tool, builds (--cc --exe --build -O3, optionally profile-guided) into a cache keyed
// by a hash of every source's content, the flags and the Verilator version; lints. Children run in their own process
// groups (core/proc.ts), and a half-built folder is removed on failure or interrupt: the cache holds complete builds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { withBuildLock } from '../core/buildLock.js';
import { dirname, join, resolve } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { onInterrupt, runTool } from '../core/proc.js';
import { cacheRoot, evict, useBuild } from './buildCache.js';

/** A named source text (Verilog, C++ or a Verilator configuration file); `name` may hold folders ('a/b.v'). */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/** What to build. */
export interface BuildSpec {
  /** A short name for the cache folder (letters, digits, '-', '_'). */
  readonly name: string;
  readonly top: string;
  readonly verilog: readonly SourceFile[];
  /** Files the Verilog `include`s: written beside it and part of the cache key, never compiled on their own. */
  readonly headers?: readonly SourceFile[];
  readonly cpp: readonly SourceFile[];
  /** Verilator configuration files (.vlt), e.g. the taps made public. */
  readonly config?: readonly SourceFile[];
  readonly flags?: readonly string[];
  /** Where to say that the build waits for another process making the same one. */
  readonly log?: (line: string) => void;
  /** Build profile-guided: instrumented first, trained on a workload, then compiled again from the profile. */
  readonly profile?: ProfileTraining;
}

/**
 * The workload of a profile-guided build. The profile only steers the C++ compiler (which branches are likely, what to
 * inline, how to lay out the code): the simulator computes the same beats whatever it was trained on, so the training
 * is not part of the cache key.
 */
export interface ProfileTraining {
  /**
   * Runs the instrumented simulator `exe` on a workload like the real one, with `plusargs` after its own arguments;
   * its counters are written as it exits. Throws (VERILATOR_FAILED) when the workload fails: nothing is published then.
   */
  readonly train: (exe: string, plusargs: readonly string[]) => Promise<void>;
}

/** A built simulator. */
export interface Build {
  readonly exe: string;
  readonly dir: string;
  readonly cached: boolean;
  readonly seconds: number;
  /** A profile-guided build: its compiled objects that had counters from the training (every one, once trained). */
  readonly profileCounters?: number;
  /** A profile-guided threaded build: the macro-tasks its threads share out by the training's measured times. */
  readonly scheduledTasks?: number;
}

/**
 * g++'s profile-guided optimization: counters compiled in, then read back. -fprofile-correction tolerates counters two
 * model threads updated at once. Without -fprofile-partial-training, code the training never reached is optimized for
 * size: the training covers a whole frame, which reaches every layer, and on ie120r-mini partial training made the
 * frame 3–10 % slower (0.30–0.33 s beside 0.29–0.30 s).
 */
const PROFILE_GENERATE = ['-CFLAGS', '-fprofile-generate', '-LDFLAGS', '-fprofile-generate'] as const;
const PROFILE_USE = ['-CFLAGS', '-fprofile-use -fprofile-correction -Wno-missing-profile -Wno-error=coverage-mismatch'] as const;

/**
 * Verilator's own profile-guided scheduling, for a threaded build. Verilator cuts the model into macro-tasks and shares
 * them between the threads by a static estimate of each one's cost: every statement counted, as if every branch ran.
 * In a CNN most of that code is ALUs behind an enable, so the estimate is far off. On the full IE120R the two threads'
 * measured shares came out 3,203 and 1,522 million ticks over 20,000 cycles, where Verilator expected them even. So
 * the instrumented build also times each macro-task (--prof-pgo), and the training writes the times into this file.
 * The second build reads the file and shares the same macro-tasks by measured cost: the full IE120R's first 400,000
 * cycles took 31.4 s beside 38.9 s (plain threaded builds of the tenth session's design, tap = phase, since reverted).
 * Only the scheduler's C++ changes between the two builds (which thread runs which task, in what order), so g++'s
 * counters still match every other file.
 */
const SCHEDULE_PROFILE = 'schedule.vlt';

/** Whether `flags` build a model that runs on two or more threads (Verilator takes the last --threads). */
function threaded(flags: readonly string[]): boolean {
  const i = flags.lastIndexOf('--threads');
  return i >= 0 && Number(flags[i + 1]) > 1;
}

/** Flags every build and lint shares: wide layers write all their lanes in one loop, which must unroll (by count and by statements). */
const COMMON_FLAGS = ['--unroll-count', '65536', '--unroll-stmts', '10000000'] as const;

/**
 * The flags every build gives Verilator that shape the C++ it writes (the rest say how to compile it): which registers
 * it keeps a shadow copy of, for one, depends on how it splits functions (test/rtl/layer/shadowCopies.test.ts).
 */
export const MODEL_FLAGS = ['-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-Wno-fatal', '--output-split-cfuncs', '1000', ...COMMON_FLAGS] as const;

const INSTALL_HINT = 'install it with: apt-get install -y verilator g++ make zlib1g-dev';

/** The error for a missing Verilator. */
export function verilatorMissing(): SimrunError {
  return new SimrunError('VERILATOR_MISSING', `verilator is not installed or not on PATH; ${INSTALL_HINT}`);
}

let versionCache: string | undefined;

/** Verilator's version line; VERILATOR_MISSING if it is not on PATH. */
async function verilatorVersion(): Promise<string> {
  if (versionCache) return versionCache;
  const r = await runTool('verilator', ['--version']);
  if (r.notFound || r.exitCode !== 0) throw verilatorMissing();
  versionCache = r.stdout.trim();
  return versionCache;
}

export { cacheRoot } from './buildCache.js';

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

function writeSources(root: string, files: readonly SourceFile[]): string[] {
  return files.map((f) => {
    const p = join(root, f.name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.text);
    return p;
  });
}

/** Where `spec`'s build lives in the cache and the flags that make it. */
async function buildLocation(spec: BuildSpec): Promise<{ readonly flags: readonly string[]; readonly dir: string; readonly exe: string }> {
  const version = await verilatorVersion();
  // Profiled on ie120r-mini (perf): 84 % of a cycle went to one huge sequential-logic function compiled at Verilator's
  // default -Os; split into ~1000-statement functions and compiled at -O2 the same model runs 1.7–1.8× faster.
  const flags = ['--cc', '--exe', '--build', '-j', '2', ...MODEL_FLAGS, '-MAKEFLAGS', 'OPT_FAST=-O2', ...(spec.flags ?? []), ...(process.env.SIMRUN_VERILATOR_FLAGS?.split(' ').filter(Boolean) ?? [])];
  const h = createHash('sha256');
  h.update(version).update('\0').update(flags.join(' ')).update('\0').update(spec.top);
  if (spec.profile) h.update('\0').update([...PROFILE_GENERATE, ...PROFILE_USE, ...(threaded(flags) ? ['--prof-pgo', SCHEDULE_PROFILE] : [])].join(' '));
  for (const f of [...spec.verilog, ...(spec.headers ?? []), ...spec.cpp, ...(spec.config ?? [])]) h.update('\0').update(f.name).update('\0').update(f.text);
  const dir = join(cacheRoot(), `${spec.name}${spec.profile ? '-pgo' : ''}-${h.digest('hex').slice(0, 16)}`);
  return { flags, dir, exe: join(dir, 'sim') };
}

/** Whether the cache holds `spec`'s build already (a profiled one when `spec.profile` is set). */
export async function isBuilt(spec: BuildSpec): Promise<boolean> {
  return existsSync((await buildLocation(spec)).exe);
}

/** Builds `spec` unless an identical build (same sources, flags and Verilator) is cached. */
export async function buildVerilated(spec: BuildSpec): Promise<Build> {
  const { flags, dir, exe } = await buildLocation(spec);
  if (existsSync(exe)) {
    useBuild(dir);
    return { exe, dir, cached: true, seconds: 0, ...profileOf(dir) };
  }
  // Several processes — on several nodes sharing the cache — may want the same build: one makes it, the others wait.
  const made = await withBuildLock(`${dir}.lock`, {
    ready: () => existsSync(exe),
    onWait: (holder) => spec.log?.(`verilator: waiting for ${holder}, which is building ${spec.name} into the shared cache`),
  }, () => makeBuild(spec, flags, dir, exe));
  useBuild(dir);
  return made ?? { exe, dir, cached: true, seconds: 0, ...profileOf(dir) };
}

/**
 * A profiled build folder's record of its training: profile.txt, how many of its objects had counters; and, for a
 * threaded build, the macro-tasks the schedule profile timed.
 */
function profileOf(dir: string): { profileCounters?: number; scheduledTasks?: number } {
  const p = join(dir, PROFILE_RECORD);
  const n = existsSync(p) ? Number.parseInt(readFileSync(p, 'utf8'), 10) : NaN;
  const schedule = join(dir, SCHEDULE_PROFILE);
  const tasks = existsSync(schedule) ? scheduleTasks(schedule) : 0;
  return { ...(Number.isFinite(n) ? { profileCounters: n } : {}), ...(tasks > 0 ? { scheduledTasks: tasks } : {}) };
}

/** How many macro-tasks a schedule profile times (its profile_data lines). */
function scheduleTasks(path: string): number {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('profile_data ')).length;
}

const PROFILE_RECORD = 'profile.txt';

/**
 * Runs the training on the instrumented simulator of `work`, then removes its objects and the simulator but keeps the
 * counters (.gcda, written beside each object under the same absolute path), so the second build compiles every file
 * again and reads its counters. Returns how many objects have counters; none is a failed training (VERILATOR_FAILED).
 */
async function trainAndKeepCounters(spec: BuildSpec, work: string, plusargs: readonly string[]): Promise<number> {
  // Nothing is written into the work folder while the training runs; the build lock's heartbeat tells eviction it lives.
  await spec.profile!.train(join(work, 'sim'), plusargs);
  const files = readdirSync(join(work, 'obj'));
  const objects = files.filter((f) => f.endsWith('.o'));
  const counted = objects.filter((f) => files.includes(f.replace(/\.o$/, '.gcda'))).length;
  if (counted === 0) throw new SimrunError('VERILATOR_FAILED', `the training of ${spec.name} wrote no counters beside its ${objects.length} objects`);
  spec.log?.(`verilator: building ${spec.name} again from its profile (counters for ${counted} of ${objects.length} objects)`);
  for (const f of files) if (f.endsWith('.o') || f.endsWith('.a')) rmSync(join(work, 'obj', f));
  rmSync(join(work, 'sim'));
  return counted;
}

/** Builds into a private folder and publishes it with one rename (a half-built folder never looks cached). */
async function makeBuild(spec: BuildSpec, flags: readonly string[], dir: string, exe: string): Promise<Build> {
  const t0 = performance.now();
  const work = `${dir}.tmp-${hostname()}-${process.pid}`;
  const forget = onInterrupt(() => rmSync(work, { recursive: true, force: true }));
  try {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'src'), { recursive: true });
    const config = writeSources(join(work, 'src'), spec.config ?? []);
    const verilog = writeSources(join(work, 'src'), spec.verilog);
    writeSources(join(work, 'src'), spec.headers ?? []);
    const cpp = writeSources(join(work, 'src'), spec.cpp);
    // The compiler's own temporary files go inside the build folder, so an interrupted build leaves none in $TMPDIR.
    mkdirSync(join(work, 'tmp'));
    const compile = async (extra: readonly string[]): Promise<void> => {
      const r = await runTool('verilator', [...flags, ...extra, '--top-module', spec.top, '-Mdir', join(work, 'obj'), '-o', join(work, 'sim'), ...config, ...verilog, ...cpp], { cwd: join(work, 'src'), env: { TMPDIR: join(work, 'tmp') } });
      if (r.notFound) throw verilatorMissing();
      if (r.exitCode !== 0 || !existsSync(join(work, 'sim'))) {
        throw new SimrunError('VERILATOR_FAILED', `verilator build of ${spec.name}${extra.length ? ' (profile-guided)' : ''} failed: ${tail(r.all)}`);
      }
    };
    let profileCounters: number | undefined;
    if (spec.profile) {
      const schedule = threaded(flags) ? join(work, SCHEDULE_PROFILE) : undefined;
      await compile(schedule ? [...PROFILE_GENERATE, '--prof-pgo'] : PROFILE_GENERATE);
      profileCounters = await trainAndKeepCounters(spec, work, schedule ? [`+verilator+prof+vlt+file+${schedule}`] : []);
      const timed = schedule && existsSync(schedule) ? scheduleTasks(schedule) : 0;
      if (schedule) spec.log?.(timed > 0 ? `verilator: sharing ${spec.name}'s ${timed} macro-tasks between its threads by the training's measured times` : `verilator: the training of ${spec.name} timed no macro-task; its threads keep Verilator's static estimate`);
      await compile(timed > 0 ? [...PROFILE_USE, schedule!] : PROFILE_USE);
      writeFileSync(join(work, PROFILE_RECORD), `${profileCounters}\n`);
    } else await compile([]);
    // Objects are not needed once the simulator is linked; they are most of the folder's size.
    rmSync(join(work, 'obj'), { recursive: true, force: true });
    rmSync(join(work, 'tmp'), { recursive: true, force: true });
    try {
      renameSync(work, dir); // publish atomically: a half-built folder never looks cached
    } catch {
      if (!existsSync(exe)) throw new SimrunError('VERILATOR_FAILED', `could not publish the build of ${spec.name} into ${dir}; remove that folder and retry`);
      // another process published the same build first: use theirs
    }
    useBuild(dir);
    // A new build may push the cache past its cap: the least recently used builds nobody runs now go.
    evict();
    return { exe, dir, cached: false, seconds: (performance.now() - t0) / 1000, ...profileOf(dir) };
  } finally {
    rmSync(work, { recursive: true, force: true });
    forget();
  }
}

/** `verilator --lint-only -Wall`; returns the warnings (empty when clean). */
export async function lintVerilog(top: string, verilog: readonly SourceFile[]): Promise<string> {
  await verilatorVersion();
  const dir = join(cacheRoot(), 'lint', `${top}-${process.pid}-${Date.now()}`);
  const forget = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  try {
    mkdirSync(dir, { recursive: true });
    const paths = writeSources(dir, verilog);
    const r = await runTool('verilator', ['--lint-only', '-Wall', ...COMMON_FLAGS, '--top-module', top, ...paths]);
    return r.all.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}
