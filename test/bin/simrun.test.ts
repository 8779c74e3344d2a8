// simrun end to end through the real CLI: run, plan, vectors, and the bad inputs of docs/cli.md.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simrun } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-cli-'));

/** A bad input: exit 2, exactly one line on stderr naming `what`, and no report.json. */
function expectBadInput(args: string[], what: RegExp, out?: string): void {
  const r = simrun(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(what);
  if (out) expect(existsSync(join(out, 'report.json'))).toBe(false);
}

describe('simrun run', () => {
  it('tiny on coffee.png: exit 0, per-layer table, report.json schema 2 with every pair listed', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/t4 .* ok/);
    expect(r.stdout).toMatch(/PASS: every compared pair agrees in every layer \(golden~sim bits\)/);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.schemaVersion).toBe(2);
    expect(rep.config).toBe('tiny');
    expect(rep.engines).toEqual(['golden', 'sim']);
    expect(rep.pass).toBe(true);
    expect(rep.latency.cycles).toBeGreaterThan(0);
    expect(rep.latency.rtlCycles).toBeNull();
    const l1 = rep.layers[0];
    expect(Object.keys(l1.plan)).toEqual(expect.arrayContaining(['strips', 'ocmux', 'cyclesPerRow', 'cyclesAvailable', 'utilization', 'alus']));
    expect(l1.pairs).toEqual([expect.objectContaining({ a: 'golden', b: 'sim', kind: 'bits', compared: 16 * 16 * 4, mismatches: 0, first: null, status: 'agree' })]);
    expect(l1.timing.sim.firstBeatCycle).toBe(146);
  });

  it('--engines sim compares nothing: report pass null, NOT COMPARED (never PASS), exit 0', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'sim', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/NOT COMPARED: only sim ran; nothing was compared/);
    expect(r.stdout).not.toMatch(/PASS/);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.pass).toBeNull();
    expect(rep.layers.every((l: { pairs: unknown[] }) => l.pairs.length === 0)).toBe(true);
  });

  it('two frames of two images (--frames 2): exit 0, steady interval one frame period', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--image', 'examples/chelsea.png', '--frames', '2', '--config', 'tiny', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.latency.steadyIntervalCycles).toBe(1600);
    expect(rep.latency.perFrameCycles.length).toBe(2);
  });
});

