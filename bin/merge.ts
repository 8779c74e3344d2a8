// `simrun merge`: decides whether the shard folders hold a regress suite or a mutation campaign, and merges them with
// that command's merger into a fresh --out folder (taken with its lock like any output folder).
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { planMerge } from '../core/shardMerge.js';
import { coverageLines } from '../harness/coverage.js';
import { regressShard, mergeRegress } from '../harness/mergeRegress.js';
import { prepareOutDir, releaseOutDir } from '../harness/outdir.js';
import { campaignShard, mergeCampaign } from '../mutation/report/mergeCampaign.js';
import { formatCampaign } from '../mutation/report/campaignPages.js';

/** Merges `folders` into `out`: the terminal text, the merged report as JSON, and the exit code. */
export async function mergeShards(folders: readonly string[], out: string, allowPartial: boolean, junit?: string): Promise<{ text: string; json: string; exitCode: number }> {
  if (folders.length === 0) throw new SimrunError('USAGE', 'simrun merge needs the shard folders; pass them before --out');
  const dirs = folders.map((f) => resolve(f));
  const suites = dirs.map((d) => regressShard(d));
  const campaigns = suites.every((s) => s === null) ? dirs.map((d) => campaignShard(d)) : [];
  const mixed = suites.some((x) => x) && dirs.find((d, k) => !suites[k] && campaignShard(d));
  if (mixed) throw new SimrunError('USAGE', `'${mixed}' is a mutation campaign, the others regress suites; merge shards of one run only`);
  const notShard = dirs.find((d, k) => !suites[k] && !campaigns[k]);
  if (notShard) throw new SimrunError('USAGE', `'${notShard}' holds neither a regress suite (regress.json) nor a mutation campaign (report.json); pass shard --out folders`);
  // Through symbolic links too: the merge must never write over a shard or one of its case folders.
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const target = real(out);
  const inside = dirs.find((d) => target === real(d) || target.startsWith(`${real(d)}${sep}`));
  if (inside) throw new SimrunError('USAGE', `--out '${out}' is the shard folder '${inside}' or inside it; merge into a new folder`);
  // An earlier merge's outputs go first, so a refused merge leaves nothing behind that could pass for a merged one.
  const outDir = prepareOutDir(out, 'merge');
  let failed = true;
  try {
    for (const f of ['regress.json', ...(junit ? [resolve(junit)] : [])]) rmSync(resolve(outDir, f), { force: true });
    planMerge([...suites, ...campaigns].filter((x) => x).map((x) => x!.record), allowPartial);
    if (campaigns.length) {
      const { report, exitCode } = await mergeCampaign(campaigns.map((c) => c!), outDir, allowPartial, junit && resolve(junit));
      failed = false;
      return { text: `${formatCampaign(report)}\nreport: ${outDir}/report.json and report.html\n`, json: JSON.stringify(report, null, 2) + '\n', exitCode };
    }
    const { record, exitCode, results } = mergeRegress(suites.map((s) => s!), outDir, allowPartial, junit && resolve(junit));
    const tally = (v: string) => record.cases.filter((c) => c.verdict === v).length;
    const partial = (record as { partial?: { missingItems: readonly string[] } }).partial;
    const gap = record.coverageWarning;
    const coverage = record.coverages.map((c) => `${coverageLines(c).join('\n')}\n`).join('') + (gap ? `WARNING: ${gap}\n` : '');
    const text = `${coverage}regress ${record.suite}: merged ${record.shards.length} shard(s), ${results.length} case(s): ${tally('pass')} passed, ${tally('fail')} failed, ${tally('error')} errors, ${tally('none')} not compared${partial ? `; PARTIAL: ${partial.missingItems.length} case(s) missing (${partial.missingItems.join(', ')})` : ''}\nreport: ${outDir}/regress.json and report.html\n`;
    failed = false;
    return { text, json: JSON.stringify(record, null, 2) + '\n', exitCode };
  } finally {
    releaseOutDir(outDir, failed);
  }
}
