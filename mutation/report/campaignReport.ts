// A mutation campaign's report.json: each mutant's outcome and where it was first seen, and the campaign's counts —
// the data the campaign writes and its report pages read (apart, so the two need not import each other).
import type { ContractCoverage } from '../../core/coverage.js';
import type { CoverageSummary } from '../../harness/coverage.js';

/** Where a mutant was first seen to differ. */
export interface MutantFirst {
  readonly pair: string;
  readonly kind: 'bits' | 'cycles' | 'deadlock';
  readonly layer: number;
  readonly frame?: number;
  readonly row?: number;
  readonly col?: number;
  readonly chan?: number;
  readonly beat?: number;
  readonly cycle?: number;
  /** For a cycles kill: what differed on the beat (missing, cycle, coordinates, last flag). */
  readonly differs?: string;
}

/** One mutant's outcome. */
export interface MutantResult {
  readonly id: string;
  readonly source: 'yosys' | 'catalogue';
  readonly kind: string;
  /** The layer the mutation is in (null when Yosys mutated a module no layer owns). */
  readonly layer: number | null;
  readonly description: string;
  /** Source lines the mutated signal comes from. */
  readonly src: readonly string[];
  /**
   * killed or deadlock: a stimulus showed it; equivalent: a proof says no stimulus can; undetected: survived every run
   * and no proof decided; unresolved: survived every run and a proof ran out of its budget, or Yosys could not fold
   * the mutation so it was never built (`limit` says which).
   */
  readonly status: MutantStatus;
  /**
   * The stimulus that found it, for killed and deadlock: the campaign's, the random (corner and long) runs, or a run
   * built from a SAT witness after the proof failed.
   */
  readonly foundBy: 'campaign' | 'random' | 'witness' | null;
  readonly first: MutantFirst | null;
  /** For a survivor: what the equivalence check found (and, when it failed, the witness search). */
  readonly proof: string | null;
  /**
   * For an unresolved mutant: the limit its proof stopped at (raise it with --proof-budget), or "no netlist: …" with
   * Yosys's error for a mutation it could not fold (no budget helps).
   */
  readonly limit?: string;
  /**
   * For a survivor whose reachability proof found a difference in the mutated module (its data inputs free) that no
   * run of the design showed: the path to it, one line per step (the enumerated control inputs; at the last step the
   * differing signal with the original's and the mutant's bit).
   */
  readonly trace?: readonly string[];
  /** The --proof-budget it was judged with (a cached unresolved result is judged again under a larger one). */
  readonly proofBudget?: number;
  readonly seconds: number;
}

/** What became of a mutant. */
export type MutantStatus = 'killed' | 'deadlock' | 'equivalent' | 'undetected' | 'unresolved';
/** Every status, in report order. */
export const MUTANT_STATUSES: readonly MutantStatus[] = ['killed', 'deadlock', 'equivalent', 'undetected', 'unresolved'];

/** How many mutants ended in each status. */
export type StatusCounts = Readonly<Record<MutantStatus, number>>;

/** The counts of `mutants` by status. */
export function countStatuses(mutants: readonly MutantResult[]): StatusCounts {
  const counts = Object.fromEntries(MUTANT_STATUSES.map((s) => [s, 0])) as Record<MutantStatus, number>;
  for (const m of mutants) counts[m.status]++;
  return counts;
}

/** Detected (killed or deadlocked) over non-equivalent mutants: neither undetected nor unresolved counts as detected. */
export function mutationScore(c: StatusCounts): number | null {
  const nonEquivalent = MUTANT_STATUSES.reduce((a, s) => a + c[s], 0) - c.equivalent;
  return nonEquivalent ? Number(((c.killed + c.deadlock) / nonEquivalent).toFixed(4)) : null;
}

/** report.json of a campaign. */
export interface CampaignReport {
  /** 2: counts.unresolved, stimulus.coverage and notReached (1 had layer-1 counts in stimulus.directed/photo). */
  readonly schemaVersion: 2;
  readonly rowsim: string;
  readonly config: string;
  readonly design: string;
  /** Detected (killed or deadlocked) over non-equivalent mutants; null when there are none. */
  readonly score: number | null;
  readonly counts: StatusCounts;
  readonly mutants: readonly MutantResult[];
  readonly stimulus: { readonly frames: readonly string[]; readonly weights: string; readonly coverage: ContractCoverage | null; readonly coverageSummary: CoverageSummary | null; readonly notReached?: readonly { readonly layer: number; readonly site: string; readonly case: string; readonly why: string }[]; readonly coverageNote?: string | null; readonly randomFrames: number;
    /** Cases the replicated runs reach at every interior output of their layer (so at every ALU), and those they leave. */
    readonly everyOutput?: { readonly covered: number; readonly reachable: number; readonly measured?: boolean; readonly notReplicated: readonly { readonly layer: number; readonly site: string; readonly case: string; readonly why: string }[] } | null };
  readonly timing: { readonly seconds: number; readonly mutantsPerMinute: number; readonly builds: Readonly<Record<string, number>> };
  readonly shard: string | null;
  /** What gave the shard: 'manual' (--shard i/n) or the scheduler of --shard auto. */
  readonly scheduler?: string;
  /** Everything the results depend on (design, stimulus, options, rowsim): shards merge only with their own. */
  readonly fingerprint?: string;
  /** Every mutant key of the whole campaign, in order (a shard runs some of them). */
  readonly items?: readonly string[];
  readonly host?: string;
  /** A merged report: each shard's index, count, host, wall time and mutant count. */
  readonly shards?: readonly { readonly index: number; readonly count: number; readonly scheduler: string; readonly host: string; readonly wallSeconds: number; readonly items: number }[];
  /** A merge with shards missing (--allow-partial): what is missing; such a report states no score. */
  readonly partial?: { readonly missingShards: readonly number[]; readonly missingItems: readonly string[] };
}

/** Where a mutant was first seen, in a few words: 'at layer 3 (bits row 1 col 2 chan 5, cycle 812)'. */
export function firstText(f: MutantFirst): string {
  if (f.kind === 'deadlock') return `in layer ${f.layer} (deadlock at cycle ${f.cycle})`;
  const place = f.row !== undefined ? ` row ${f.row} col ${f.col}${f.chan !== undefined ? ` chan ${f.chan}` : ''}` : '';
  const what = f.kind === 'cycles' && f.differs ? ` (${({ last: 'end-of-frame flag', cycle: 'timing', coordinates: 'coordinates', missing: 'beat missing', extra: 'a beat beyond the frames' } as Record<string, string>)[f.differs] ?? f.differs})` : '';
  return `at layer ${f.layer} (${f.pair} ${f.kind}${what}${place}${f.frame !== undefined ? `, frame ${f.frame}` : ''}${f.cycle !== undefined ? `, cycle ${f.cycle}` : ''})`;
}

