// regress: sharding covers every case exactly once, JUnit is well-formed and counts failures; compare and emit end to end.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageGap, junitXml, loadSuite, parseShard, shardCases, type CaseResult } from '../../harness/regress.js';
import type { RunReport } from '../../harness/report.js';
import { simrun } from '../support/cli.js';
import { validateJunit } from '../support/junit.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-reg-'));

describe('sharding', () => {
  for (const n of [1, 2, 3, 5, 7]) {
    it(`13 cases over ${n} shards: each case exactly once, same split every time`, () => {
      const cases = Array.from({ length: 13 }, (_, index) => ({ index }));
      const seen = new Map<number, number>();
      for (let i = 1; i <= n; i++) for (const c of shardCases(cases, parseShard(`${i}/${n}`))) seen.set(c.index, (seen.get(c.index) ?? 0) + 1);
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(cases.map((c) => c.index));
      expect([...seen.values()].every((v) => v === 1)).toBe(true);
      expect(shardCases(cases, parseShard(`1/${n}`))).toEqual(shardCases(cases, parseShard(`1/${n}`)));
    });
  }
  it('rejects 0/2 and 3/2', () => {
    expect(() => parseShard('0/2')).toThrow(/--shard '0\/2'/);
    expect(() => parseShard('3/2')).toThrow(/--shard '3\/2'/);
  });
  it('the shipped suite resolves its images next to it', () => {
    const s = loadSuite('examples/suite.yaml');
    expect(s.cases.length).toBeGreaterThanOrEqual(4);
    for (const c of s.cases) for (let i = 0; i < c.args.length; i++) if (c.args[i] === '--image') expect(existsSync(c.args[i + 1]!)).toBe(true);
  });
});