describe('simrun plan', () => {
  it('--json for ie120r: 22 layers, ≤ 3,960 ALUs, latency in cycles and ms', () => {
    const r = simrun(['plan', '--config', 'ie120r', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.layers.length).toBe(22);
    expect(p.totals.alus).toBeLessThanOrEqual(3960);
    expect(p.latency.ms).toBeCloseTo(p.latency.cycles / 250_000, 6);
    expect(Object.keys(p.totals)).toEqual(['alus', 'weightBits', 'rowBufferBits', 'partialSumBits']);
    // The preset's layers run in kernel-row passes: their partial sums add up to the total.
    expect(p.layers.filter((l: { passes: number }) => l.passes === 3).length).toBeGreaterThan(10);
    expect(p.layers.reduce((a: number, l: { partialSumBits: number }) => a + l.partialSumBits, 0)).toBe(p.totals.partialSumBits);
  });
  it('table output names every layer', () => {
    const r = simrun(['plan', '--config', 'ie120r-mini']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/layerf4/);
    expect(r.stdout).toMatch(/latency/);
  });
});

describe('simrun vectors on a spec file the suite has never seen', () => {
  it('activation .memh reproduced bit for bit by an independent implementation of the contract (docs/contract.md)', () => {
    const dir = tmp();
    const spec = join(dir, 'unseen.yaml');
    writeFileSync(spec, [
      'name: unseen', 'input: { height: 11, width: 9, channels: 3 }', 'clockHz: 50000000', 'rowRateHz: 10000', 'layers:',
      '  - { name: u1, kernel: 5, stride: 2, pad: 2, outChannels: 3, batchnorm: true }',
      '  - { name: u2, kernel: 3, stride: 1, pad: 0, outChannels: 4, relu: false }',
      '  - { name: u3, kernel: 1, stride: 2, pad: 0, outChannels: 2 }', '',
    ].join('\n'));
    const out = join(dir, 'vec');
    const r = simrun(['vectors', '--image', 'examples/chelsea.png', '--config', spec, '--weights', 'synthetic:9', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'vectors.json'), 'utf8'));
    expect(manifest.layers.map((l: { shape: number[] }) => l.shape)).toEqual([[6, 5, 3], [4, 3, 4], [2, 2, 2]]);
    // Independent reader and contract: hex parsed here; rounding by Math.fround; flush by exponent bits.
    const hexWords = (line: string) => line.match(/.{8}/g)!.map((h) => parseInt(h, 16) >>> 0);
    const lines = (f: string) => readFileSync(join(out, f), 'utf8').trim().split('\n');
    const asF = (u: number) => new Float32Array(Uint32Array.of(u).buffer)[0]!;
    const asU = (f: number) => new Uint32Array(Float32Array.of(f).buffer)[0]!;
    const ftz = (v: number) => { const u = asU(Math.fround(v)); return (u & 0x7f800000) === 0 ? asF(u & 0x80000000) : Math.fround(v); };
    let x = lines('input.memh').map((l) => hexWords(l).reverse().map(asF)); // channel 0 first
    let H = 11, W = 9, C = 3;
    const layers = [[5, 2, 2, 3, true], [3, 1, 0, 4, false], [1, 2, 0, 2, true]] as const;
    layers.forEach(([k, s, p, cout, relu], li) => {
      const wl = lines(`weight${li + 1}.memh`).map((l) => hexWords(l).reverse().map((c) => asF((c << 14) >>> 0)));
      const bl = hexWords(lines(`bias${li + 1}.memh`)[0]!).reverse().map(asF);
      expect(wl.length).toBe(k * k * C);
      const oh = Math.floor((H + 2 * p - k) / s) + 1, ow = Math.floor((W + 2 * p - k) / s) + 1;
      const y: number[][] = [];
      for (let r0 = 0; r0 < oh; r0++) for (let c0 = 0; c0 < ow; c0++) {
        const px: number[] = [];
        for (let co = 0; co < cout; co++) {
          let acc = 0, t = 0;
          for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) for (let ci = 0; ci < C; ci++, t++) {
            const iy = r0 * s - p + ky, ix = c0 * s - p + kx;
            const xv = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[iy * W + ix]![ci]! : 0;
            const prod = ftz(wl[t]![co]! * xv);
            acc = t === 0 ? prod : ftz(acc + prod);
          }
          acc = ftz(acc + bl[co]!);
          if (relu && asU(acc) >>> 31) acc = 0;
          px.push(acc);
        }
        y.push(px);
      }
      const act = lines(`activation${li + 1}.memh`).map(hexWords); // channel 0 first
      expect(act.length).toBe(oh * ow);
      let bad = 0;
      y.forEach((px, i) => px.forEach((v, co) => { if (asU(v) !== act[i]![co]) bad++; }));
      expect(`layer ${li + 1}: ${bad} mismatches`).toBe(`layer ${li + 1}: 0 mismatches`);
      x = y; H = oh; W = ow; C = cout;
    });
  });

  it('vectors written by simrun load back as --weights (memh directory) with identical results', () => {
    const dir = tmp();
    const r1 = simrun(['vectors', '--image', 'examples/coffee.png', '--config', 'tiny', '--weights', 'synthetic:4', '--out', dir]);
    expect(r1.code, r1.stderr).toBe(0);
    const out = tmp();
    const r2 = simrun(['--image', join(dir, 'input.memh'), '--config', 'tiny', '--weights', dir, '--out', out, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout).pass).toBe(true);
  });
});

