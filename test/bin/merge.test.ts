// simrun merge on real shards: a regress suite run whole and as 2 shards (--shard auto from GitLab's variables), a tiny
// mutation campaign run whole and as 2 shards (--shard auto from a SLURM array's); each merge equals the whole run item
// for item; a missing shard is refused naming what is missing (or merged as partial on request); shards of two
// different campaigns refuse to merge.
// (Each shard of a campaign lists and folds its Yosys mutants itself: on tiny that is minutes, so the campaign here
// uses the catalogue alone; sharding does not depend on where a mutant came from.)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { RegressRecord } from '../../harness/regress.js';
import type { CampaignReport } from '../../mutation/report/campaignReport.js';
import { simrun } from '../support/cli.js';
import { validateJunit } from '../support/junit.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-merge-'));
const json = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;
const gitlab = (i: number, n: number) => ({ CI_NODE_INDEX: String(i), CI_NODE_TOTAL: String(n) });
const slurm = (id: number, n: number) => ({ SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: String(n - 1), SLURM_ARRAY_TASK_COUNT: String(n) });

describeRtl('simrun merge', () => {
  it('regress: a 5-case tiny suite (one case with an injected fault) as 2 GitLab shards merges to the whole run\'s verdicts, exit code and JUnit cases; without shard 2 it is refused naming its cases', () => {
    const dir = tmp();
    for (const f of ['coffee.png', 'chelsea.png']) cpSync(resolve('examples', f), join(dir, f));
    const cases = [1, 2, 3, 4].map((k) => `  - { name: c${k}, config: tiny, images: [${k % 2 ? 'coffee.png' : 'chelsea.png'}], weights: "synthetic:${k}", engines: "golden,sim" }`);
    cases.push('  - { name: c5-fault, config: tiny, images: [coffee.png], engines: "golden,sim", inject: ["sim@bit:2:0:0:0:3"] }');
    writeFileSync(join(dir, 'suite.yaml'), `name: merge-test\ncases:\n${cases.join('\n')}\n`);
    const suite = join(dir, 'suite.yaml');
    const whole = simrun(['regress', '--suite', suite, '--out', join(dir, 'whole'), '--junit', join(dir, 'whole.xml')]);
    expect(whole.code, whole.stderr).toBe(1);
    for (const i of [1, 2]) {
      const r = simrun(['regress', '--suite', suite, '--shard', 'auto', '--out', join(dir, `s${i}`)], { env: gitlab(i, 2) });
      expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
      expect(json<RegressRecord>(join(dir, `s${i}`, 'regress.json')).shard).toEqual({ index: i, count: 2, scheduler: 'gitlab' });
    }
    const m = simrun(['merge', join(dir, 's2'), join(dir, 's1'), '--out', join(dir, 'merged'), '--junit', join(dir, 'merged.xml')]);
    expect(m.code, m.stderr).toBe(whole.code);
    const verdicts = (r: RegressRecord) => r.cases.map((c) => `${c.name}:${c.verdict}`);
    const merged = json<RegressRecord & { shards: { index: number; items: number }[]; coverageWarning: string | null }>(join(dir, 'merged', 'regress.json'));
    expect(verdicts(merged)).toEqual(verdicts(json<RegressRecord>(join(dir, 'whole', 'regress.json'))));
    expect(verdicts(merged)).toContain('c5-fault:fail');
    expect(merged.shards.map((s) => [s.index, s.items])).toEqual([[1, 3], [2, 2]]);
    validateJunit(join(dir, 'merged.xml'));
    const testcases = (x: string) => [...readFileSync(x, 'utf8').matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>(?:\s*<(failure|error|skipped))?/g)].map((t) => `${t[1]}:${t[2] ?? 'ok'}`);
    expect(testcases(join(dir, 'merged.xml'))).toEqual(testcases(join(dir, 'whole.xml')));
    expect(readFileSync(join(dir, 'merged', 'report.html'), 'utf8')).toMatch(/c5-fault/);
    expect(merged.coverageWarning).toBeNull();

    // Shard 1 again with --coverage, merged with shard 2 without: the sum covers c1, c3 and c5 only, and both the
    // terminal and regress.json (so --json and a CI reading the file) name the cases left out.
    const covered = simrun(['regress', '--suite', suite, '--coverage', '--shard', 'auto', '--out', join(dir, 's1cov')], { env: gitlab(1, 2) });
    expect(covered.code === 0 || covered.code === 1, covered.stderr).toBe(true);
    const mixedCoverage = simrun(['merge', join(dir, 's1cov'), join(dir, 's2'), '--out', join(dir, 'merged-cov'), '--json']);
    expect(mixedCoverage.code, mixedCoverage.stderr).toBe(whole.code);
    const gap = 'coverage sums 3 of 5 reported cases; ran without --coverage: c2, c4';
    expect(json<{ coverageWarning: string | null }>(join(dir, 'merged-cov', 'regress.json')).coverageWarning).toBe(gap);
    expect((JSON.parse(mixedCoverage.stdout) as { coverageWarning: string | null }).coverageWarning).toBe(gap);
    const mixedText = simrun(['merge', join(dir, 's1cov'), join(dir, 's2'), '--out', join(dir, 'merged-cov2')]);
    expect(mixedText.stdout).toContain(`WARNING: ${gap}`);
    // The merged page shows the summed coverage (the terminal's figures) as a grid, and the same warning; the merge
    // without coverage shows neither.
    const page = readFileSync(join(dir, 'merged-cov2', 'report.html'), 'utf8');
    const [, covered2, reachable] = /contract coverage of tiny over \d+ frame\(s\): (\d+)\/(\d+) reachable/.exec(mixedText.stdout)!;
    expect(page).toContain(`${covered2} of ${reachable} reachable cases`);
    expect(page).toMatch(/<table class="coverage">/);
    expect(page).toContain(`id="coverage-warning">WARNING: ${gap}`);
    expect(readFileSync(join(dir, 'merged', 'report.html'), 'utf8')).not.toMatch(/Contract coverage|coverage-warning/);

    // A case folder copied without its report.json is refused naming the case, and the earlier merge's outputs are gone.
    const kept = readFileSync(join(dir, 's1', 'c1', 'report.json'));
    rmSync(join(dir, 's1', 'c1', 'report.json'));
    const damaged = simrun(['merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'merged'), '--junit', join(dir, 'merged.xml')]);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/case 'c1': the shard recorded 'pass' but .*report.json' is missing/);
    expect(existsSync(join(dir, 'merged', 'regress.json')) || existsSync(join(dir, 'merged.xml'))).toBe(false);
    writeFileSync(join(dir, 's1', 'c1', 'report.json'), kept);
    const into = simrun(['merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 's1', 'c3')]);
    expect(into.code).toBe(2);
    expect(into.stderr).toMatch(/is the shard folder .* or inside it/);

    rmSync(join(dir, 's2'), { recursive: true });
    const missing = simrun(['merge', join(dir, 's1'), '--out', join(dir, 'merged2')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard\(s\) 2\/2 missing; not merged: c2, c4 missing/);
    const partial = simrun(['merge', join(dir, 's1'), '--out', join(dir, 'merged3'), '--allow-partial']);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/PARTIAL: 2 case\(s\) missing \(c2, c4\)/);
    expect(json<{ partial: { missingItems: string[] } }>(join(dir, 'merged3', 'regress.json')).partial.missingItems).toEqual(['c2', 'c4']);
    const partialXml = simrun(['merge', join(dir, 's1'), '--out', join(dir, 'merged4'), '--allow-partial', '--junit', join(dir, 'partial.xml')]);
    expect(partialXml.code).toBe(1);
    expect(readFileSync(join(dir, 'partial.xml'), 'utf8')).toMatch(/name="c2"[^>]*>\s*<error[^>]*message="not run: its shard is missing/);
  });

  it('mutate: tiny, every catalogue mutant at every layer (no Yosys listing, which each shard would repeat) as a 2-task SLURM array merges to the whole campaign\'s verdict for every mutant; shards of another seed refuse to merge', () => {
    const dir = tmp();
    const cache = { SIMRUN_CACHE: join(dir, 'cache') };
    const args = ['mutate', '--config', 'tiny', '--count', '0', '--catalogue', 'all', '--random-frames', '1', '--jobs', '2'];
    const whole = simrun([...args, '--out', join(dir, 'whole')], { env: cache });
    expect(whole.code === 0 || whole.code === 1, whole.stderr).toBe(true);
    for (const id of [0, 1]) {
      const r = simrun([...args, '--shard', 'auto', '--out', join(dir, `s${id}`)], { env: { ...cache, ...slurm(id, 2) } });
      expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
      expect(json<CampaignReport>(join(dir, `s${id}`, 'report.json'))).toMatchObject({ shard: `${id + 1}/2`, scheduler: 'slurm' });
    }
    const m = simrun(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged'), '--junit', join(dir, 'merged.xml')]);
    expect(m.code, m.stderr).toBe(whole.code);
    const verdicts = (r: CampaignReport) => r.mutants.map((x) => `${x.id}:${x.status}:${x.foundBy ?? ''}:${x.first?.layer ?? ''}`);
    const merged = json<CampaignReport>(join(dir, 'merged', 'report.json'));
    const ref = json<CampaignReport>(join(dir, 'whole', 'report.json'));
    expect(verdicts(merged)).toEqual(verdicts(ref));
    expect([merged.counts, merged.score]).toEqual([ref.counts, ref.score]);
    expect(merged.shards!.map((s) => s.index)).toEqual([1, 2]);
    validateJunit(join(dir, 'merged.xml'));

    const other = simrun([...args, '--seed', '2', '--shard', '2/2', '--out', join(dir, 'other')], { env: cache });
    expect(other.code === 0 || other.code === 1, other.stderr).toBe(true);
    const mixed = simrun(['merge', join(dir, 's0'), join(dir, 'other'), '--out', join(dir, 'mixed')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/is of another suite or campaign/);
  });

  it('--shard auto with no scheduler variable: regress and mutate exit 2 and run nothing', () => {
    const out = tmp();
    const r = simrun(['regress', '--suite', 'examples/suite.yaml', '--shard', 'auto', '--out', join(out, 'r')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard auto found no scheduler variable/);
    const m = simrun(['mutate', '--config', 'tiny', '--shard', 'auto', '--out', join(out, 'm')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--shard auto found no scheduler variable/);
  });
});
