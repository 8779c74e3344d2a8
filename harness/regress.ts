// `simrun regress`: a suite of cases (config, images, weights, engines, frames) run as separate simrun processes in a
// worker pool sized to the machine, sharded deterministically across CI machines, summarized as JUnit XML.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SimrunError } from '../core/errors.js';
import { prepareOutDir } from './outdir.js';

const caseSchema = z.object({
  name: z.string().min(1).optional(),
  config: z.string().min(1),
  images: z.array(z.string().min(1)).min(1),
  weights: z.string().default('synthetic:0'),
  engines: z.string().default('golden,sim'),
  frames: z.number().int().min(1).default(1),
  aluBudget: z.union([z.number().int().positive(), z.literal('min')]).optional(),
}).strict();
const suiteSchema = z.object({ name: z.string().min(1), cases: z.array(caseSchema).min(1) }).strict();

/** One case of a suite, with paths resolved. */
export interface RegressCase {
  readonly index: number;
  readonly name: string;
  readonly args: readonly string[];
}

/** One case's outcome. */
export interface CaseResult {
  readonly case: RegressCase;
  readonly exitCode: number;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses "i/n" (1 ≤ i ≤ n). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new SimrunError('USAGE', `--shard '${s}' is not i/n with 1 <= i <= n; pass e.g. --shard 1/2`);
  return { index, count };
}

/** Loads a suite file; paths inside it resolve against the suite's folder when they exist there. */
export function loadSuite(file: string): { name: string; cases: RegressCase[] } {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SimrunError('CONFIG_INVALID', `suite '${file}' cannot be read as JSON or YAML (${(e as Error).message.split('\n')[0]}); check the path and syntax`);
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SimrunError('CONFIG_INVALID', `suite '${file}': field '${issue.path.join('.')}': ${issue.message}; fix that field`);
  }
  const base = dirname(resolve(file));
  const local = (p: string) => (existsSync(join(base, p)) ? join(base, p) : p);
  return {
    name: parsed.data.name,
    cases: parsed.data.cases.map((c, index) => ({
      index,
      name: c.name ?? `${index + 1}-${c.config.replace(/\W+/g, '_')}`,
      args: [
        '--config', /[./]/.test(c.config) ? local(c.config) : c.config,
        ...c.images.flatMap((i) => ['--image', local(i)]),
        '--weights', c.weights.startsWith('synthetic') ? c.weights : local(c.weights),
        '--engines', c.engines, '--frames', String(c.frames),
        ...(c.aluBudget !== undefined ? ['--alu-budget', String(c.aluBudget)] : []),
      ],
    })),
  };
}

/** The cases of shard i of n: every n-th case starting at i − 1, so shards cover every case exactly once. */
export function shardCases<T extends { index: number }>(cases: readonly T[], shard: { index: number; count: number }): T[] {
  return cases.filter((c) => c.index % shard.count === shard.index - 1);
}

const BIN = fileURLToPath(new URL('../bin/simrun.js', import.meta.url));

function runCase(c: RegressCase, outDir: string): Promise<CaseResult> {
  const t0 = performance.now();
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, 'run', ...c.args, '--out', join(outDir, c.name), '--quiet', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => done({ case: c, exitCode: code ?? 3, seconds: (performance.now() - t0) / 1000, stdout, stderr }));
  });
}

/** Runs cases in a pool of `jobs` processes (default: the machine's parallelism); results in case order. */
export async function runSuite(cases: readonly RegressCase[], outDir: string, jobs = availableParallelism(), onDone?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(cases[i]!, outDir);
      onDone?.(results[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, cases.length)) }, worker));
  return results;
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: exit 1 is a <failure> (engines disagree), 2 and 3 are <error>s (bad input, tool failure). */
export function junitXml(suite: string, results: readonly CaseResult[]): string {
  const failures = results.filter((r) => r.exitCode === 1).length;
  const errors = results.filter((r) => r.exitCode !== 0 && r.exitCode !== 1).length;
  const time = results.reduce((a, r) => a + r.seconds, 0).toFixed(3);
  const cases = results.map((r) => {
    const detail = r.stdout.split('\n').filter((l) => l.startsWith('MISMATCH')).join('\n');
    const body = r.exitCode === 0 ? ''
      : r.exitCode === 1 ? `<failure type="mismatch" message="${xml(detail.split('\n')[0] ?? 'engines disagree')}">${xml(detail)}</failure>`
      : `<error type="exit ${r.exitCode}" message="${xml(r.stderr.trim().split('\n')[0] ?? '')}">${xml(r.stderr)}</error>`;
    return `    <testcase classname="rowsim.${xml(suite)}" name="${xml(r.case.name)}" time="${r.seconds.toFixed(3)}">${body}</testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="rowsim" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time}">
  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time}">
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}

/** The whole regress command: load, shard, run, write JUnit; returns results and the counts. */
export async function regress(opts: { suite: string; shard?: string; junit?: string; out?: string; jobs?: number; log?: (l: string) => void }): Promise<{ results: CaseResult[]; passed: number; failed: number }> {
  const suite = loadSuite(opts.suite);
  const cases = opts.shard ? shardCases(suite.cases, parseShard(opts.shard)) : suite.cases;
  const outDir = prepareOutDir(opts.out, `regress-${suite.name}`);
  if (opts.junit) mkdirSync(dirname(resolve(opts.junit)), { recursive: true });
  const results = await runSuite(cases, outDir, opts.jobs, (r) => opts.log?.(`${r.exitCode === 0 ? 'PASS' : r.exitCode === 1 ? 'FAIL' : 'ERROR'} ${r.case.name} (${r.seconds.toFixed(1)} s)${r.exitCode > 1 ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`));
  if (opts.junit) writeFileSync(opts.junit, junitXml(suite.name, results));
  const passed = results.filter((r) => r.exitCode === 0).length;
  return { results, passed, failed: results.length - passed };
}
