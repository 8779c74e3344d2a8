// Which shard a process runs: typed i/n, or --shard auto from each scheduler's variables (0- and 1-based), never
// "everything" when no scheduler says; and the merge rules over shard records.
import { describe, expect, it } from 'vitest';
import { parseShard, resolveShard, shardFromScheduler, shardItems } from '../../core/shard.js';
import { planMerge, type ShardRecord } from '../../core/shardMerge.js';

describe('--shard auto', () => {
  const cases: [string, Record<string, string>, number | undefined, { index: number; count: number; scheduler: string }][] = [
    ['SLURM --array=0-3, task 0', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '4' }, undefined, { index: 1, count: 4, scheduler: 'slurm' }],
    ['SLURM --array=1-4, task 4', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '4' }, undefined, { index: 4, count: 4, scheduler: 'slurm' }],
    ['SLURM --array=10-16:3, task 13', { SLURM_ARRAY_TASK_ID: '13', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '16', SLURM_ARRAY_TASK_STEP: '3', SLURM_ARRAY_TASK_COUNT: '3' }, undefined, { index: 2, count: 3, scheduler: 'slurm' }],
    ['Kubernetes JOB_COMPLETION_INDEX 0 with --shards 5', { JOB_COMPLETION_INDEX: '0' }, 5, { index: 1, count: 5, scheduler: 'kubernetes' }],
    ['Kubernetes JOB_COMPLETION_INDEX 4 with --shards 5', { JOB_COMPLETION_INDEX: '4' }, 5, { index: 5, count: 5, scheduler: 'kubernetes' }],
    ['GitLab CI_NODE_INDEX 1 of 3 (1-based)', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' }, undefined, { index: 1, count: 3, scheduler: 'gitlab' }],
    ['GitLab CI_NODE_INDEX 3 of 3', { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' }, undefined, { index: 3, count: 3, scheduler: 'gitlab' }],
    ['Buildkite BUILDKITE_PARALLEL_JOB 0 of 2 (0-based)', { BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '2' }, undefined, { index: 1, count: 2, scheduler: 'buildkite' }],
    ['Buildkite BUILDKITE_PARALLEL_JOB 1 of 2', { BUILDKITE_PARALLEL_JOB: '1', BUILDKITE_PARALLEL_JOB_COUNT: '2' }, undefined, { index: 2, count: 2, scheduler: 'buildkite' }],
  ];
  for (const [what, env, shards, want] of cases) it(`${what} → shard ${want.index}/${want.count}`, () => expect(shardFromScheduler(env, shards)).toEqual(want));

  const refused: [string, Record<string, string>, number | undefined, RegExp][] = [
    ['no scheduler variable at all', {}, undefined, /no scheduler variable/],
    ['SLURM --array=1,3,8 (not evenly spaced)', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_COUNT: '3' }, undefined, /not one evenly spaced range/],
    ['SLURM without SLURM_ARRAY_TASK_COUNT', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '3' }, undefined, /SLURM_ARRAY_TASK_COUNT is not set/],
    ['Kubernetes without --shards', { JOB_COMPLETION_INDEX: '2' }, undefined, /needs --shards N/],
    ['Kubernetes index 5 of --shards 5', { JOB_COMPLETION_INDEX: '5' }, 5, /outside the array/],
    ['GitLab CI_NODE_INDEX 0 (1-based, so out of range)', { CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' }, undefined, /outside the array/],
    ['GitLab with --shards 4 against CI_NODE_TOTAL 3', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' }, 4, /disagrees with gitlab's count of 3/],
    ['Buildkite with a non-number index', { BUILDKITE_PARALLEL_JOB: 'x', BUILDKITE_PARALLEL_JOB_COUNT: '2' }, undefined, /'x', not a whole number/],
  ];
  for (const [what, env, shards, msg] of refused) {
    it(`${what}: a usage error (exit 2), never every item`, () => {
      expect(() => shardFromScheduler(env, shards)).toThrow(msg);
      try {
        shardFromScheduler(env, shards);
      } catch (e) {
        expect((e as { code: string }).code).toBe('USAGE');
      }
    });
  }

  it('resolveShard: i/n typed is manual; --shards without --shard auto, or beside --shard i/n, is refused; shards 1..3 of 7 items cover each once', () => {
    expect(resolveShard('2/3', undefined, {})).toEqual({ index: 2, count: 3, scheduler: 'manual' });
    expect(() => resolveShard(undefined, 3, {})).toThrow(/--shards N goes with --shard auto/);
    expect(() => resolveShard('1/4', 3, {})).toThrow(/--shards 3 goes with --shard auto/);
    expect(() => parseShard('0/2')).toThrow(/--shard '0\/2'/);
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const all = [1, 2, 3].flatMap((i) => shardItems(items, { index: i, count: 3, scheduler: 'manual' }));
    expect(all.sort()).toEqual(items);
  });
});

describe('--shard i/n inside a SLURM array task (as simrun --slurm writes it)', () => {
  it.each([
    [{ SLURM_ARRAY_JOB_ID: '41', SLURM_ARRAY_TASK_ID: '3' }, '3/4', 'slurm'],
    [{ SLURM_ARRAY_JOB_ID: '41', SLURM_ARRAY_TASK_ID: '2' }, '3/4', 'manual'],
    [{ SLURM_ARRAY_TASK_ID: '3' }, '3/4', 'manual'],
    [{}, '3/4', 'manual'],
  ])('env %j with --shard %s records scheduler %s', (env, shard, scheduler) => {
    expect(resolveShard(shard, undefined, env)).toEqual({ index: 3, count: 4, scheduler });
  });
});

describe('planMerge', () => {
  const all = ['m1', 'm2', 'm3', 'm4', 'm5'];
  const shard = (index: number, items: string[], over: Partial<ShardRecord> = {}): ShardRecord => ({ folder: `s${index}`, index, count: 2, scheduler: 'slurm', fingerprint: 'fp', rowsim: '0.1.0', host: 'h', wallSeconds: 1, allItems: all, items, ...over });

  it('shards 1/2 and 2/2 covering 5 items: merged in the run\'s order, nothing missing', () => {
    const p = planMerge([shard(2, ['m2', 'm4']), shard(1, ['m1', 'm3', 'm5'])], false);
    expect(p.order).toEqual(all);
    expect([p.missingShards, p.missingItems]).toEqual([[], []]);
  });

  it('shard 2/2 missing: refused naming the shard and its items; with allowPartial, listed as missing', () => {
    expect(() => planMerge([shard(1, ['m1', 'm3', 'm5'])], false)).toThrow(/shard\(s\) 2\/2 missing; not merged: m2, m4 missing/);
    const p = planMerge([shard(1, ['m1', 'm3', 'm5'])], true);
    expect([p.missingShards, p.missingItems]).toEqual([[2], ['m2', 'm4']]);
  });

  it('another fingerprint, another rowsim, another count, another item list, a shard given twice, a shard not holding its share, an index out of range: each refused naming the folder', () => {
    const one = shard(1, ['m1', 'm3', 'm5']);
    expect(() => planMerge([one, shard(2, ['m2', 'm4'], { fingerprint: 'other' })], false)).toThrow(/'s2' is of another suite or campaign/);
    expect(() => planMerge([one, shard(2, ['m2', 'm4'], { rowsim: '9.9.9' })], false)).toThrow(/written by rowsim 9.9.9/);
    expect(() => planMerge([one, shard(2, ['m2', 'm4'], { count: 3 })], false)).toThrow(/same count/);
    expect(() => planMerge([one, shard(2, ['m2', 'm4'], { allItems: ['m1', 'm2', 'm3', 'm4', 'm6'] })], false)).toThrow(/'s2' lists other items than 's1'/);
    expect(() => planMerge([one, shard(1, ['m1', 'm3', 'm5'], { folder: 'again' })], false)).toThrow(/shard 1\/2 appears twice: 's1' and 'again'/);
    expect(() => planMerge([one, shard(2, ['m2', 'm3'])], false)).toThrow(/'s2' \(shard 2\/2\) holds 2 item\(s\), not its share of 2 \('m3' belongs to another shard\)/);
    expect(() => planMerge([one, shard(2, ['m2'])], false)).toThrow(/holds 1 item\(s\), not its share of 2; the shard did not finish/);
    expect(() => planMerge([one, shard(3, [], { count: 2 })], false)).toThrow(/says it is shard 3\/2/);
  });
});
