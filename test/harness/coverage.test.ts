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
    expect(() => readCoverage(out)).toThrow(/holds no contract coverage; record it with simrun --coverage/);
    const r = simrun(['coverage', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/record it with simrun --coverage/);
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

  it('hostile inputs: --out into an input\'s folder or over a run\'s report, coverage JSON of the wrong shape, a spec edited under one name (either order): each refused in one line, exit 2, the inputs untouched', async () => {
    const dir = tmp();
    const run = join(dir, 'run');
    expect(simrun(['--config', 'tiny', '--image', 'examples/coffee.png', '--engines', 'sim', '--coverage', '--out', run, '--quiet']).code).toBe(0);
    const before = readFileSync(join(run, 'report.json'), 'utf8');
    for (const out of [run, join(dir, 'run')]) {
      const r = simrun(['coverage', run, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const other = join(dir, 'other');
    expect(simrun(['--config', 'tiny', '--image', 'examples/chelsea.png', '--engines', 'sim', '--out', other, '--quiet']).code).toBe(0);
    expect(simrun(['coverage', run, '--out', other]).stderr).toMatch(/holds a run's report/);
    expect(readFileSync(join(run, 'report.json'), 'utf8')).toBe(before);
    for (const [name, text] of [['null.json', 'null'], ['sites.json', JSON.stringify({ coverage: { version: 1, network: 'x', frames: 1, sites: 'abc' } })], ['five.json', '{"coverage":5}']] as const) {
      writeFileSync(join(dir, name), text);
      const r = simrun(['coverage', join(dir, name)]);
      expect(r.code, name).toBe(2);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
    }
    // One network name, two specs: small, and small with ReLU off in layer 1.
    const spec = readFileSync('examples/small.yaml', 'utf8');
    writeFileSync(join(dir, 'small-b.yaml'), spec.replace('{ name: s1, kernel: 3, stride: 2, pad: 1, outChannels: 8, batchnorm: true, relu: true }', '{ name: s1, kernel: 3, stride: 2, pad: 1, outChannels: 8, batchnorm: true, relu: false }'));
    const a = await run3('examples/small.yaml'), b = await run3(join(dir, 'small-b.yaml'));
    expect(() => mergeCoverage([a, b])).toThrow(/come from different specs/);
    expect(() => mergeCoverage([b, a])).toThrow(/come from different specs/);
  });
});

async function run3(config: string) {
  return (await runPipeline({ config, images: ['examples/coffee.png'], weights: 'synthetic:0', engines: ['sim'], frames: 1, out: tmp(), coverage: true })).report.coverage!;
}
