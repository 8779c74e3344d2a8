// A mutation campaign's report for people and CI: the terminal summary, report.html (score, tables per layer and per
// kind, every survivor with its source line) and JUnit (an undetected mutant is a failure; an equivalent one is skipped).
import Table from 'cli-table3';
import { junitXml } from '../../harness/junit.js';
import { esc, STYLE } from '../../harness/html.js';
import { coverageHtml, coverageLines } from '../../harness/coverage.js';
import { countStatuses, firstText, MUTANT_STATUSES, type CampaignReport, type MutantResult, type StatusCounts } from './campaignReport.js';
import { PLAIN } from '../../harness/report.js';
import { suiteRunInfo } from '../../harness/regress.js';

const STATUSES = MUTANT_STATUSES;

/** Counts by status for each value of `key` (layer or kind), in first-seen order. */
function tally(ms: readonly MutantResult[], key: (m: MutantResult) => string): [string, StatusCounts][] {
  const groups = new Map<string, MutantResult[]>();
  for (const m of ms) groups.set(key(m), [...(groups.get(key(m)) ?? []), m]);
  return [...groups.entries()].map(([k, v]) => [k, countStatuses(v)]);
}

function where(m: MutantResult): string {
  return m.first ? `${firstText(m.first)}${m.foundBy === 'random' ? ' (random frames)' : m.foundBy === 'witness' ? ' (its witness run)' : ''}` : '';
}

/** Reachable contract cases no stimulus of the campaign reached, one line each (at most 20 shown), and the coverage note. */
function notReachedLines(r: CampaignReport): string[] {
  const left = r.stimulus.notReached ?? [];
  return [
    ...(r.stimulus.coverageNote ? [`note: ${r.stimulus.coverageNote}`] : []),
    ...left.slice(0, 20).map((n) => `NOT REACHED layer ${n.layer} ${n.site}: ${n.case} — ${n.why}`),
    ...(left.length > 20 ? [`… and ${left.length - 20} more reachable cases not reached (report.json lists them all)`] : []),
    ...everyOutputLines(r),
  ];
}

/** What the replicated runs reach at every interior output (so at every ALU of a layer), and the cases they leave. */
function everyOutputLines(r: CampaignReport): string[] {
  const e = r.stimulus.everyOutput;
  if (!e) return [];
  const byCase = new Map<string, number[]>();
  for (const n of e.notReplicated) byCase.set(`${n.site}: ${n.case}`, [...(byCase.get(`${n.site}: ${n.case}`) ?? []), n.layer]);
  return [
    `every interior output (replicated runs): ${e.covered} of ${e.reachable} reachable cases, as the search classified what each of those outputs computes${e.measured === false ? ' (the model did not measure the runs of a network this size)' : ''}`,
    ...[...byCase].slice(0, 10).map(([k, ls]) => `  not at every output: ${k} (layer${ls.length > 1 ? 's' : ''} ${ls.join(', ')})`),
    ...(byCase.size > 10 ? [`  … and ${byCase.size - 10} more (report.json lists them all)`] : []),
  ];
}

function notReachedHtml(r: CampaignReport): string {
  const left = r.stimulus.notReached ?? [];
  const e = r.stimulus.everyOutput;
  const every = e ? `<p>Replicated runs (every output channel on one program, the input constant per channel) reach ${e.covered} of ${e.reachable} reachable cases at every interior output of their layer, so at every ALU that computes one.</p>${e.notReplicated.length ? `<details><summary>${e.notReplicated.length} not at every output</summary><ul>${e.notReplicated.map((n) => `<li>layer ${n.layer} ${esc(n.site)}: ${esc(n.case)}</li>`).join('')}</ul></details>` : ''}` : '';
  return (left.length ? `<h2>Reachable cases no stimulus reached</h2><ul>${left.map((n) => `<li>layer ${n.layer} ${esc(n.site)}: ${esc(n.case)} — ${esc(n.why)}</li>`).join('')}</ul>` : '') + every;
}

/**
 * Why an unresolved mutant is so, and what to do: never built (Yosys could not fold it — no budget helps), or a proof
 * stopped at its budget (raise it).
 */
function unresolvedWhy(m: CampaignReport['mutants'][number]): string {
  return neverBuilt(m) ? `it was never run or proven: ${m.limit}` : `its proof stopped at ${m.limit}; raise --proof-budget (now ${m.proofBudget ?? 1})`;
}

/** An unresolved mutant Yosys could not fold: it has no netlist, so it never ran. */
function neverBuilt(m: CampaignReport['mutants'][number]): boolean {
  return m.limit?.startsWith('no netlist') ?? false;
}

