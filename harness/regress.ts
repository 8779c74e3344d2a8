// `simrun regress`: a suite of cases run as separate `simrun run` processes (in their own process groups) in a pool
// sized to the machine, sharded deterministically across CI machines. Each case's verdict comes from its report.json,
// never from scraping its output; exit codes follow run's. Results are summarized as JUnit XML.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { forEachLimited } from '../core/jobs.js';
import { resolveShard } from '../core/shard.js';
import { SimrunError } from '../core/errors.js';
import { makeDirs, readUserText } from '../core/files.js';
import { hasControlCharacter, safeSegment } from '../core/names.js';
import { PRESETS } from '../core/presets.js';
import { runTool } from '../core/proc.js';
import { VERSION } from '../core/version.js';
import { junitXml as writeJunit } from './junit.js';
import { prepareOutDir, releaseOutDir, subFolder, writeAtomic } from './outdir.js';
import { describeFirst, type RunReport } from './report.js';
import type { ContractCoverage } from '../core/coverage.js';
import { mergeByNetwork } from './coverage.js';

const caseSchema = z.object({
  name: z.string().min(1).max(120).refine((s) => !hasControlCharacter(s), 'contains a control character').optional(),
  config: z.string().min(1).optional(),
  images: z.array(z.string().min(1)).min(1),
  weights: z.string().min(1).optional(),
  /** Default: golden,sim, and rtl too when the case names an rtl design folder. */
  engines: z.string().optional(),
  frames: z.number().int().min(1).max(1_000_000).default(1),
  aluBudget: z.union([z.number().int().positive(), z.literal('min')]).optional(),
  /** A design folder for the rtl engine (relative to the suite file). */
  rtl: z.string().min(1).optional(),
  pacing: z.string().min(1).optional(),
  inject: z.array(z.string().min(1)).optional(),
  /** Seconds the case may run before it is ended and reported as an error (default: the suite's). */
  timeoutSeconds: z.number().positive().max(7 * 24 * 3600).optional(),
}).strict();
const suiteSchema = z.object({
  name: z.string().min(1).max(120).refine((s) => !hasControlCharacter(s), 'contains a control character'),
  /** Seconds each case may run (default: 3600). */
  timeoutSeconds: z.number().positive().max(7 * 24 * 3600).default(3600),
  cases: z.array(caseSchema).min(1),
}).strict();

const ENGINES = ['golden', 'sim', 'rtl'];

/** One case of a suite, with paths resolved. */
export interface RegressCase {
  readonly index: number;
  readonly name: string;
  /** Its folder's name under the suite's output folder (sanitized, unique). */
  readonly folder: string;
  readonly args: readonly string[];
  readonly timeoutSeconds: number;
}

/** One case's outcome: its exit code, and its report when it wrote one. */
export interface CaseResult {
  readonly case: RegressCase;
  readonly exitCode: number;
  readonly seconds: number;
  readonly report: RunReport | null;
  /** The error line of a case that ended with exit 2 or 3. */
  readonly error: string | null;
  /** Its folder (where report.json and report.html are). */
  readonly dir?: string;
}

export { parseShard } from '../core/shard.js';

