// Verilator driver: checks the tool, builds (--cc --exe --build -O3) into a cache keyed by a hash of sources and flags, runs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { SimrunError } from '../core/errors.js';

/** A named source text (Verilog or C++). */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/** What to build. */
export interface BuildSpec {
  /** A short name for the cache folder. */
  readonly name: string;
  readonly top: string;
  readonly verilog: readonly SourceFile[];
  readonly cpp: readonly SourceFile[];
  readonly flags?: readonly string[];
}

/** A built simulator. */
export interface Build {
  readonly exe: string;
  readonly dir: string;
  readonly cached: boolean;
  readonly seconds: number;
}

/** Flags every build and lint shares: wide layers write all their lanes in one loop, which must unroll. */
export const COMMON_FLAGS = ['--unroll-count', '65536'] as const;

const INSTALL_HINT = 'install it with: apt-get install -y verilator g++ make';

let versionCache: string | undefined;

/** Verilator's version line; VERILATOR_MISSING if it is not on PATH. */
export async function verilatorVersion(): Promise<string> {
  if (versionCache) return versionCache;
  try {
    const { stdout } = await execa('verilator', ['--version']);
    versionCache = stdout.trim();
    return versionCache;
  } catch {
    throw new SimrunError('VERILATOR_MISSING', `verilator is not installed or not on PATH; ${INSTALL_HINT}`);
  }
}

/** Folder for cached builds (SIMRUN_CACHE or ./.cache/rowsim). */
export function cacheRoot(): string {
  return resolve(process.env.SIMRUN_CACHE ?? join('.cache', 'rowsim'));
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/** Builds `spec` unless an identical build (same sources, flags and Verilator) is cached. */
export async function buildVerilated(spec: BuildSpec): Promise<Build> {
  const version = await verilatorVersion();
  const flags = ['--cc', '--exe', '--build', '-O3', '-j', '2', '--x-assign', 'fast', '--x-initial', 'fast', '-Wno-fatal', ...COMMON_FLAGS, ...(spec.flags ?? [])];
  const h = createHash('sha256');
  h.update(version).update('\0').update(flags.join(' ')).update('\0').update(spec.top);
  for (const f of [...spec.verilog, ...spec.cpp]) h.update('\0').update(f.name).update('\0').update(f.text);
  const dir = join(cacheRoot(), `${spec.name}-${h.digest('hex').slice(0, 16)}`);
  const exe = join(dir, 'sim');
  if (existsSync(exe)) return { exe, dir, cached: true, seconds: 0 };
  const t0 = performance.now();
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'src'), { recursive: true });
  const paths = [...spec.verilog, ...spec.cpp].map((f) => {
    const p = join(work, 'src', f.name);
    writeFileSync(p, f.text);
    return p;
  });
  try {
    await execa('verilator', [...flags, '--top-module', spec.top, '-Mdir', join(work, 'obj'), '-o', join(work, 'sim'), ...paths], { all: true });
  } catch (e) {
    const out = (e as { all?: string }).all ?? (e as Error).message;
    rmSync(work, { recursive: true, force: true });
    throw new SimrunError('VERILATOR_FAILED', `verilator build of ${spec.name} failed: ${tail(out)}`);
  }
  try {
    renameSync(work, dir); // publish atomically: a half-built folder never looks cached
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process published the same build first: use theirs
    if (!existsSync(exe)) throw new SimrunError('VERILATOR_FAILED', `could not publish the build of ${spec.name} into ${dir}; remove that folder and retry`);
  }
  return { exe, dir, cached: false, seconds: (performance.now() - t0) / 1000 };
}

/** Runs a built simulator; a non-zero exit is VERILATOR_FAILED with the tail of its output. */
export async function runVerilated(build: Build, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execa(build.exe, args, { all: false, maxBuffer: 1 << 30 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; exitCode?: number };
    const msg = tail(`${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    throw new SimrunError('VERILATOR_FAILED', `simulation ${build.exe} exited with ${err.exitCode}: ${msg}`);
  }
}

/** `verilator --lint-only -Wall`; returns the warnings (empty when clean). */
export async function lintVerilog(top: string, verilog: readonly SourceFile[]): Promise<string> {
  await verilatorVersion();
  const dir = join(cacheRoot(), 'lint', `${top}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const paths = verilog.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  try {
    const r = await execa('verilator', ['--lint-only', '-Wall', ...COMMON_FLAGS, '--top-module', top, ...paths], { all: true, reject: false });
    return (r.all ?? '').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
