// A campaign's results as its report: counts and score (equivalent mutants left out of the score), the stimulus it
// used, its speed; written as report.json, report.html and, when asked, JUnit. report.json is written last, so a
// folder with one is complete.
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeDirs } from '../../core/files.js';
import { VERSION } from '../../core/version.js';
import { writeAtomic } from '../../harness/outdir.js';
import type { CampaignStimulusPlan } from '../stimulus/campaignCoverage.js';
import { summarizeCoverage } from '../../harness/coverage.js';
import { countStatuses, mutationScore, type CampaignReport, type MutantResult } from './campaignReport.js';

/** What the report says besides the mutants' results. */
export interface CampaignFacts {
  readonly config: string;
  readonly design: string;
  readonly images: readonly string[];
  /** Contract coverage of the campaign's stimulus (campaign frames, corner runs, coverage runs) and what it leaves. */
  readonly coverage: CampaignStimulusPlan;
  readonly randomFrames: number;
  readonly weights: string;
  /** Mutants this run decided (not read from the cache), for the speed figure. */
  readonly ran: number;
  readonly seconds: number;
  readonly builds: Record<string, number>;
  readonly shard: string | null;
  readonly scheduler?: string;
  readonly fingerprint: string;
  readonly items: readonly string[];
}

/** The campaign report of `mutants`. */
export function campaignReport(mutants: readonly MutantResult[], f: CampaignFacts): CampaignReport {
  const counts = countStatuses(mutants);
  return {
    schemaVersion: 2, rowsim: VERSION, config: f.config, design: f.design,
    score: mutationScore(counts),
    counts, mutants: [...mutants],
    stimulus: {
      frames: ['directed', ...f.images], coverage: f.coverage.coverage, coverageSummary: f.coverage.coverage && summarizeCoverage(f.coverage.coverage),
      notReached: f.coverage.notGenerated, coverageNote: f.coverage.note, randomFrames: f.randomFrames, weights: f.weights,
      everyOutput: f.coverage.everyOutput,
    },
    timing: { seconds: Number(f.seconds.toFixed(1)), mutantsPerMinute: f.ran ? Number(((60 * f.ran) / f.seconds).toFixed(1)) : 0, builds: f.builds },
    shard: f.shard, ...(f.scheduler ? { scheduler: f.scheduler } : {}), fingerprint: f.fingerprint, items: f.items, host: hostname(),
  };
}

/** Writes report.html, the JUnit file when asked, and report.json last. */
export async function writeCampaign(outDir: string, report: CampaignReport, junit?: string): Promise<void> {
  const { campaignHtml, campaignJunit } = await import('./campaignPages.js');
  writeAtomic(join(outDir, 'report.html'), campaignHtml(report));
  if (junit) {
    makeDirs(dirname(resolve(junit)));
    writeAtomic(resolve(junit), campaignJunit(report));
  }
  writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
}