/** Loads a suite file; paths inside it resolve against the suite's folder when they exist there. */
export function loadSuite(file: string): { name: string; cases: RegressCase[] } {
  const text = readUserText(file, 'suite', 'CONFIG_UNREADABLE', 'check the --suite path and its permissions');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new SimrunError('CONFIG_INVALID', `suite '${file}' is not valid JSON or YAML (${(e as Error).message.split('\n')[0]}); fix its syntax`);
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SimrunError('CONFIG_INVALID', `suite '${file}': field '${issue.path.join('.')}': ${issue.message}; fix that field`);
  }
  const base = dirname(resolve(file));
  const local = (p: string) => (existsSync(join(base, p)) ? join(base, p) : p);
  const folders = new Map<string, string>();
  const cases = parsed.data.cases.map((c, index) => {
    if (!c.config && !c.rtl) throw new SimrunError('CONFIG_INVALID', `suite '${file}': field 'cases.${index}': give a config or an rtl design folder`);
    const name = c.name ?? `${index + 1}-${c.config ?? c.rtl}`;
    // Checked before any case runs: a bad case found an hour into a suite wastes the hour.
    const bad = (field: string, why: string) => new SimrunError('CONFIG_INVALID', `suite '${file}': case '${name}' (cases.${index}.${field}): ${why}`);
    for (const e of (c.engines ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!ENGINES.includes(e)) throw bad('engines', `unknown engine '${e}'; use a comma-separated subset of ${ENGINES.join(', ')}`);
    }
    for (const i of c.images) if (!existsSync(local(i))) throw bad('images', `image '${i}' does not exist (paths are relative to the suite's folder or the working folder); fix the path`);
    if (c.config && !/[./\\]/.test(c.config) && !(c.config in PRESETS)) throw bad('config', `unknown preset '${c.config}'; use one of ${Object.keys(PRESETS).join(', ')} or a spec file`);
    if (c.config && /[./\\]/.test(c.config) && !existsSync(local(c.config))) throw bad('config', `spec file '${c.config}' does not exist; fix the path`);
    if (c.rtl && !existsSync(local(c.rtl))) throw bad('rtl', `design folder '${c.rtl}' does not exist; fix the path (simrun emit writes one)`);
    const folder = safeSegment(name);
    const clash = folders.get(folder.toLowerCase());
    if (clash !== undefined) throw new SimrunError('CONFIG_INVALID', `suite '${file}': cases '${clash}' and '${name}' would share the output folder '${folder}'; give every case its own name`);
    folders.set(folder.toLowerCase(), name);
    return {
      index, name, folder,
      args: [
        ...(c.config ? ['--config', /[./]/.test(c.config) ? local(c.config) : c.config] : []),
        ...(c.rtl ? ['--rtl', local(c.rtl)] : []),
        ...c.images.flatMap((i) => ['--image', local(i)]),
        ...(c.weights ? ['--weights', c.weights.startsWith('synthetic') ? c.weights : local(c.weights)] : []),
        '--engines', c.engines ?? (c.rtl ? 'golden,sim,rtl' : 'golden,sim'), '--frames', String(c.frames),
        ...(c.aluBudget !== undefined ? ['--alu-budget', String(c.aluBudget)] : []),
        ...(c.pacing ? ['--pacing', c.pacing] : []),
        ...(c.inject ?? []).flatMap((f) => ['--inject', f]),
      ],
      timeoutSeconds: c.timeoutSeconds ?? parsed.data.timeoutSeconds,
    };
  });
  return { name: parsed.data.name, cases };
}

/** The cases of shard i of n: every n-th case starting at i − 1, so shards cover every case exactly once. */
export function shardCases<T extends { index: number }>(cases: readonly T[], shard: { index: number; count: number }): T[] {
  return cases.filter((c) => c.index % shard.count === shard.index - 1);
}

const BIN = fileURLToPath(new URL('../bin/simrun.js', import.meta.url));

