// Coverage merges: counts and frames add across runs and regress cases (through `simrun regress --coverage` and
// `simrun coverage`), coverage of two networks never merges into one, and a report without coverage is named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeCoverage, readCoverage, summarizeCoverage } from '../../harness/coverage.js';
import { runPipeline } from '../../harness/run.js';
import type { ContractCoverage } from '../../core/coverage.js';
import { simrun } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-cov-'));
const run = async (image: string, frames: number, config = 'tiny') => (await runPipeline({ config, images: [image], weights: 'synthetic:0', engines: ['sim'], frames, out: tmp(), coverage: true })).report.coverage!;

describe('merging contract coverage', () => {
  it('tiny: coffee (1 frame) + chelsea (2 frames) merge to counts that add, 3 frames, no case lost', async () => {
    const a = await run('examples/coffee.png', 1);
    const b = await run('examples/chelsea.png', 2);
    const m = mergeCoverage([a, b]);
    expect(m.frames).toBe(3);
    m.sites.forEach((s, i) => expect(s.counts).toEqual(s.counts.map((_, k) => a.sites[i]!.counts[k]! + b.sites[i]!.counts[k]!)));
    // Covered only grows: a case either run reached is covered in the merge.
    expect(summarizeCoverage(m).covered).toBeGreaterThanOrEqual(Math.max(summarizeCoverage(a).covered, summarizeCoverage(b).covered));
  });
  it('tiny and examples/small.yaml do not merge; an unknown version is refused', async () => {
    const a = await run('examples/coffee.png', 1);
    const b = await run('examples/coffee.png', 1, 'examples/small.yaml');
    expect(() => mergeCoverage([a, b])).toThrow(/'tiny' and of 'small' do not merge/);
    expect(() => mergeCoverage([a, { ...a, version: 99 } as ContractCoverage])).toThrow(/version 99/);
  });
  it('a run without --coverage: simrun coverage names the file and the fix, exit 2', async () => {
    const out = tmp();
    await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: ['sim'], frames: 1, out });
    expect(() => readCoverage(out)).toThrow(/holds no contract coverage; rerun it with --coverage/);
    const r = simrun(['coverage', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rerun it with --coverage/);
  });
});

describe('coverage through the CLI', () => {
  it('regress --coverage (2 cases, tiny) then simrun coverage of the suite and a run: the sums of the cases\' counts', async () => {
    const dir = tmp();
    const suite = join(dir, 'suite.yaml');
    writeFileSync(suite, `name: cov\ncases:\n  - { name: a, config: tiny, images: [${process.cwd()}/examples/coffee.png], engines: sim }\n  - { name: b, config: tiny, images: [${process.cwd()}/examples/chelsea.png], engines: sim, frames: 2 }\n`);
    const reg = simrun(['regress', '--suite', suite, '--coverage', '--out', join(dir, 'reg'), '--jobs', '1']);
    expect(reg.code).toBe(0);
    expect(reg.stdout).toMatch(/contract coverage of tiny over 3 frame\(s\)/);
    const record = JSON.parse(readFileSync(join(dir, 'reg', 'regress.json'), 'utf8')) as { coverages: ContractCoverage[] };
    const cases = ['a', 'b'].map((c) => readCoverage(join(dir, 'reg', c))[0]!);
    expect(record.coverages).toHaveLength(1);
    expect(record.coverages[0]!.sites.map((s) => s.counts)).toEqual(mergeCoverage(cases).sites.map((s) => s.counts));
    const single = join(dir, 'one');
    expect(simrun(['--config', 'tiny', '--image', 'examples/coffee.png', '--engines', 'sim', '--coverage', '--out', single, '--quiet']).code).toBe(0);
    const merged = simrun(['coverage', join(dir, 'reg'), join(single, 'report.json'), '--out', join(dir, 'merged')]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(/contract coverage of tiny over 4 frame\(s\): \d+\/\d+ reachable cases/);
    expect(merged.stdout).toMatch(/layer {2}1: +\d+\/\d+ +multiply \d+\/19, accumulate/);
    const written = JSON.parse(readFileSync(join(dir, 'merged', 'coverage.json'), 'utf8')) as { coverages: ContractCoverage[] };
    expect(written.coverages[0]!.frames).toBe(4);
    expect(readFileSync(join(dir, 'merged', 'coverage.html'), 'utf8')).toMatch(/<table class="coverage">/);
  });
});