describe('junit', () => {
  it('a failure is typed by what failed: values (a bits pair), timing (only a cycles pair), realtime (an own-timing rule alone)', () => {
    const rep = (pairs: unknown[], own: unknown[]) => ({ pass: false, summary: 'FAIL', failures: [], ownTiming: { failures: own }, layers: [{ index: 1, name: 'a', pairs }] }) as unknown as RunReport;
    const bits = { a: 'golden', b: 'rtl', kind: 'bits', compared: 8, mismatches: 1, status: 'differ', first: { frame: 0, row: 0, col: 0, chan: 0, expected: '00000000', actual: '00000001', expectedValue: 0, actualValue: 1e-45, kind: 'zero', beat: null } };
    const cycles = { a: 'sim', b: 'rtl', kind: 'cycles', compared: 8, mismatches: 8, status: 'differ', first: { frame: 0, beat: 0, row: 0, col: 0, group: 0, expectedCycle: 5, actualCycle: 6, differs: 'cycle' } };
    const mk = (name: string, r: RunReport): CaseResult => ({ case: { index: 0, name, folder: name, args: [], timeoutSeconds: 60 }, exitCode: 1, seconds: 1, report: r, error: null });
    const x = junitXml('t', [mk('v', rep([bits, cycles], [])), mk('t', rep([cycles], [])), mk('r', rep([], [{ kind: 'rate', layer: 1, message: 'layer 1 does not keep up' }]))]);
    expect([...x.matchAll(/<failure type="(\w+)"/g)].map((m) => m[1])).toEqual(['values', 'timing', 'realtime']);
    expect(x).toMatch(/<failure type="realtime" message="TIMING rate: layer 1 does not keep up"/);
  });

  it('counts failures (a report with pass false), errors (exit 2/3) and skipped (pass null), escapes text', async () => {
    const report = (pass: boolean | null): RunReport => ({
      pass, summary: pass === null ? 'NOT COMPARED: only sim ran' : 'FAIL: golden~sim bits', failures: [],
      layers: [{ index: 2, name: 'l<2>', pairs: pass === false ? [{ a: 'golden', b: 'sim', kind: 'bits', compared: 8, mismatches: 1, status: 'differ', first: { frame: 0, row: 1, col: 2, chan: 3, expected: '00000000', actual: '00000001', expectedValue: 0, actualValue: 1e-45, kind: 'zero', beat: null } }] : [] }],
    }) as unknown as RunReport;
    const mk = (name: string, exitCode: number, rep: RunReport | null, error: string | null = null): CaseResult => ({ case: { index: 0, name, folder: name, args: [], timeoutSeconds: 60 }, exitCode, seconds: 1.5, report: rep, error });
    const x = junitXml('s<1>', [mk('ok', 0, report(true)), mk('bad & "odd"', 1, report(false)), mk('err', 2, null, 'simrun: error [IMAGE_UNREADABLE]: no\u0007'), mk('none', 0, report(null))]);
    expect(x).toMatch(/<testsuites name="rowsim" tests="4" failures="1" errors="1" skipped="1"/);
    expect(x).toMatch(/name="bad &amp; &quot;odd&quot;"/);
    expect(x).toMatch(/<failure type="values" message="MISMATCH layer 2 'l&lt;2&gt;' golden~sim bits: first at frame 0 row 1 col 2 chan 3/);
    expect(x).toMatch(/<error type="exit 2"/);
    expect(x).toMatch(/<skipped message="NOT COMPARED: only sim ran"/);
    expect(x).not.toMatch(/\u0007/);
    // Well-formed: every open tag closes, in order (a small checker, not a library).
    const stack: string[] = [];
    for (const m of x.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (m[3]) continue;
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
  });
});

describe('coverageGap', () => {
  const mk = (name: string, report: object | null): CaseResult => ({ case: { index: 0, name, folder: name, args: [], timeoutSeconds: 60 }, exitCode: report ? 0 : 2, seconds: 1, report: report as RunReport | null, error: null });
  it('3 reported cases, 1 with coverage and 2 without, 1 unreported: names the 2; all or none with coverage: null', () => {
    const cov = { coverage: { network: 'tiny' } };
    expect(coverageGap([mk('a', cov), mk('b', {}), mk('c', {}), mk('d', null)])).toBe('coverage sums 1 of 3 reported cases; ran without --coverage: b, c');
    expect(coverageGap([mk('a', cov), mk('b', cov), mk('d', null)])).toBeNull();
    expect(coverageGap([mk('a', {}), mk('b', {})])).toBeNull();
  });
});

describe('simrun regress end to end', () => {
  it('a 3-case suite (one with an injected fault) in 2 shards: JUnit per shard valid against the JUnit XSD, with timestamp, hostname, time, system-out and the report.html property; summary line; exit codes', () => {
    const d = tmp();
    cpSync('examples/coffee.png', join(d, 'coffee.png'));
    writeFileSync(join(d, 'suite.yaml'), [
      'name: t', 'cases:',
      '  - { name: a, config: tiny, images: [coffee.png], engines: "golden,sim" }',
      '  - { name: b, config: tiny, images: [coffee.png], engines: "golden,sim", inject: ["sim@bit:2:0:0:0:3"] }',
      '  - { name: c, config: tiny, images: [coffee.png], weights: "synthetic:3", engines: "golden,sim", frames: 2 }', '',
    ].join('\n'));
    const r1 = simrun(['regress', '--suite', join(d, 'suite.yaml'), '--shard', '1/2', '--junit', join(d, 'j1.xml'), '--out', join(d, 'o1')]);
    const r2 = simrun(['regress', '--suite', join(d, 'suite.yaml'), '--shard', '2/2', '--junit', join(d, 'j2.xml'), '--out', join(d, 'o2')]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout.trim().split('\n').pop()).toBe('regress: 2 passed, 0 failed, 0 errors, 0 not compared');
    expect(r2.code, r2.stderr).toBe(1);
    expect(r2.stdout).toMatch(/FAIL b /);
    for (const f of ['j1.xml', 'j2.xml']) validateJunit(join(d, f));
    const j1 = readFileSync(join(d, 'j1.xml'), 'utf8');
    const j2 = readFileSync(join(d, 'j2.xml'), 'utf8');
    expect([...j1.matchAll(/<testcase [^>]*name="(\w)"/g)].map((m) => m[1])).toEqual(['a', 'c']);
    expect([...j2.matchAll(/<testcase [^>]*name="(\w)"/g)].map((m) => m[1])).toEqual(['b']);
    expect(j2).toMatch(/failures="1"/);
    expect(j2).toMatch(/<failure type="values" message="MISMATCH layer 2/);
    const stamp = /timestamp="([^"]+)"/.exec(j1)![1]!;
    expect(Math.abs(Date.parse(`${stamp}Z`) - Date.now())).toBeLessThan(10 * 60_000);
    expect(j1).toContain(`hostname="${hostname()}"`);
    expect(j1).toMatch(/<property name="rowsim.shard" value="1\/2"\/>/);
    const html = [...j1.matchAll(/<property name="report.html" value="([^"]+)"\/>/g)].map((m) => m[1]!);
    expect(html).toHaveLength(2);
    for (const h of html) expect(existsSync(h), h).toBe(true);
    expect(j1).toMatch(/<system-out>PASS[^<]*\nsimrun --config tiny/);
  });

  it('the suite is checked before any case runs: an unknown engine, a missing image, an unknown preset are exit 2 naming the case and the field, and no case folder is written', () => {
    const d = tmp();
    cpSync('examples/coffee.png', join(d, 'coffee.png'));
    for (const [bad, field, what] of [
      ['{ name: late, config: tiny, images: [coffee.png], engines: "golden,simm" }', 'engines', "unknown engine 'simm'"],
      ['{ name: late, config: tiny, images: [missing.png] }', 'images', "image 'missing.png' does not exist"],
      ['{ name: late, config: tinyy, images: [coffee.png] }', 'config', "unknown preset 'tinyy'"],
    ] as const) {
      writeFileSync(join(d, 'suite.yaml'), ['name: t', 'cases:', '  - { name: first, config: tiny, images: [coffee.png] }', `  - ${bad}`, ''].join('\n'));
      const out = join(d, `out-${field}`);
      const r = simrun(['regress', '--suite', join(d, 'suite.yaml'), '--out', out]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`case 'late' (cases.1.${field}): ${what}`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(out, 'first'))).toBe(false);
    }
  });

  it('a case past its timeoutSeconds (0.3 s) is ended and reported as an error naming the timeout; the other case passes', () => {
    const d = tmp();
    cpSync('examples/coffee.png', join(d, 'coffee.png'));
    writeFileSync(join(d, 'suite.yaml'), ['name: t', 'cases:', '  - { name: quick, config: tiny, images: [coffee.png] }', '  - { name: slow, config: tiny, images: [coffee.png], frames: 50, timeoutSeconds: 0.3 }', ''].join('\n'));
    const r = simrun(['regress', '--suite', join(d, 'suite.yaml'), '--out', join(d, 'o'), '--junit', join(d, 'j.xml')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/PASS quick/);
    expect(r.stdout).toMatch(/ERROR slow .*ran past its timeout of 0.3 s/);
    validateJunit(join(d, 'j.xml'));
  });
});

describe('simrun compare and emit', () => {
  it('compare: identical folders exit 0; one changed word exit 1 naming layer, row, col, chan', () => {
    const a = join(tmp(), 'a');
    expect(simrun(['vectors', '--image', 'examples/chelsea.png', '--config', 'tiny', '--out', a]).code).toBe(0);
    const b = join(tmp(), 'b');
    cpSync(a, b, { recursive: true });
    expect(simrun(['compare', a, b]).code).toBe(0);
    const f = join(b, 'activation3.memh');
    const lines = readFileSync(f, 'utf8').split('\n');
    // Row 1, col 2 is line 1·8+2 = 10 (0-based); channel 4 is the fifth word.
    const l = lines[10]!;
    lines[10] = l.slice(0, 32) + (l[32] === '0' ? '1' : '0') + l.slice(33);
    writeFileSync(f, lines.join('\n'));
    const r = simrun(['compare', a, b]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH layer 3 't3': first at row 1 col 2 chan 4/);
  });
  it('compare: a layer missing from one side, or an activation file no layer explains, fails (exit 1) and says which', () => {
    const a = join(tmp(), 'a');
    expect(simrun(['vectors', '--image', 'examples/chelsea.png', '--config', 'tiny', '--out', a]).code).toBe(0);
    const b = join(tmp(), 'b');
    cpSync(a, b, { recursive: true });
    rmSync(join(b, 'activation3.memh'));
    const r = simrun(['compare', a, b]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISSING layer 3 't3': .*b\/activation3\.memh/);
    expect(r.stdout).toMatch(/FAIL: .*layer\(s\) 3 missing from a side/);
    cpSync(join(a, 'activation3.memh'), join(b, 'activation3.memh'));
    cpSync(join(a, 'activation3.memh'), join(b, 'activation9.memh'));
    const r2 = simrun(['compare', a, b]);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/EXTRA .*activation9\.memh/);
  });
  it('compare without shapes is a usage error', () => {
    const r = simrun(['compare', tmp(), tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/USAGE.*vectors\.json/);
  });
  it('emit writes a design folder for tiny: Verilog, ROM images, spec, tap map, README, manifest', () => {
    const d = tmp();
    const r = simrun(['emit', '--config', 'tiny', '--out', d]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['rs_top.v', 'rs_layer1.v', 'rs_layer4.v', 'rs_wrom2.v', 'rs_brom4.v', 'rom/w1.memh', 'rom/b4.memh', 'spec.json', 'taps.json', 'README.md', 'design.json']) expect(existsSync(join(d, f)), f).toBe(true);
    expect(readFileSync(join(d, 'rs_wrom2.v'), 'utf8')).toMatch(/\$readmemh\("rom\/w2\.memh", mem\)/);
    // rom/w2.memh: one 5-hex-digit code per line, 3·3·4 taps × 8 channels.
    expect(readFileSync(join(d, 'rom', 'w2.memh'), 'utf8').trim().split('\n').map((x) => x.length)).toEqual(new Array(3 * 3 * 4 * 8).fill(5));
    const m = JSON.parse(readFileSync(join(d, 'design.json'), 'utf8'));
    expect([m.format, m.top, m.spec, m.taps]).toEqual(['rowsim-design/1', 'rs_top', 'spec.json', 'taps.json']);
    expect(m.plan.layers).toHaveLength(4);
    const t = JSON.parse(readFileSync(join(d, 'taps.json'), 'utf8'));
    expect(Object.keys(t.layers)).toEqual(['1', '2', '3']);
    expect(t.layers['2'].data).toBe('rs_top.u_layer2.out_data');
  });
});
