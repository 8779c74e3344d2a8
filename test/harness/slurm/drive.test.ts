// simrun regress|mutate --slurm on a real single-node SLURM cluster (munged, slurmctld, slurmd brought up here): a
// tiny regress suite as 3 array tasks and a tiny mutation campaign as 4, each merged and equal verdict for verdict to
// the unsharded run; a task that fails is named with its log, and --resubmit-failed runs only it and completes the
// merge; --no-wait leaves a job whose printed merge command works; without SLURM's tools the error says so.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RegressRecord } from '../../../harness/regress.js';
import type { CampaignReport } from '../../../mutation/report/campaignReport.js';
import { simrun } from '../../support/cli.js';
import { describeRtl } from '../../support/rtl.js';
import { startSlurm, type SlurmCluster } from '../../support/slurmCluster.js';

const json = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;
let cluster: SlurmCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startSlurm();
  dir = mkdtempSync(join(tmpdir(), 'rowsim-slurm-run-'));
  for (const f of ['coffee.png', 'chelsea.png']) cpSync(resolve('examples', f), join(dir, f));
}, 60_000);
afterAll(() => cluster?.stop());

/** The environment of a simrun run against the test cluster, with its own build cache. */
const env = () => ({ ...cluster.env, SIMRUN_CACHE: join(dir, 'cache') });

