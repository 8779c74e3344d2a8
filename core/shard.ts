// Which share of a sharded command this process runs: `i/n` as the user typed it, or `auto`, read from the scheduler
// that started it — a SLURM array job, a Kubernetes Indexed Job, a GitLab `parallel:` job or a Buildkite parallel step.
// Invariant: `auto` never means "everything": with no scheduler variable, or variables that do not describe one
// contiguous array, it is a usage error naming what it read.
import { SimrunError } from './errors.js';

/** Shard `index` (1-based) of `count`, and what said so. */
export interface Shard {
  readonly index: number;
  readonly count: number;
  /** 'manual' for i/n typed by the user, else the scheduler whose variables gave it. */
  readonly scheduler: 'manual' | 'slurm' | 'kubernetes' | 'gitlab' | 'buildkite';
}

/** Shard i/n as typed: 1 ≤ i ≤ n, decimal. */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = Number(m?.[1]), count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || !Number.isSafeInteger(count)) throw new SimrunError('USAGE', `--shard '${s}' is not i/n with 1 <= i <= n, or auto; pass e.g. --shard 1/2`);
  return { index, count, scheduler: 'manual' };
}

/** A decimal whole number from the environment, or a usage error naming the variable. */
function whole(env: Readonly<Record<string, string | undefined>>, name: string): number {
  const v = env[name];
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new SimrunError('USAGE', `--shard auto: ${name} is ${v === undefined ? 'not set' : `'${v}', not a whole number`}; the scheduler should set it`);
  return Number(v);
}

/**
 * The shard of `--shard auto`, from the scheduler's variables in `env`. `shards` (`--shards N`) is the count where the
 * scheduler does not say it (Kubernetes Indexed Jobs export only the index); where it does, the two must agree.
 */
export function shardFromScheduler(env: Readonly<Record<string, string | undefined>>, shards?: number): Shard {
  const agree = (count: number, scheduler: Shard['scheduler'], index0: number): Shard => {
    if (shards !== undefined && shards !== count) throw new SimrunError('USAGE', `--shards ${shards} disagrees with ${scheduler}'s count of ${count}; drop --shards`);
    if (index0 < 0 || index0 >= count) throw new SimrunError('USAGE', `--shard auto: ${scheduler} says index ${index0} (0-based) of ${count}, outside the array`);
    return { index: index0 + 1, count, scheduler };
  };
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = whole(env, 'SLURM_ARRAY_TASK_ID'), min = whole(env, 'SLURM_ARRAY_TASK_MIN'), max = whole(env, 'SLURM_ARRAY_TASK_MAX'), count = whole(env, 'SLURM_ARRAY_TASK_COUNT');
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : whole(env, 'SLURM_ARRAY_TASK_STEP');
    // Only an evenly spaced array maps onto 0..count−1; a list like --array=1,3,8 has gaps rowsim cannot see.
    if (step < 1 || (max - min) / step + 1 !== count || (id - min) % step !== 0) {
      throw new SimrunError('USAGE', `--shard auto: the SLURM array (min ${min}, max ${max}, step ${step}, ${count} tasks) is not one evenly spaced range; submit with --array=0-${count - 1}`);
    }
    return agree(count, 'slurm', (id - min) / step);
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (shards === undefined) throw new SimrunError('USAGE', '--shard auto on a Kubernetes Indexed Job needs --shards N (the Job\'s completions): Kubernetes exports only the index');
    return agree(shards, 'kubernetes', whole(env, 'JOB_COMPLETION_INDEX'));
  }
  if (env.CI_NODE_INDEX !== undefined) return agree(whole(env, 'CI_NODE_TOTAL'), 'gitlab', whole(env, 'CI_NODE_INDEX') - 1);
  if (env.BUILDKITE_PARALLEL_JOB !== undefined) return agree(whole(env, 'BUILDKITE_PARALLEL_JOB_COUNT'), 'buildkite', whole(env, 'BUILDKITE_PARALLEL_JOB'));
  throw new SimrunError('USAGE', '--shard auto found no scheduler variable (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, CI_NODE_INDEX, BUILDKITE_PARALLEL_JOB); run it inside an array job, or pass --shard i/n');
}

/** `--shard` as given (i/n or auto) resolved against the environment; null when not sharded. */
export function resolveShard(shard: string | undefined, shards?: number, env: Readonly<Record<string, string | undefined>> = process.env): Shard | null {
  if (shard === undefined) {
    if (shards !== undefined) throw new SimrunError('USAGE', '--shards N goes with --shard auto; add --shard auto');
    return null;
  }
  if (shard !== 'auto' && shards !== undefined) throw new SimrunError('USAGE', `--shards ${shards} goes with --shard auto; --shard ${shard} says the count itself — drop --shards`);
  if (shard === 'auto') return shardFromScheduler(env, shards);
  const typed = parseShard(shard);
  // `simrun --slurm` passes each array task its shard as i/n (a resubmitted subset of tasks is no contiguous array
  // for auto); the task is still SLURM's, and says so.
  return env.SLURM_ARRAY_TASK_ID === String(typed.index) && env.SLURM_ARRAY_JOB_ID !== undefined ? { ...typed, scheduler: 'slurm' } : typed;
}

/** The items of shard i of n: every n-th item starting at i − 1, so shards cover every item exactly once. */
export function shardItems<T>(items: readonly T[], shard: Shard | null): T[] {
  return shard ? items.filter((_, k) => k % shard.count === shard.index - 1) : [...items];
}