/** The terminal summary. */
export function formatCampaign(r: CampaignReport): string {
  const c = r.counts;
  const byLayer = new Table({ head: ['layer', ...STATUSES], ...PLAIN });
  for (const [k, v] of tally(r.mutants, (m) => (m.layer === null ? '-' : String(m.layer)))) byLayer.push([k, ...STATUSES.map((s) => v[s])]);
  const byKind = new Table({ head: ['source', 'kind', ...STATUSES], ...PLAIN });
  for (const [k, v] of tally(r.mutants, (m) => `${m.source} ${m.kind}`)) byKind.push([...k.split(' '), ...STATUSES.map((s) => v[s])]);
  const lines = [
    `${r.config}: ${r.mutants.length} mutants (${r.mutants.filter((m) => m.source === 'catalogue').length} catalogue, ${r.mutants.filter((m) => m.source === 'yosys').length} yosys) on a directed frame + ${r.stimulus.frames.length - 1} photos${r.shard ? `, shard ${r.shard}` : ''}`,
    ...(r.stimulus.coverage ? coverageLines(r.stimulus.coverage) : []),
    ...notReachedLines(r),
    'by layer:', byLayer.toString(), 'by kind:', byKind.toString(),
  ];
  for (const m of r.mutants.filter((x) => x.status === 'unresolved')) lines.push(`UNRESOLVED ${m.id} (${m.kind}${m.layer !== null ? `, layer ${m.layer}` : ''}): ${m.description} — ${unresolvedWhy(m)}${m.proof ? ` — ${m.proof}` : ''}`);
  for (const m of r.mutants.filter((x) => x.trace)) lines.push(`TRACE ${m.id}: the reachability search's path to a difference, over inputs it left free, that no run of the design showed (${m.trace!.length} lines in report.json):`, ...[m.trace![0]!, ...m.trace!.slice(-2)].map((t) => `  ${t}`));
  for (const m of r.mutants.filter((x) => x.status === 'undetected')) lines.push(`UNDETECTED ${m.id} (${m.kind}${m.layer !== null ? `, layer ${m.layer}` : ''}): ${m.description}${m.src.length ? ` [${m.src.join(', ')}]` : ''}${m.proof ? ` — ${m.proof}` : ''}`);
  if (r.partial) lines.push(`PARTIAL: shard(s) ${r.partial.missingShards.join(', ') || 'none'} and ${r.partial.missingItems.length} mutant(s) missing; no score is stated`);
  if (r.shards) lines.push(`merged from ${r.shards.length} shard(s): ${r.shards.map((x) => `${x.index}/${x.count} on ${x.host} ${x.wallSeconds.toFixed(0)} s (${x.items})`).join(', ')}`);
  lines.push(`killed ${c.killed}, deadlock ${c.deadlock}, equivalent ${c.equivalent}, undetected ${c.undetected}, unresolved ${c.unresolved}; mutation score ${r.score === null ? 'n/a' : `${(r.score * 100).toFixed(1)}%`} (detected / non-equivalent: neither undetected nor unresolved counts); ${r.timing.seconds} s, ${r.timing.mutantsPerMinute} mutants per minute`);
  return lines.join('\n');
}