describe('bad input: exit 2, one line naming the thing, no report', () => {
  it('missing image', () => {
    const out = tmp();
    expectBadInput(['--image', 'no/such.png', '--config', 'tiny', '--out', out], /IMAGE_UNREADABLE.*no\/such\.png/, out);
  });
  it('unsupported format', () => {
    const out = tmp();
    const f = join(out, 'notes.png');
    writeFileSync(f, 'plain text');
    expectBadInput(['--image', f, '--config', 'tiny', '--out', join(out, 'o')], /IMAGE_UNSUPPORTED.*use PNG, JPEG, TIFF or WebP/, join(out, 'o'));
  });
  it('truncated image', () => {
    const out = tmp();
    const f = join(out, 'half.png');
    const full = readFileSync('examples/chelsea.png');
    writeFileSync(f, full.subarray(0, full.length >> 1));
    expectBadInput(['--image', f, '--config', 'tiny', '--out', join(out, 'o')], /IMAGE_UNREADABLE.*half\.png/, join(out, 'o'));
  });
  it('NaN stimulus in input.memh', () => {
    const out = tmp();
    const f = join(out, 'input.memh');
    writeFileSync(f, Array.from({ length: 256 }, (_, i) => (i === 9 ? '7f800000' : '00000000') + '0000000000000000').join('\n'));
    expectBadInput(['--image', f, '--config', 'tiny', '--out', join(out, 'o')], /STIMULUS_NOT_FINITE.*input\.memh:10: channel 2 is Infinity/, join(out, 'o'));
  });
  it('unknown preset', () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'ie121r'], /CONFIG_UNKNOWN_PRESET.*ie121r/));
  it('invalid spec names the field', () => {
    const d = tmp();
    const f = join(d, 's.json');
    writeFileSync(f, JSON.stringify({ name: 'x', input: { height: 8, width: 8, channels: 3 }, clockHz: 100, rowRateHz: 10, layers: [{ name: 'a', kernel: 3, stride: 3, pad: 1, outChannels: 2 }] }));
    expectBadInput(['--image', 'examples/coffee.png', '--config', f, '--out', join(d, 'o')], /CONFIG_INVALID.*field 'layers\[0\]\.stride'/, join(d, 'o'));
  });
  it('infeasible plan names the layer', () => {
    const d = tmp();
    const f = join(d, 's.json');
    writeFileSync(f, JSON.stringify({ name: 'x', input: { height: 8, width: 8, channels: 3 }, clockHz: 100, rowRateHz: 10, layers: [{ name: 'slowpoke', kernel: 3, stride: 1, pad: 1, outChannels: 2 }] }));
    expectBadInput(['--image', 'examples/coffee.png', '--config', f, '--out', join(d, 'o')], /PLAN_INFEASIBLE.*'slowpoke'/, join(d, 'o'));
  });
  it('weights file with a missing key', () => {
    const d = tmp();
    const f = join(d, 'w.safetensors');
    const json = Buffer.from('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(f, Buffer.concat([len, json, Buffer.alloc(4)]));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', f, '--out', join(d, 'o')], /WEIGHTS_INVALID.*missing tensor 't1\.0\.weight'/, join(d, 'o'));
  });
  it('malformed memh weights name file:line', () => {
    const d = tmp();
    const v = join(d, 'v');
    expect(simrun(['vectors', '--image', 'examples/coffee.png', '--config', 'tiny', '--out', v]).code).toBe(0);
    const wf = join(v, 'weight2.memh');
    const ls = readFileSync(wf, 'utf8').split('\n');
    ls[4] = ls[4]!.slice(0, 20);
    writeFileSync(wf, ls.join('\n'));
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--weights', v, '--out', join(d, 'o')], /MEMH_MALFORMED.*weight2\.memh:5:/, join(d, 'o'));
  });
  it('--out not writable', () => {
    const d = tmp();
    const f = join(d, 'file');
    writeFileSync(f, 'x');
    expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', join(f, 'sub')], /OUT_NOT_WRITABLE/);
  });
  it('unknown engine', () => expectBadInput(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,spice'], /ENGINE_UNKNOWN.*'spice'/));
  it('unknown option is a usage error', () => expectBadInput(['--image', 'examples/coffee.png', '--bogus'], /USAGE.*bogus/));
  it('vectors with a bad image leaves no vectors.json', () => {
    const d = tmp();
    expectBadInput(['vectors', '--image', 'nope.png', '--config', 'tiny', '--out', d], /IMAGE_UNREADABLE/);
    expect(readdirSync(d).includes('vectors.json')).toBe(false);
  });
});
