// Runs a sharded regress or mutate on SLURM: writes the array script into <out>/slurm/, submits it, follows the tasks
// (pending, running, done, failed) until none is left in the queue, and names each failed task with its log. With
// `resubmitFailed`, only the shards whose folder holds no complete result are submitted again (their per-item caches
// make the rerun cheap). Invariant: a shard counts as done only when its folder holds its command's final report.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SimrunError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { lockOutDir, unlockOutDir } from '../outLock.js';
import { queuedTasks, sbatch, taskEnd } from './queue.js';
import { sbatchScript, shardFolder, taskLog, type SlurmOptions, type TaskCommand } from './script.js';

/** A SLURM run of one sharded command. */
export interface SlurmRun {
  readonly task: TaskCommand;
  /** Absolute output folder, seen by every node. */
  readonly out: string;
  readonly options: SlurmOptions;
  /** Follow the job to its end (false: submit and return). */
  readonly wait: boolean;
  /** Submit again only the shards without a complete result, with the script of the earlier submission. */
  readonly resubmitFailed: boolean;
  /** The shard folder holds the command's complete result. */
  readonly complete: (dir: string) => boolean;
  readonly log: (line: string) => void;
  /** Poll interval (default 2 s). */
  readonly pollMs?: number;
}

/** A task that ended without a complete result. */
export interface FailedTask {
  readonly task: number;
  /** SLURM's word for how it ended (`FAILED, exit 2:0`), when sacct or scontrol still know. */
  readonly end: string | null;
  readonly log: string;
  /** The log's last line (usually the error). */
  readonly lastLine: string;
}

/** What became of the submission. */
export interface SlurmOutcome {
  readonly job: string | null;
  readonly script: string;
  readonly submitted: readonly number[];
  readonly waited: boolean;
  readonly failed: readonly FailedTask[];
  /** Every shard's folder, 1..shards. */
  readonly shardDirs: readonly string[];
}

/** What <out>/slurm/job.json records: enough to resubmit and to merge later. */
interface JobRecord {
  readonly rowsim: string;
  readonly command: string;
  readonly shards: number;
  readonly script: string;
  readonly submissions: readonly { readonly job: string; readonly tasks: readonly number[]; readonly at: string; readonly host: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Submits (or resubmits) and, with `wait`, follows the job to its end. */
export async function runOnSlurm(r: SlurmRun): Promise<SlurmOutcome> {
  const dir = join(r.out, 'slurm');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new SimrunError('OUT_NOT_WRITABLE', `output folder '${dir}' cannot be created (${(e as NodeJS.ErrnoException).code ?? 'error'}); pass --out <dir> somewhere you can write that every node sees`);
  }
  lockOutDir(dir);
  try {
    const record = prepare(r, dir);
    const shardDirs = Array.from({ length: record.shards }, (_, k) => shardFolder(r.out, k + 1));
    const tasks = r.resubmitFailed ? shardDirs.flatMap((d, k) => (r.complete(d) ? [] : [k + 1])) : shardDirs.map((_, k) => k + 1);
    if (tasks.length === 0) {
      r.log(`slurm: every one of the ${record.shards} shards is complete; nothing to resubmit`);
      return { job: null, script: record.script, submitted: [], waited: r.wait, failed: [], shardDirs };
    }
    // A result left from an earlier submission must not pass for this one's (the items' caches stay).
    for (const t of tasks) for (const f of ['report.json', 'regress.json']) rmSync(join(shardFolder(r.out, t), f), { force: true });
    const job = await sbatch(record.script, r.resubmitFailed ? tasks.join(',') : undefined);
    const next: JobRecord = { ...record, submissions: [...record.submissions, { job, tasks, at: new Date().toISOString(), host: hostname() }] };
    writeFileSync(join(dir, 'job.json'), JSON.stringify(next, null, 2) + '\n');
    r.log(`slurm: submitted job ${job}, ${tasks.length === record.shards ? `array 1-${record.shards}` : `tasks ${tasks.join(',')}`} (script ${record.script})`);
    if (!r.wait) return { job, script: record.script, submitted: tasks, waited: false, failed: [], shardDirs };
    const failed = await follow(job, tasks, r);
    return { job, script: record.script, submitted: tasks, waited: true, failed, shardDirs };
  } finally {
    unlockOutDir(dir);
  }
}

/** Writes the script and a fresh job record, or reads the earlier ones for a resubmission. */
function prepare(r: SlurmRun, dir: string): JobRecord {
  const recordPath = join(dir, 'job.json');
  if (r.resubmitFailed) {
    let rec: JobRecord;
    try {
      rec = JSON.parse(readFileSync(recordPath, 'utf8')) as JobRecord;
    } catch {
      throw new SimrunError('USAGE', `--resubmit-failed: ${recordPath} is missing or unreadable; submit first with --slurm --out ${r.out}`);
    }
    if (rec.command !== r.task.command || !existsSync(rec.script)) throw new SimrunError('USAGE', `--resubmit-failed: ${r.out} holds a ${rec.command} submission (script ${rec.script}); resubmit with the same command`);
    return rec;
  }
  const script = join(dir, 'job.sbatch');
  writeFileSync(script, sbatchScript(r.task, r.out, r.options, VERSION), { mode: 0o755 });
  return { rowsim: VERSION, command: r.task.command, shards: r.options.shards, script, submissions: [] };
}

/** Polls until none of `tasks` is queued; logs each change of the tally; returns the tasks without a result. */
async function follow(job: string, tasks: readonly number[], r: SlurmRun): Promise<FailedTask[]> {
  const poll = r.pollMs ?? 2000;
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const queued = await queuedTasks(job);
    const pending = tasks.filter((t) => /^(PENDING|CONFIGURING|REQUEUED|RESIZING|SUSPENDED)/.test(queued.get(t) ?? '')).length;
    const running = tasks.filter((t) => queued.has(t)).length - pending;
    const finished = tasks.filter((t) => !queued.has(t));
    const done = finished.filter((t) => r.complete(shardFolder(r.out, t))).length;
    const tally = `${pending} pending, ${running} running, ${done} done, ${finished.length - done} ended without a result`;
    if (tally !== last) r.log(`slurm job ${job}: ${tally} (${Math.round((Date.now() - t0) / 1000)} s)`);
    last = tally;
    if (queued.size === 0 || finished.length === tasks.length) break;
    await sleep(poll);
  }
  // A task that SLURM says ended well but whose result is not visible yet: a shared file system may show a node's last
  // write a while later (attribute caches hold for up to a minute). Anything else ended without a result at once.
  const missing = tasks.filter((t) => !r.complete(shardFolder(r.out, t)));
  const ends = new Map(await Promise.all(missing.map(async (t) => [t, await taskEnd(job, t)] as const)));
  const settle = missing.filter((t) => /^COMPLETED, exit 0:0/.test(ends.get(t) ?? ''));
  for (let k = 0; k < 30 && settle.some((t) => !r.complete(shardFolder(r.out, t))); k++) await sleep(2000);
  return missing.filter((t) => !r.complete(shardFolder(r.out, t))).map((t): FailedTask => {
    const log = taskLog(r.out, t);
    let lastLine = 'no log';
    try {
      lastLine = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).pop() ?? 'empty log';
    } catch {
      // no log: the task never started (say, a node without the output folder)
    }
    return { task: t, end: ends.get(t) ?? null, log, lastLine };
  });
}
