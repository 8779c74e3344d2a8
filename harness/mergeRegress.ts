// `simrun merge` for regression suites: the shards' regress.json records and their cases' report.json files joined into
// one suite — one JUnit as an unsharded run writes it, one regress.json with the shard table, one report.html listing
// every case with a link to its own report and the coverage summed over the cases. A partial merge (--allow-partial)
// lists what is missing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { makeDirs } from '../core/files.js';
import { safeSegment } from '../core/names.js';
import { planMerge, shardTable, type ShardRecord } from '../core/shardMerge.js';
import { coverageHtml } from './coverage.js';
import { esc } from './htmlEscape.js';
import { writeAtomic } from './outdir.js';
import { casesCoverage, coverageGap, junitXml, suiteExitCode, verdict, type CaseResult, type RegressRecord } from './regress.js';
import type { RunReport } from './report.js';
import type { ContractCoverage } from '../core/coverage.js';

/** A regress folder's regress.json as a shard record, or null when the folder holds none. */
export function regressShard(folder: string): { record: ShardRecord; regress: RegressRecord } | null {
  const path = join(folder, 'regress.json');
  if (!existsSync(path)) return null;
  let regress: RegressRecord;
  try {
    regress = JSON.parse(readFileSync(path, 'utf8')) as RegressRecord;
  } catch {
    throw new SimrunError('USAGE', `'${path}' is not readable JSON; the shard did not finish — run it again`);
  }
  const damaged = (why: string) => new SimrunError('USAGE', `'${path}' ${why}; the folder is damaged — run that shard again`);
  if (regress?.kind !== 'regress' || !Array.isArray(regress.cases) || !Array.isArray(regress.items) || typeof regress.fingerprint !== 'string') throw damaged('is not a regress record');
  if ((regress as { shards?: unknown }).shards) throw new SimrunError('USAGE', `'${folder}' is already a merged suite; merge the shard folders themselves`);
  for (const c of regress.cases) {
    if (typeof c?.name !== 'string' || c.folder !== safeSegment(c.name) || !Number.isSafeInteger(c.exitCode) || !Array.isArray(c.args)) throw damaged(`has a case record that is not one rowsim writes (${JSON.stringify(c?.name ?? null)})`);
  }
  const record: ShardRecord = {
    folder, index: regress.shard?.index ?? 1, count: regress.shard?.count ?? 1, scheduler: regress.shard?.scheduler ?? 'none',
    fingerprint: regress.fingerprint, rowsim: regress.rowsim, host: regress.host, wallSeconds: regress.wallSeconds,
    allItems: regress.items, items: regress.cases.map((c) => c.name),
  };
  return { record, regress };
}

/**
 * One merged case, read back from its shard's folder: the exit code and verdict the shard recorded, and the case's
 * report.json, which must still be there and say the same (a case folder copied without it, or changed after the shard
 * ran, is refused rather than merged as something it was not).
 */
function caseResult(shard: { record: ShardRecord; regress: RegressRecord }, name: string, index: number): CaseResult {
  const c = shard.regress.cases.find((x) => x.name === name)!;
  const dir = join(shard.record.folder, c.folder);
  const path = join(dir, 'report.json');
  let report: RunReport | null = null;
  if (existsSync(path)) {
    try {
      report = JSON.parse(readFileSync(path, 'utf8')) as RunReport;
    } catch {
      throw new SimrunError('USAGE', `case '${name}': '${path}' is not readable JSON; copy the shard's case folders whole, or run that shard again`);
    }
  }
  const result: CaseResult = { case: { index, name, folder: c.folder, args: c.args, timeoutSeconds: 0 }, exitCode: c.exitCode, seconds: c.seconds, report, error: c.error, dir };
  if (verdict(result) !== c.verdict) {
    throw new SimrunError('USAGE', `case '${name}': the shard recorded '${c.verdict}' but ${report ? `'${path}' now says '${verdict(result)}'` : `'${path}' is missing`}; copy the shard's case folders whole (report.json with report.html), or run that shard again`);
  }
  return result;
}

