// `simrun coverage`: the contract coverage of several reports (runs, regress suites, campaigns, merged shards) read back
// and added per network, printed, and with --out written as coverage.json and a self-contained coverage.html.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { ContractCoverage } from '../core/coverage.js';
import { SimrunError } from '../core/errors.js';
import { coverageHtml, coverageLines, mergeByNetwork, readCoverage, reportFile, summarizeCoverage } from './coverage.js';
import { esc } from './htmlEscape.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';

/** The merged coverage of `reports` as terminal text and JSON; written into `out` when given. */
export function mergedCoverage(reports: readonly string[], out?: string): { text: string; json: string; coverages: ContractCoverage[] } {
  if (reports.length === 0) throw new SimrunError('USAGE', 'simrun coverage needs reports: pass report.json or regress.json files, or their folders');
  // One file named twice (or through a link) counts once.
  const files = [...new Map(reports.map((r) => [realpathSync(reportFile(r)), r])).values()];
  const coverages = mergeByNetwork(files.flatMap((r) => readCoverage(r)), `merging ${files.join(', ')}`);
  const json = JSON.stringify({ coverages, summaries: coverages.map(summarizeCoverage) }, null, 2) + '\n';
  let written = '';
  if (out !== undefined) {
    // --out is emptied of reports before writing: never an input's folder, nor a folder holding a run's report.
    const target = existsSync(out) ? realpathSync(out) : resolve(out);
    const clash = files.find((r) => { const f = realpathSync(reportFile(r)); return dirname(f) === target || f.startsWith(`${target}${sep}`); });
    if (clash) throw new SimrunError('USAGE', `--out '${out}' holds the input '${clash}'; write the merged coverage into a new folder`);
    if (['report.json', 'regress.json'].some((f) => existsSync(join(target, f)))) throw new SimrunError('USAGE', `--out '${out}' holds a run's report; write the merged coverage into a new folder`);
    const dir = prepareOutDir(out, 'coverage');
    try {
      writeAtomic(join(dir, 'coverage.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rowsim contract coverage</title></head><body>
<h1>rowsim contract coverage</h1><p>Merged from ${reports.map((r) => esc(r)).join(', ')}.</p>
${coverages.map((c) => `<section><h2>${esc(c.network)}</h2>${coverageHtml(c).replace('<h2>Contract coverage</h2>', '')}</section>`).join('\n')}
</body></html>
`);
      writeAtomic(join(dir, 'coverage.json'), json);
    } finally {
      releaseOutDir(dir);
    }
    written = `coverage: ${dir}/coverage.json and coverage.html\n`;
  }
  return { text: coverages.map((c) => coverageLines(c).join('\n')).join('\n') + '\n' + written, json, coverages };
}
