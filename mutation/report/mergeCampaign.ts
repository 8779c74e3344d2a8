// `simrun merge` for mutation campaigns: the shards' report.json files joined into the report an unsharded campaign
// writes (mutants in the campaign's order, counts, score), plus the shard table; report.html and JUnit from it. A
// partial merge (--allow-partial) lists what is missing and states no score.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../../core/errors.js';
import { planMerge, shardTable, type ShardRecord } from '../../core/shardMerge.js';
import { countStatuses, mutationScore, type CampaignReport, type MutantResult } from './campaignReport.js';
import { writeCampaign } from './writeCampaign.js';

/** A campaign folder's report.json as a shard record, or null when the folder holds no campaign report. */
export function campaignShard(folder: string): { record: ShardRecord; report: CampaignReport } | null {
  let report: CampaignReport;
  try {
    report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as CampaignReport;
  } catch {
    return null;
  }
  if (!report.counts || !Array.isArray(report.mutants)) return null;
  if (!report.fingerprint || !report.items) throw new SimrunError('USAGE', `campaign folder '${folder}' was written before shards could be merged (no fingerprint); run it again`);
  if (report.shards) throw new SimrunError('USAGE', `'${folder}' is already a merged report; merge the shard folders themselves`);
  const [index, count] = report.shard ? report.shard.split('/').map(Number) as [number, number] : [1, 1];
  const record: ShardRecord = {
    folder, index, count, scheduler: report.scheduler ?? (report.shard ? 'manual' : 'none'), fingerprint: report.fingerprint, rowsim: report.rowsim,
    host: report.host ?? 'unknown', wallSeconds: report.timing.seconds, allItems: report.items, items: report.mutants.map((m) => m.id),
  };
  return { record, report };
}

/** Merges campaign shards into `outDir`; returns the merged report and its exit code (1 when undetected or partial). */
export async function mergeCampaign(shards: readonly { record: ShardRecord; report: CampaignReport }[], outDir: string, allowPartial: boolean, junit?: string): Promise<{ report: CampaignReport; exitCode: number }> {
  const plan = planMerge(shards.map((s) => s.record), allowPartial);
  const byFolder = new Map(shards.map((s) => [s.record.folder, s.report]));
  const mutants: MutantResult[] = plan.order.map((key) => byFolder.get(plan.owner.get(key)!.folder)!.mutants.find((m) => m.id === key)!);
  const counts = countStatuses(mutants);
  const partial = plan.missingShards.length || plan.missingItems.length ? { missingShards: plan.missingShards, missingItems: plan.missingItems } : undefined;
  const first = shards[0]!.report;
  const wall = Math.max(...shards.map((s) => s.record.wallSeconds));
  const { shard: _s, scheduler: _k, host: _h, ...common } = first;
  const report: CampaignReport = {
    ...common,
    score: partial ? null : mutationScore(counts),
    counts, mutants,
    timing: { seconds: wall, mutantsPerMinute: wall ? Number(((60 * mutants.length) / wall).toFixed(1)) : 0, builds: first.timing.builds },
    shard: null, shards: shardTable(shards.map((s) => s.record)), ...(partial ? { partial } : {}),
  };
  await writeCampaign(outDir, report, junit);
  return { report, exitCode: counts.undetected || partial ? 1 : 0 };
}
