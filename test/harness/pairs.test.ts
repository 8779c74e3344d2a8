// Every comparison that can be made is made: a bit flipped in any one engine fails every engine subset that contains it
// (and no pair without it); special values agree through all engines on both tfjs backends; long runs stay flat.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineName } from '../../core/engine.js';
import { loadSpec } from '../../core/spec.js';
import { stateDictKeys } from '../../core/weights/safetensors.js';
import { runPipeline } from '../../harness/run.js';
import type { RunReport } from '../../harness/report.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-pairs-'));

const SUBSETS: EngineName[][] = [['golden', 'sim'], ['golden', 'rtl'], ['sim', 'rtl'], ['golden', 'sim', 'rtl']];

function differingPairs(r: RunReport, layer: number): string[] {
  return r.layers[layer - 1]!.pairs.filter((p) => p.status === 'differ').map((p) => `${p.a}~${p.b} ${p.kind}`);
}

describeRtl('a bit flipped in one engine fails every subset that contains it (tiny, layer 3 row 2 col 5 chan 6 bit 22)', () => {
  for (const faulty of ['golden', 'sim', 'rtl'] as const) {
    for (const subset of SUBSETS.filter((s) => s.includes(faulty))) {
      it(`${faulty}@bit in --engines ${subset.join(',')}: every bits pair with ${faulty} differs at that word; no other pair does`, async () => {
        const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], engines: subset, frames: 1, out: tmp(), inject: [`${faulty}@bit:3:2:5:6:22`], floatReference: false });
        expect(report.pass).toBe(false);
        for (const l of report.layers.slice(0, 2)) expect(l.pairs.every((p) => p.status === 'agree'), `layer ${l.index}`).toBe(true);
        const want = subset.filter((e) => e !== faulty).map((e) => (SUBSETS[3]!.indexOf(e) < SUBSETS[3]!.indexOf(faulty) ? `${e}~${faulty} bits` : `${faulty}~${e} bits`)).sort();
        expect(differingPairs(report, 3).sort()).toEqual(want);
        for (const p of report.layers[2]!.pairs.filter((q) => q.status === 'differ')) {
          const f = p.first as { row: number; col: number; chan: number };
          expect([f.row, f.col, f.chan]).toEqual([2, 5, 6]);
          expect(p.mismatches).toBe(1);
        }
      });
    }
  }

  it('a design whose last layer wrongly applies ReLU fails --engines sim,rtl at that layer (values are compared, not only cycles)', () => {
    const d = tmp();
    expect(simrun(['emit', '--config', 'tiny', '--out', join(d, 'design')]).code).toBe(0);
    const f = join(d, 'design', 'rs_layer4.v');
    const v = readFileSync(f, 'utf8');
    expect(v).toMatch(/biasRelu = v;/);
    writeFileSync(f, v.replace('biasRelu = v;', "biasRelu = v[31] ? 32'd0 : v;"));
    const r = simrun(['--rtl', join(d, 'design'), '--image', 'examples/coffee.png', '--engines', 'sim,rtl', '--out', join(d, 'o'), '--json']);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(r.stdout) as RunReport;
    expect(differingPairs(rep, 4)).toEqual(['sim~rtl bits']);
    expect(rep.layers.slice(0, 3).every((l) => l.pairs.every((p) => p.status === 'agree'))).toBe(true);
    const first = rep.layers[3]!.pairs[0]!.first as { expectedValue: number; actualValue: number };
    expect(first.expectedValue).toBeLessThan(0);
    expect(first.actualValue).toBe(0);
  });
});

/** A safetensors file with every tensor filled by `fill(key, i)`. */
function writeWeights(path: string, config: string, fill: (key: string, i: number) => number): void {
  const keys = stateDictKeys(loadSpec(config).layers);
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let off = 0;
  for (const k of keys) {
    const n = k.shape.reduce((a, b) => a * b, 1);
    const v = Float32Array.from({ length: n }, (_, i) => fill(k.key, i));
    chunks.push(Buffer.from(v.buffer));
    header[k.key] = { dtype: 'F32', shape: k.shape, data_offsets: [off, off + n * 4] };
    off += n * 4;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, ...chunks]));
}

describeRtl('Inf and NaN through all three engines, golden on the cpu and on the wasm backend', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`tiny with finite weights near ±1e38 (so sums overflow to ±Inf and Inf − Inf makes NaN before ReLU): every pair agrees, golden on tfjs-${backend}`, async () => {
      const d = tmp();
      const w = join(d, 'huge.safetensors');
      // Conv weights alternate ±1e38 across taps (batch norm neutral): products overflow both ways and meet in the adds.
      writeWeights(w, 'tiny', (key, i) => (key.endsWith('running_var') ? 1 : key.endsWith('.1.weight') ? 1 : key.endsWith('weight') ? (i % 2 ? 1e38 : -1e38) * (1 + (i % 7) / 8) : 0));
      const { report } = await runPipeline({ config: 'tiny', images: ['examples/coffee.png'], weights: w, engines: ['golden', 'sim', 'rtl'], frames: 1, out: d, goldenBackend: backend, floatReference: false });
      expect(report.engineInfo.golden!.facts.backend).toBe(backend);
      for (const l of report.layers) expect(l.pairs.map((p) => `${p.a}~${p.b} ${p.kind} ${p.status}`), l.name).toEqual(l.pairs.map((p) => `${p.a}~${p.b} ${p.kind} agree`));
      // The specials really happened: the golden's own outputs hold NaN and Inf.
      const { loadWeights } = await import('../../core/weights/load.js');
      const { runGolden } = await import('../../golden/run.js');
      const { loadStimulus } = await import('../../vectors/image.js');
      const net = loadSpec('tiny');
      const g = await runGolden(net, loadWeights(net, w), (await loadStimulus('examples/coffee.png', net)).data, { backend });
      const words = g.activations.flatMap((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)));
      expect(words.filter((u) => u === 0x7fc00000).length).toBeGreaterThan(0);
      expect(words.filter((u) => (u & 0x7fffffff) === 0x7f800000).length).toBeGreaterThan(0);
      expect(words.some((u) => (u & 0x7fffffff) > 0x7f800000 && u !== 0x7fc00000)).toBe(false);
    });
  }
});

describeRtl('long runs', () => {
  it('2,000 frames of tiny through golden, sim and rtl under a 64 MiB heap: passes, so no frame\'s outputs are kept (they would need ~115 MiB)', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--image', 'examples/chelsea.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--frames', '2000', '--out', out, '--quiet'], { env: { NODE_OPTIONS: '--max-old-space-size=64' } });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(rep.pass).toBe(true);
    expect(rep.latency.measured.rtl!.length).toBe(2000);
    expect(rep.layers[3]!.pairs.find((p) => p.kind === 'cycles')!.compared).toBe(2000 * 64);
    const s = rep.memory.samples;
    expect(s[s.length - 1]!.frame).toBe(1999);
    // Flat: the last sample is within 64 MiB of the first (the heap cap bounds what could be kept).
    expect(s[s.length - 1]!.rssMiB - s[0]!.rssMiB).toBeLessThan(64);
  });
});
