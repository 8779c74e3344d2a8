// `simrun regress|mutate --slurm`: the command sharded into a SLURM array job, followed to its end and merged into one
// report in --out (or, with --no-wait, submitted and left with the command that merges it later).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { cacheRoot } from '../core/cacheDir.js';
import { SimrunError } from '../core/errors.js';
import { regressShard } from '../harness/mergeRegress.js';
import { runOnSlurm } from '../harness/slurm/drive.js';
import { shellWord, slurmOptions, taskArguments } from '../harness/slurm/script.js';
import { campaignShard } from '../mutation/report/mergeCampaign.js';
import { mergeShards } from './merge.js';

/** The --slurm options of regress and mutate, as typed (numbers already checked). */
export interface SlurmArgs {
  readonly out?: string;
  readonly shard?: string;
  readonly shards?: number;
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTask?: number;
  readonly wait: boolean;
  readonly resubmitFailed: boolean;
  readonly junit?: string;
}

/** Whether a shard folder holds its command's finished result (a damaged one does not). */
function completeShard(command: 'regress' | 'mutate'): (dir: string) => boolean {
  return (dir) => {
    try {
      return (command === 'regress' ? regressShard(dir) : campaignShard(dir)) !== null;
    } catch {
      return false;
    }
  };
}

/** Runs `command` on SLURM; the text to print and the exit code (the merged run's, or 3 when tasks failed). */
export async function slurmCommand(command: 'regress' | 'mutate', a: SlurmArgs, log: (l: string) => void): Promise<{ text: string; exitCode: number }> {
  if (!a.out) throw new SimrunError('USAGE', `--slurm needs --out <dir> on a filesystem every node of the cluster sees (the shards and the merged report go there)`);
  if (a.shard !== undefined) throw new SimrunError('USAGE', '--slurm makes the shards itself (one array task each); drop --shard and give their number with --shards N');
  const options = slurmOptions(a.shards, a.partition, a.time, a.cpusPerTask);
  const out = resolve(a.out);
  // The folder goes into #SBATCH lines, where SLURM reads a space as the end of the value and % as a pattern.
  if (/[\s%'"\\]/.test(out)) throw new SimrunError('USAGE', `--out '${out}' has a space, quote, backslash or %, which sbatch's #SBATCH lines cannot carry; pick a plain path`);
  const argv = process.argv.slice(process.argv.indexOf(command) + 1);
  const task = { node: process.execPath, simrun: realpathSync(process.argv[1]!), command, args: taskArguments(argv), cwd: process.cwd() };
  log(`slurm: the tasks write into ${out} and build into ${cacheRoot()}; both must be on storage every node sees (SIMRUN_CACHE moves the cache)`);
  const outcome = await runOnSlurm({ task, out, options, wait: a.wait, resubmitFailed: a.resubmitFailed, complete: completeShard(command), log });
  const merge = `simrun merge ${shellWord(out)}/shards/* --out ${shellWord(out)}${a.junit ? ` --junit ${shellWord(a.junit)}` : ''}`;
  if (outcome.job === null) {
    // --resubmit-failed with every shard complete: nothing went to the queue; merge now (or say how, with --no-wait).
    if (!a.wait) return { text: `every shard in ${out} is complete; merge with:\n  ${merge}\n`, exitCode: 0 };
  } else if (!outcome.waited) return { text: `slurm job ${outcome.job}: ${outcome.submitted.length} task(s) submitted; follow it with squeue -j ${outcome.job}, then merge:\n  ${merge}\n`, exitCode: 0 };
  if (outcome.failed.length) {
    const lines = outcome.failed.map((f) => `  task ${f.task}${f.end ? ` (${f.end})` : ''}: log ${f.log}: ${f.lastLine}`);
    const again = `simrun ${command} ${taskArguments(argv).map(shellWord).join(' ')} --slurm --resubmit-failed --out ${shellWord(out)}${a.junit ? ` --junit ${shellWord(a.junit)}` : ''}`;
    return { text: `slurm job ${outcome.job}: ${outcome.failed.length} of ${outcome.submitted.length} task(s) ended without a result:\n${lines.join('\n')}\nfix the cause, then resubmit only those (finished items are cached):\n  ${again}\n`, exitCode: 3 };
  }
  const merged = await mergeShards(outcome.shardDirs, out, false, a.junit);
  return { text: merged.text, exitCode: merged.exitCode };
}