/** Merges regress shards into `outDir`; returns the merged record and the suite's exit code (at least 1 when partial). */
export function mergeRegress(shards: readonly { record: ShardRecord; regress: RegressRecord }[], outDir: string, allowPartial: boolean, junit?: string): { record: RegressRecord & { shards: ReturnType<typeof shardTable>; coverageWarning: string | null }; exitCode: number; results: CaseResult[] } {
  const plan = planMerge(shards.map((s) => s.record), allowPartial);
  const byFolder = new Map(shards.map((s) => [s.record.folder, s]));
  const first = shards[0]!.regress;
  const results = plan.order.map((name) => caseResult(byFolder.get(plan.owner.get(name)!.folder)!, name, first.items.indexOf(name)));
  const partial = plan.missingShards.length || plan.missingItems.length ? { missingShards: plan.missingShards, missingItems: plan.missingItems } : undefined;
  const record = {
    ...first, shard: null, host: first.host, wallSeconds: Math.max(...shards.map((s) => s.record.wallSeconds)),
    cases: results.map((r) => ({ name: r.case.name, folder: relative(outDir, r.dir!), args: r.case.args, exitCode: r.exitCode, seconds: r.seconds, error: r.error, verdict: verdict(r) })),
    shards: shardTable(shards.map((s) => s.record)), ...(partial ? { partial } : {}),
    // The cases' own reports, not the shards' records: coverage adds over every case of the merged suite.
    coverages: casesCoverage(results),
    // Shards run with and without --coverage: the sum covers only some cases, and the record says which (null otherwise).
    coverageWarning: coverageGap(results),
  };
  if (junit) {
    // A partial merge's JUnit shows each case that did not run as an error, so a CI view cannot read it as green.
    const notRun: CaseResult[] = plan.missingItems.map((name) => ({ case: { index: first.items.indexOf(name), name, folder: safeSegment(name), args: [], timeoutSeconds: 0 }, exitCode: 2, seconds: 0, report: null, error: 'not run: its shard is missing from this merge (--allow-partial)' }));
    makeDirs(dirname(junit));
    writeAtomic(junit, junitXml(first.suite, [...results, ...notRun]));
  }
  writeAtomic(join(outDir, 'report.html'), regressHtml(first.suite, results, record.shards, partial, outDir, { coverages: record.coverages, warning: record.coverageWarning }));
  writeAtomic(join(outDir, 'regress.json'), JSON.stringify(record, null, 2) + '\n');
  const code = suiteExitCode(results);
  return { record, exitCode: partial ? Math.max(code, 1) : code, results };
}

/**
 * The merged suite's page: every case's verdict and time, with a link to its own report.html; the shard table; the
 * contract coverage summed over the cases (one grid per network), and the warning when only some cases recorded it.
 */
function regressHtml(suite: string, results: readonly CaseResult[], shards: ReturnType<typeof shardTable>, partial: { missingShards: readonly number[]; missingItems: readonly string[] } | undefined, outDir: string, coverage: { coverages: readonly ContractCoverage[]; warning: string | null }): string {
  const rows = results.map((r) => {
    const v = verdict(r);
    const link = r.report ? `<a href="${esc(relative(outDir, join(r.dir!, 'report.html')))}">report</a>` : '';
    return `<tr><td>${esc(r.case.name)}</td><td class="${v === 'pass' ? 'ok' : 'bad'}">${v}</td><td>${r.seconds.toFixed(1)} s</td><td>${esc(r.report?.summary ?? r.error ?? '')}</td><td>${link}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim regress: ${esc(suite)}</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}.ok{color:#080}.bad{color:#b00}</style></head><body>
<h1>rowsim regress: ${esc(suite)} (merged)</h1>
${partial ? `<p class="bad">PARTIAL: shard(s) ${esc(partial.missingShards.join(', ') || 'none')} missing; cases not run: ${esc(partial.missingItems.join(', '))}</p>` : ''}
<table id="cases"><thead><tr><th>case</th><th>verdict</th><th>time</th><th>summary</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>
${coverage.warning ? `<p class="bad" id="coverage-warning">WARNING: ${esc(coverage.warning)}</p>` : ''}${coverage.coverages.map(coverageHtml).join('\n')}
<h2>Shards</h2><table id="shards"><thead><tr><th>shard</th><th>scheduler</th><th>host</th><th>wall time</th><th>cases</th></tr></thead><tbody>${shards.map((x) => `<tr><td>${x.index}/${x.count}</td><td>${esc(x.scheduler)}</td><td>${esc(x.host)}</td><td>${x.wallSeconds.toFixed(1)} s</td><td>${x.items}</td></tr>`).join('')}</tbody></table>
</body></html>
`;
}