describeRtl('simrun --slurm on a real SLURM cluster', () => {
  it('regress: a 5-case tiny suite as 3 array tasks merges to the unsharded verdicts; task 2 failing (its folder busy) is named with its log; --resubmit-failed runs only it and merges', () => {
    const cases = [1, 2, 3, 4].map((k) => `  - { name: c${k}, config: tiny, images: [${k % 2 ? 'coffee.png' : 'chelsea.png'}], weights: "synthetic:${k}", engines: "golden,sim" }`);
    cases.push('  - { name: c5-fault, config: tiny, images: [coffee.png], engines: "golden,sim", inject: ["sim@bit:2:0:0:0:3"] }');
    writeFileSync(join(dir, 'suite.yaml'), `name: slurm-test\ncases:\n${cases.join('\n')}\n`);
    const whole = simrun(['regress', '--suite', 'suite.yaml', '--out', join(dir, 'whole'), '--jobs', '1'], { env: env(), cwd: dir });
    expect(whole.code, whole.stderr).toBe(1);

    // Shard 2's folder is held by a live process (this one): its task ends with OUT_BUSY and no result.
    const out = join(dir, 'regress');
    mkdirSync(join(out, 'shards', '2'), { recursive: true });
    const lock = join(out, 'shards', '2', '.simrun.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'the test', started: new Date().toISOString() }));
    const first = simrun(['regress', '--suite', 'suite.yaml', '--jobs', '1', '--slurm', '--shards', '3', '--out', out, '--junit', join(dir, 'r.xml')], { env: env(), cwd: dir });
    expect(first.code, first.stderr + first.stdout).toBe(3);
    expect(first.stdout).toMatch(/1 of 3 task\(s\) ended without a result/);
    expect(first.stdout).toContain(`task 2 (`);
    expect(first.stdout).toContain(join(out, 'slurm', 'task-2.log'));
    expect(first.stdout).toMatch(/in use by another simrun run/);
    expect(first.stdout).toMatch(/--slurm --resubmit-failed --out/);
    expect(first.stderr).toMatch(/slurm job \d+: \d+ pending, \d+ running, \d+ done/);
    expect(readFileSync(join(out, 'slurm', 'job.sbatch'), 'utf8')).toMatch(/^#SBATCH --array=1-3$/m);
    expect(existsSync(join(out, 'regress.json'))).toBe(false);   // no merged report while a shard is missing

    writeFileSync(lock, '');   // garbage: taken over as stale
    const again = simrun(['regress', '--suite', 'suite.yaml', '--jobs', '1', '--slurm', '--resubmit-failed', '--out', out, '--junit', join(dir, 'r.xml')], { env: env(), cwd: dir });
    expect(again.code, again.stderr + again.stdout).toBe(whole.code);
    expect(again.stderr).toMatch(/submitted job \d+, tasks 2 /);
    const job = json<{ submissions: { tasks: number[] }[] }>(join(out, 'slurm', 'job.json'));
    expect(job.submissions.map((s) => s.tasks)).toEqual([[1, 2, 3], [2]]);
    const verdicts = (r: RegressRecord) => r.cases.map((c) => `${c.name}:${c.verdict}`);
    const merged = json<RegressRecord & { shards: { index: number; items: number; wallSeconds: number }[] }>(join(out, 'regress.json'));
    expect(verdicts(merged)).toEqual(verdicts(json<RegressRecord>(join(dir, 'whole', 'regress.json'))));
    expect(merged.shards.map((s) => [s.index, s.items])).toEqual([[1, 2], [2, 2], [3, 1]]);
    for (const k of [1, 2, 3]) expect(json<RegressRecord>(join(out, 'shards', String(k), 'regress.json')).shard).toEqual({ index: k, count: 3, scheduler: 'slurm' });
    expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/c5-fault/);
  });

  it('mutate: tiny with every catalogue mutant as 4 array tasks merges to the unsharded verdict of every mutant; --no-wait prints the job and a merge command that works once it ends', async () => {
    const args = ['mutate', '--config', 'tiny', '--count', '0', '--catalogue', 'all', '--random-frames', '1', '--jobs', '1'];
    const whole = simrun([...args, '--out', join(dir, 'm-whole')], { env: env(), cwd: dir });
    expect(whole.code === 0 || whole.code === 1, whole.stderr).toBe(true);
    const out = join(dir, 'mutate');
    const sub = simrun([...args, '--slurm', '--shards', '4', '--no-wait', '--out', out], { env: env(), cwd: dir });
    expect(sub.code, sub.stderr).toBe(0);
    const job = /slurm job (\d+): 4 task\(s\) submitted/.exec(sub.stdout)?.[1];
    expect(job, sub.stdout).toBeDefined();
    const mergeLine = /^  (simrun merge .*)$/m.exec(sub.stdout)![1]!;
    for (let k = 0; k < 600; k++) {
      const q = simrun(['merge', join(out, 'shards', '1'), join(out, 'shards', '2'), join(out, 'shards', '3'), join(out, 'shards', '4'), '--out', join(dir, 'm-probe')], { env: env() });
      if (q.code !== 2) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    // The printed merge command, run by a shell as a user would.
    const { execFileSync } = await import('node:child_process');
    execFileSync('bash', ['-c', mergeLine.replace(/^simrun /, `${JSON.stringify(process.execPath)} ${JSON.stringify(resolve('dist/bin/simrun.js'))} `)], { env: { ...process.env, ...env() }, stdio: 'pipe' });
    const verdicts = (r: CampaignReport) => r.mutants.map((m) => `${m.id}:${m.status}:${m.first?.layer ?? ""}`).sort();
    const merged = json<CampaignReport & { shards: { index: number }[] }>(join(out, 'report.json'));
    expect(verdicts(merged)).toEqual(verdicts(json<CampaignReport>(join(dir, 'm-whole', 'report.json'))));
    expect(merged.shards.map((s) => s.index)).toEqual([1, 2, 3, 4]);
  });

  it('without sbatch on PATH the run stops with SLURM_MISSING (exit 3) naming the package; --slurm without --out, or with --shard, --partition or --no-wait without --slurm, and a bad --proof-budget with --slurm are usage errors', () => {
    const noTools = simrun(['regress', '--suite', 'suite.yaml', '--slurm', '--out', join(dir, 'x')], { env: { ...env(), PATH: '/nonexistent' }, cwd: dir });
    expect(noTools.code).toBe(3);
    expect(noTools.stderr).toMatch(/sbatch is not on PATH; .*slurm-wlm/);
    const noOut = simrun(['regress', '--suite', 'suite.yaml', '--slurm'], { env: env(), cwd: dir });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--slurm needs --out <dir> on a filesystem every node/);
    const withShard = simrun(['regress', '--suite', 'suite.yaml', '--slurm', '--shard', '1/2', '--out', join(dir, 'y')], { env: env(), cwd: dir });
    expect(withShard.code).toBe(2);
    expect(withShard.stderr).toMatch(/drop --shard/);
    const stray = simrun(['mutate', '--config', 'tiny', '--partition', 'batch', '--no-wait', '--out', join(dir, 'z')], { env: env(), cwd: dir });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--partition, --no-wait go with --slurm/);
    expect(existsSync(join(dir, 'z'))).toBe(false);
    // A bad campaign option is refused before anything is submitted, not in every array task.
    const badBudget = simrun(['mutate', '--config', 'tiny', '--proof-budget', 'abc', '--slurm', '--shards', '2', '--out', join(dir, 'b')], { env: env(), cwd: dir });
    expect(badBudget.code).toBe(2);
    expect(badBudget.stderr).toMatch(/--proof-budget 'abc'/);
    expect(existsSync(join(dir, 'b', 'slurm'))).toBe(false);
  });
});