async function runCase(c: RegressCase, outDir: string): Promise<CaseResult> {
  const t0 = performance.now();
  const dir = subFolder(outDir, c.folder);
  const r = await runTool(process.execPath, [BIN, 'run', ...c.args, '--out', dir, '--quiet', '--workers', '1'], { timeoutMs: c.timeoutSeconds * 1000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.timedOut) return { case: c, exitCode: 3, seconds, report: null, dir, error: `the case ran past its timeout of ${c.timeoutSeconds} s and was ended; raise timeoutSeconds for it in the suite if it needs longer` };
  const path = join(dir, 'report.json');
  let report: RunReport | null = null;
  if ((r.exitCode === 0 || r.exitCode === 1) && existsSync(path)) report = JSON.parse(readFileSync(path, 'utf8')) as RunReport;
  const errLine = r.stderr.trim().split('\n').filter((l) => l.startsWith('simrun: error') || l.startsWith('simrun: internal')).pop() ?? r.stderr.trim().split('\n').pop() ?? '';
  if ((r.exitCode === 0 || r.exitCode === 1) && !report) {
    return { case: c, exitCode: 3, seconds, report: null, error: `the case ended (exit ${r.exitCode}) without writing ${path}`, dir };
  }
  return { case: c, exitCode: r.exitCode, seconds, report, error: r.exitCode > 1 ? errLine || `exit ${r.signal ?? r.exitCode}` : null, dir };
}

/** Runs cases in a pool of `jobs` processes (default: the machine's parallelism); results in case order. */
async function runSuite(cases: readonly RegressCase[], outDir: string, jobs = availableParallelism(), onDone?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  await forEachLimited(cases, jobs, async (c, i) => {
    results[i] = await runCase(c, outDir);
    onDone?.(results[i]!);
  });
  return results;
}

/** What a case's result means: pass, fail (a mismatch or design failure), none (nothing compared), or error. */
export function verdict(r: CaseResult): 'pass' | 'fail' | 'none' | 'error' {
  if (r.exitCode > 1 || !r.report) return 'error';
  return r.report.pass === true ? 'pass' : r.report.pass === null ? 'none' : 'fail';
}

/** When and where a suite ran, for JUnit. */
export interface SuiteRunInfo {
  /** Start time, ISO 8601 in UTC without a zone suffix (as JUnit's schema types it). */
  readonly timestamp: string;
  readonly hostname: string;
  readonly shard: string | null;
}

/** The current time and host, for JUnit. */
export function suiteRunInfo(shard: string | null = null): SuiteRunInfo {
  return { timestamp: new Date().toISOString().slice(0, 19), hostname: hostname(), shard };
}

/**
 * JUnit XML as CI systems read it (test/support/junit.xsd): a mismatch is a <failure>, bad input or a tool failure an
 * <error>, nothing compared <skipped>; each case has its time, its summary in <system-out> and its report.html as a
 * property (and as an attachment line, which GitLab shows).
 */
export function junitXml(suite: string, results: readonly CaseResult[], info: SuiteRunInfo = suiteRunInfo()): string {
  return writeJunit({
    suites: 'rowsim', name: suite, timestamp: info.timestamp, hostname: info.hostname,
    properties: { 'rowsim.version': VERSION, ...(info.shard ? { 'rowsim.shard': info.shard } : {}) },
    cases: results.map((r) => {
      const html = r.dir && r.report ? join(r.dir, 'report.html') : null;
      const v = verdict(r);
      return {
        classname: `rowsim.${suite}`, name: r.case.name, seconds: r.seconds,
        ...(html ? { properties: { 'report.html': html } } : {}),
        ...(v === 'fail' ? { outcome: failureOf(r.report!) } : v === 'error' ? { outcome: { kind: 'error' as const, type: `exit ${r.exitCode}`, message: r.error ?? '', text: r.error ?? '' } } : v === 'none' ? { outcome: { kind: 'skipped' as const, message: r.report!.summary } } : {}),
        out: [r.report ? r.report.summary : r.error ?? `exit ${r.exitCode}`, `simrun ${r.case.args.join(' ')}`, ...(html ? [`report: ${html}`, `[[ATTACHMENT|${html}]]`] : [])].join('\n'),
      };
    }),
  });
}

/**
 * A failing case's JUnit failure, typed by what failed: `values` (a bits pair), `timing` (values agree, only cycles
 * differ from the model), `realtime` (an own-timing rule or a design failure such as a deadlock).
 */
function failureOf(rep: RunReport): { kind: 'failure'; type: string; message: string; text: string } {
  const differ = rep.layers.flatMap((l) => l.pairs.filter((p) => p.status === 'differ').map((p) => ({ l, p })));
  const detail = [...differ.map(({ l, p }) => `MISMATCH ${describeFirst(l, p)}`), ...rep.failures.map((f) => `FAILURE ${f.engine} ${f.code}: ${f.message}`), ...(rep.ownTiming?.failures ?? []).map((f) => `TIMING ${f.kind}: ${f.message}`)];
  const type = differ.some(({ p }) => p.kind === 'bits') ? 'values' : differ.length ? 'timing' : 'realtime';
  return { kind: 'failure', type, message: detail[0] ?? rep.summary, text: detail.join('\n') };
}

/** Exit code of a suite, following run's: 3 if a case hit a tool failure, else 2 if a case was bad, else 1 on a mismatch. */
export function suiteExitCode(results: readonly CaseResult[]): number {
  if (results.some((r) => r.exitCode >= 3)) return 3;
  if (results.some((r) => r.exitCode === 2)) return 2;
  return results.some((r) => verdict(r) === 'fail') ? 1 : 0;
}

/** What a regress folder says of its run (`regress.json`): enough for `simrun merge` to join shards into one suite. */
export interface RegressRecord {
  readonly schemaVersion: 1;
  readonly kind: 'regress';
  readonly rowsim: string;
  readonly suite: string;
  /** sha256 of the suite's cases as resolved (names and command lines): shards merge only with their own suite. */
  readonly fingerprint: string;
  /** i/n and what gave it, or null for a whole suite. */
  readonly shard: { readonly index: number; readonly count: number; readonly scheduler: string } | null;
  readonly host: string;
  readonly wallSeconds: number;
  /** Every case of the suite, in order. */
  readonly items: readonly string[];
  /** The cases this run ran: outcome, and the case folder (relative to this folder). */
  readonly cases: readonly { readonly name: string; readonly folder: string; readonly args: readonly string[]; readonly exitCode: number; readonly seconds: number; readonly error: string | null; readonly verdict: 'pass' | 'fail' | 'none' | 'error' }[];
  /** Contract coverage of the cases run with --coverage, merged per network (empty without). */
  readonly coverages: readonly ContractCoverage[];
}

/**
 * The fingerprint of a suite: rowsim's version and the suite file's text (not the paths it resolves to, which differ
 * between machines that check the project out in different places).
 */
function suiteFingerprint(suiteText: string): string {
  return createHash('sha256').update(VERSION).update(suiteText).digest('hex').slice(0, 24);
}

/** The whole regress command: load, shard, run, write JUnit and regress.json; returns results and counts. */
export async function regress(opts: { suite: string; shard?: string; shards?: number; junit?: string; out?: string; jobs?: number; coverage?: boolean; log?: (l: string) => void }): Promise<{ results: CaseResult[]; counts: Record<'pass' | 'fail' | 'none' | 'error', number>; exitCode: number; coverages: ContractCoverage[] }> {
  const t0 = performance.now();
  const loaded = loadSuite(opts.suite);
  const suite = opts.coverage ? { ...loaded, cases: loaded.cases.map((c) => ({ ...c, args: [...c.args, '--coverage'] })) } : loaded;
  const shard = resolveShard(opts.shard, opts.shards);
  const shardText = shard ? `${shard.index}/${shard.count}` : null;
  const cases = shard ? shardCases(suite.cases, shard) : suite.cases;
  // A shard that gets nothing would pass having checked nothing: a CI matrix wider than the suite is a mistake to say.
  if (cases.length === 0) throw new SimrunError('USAGE', `--shard ${shardText} of the ${suite.cases.length}-case suite '${suite.name}' gets no case; use at most ${suite.cases.length} shards`);
  if (opts.jobs !== undefined && (!Number.isSafeInteger(opts.jobs) || opts.jobs < 1)) throw new SimrunError('USAGE', `--jobs ${opts.jobs} is not a whole number of parallel cases; pass 1 or more`);
  const jobs = Math.min(opts.jobs ?? availableParallelism(), availableParallelism());
  const outDir = prepareOutDir(opts.out, `regress-${suite.name}`);
  let results: CaseResult[];
  try {
    // An older run's record and JUnit must not outlive an interrupted one.
    for (const f of [join(outDir, 'regress.json'), ...(opts.junit ? [resolve(opts.junit)] : [])]) rmSync(f, { force: true });
    if (opts.junit) makeDirs(dirname(resolve(opts.junit)));
    const info = suiteRunInfo(shardText);
    results = await runSuite(cases, outDir, jobs, (r) => {
      const v = verdict(r);
      opts.log?.(`${{ pass: 'PASS', fail: 'FAIL', none: 'NOT COMPARED', error: 'ERROR' }[v]} ${r.case.name} (${r.seconds.toFixed(1)} s)${v === 'error' ? `: ${r.error}` : v === 'fail' ? `: ${r.report!.summary}` : ''}`);
    });
    if (opts.junit) writeAtomic(resolve(opts.junit), junitXml(suite.name, results, info));
    const record: RegressRecord = {
      schemaVersion: 1, kind: 'regress', rowsim: VERSION, suite: suite.name, fingerprint: suiteFingerprint(readFileSync(opts.suite, 'utf8')),
      shard: shard ? { index: shard.index, count: shard.count, scheduler: shard.scheduler } : null, host: hostname(),
      wallSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)), items: suite.cases.map((c) => c.name),
      cases: results.map((r) => ({ name: r.case.name, folder: r.case.folder, args: r.case.args, exitCode: r.exitCode, seconds: Number(r.seconds.toFixed(2)), error: r.error, verdict: verdict(r) })),
      coverages: casesCoverage(results),
    };
    writeAtomic(join(outDir, 'regress.json'), JSON.stringify(record, null, 2) + '\n');
  } finally {
    releaseOutDir(outDir);
  }
  const counts = { pass: 0, fail: 0, none: 0, error: 0 };
  for (const r of results) counts[verdict(r)]++;
  return { results, counts, exitCode: suiteExitCode(results), coverages: casesCoverage(results) };
}

/** The contract coverage of a suite's cases that recorded one, merged per network (each case's frames add). */
export function casesCoverage(results: readonly CaseResult[]): ContractCoverage[] {
  return mergeByNetwork(results.flatMap((r) => (r.report?.coverage ? [r.report.coverage] : [])), 'the suite\'s cases');
}

/**
 * A warning when the suite's coverage sums only some of its reports (shards run with and without --coverage, merged):
 * the cases with a report but no coverage, named; null when all or none recorded it.
 */
export function coverageGap(results: readonly CaseResult[]): string | null {
  const reported = results.filter((r) => r.report);
  const without = reported.filter((r) => !r.report!.coverage);
  if (without.length === 0 || without.length === reported.length) return null;
  return `coverage sums ${reported.length - without.length} of ${reported.length} reported cases; ran without --coverage: ${without.map((r) => r.case.name).join(', ')}`;
}
