// The sbatch script and the task's arguments: driver options never reach a task, any argument survives bash quoting,
// and bad --slurm options are refused naming a valid form.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SimrunError } from '../../../core/errors.js';
import { sbatchScript, shellWord, slurmOptions, taskArguments } from '../../../harness/slurm/script.js';

describe('taskArguments', () => {
  it.each([
    [['--config', 'tiny', '--slurm', '--shards', '4', '--out', '/o', '--count', '5'], ['--config', 'tiny', '--count', '5']],
    [['--slurm', '--no-wait', '--partition=batch', '--time', '10', '--cpus-per-task', '2', '--junit', 'j.xml', '--seed', '3'], ['--seed', '3']],
    [['--suite', 's.yaml', '--resubmit-failed', '--out=/o', '--json', '--jobs', '1'], ['--suite', 's.yaml', '--jobs', '1']],
    [['--cpusPerTask', '2', '--resubmitFailed', '--wait', 'false', '--slurm', 'true', '--count', '5', '--noWait'], ['--count', '5']],
    [['--slurm', '--seed', '7', '--no-wait', '--quiet'], ['--seed', '7', '--quiet']],
  ])('%j → %j', (argv, want) => {
    expect(taskArguments(argv)).toEqual(want);
  });
});

describe('shellWord', () => {
  it.each(["plain", "it's", 'a b', '$HOME `x` "q"', 'semi;colon'])('bash reads %s back unchanged', (w) => {
    expect(execFileSync('bash', ['-c', `printf %s ${shellWord(w)}`], { encoding: 'utf8' })).toBe(w);
  });
});

describe('sbatchScript', () => {
  it('an array of 3 with partition, time and CPUs; the task gets --shard id/3 and its own folder', () => {
    const text = sbatchScript({ node: '/usr/bin/node', simrun: '/x/simrun.js', command: 'mutate', args: ['--config', "it's.yaml"], cwd: '/w d' }, '/out', slurmOptions(3, 'batch', '1:00:00', 2), '9.9');
    expect(text.split('\n')[0]).toBe('#!/bin/bash');
    expect(text).toMatch(/^#SBATCH --array=1-3$/m);
    expect(text).toMatch(/^#SBATCH --output=\/out\/slurm\/task-%a\.log$/m);
    expect(text).toMatch(/^#SBATCH --partition=batch$/m);
    expect(text).toMatch(/^#SBATCH --time=1:00:00$/m);
    expect(text).toMatch(/^#SBATCH --cpus-per-task=2$/m);
    expect(text).toContain("cd '/w d'");
    expect(text).toContain(`'--config' 'it'\\''s.yaml' --shard "$SLURM_ARRAY_TASK_ID/3" --out '/out/shards/'"$SLURM_ARRAY_TASK_ID"`);
    // bash parses it
    execFileSync('bash', ['-n'], { input: text });
  });
});

describe('slurmOptions', () => {
  it.each([
    [0, undefined, undefined, undefined, /--shards 0/],
    [1001, undefined, undefined, undefined, /1\.\.1000/],
    [2, 'a b', undefined, undefined, /--partition 'a b'/],
    [2, 'x;rm', undefined, undefined, /--partition/],
    [2, undefined, '1h', undefined, /--time '1h'/],
    [2, undefined, undefined, 0, /--cpus-per-task 0/],
  ])('shards %s partition %s time %s cpus %s is refused', (n, p, t, c, msg) => {
    expect(() => slurmOptions(n, p, t, c)).toThrow(SimrunError);
    expect(() => slurmOptions(n, p, t, c)).toThrow(msg);
  });
  it.each(['90', '30:00', '1:30:00', '2-12', '2-12:30', '2-12:30:00'])('time %s is accepted', (t) => {
    expect(slurmOptions(2, undefined, t, undefined).time).toBe(t);
  });
});
