// Network spec: preset shapes, JSON and YAML files, errors that name the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'rowsim-spec-'));

describe('presets', () => {
  it('ie120r: 22 layers, 896x896x3 → 7x7x512, 2500-cycle rows', () => {
    const n = loadSpec('ie120r');
    expect(n.layers.length).toBe(22);
    const last = n.layers[21]!;
    expect([last.outH, last.outW, last.outC, last.relu, last.kernel]).toEqual([7, 7, 512, false, 1]);
    expect(n.rowPeriod).toBe(2500);
    // 6,811,893,760 MACs per frame, as published.
    expect(n.layers.reduce((a, l) => a + l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC, 0)).toBe(6_811_893_760);
  });
  it('ie120r-mini: 128x128 → 1x1x64, channels ÷8 with minimum 2', () => {
    const n = loadSpec('ie120r-mini');
    expect(n.layers.map((l) => l.outC)).toEqual([2, 2, 2, 4, 4, 4, 12, 12, 12, 12, 12, 12, 24, 24, 24, 40, 40, 40, 64, 64, 64, 64]);
    expect([n.layers[21]!.outH, n.layers[21]!.outW]).toEqual([1, 1]);
  });
  it('tiny: a stride-2 layer, a 1x1 layer and a no-ReLU last layer', () => {
    const n = loadSpec('tiny');
    expect(n.layers.some((l) => l.stride === 2)).toBe(true);
    expect(n.layers.some((l) => l.kernel === 1)).toBe(true);
    expect(n.layers[n.layers.length - 1]!.relu).toBe(false);
  });
});

describe('spec files', () => {
  const body = { name: 'mine', input: { height: 10, width: 12, channels: 3 }, clockHz: 1000000, rowRateHz: 10000, layers: [{ name: 'a', kernel: 3, stride: 2, pad: 1, outChannels: 5 }] };
  it('JSON file with defaults (relu true, batchnorm false, ImageNet normalize)', () => {
    const p = join(dir, 'mine.json');
    writeFileSync(p, JSON.stringify(body));
    const n = loadSpec(p);
    expect([n.layers[0]!.outH, n.layers[0]!.outW, n.layers[0]!.relu, n.layers[0]!.batchnorm, n.rowPeriod]).toEqual([5, 6, true, false, 100]);
  });
  it('YAML file', () => {
    const p = join(dir, 'mine.yaml');
    writeFileSync(p, 'name: y\ninput: { height: 8, width: 8, channels: 3 }\nclockHz: 100\nrowRateHz: 10\nlayers:\n  - { name: a, kernel: 1, stride: 1, pad: 0, outChannels: 2, relu: false }\n');
    expect(loadSpec(p).layers[0]!.relu).toBe(false);
  });
  it('invalid field is named: layers[0].kernel', () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, JSON.stringify({ ...body, layers: [{ ...body.layers[0], kernel: 9 }] }));
    expect(() => loadSpec(p)).toThrow(/field 'layers\[0\]\.kernel'/);
  });
  it('unknown field is named', () => {
    const p = join(dir, 'bad2.json');
    writeFileSync(p, JSON.stringify({ ...body, layers: [{ ...body.layers[0], kernal: 3 }] }));
    expect(() => loadSpec(p)).toThrow(/field 'layers\[0\]'.*kernal/);
  });
  it('pad not smaller than kernel is named', () => {
    const p = join(dir, 'bad3.json');
    writeFileSync(p, JSON.stringify({ ...body, layers: [{ ...body.layers[0], pad: 3 }] }));
    expect(() => loadSpec(p)).toThrow(/field 'layers\[0\]\.pad'/);
  });
  it('passes 2 on a 3x3 layer is named (1 or the kernel only); passes with rowPacing is named; passes 3 and partialSums parse', () => {
    const p = join(dir, 'bad-passes.json');
    const k3 = { name: 'a', kernel: 3, stride: 1, pad: 1, outChannels: 4 };
    writeFileSync(p, JSON.stringify({ ...body, layers: [{ ...k3, passes: 2 }] }));
    expect(() => loadSpec(p)).toThrow(/field 'layers\[0\]\.passes': a layer runs its taps in 1 pass or in 3 \(one per kernel row\), not 2/);
    writeFileSync(p, JSON.stringify({ ...body, rowPacing: 1, layers: [{ ...k3, passes: 3 }] }));
    expect(() => loadSpec(p)).toThrow(/field 'layers\[0\]\.passes': kernel-row passes do not combine with rowPacing/);
    writeFileSync(p, JSON.stringify({ ...body, partialSums: true, layers: [{ ...k3, passes: 3 }] }));
    const n = loadSpec(p);
    expect([n.partialSums, n.layers[0]!.passes]).toEqual([true, 3]);
  });
  it('unknown preset lists the presets', () => {
    expect(() => loadSpec('ie121r')).toThrow(/unknown preset 'ie121r'; use one of ie120r, ie120r-published, ie120r-mini, tiny/);
  });
});
