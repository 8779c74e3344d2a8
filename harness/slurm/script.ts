// The sbatch array script of a sharded regress or mutate run: one task per shard, each the user's own command with
// `--shard <task>/<n>` and its own folder `<out>/shards/<task>`. Pure text: written into `<out>/slurm/` and kept, so a
// user can read it and resubmit any tasks with `sbatch --array=<list> <script>`.
import { SimrunError } from '../../core/errors.js';

/** Options of a SLURM submission, validated. */
export interface SlurmOptions {
  /** Array tasks = shards (1-based task ids 1..shards). */
  readonly shards: number;
  readonly partition?: string;
  /** Time limit per task, in a form sbatch takes (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]). */
  readonly time?: string;
  readonly cpusPerTask?: number;
}

/** SLURM's default MaxArraySize is 1001: task ids up to 1000. */
const MAX_SHARDS = 1000;

/** Options as typed, checked: a bad one is a usage error naming it and a valid form. */
export function slurmOptions(shards: number | undefined, partition: string | undefined, time: string | undefined, cpusPerTask: number | undefined): SlurmOptions {
  const n = shards ?? 4;
  if (n < 1 || n > MAX_SHARDS) throw new SimrunError('USAGE', `--shards ${n} with --slurm: give 1..${MAX_SHARDS} array tasks (SLURM's default MaxArraySize)`);
  if (partition !== undefined && !/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(partition)) throw new SimrunError('USAGE', `--partition '${partition}' is not a partition name (letters, digits, _ . -; several joined by commas)`);
  if (time !== undefined && !/^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/.test(time)) throw new SimrunError('USAGE', `--time '${time}' is not a SLURM time limit; give minutes (90), HH:MM:SS (1:30:00) or D-HH:MM:SS`);
  if (cpusPerTask !== undefined && cpusPerTask < 1) throw new SimrunError('USAGE', `--cpus-per-task ${cpusPerTask}: give at least 1`);
  return { shards: n, ...(partition ? { partition } : {}), ...(time ? { time } : {}), ...(cpusPerTask ? { cpusPerTask } : {}) };
}

/** Options that drive the submission or that each task gets its own value of; they never reach a task as typed. */
const DRIVER_OPTIONS = new Set(['--slurm', '--wait', '--no-wait', '--resubmit-failed', '--partition', '--time', '--cpus-per-task', '--shards', '--shard', '--out', '--junit', '--json']);
const FLAGS = new Set(['--slurm', '--wait', '--no-wait', '--resubmit-failed', '--json']);

/** `--cpusPerTask` → `--cpus-per-task`: yargs takes both spellings, so both must be recognised. */
function kebab(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The user's arguments after the command name, without the driver's options: `--opt v`, `--opt=v`, any spelling
 * yargs takes (`--cpusPerTask`), and a flag's explicit `true`/`false` (`--wait false`).
 */
export function taskArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const name = a.startsWith('--') ? kebab(a.split('=')[0]!) : a;
    const bare = name.startsWith('--no-') ? `--${name.slice(5)}` : name;
    if (!DRIVER_OPTIONS.has(name) && !DRIVER_OPTIONS.has(bare)) {
      out.push(a);
      continue;
    }
    if (a.includes('=')) continue;
    const next = argv[k + 1];
    // A value option takes the next word; a flag takes it only when it is an explicit true or false.
    if (FLAGS.has(bare) ? next === 'true' || next === 'false' : next !== undefined) k++;
  }
  return out;
}

/** A word quoted for bash: single quotes, an embedded quote as '\''. */
export function shellWord(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** What a task runs: node, simrun's entry, the command and its arguments (absolute paths; run in `cwd`). */
export interface TaskCommand {
  readonly node: string;
  readonly simrun: string;
  readonly command: 'regress' | 'mutate';
  readonly args: readonly string[];
  readonly cwd: string;
}

/** The folder task `k` writes (`<out>/shards/<k>`). */
export function shardFolder(out: string, task: number | string): string {
  return `${out}/shards/${task}`;
}

/** The log of task `k` (`<out>/slurm/task-<k>.log`). */
export function taskLog(out: string, task: number | string): string {
  return `${out}/slurm/task-${task}.log`;
}

/** The sbatch array script: #SBATCH lines, then the task's command with its shard and folder. */
export function sbatchScript(t: TaskCommand, out: string, o: SlurmOptions, version: string): string {
  const shardsOf = `"$SLURM_ARRAY_TASK_ID/${o.shards}"`;
  return [
    '#!/bin/bash',
    `# rowsim ${version}: simrun ${t.command} as a SLURM array of ${o.shards} tasks, one shard each. Every node must see`,
    `# ${out} and the build cache. Resubmit some tasks: sbatch --array=2,5 ${out}/slurm/job.sbatch`,
    `# Then merge: simrun merge ${out}/shards/* --out ${out}`,
    `#SBATCH --job-name=rowsim-${t.command}`,
    `#SBATCH --array=1-${o.shards}`,
    `#SBATCH --output=${taskLog(out, '%a')}`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.cpusPerTask ? [`#SBATCH --cpus-per-task=${o.cpusPerTask}`] : []),
    'set -eu',
    `cd ${shellWord(t.cwd)}`,
    `exec ${[t.node, t.simrun, t.command, ...t.args].map(shellWord).join(' ')} --shard ${shardsOf} --out ${shellWord(`${out}/shards/`)}"$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}