/** report.html. */
export function campaignHtml(r: CampaignReport): string {
  const table = (title: string, rows: [string, Record<string, number>][]) => `<table><thead><tr><th>${esc(title)}</th>${STATUSES.map((s) => `<th>${s}</th>`).join('')}</tr></thead><tbody>${rows.map(([k, v]) => `<tr><td>${esc(k)}</td>${STATUSES.map((s) => `<td class="${(s === 'undetected' || s === 'unresolved') && v[s] ? 'bad' : ''}">${v[s]}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const survivors = r.mutants.filter((m) => m.status === 'undetected' || m.status === 'unresolved' || m.status === 'equivalent');
  const all = r.mutants.map((m) => `<tr><td>${esc(m.id)}</td><td>${m.source}</td><td>${esc(m.kind)}</td><td>${m.layer ?? '–'}</td><td class="${m.status === 'undetected' || m.status === 'unresolved' ? 'bad' : m.status === 'equivalent' ? 'na' : 'ok'}">${m.status}</td><td>${esc(where(m))}</td><td>${esc(m.src.join(', '))}</td></tr>`);
  const cs = r.stimulus.coverageSummary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim mutation campaign: ${esc(r.config)}</title><style>${STYLE}</style></head><body>
<h1>rowsim mutation campaign: ${esc(r.config)} — <span class="${r.counts.undetected ? 'fail' : 'pass'}">score ${r.score === null ? 'n/a' : `${(r.score * 100).toFixed(1)}%`}</span></h1>
<p>${r.mutants.length} mutants: ${r.counts.killed} killed, ${r.counts.deadlock} deadlocked, ${r.counts.equivalent} proven equivalent, ${r.counts.undetected} undetected, ${r.counts.unresolved} unresolved (a proof ran out of its budget). The score is detected over non-equivalent mutants.</p>
<p>Campaign stimulus: a directed frame, then ${esc(r.stimulus.frames.slice(1).join(', '))}, ${cs ? `reaching, with each layer's corner and coverage runs, ${cs.covered} of ${cs.reachable} reachable cases of the contract (grid below)` : esc(r.stimulus.coverageNote ?? 'coverage not computed')}; survivors also ran on ${r.stimulus.randomFrames} random frames before a quick reachability search and Yosys tried to prove them equivalent, and those it could not prove on a run built from a SAT witness.</p>
${r.partial ? `<p class="fail">PARTIAL: a merge with shard(s) ${esc(r.partial.missingShards.join(', ') || 'none')} and ${r.partial.missingItems.length} mutant(s) missing (${esc(r.partial.missingItems.slice(0, 20).join(', '))}${r.partial.missingItems.length > 20 ? ', …' : ''}); no score is stated.</p>` : ''}
${r.shards ? `<h2>Shards</h2><table id="shards"><thead><tr><th>shard</th><th>scheduler</th><th>host</th><th>wall time</th><th>mutants</th></tr></thead><tbody>${r.shards.map((x) => `<tr><td>${x.index}/${x.count}</td><td>${esc(x.scheduler)}</td><td>${esc(x.host)}</td><td>${x.wallSeconds.toFixed(1)} s</td><td>${x.items}</td></tr>`).join('')}</tbody></table>` : ''}
<h2>By layer</h2>${table('layer', tally(r.mutants, (m) => (m.layer === null ? '–' : String(m.layer))))}
<h2>By kind</h2>${table('source and kind', tally(r.mutants, (m) => `${m.source} ${m.kind}`))}
${survivors.length ? `<h2>Survivors</h2><ul>${survivors.map((m) => `<li><b>${esc(m.id)}</b> ${m.status}${m.limit ? ` (${esc(unresolvedWhy(m))})` : ''}: ${esc(m.description)}${m.src.length ? ` — <code>${esc(m.src.join(', '))}</code>` : ''}${m.proof ? `<br>${esc(m.proof)}` : ''}${m.trace ? `<br>The reachability search's path to a difference, over the inputs its first line names as free, that no run of the design showed:<pre>${esc(m.trace.join('\n'))}</pre>` : ''}</li>`).join('')}</ul>` : ''}
<h2>Every mutant</h2>
<table id="mutants"><thead><tr><th>id</th><th>source</th><th>kind</th><th>layer</th><th>status</th><th>first seen</th><th>source lines</th></tr></thead><tbody>${all.join('')}</tbody></table>
${notReachedHtml(r)}
${r.stimulus.coverage ? coverageHtml(r.stimulus.coverage) : ''}
</body></html>
`;
}

/** JUnit: each mutant a test case; undetected fails, equivalent is skipped. */
export function campaignJunit(r: CampaignReport): string {
  const info = suiteRunInfo(r.shard);
  return junitXml({
    suites: 'rowsim-mutate', name: `mutate.${r.config}`, timestamp: info.timestamp, hostname: info.hostname, seconds: r.timing.seconds,
    properties: { 'rowsim.version': r.rowsim, 'mutation.score': r.score === null ? 'none' : String(r.score), ...(r.shard ? { 'rowsim.shard': r.shard } : {}) },
    cases: r.mutants.map((m) => ({
      classname: `rowsim.mutate.${r.config}.${m.source}`, name: `${m.id} ${m.kind}${m.layer !== null ? ` layer ${m.layer}` : ''}`, seconds: m.seconds,
      ...(m.status === 'undetected' ? { outcome: { kind: 'failure' as const, type: 'undetected', message: `${m.description} survived every run and is not provably equivalent${m.proof ? `: ${m.proof}` : ''}`, text: m.src.join('\n') } }
        : m.status === 'unresolved' ? { outcome: { kind: 'skipped' as const, message: `unresolved: ${neverBuilt(m) ? '' : 'survived every run and '}${unresolvedWhy(m)}` } }
        : m.status === 'equivalent' ? { outcome: { kind: 'skipped' as const, message: 'proven equivalent to the design' } } : {}),
      out: `${m.status}${m.first ? ` ${firstText(m.first)}` : ''}${m.proof ? ` — ${m.proof}` : ''}\n${m.description}`,
    })).concat((r.partial?.missingItems ?? []).map((id) => ({
      // A partial merge: each mutant that did not run is an error, so a CI view cannot read the campaign as green.
      classname: `rowsim.mutate.${r.config}`, name: id, seconds: 0,
      outcome: { kind: 'error' as const, type: 'not run', message: 'not run: its shard is missing from this merge (--allow-partial)', text: '' },
      out: 'not run',
    }))),
  });
}
