// safetensors reader: files written by hand in the test (F32/F16/BF16, unaligned data offset), read back; clear errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile, readSafetensorsParams } from '../../../core/weights/safetensors.js';
import { loadSpec } from '../../../core/spec.js';
import { loadWeights } from '../../../core/weights/load.js';

type Tensor = { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; bytes: Buffer };

/** Writes a safetensors file by hand; `headerPad` spaces make the data offset unaligned. */
function writeSafetensors(path: string, tensors: Record<string, Tensor>, headerPad = 0): void {
  let off = 0;
  const header: Record<string, unknown> = {};
  const datas: Buffer[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
    datas.push(t.bytes);
  }
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(headerPad), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, ...datas]));
}

function f32(vals: number[]): Tensor['bytes'] {
  const b = Buffer.alloc(vals.length * 4);
  vals.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}
function u16(vals: number[]): Buffer {
  const b = Buffer.alloc(vals.length * 2);
  vals.forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'rowsim-st-'));

describe('safetensors', () => {
  it('reads F32, F16 and BF16 with an unaligned data offset (header padded by 3)', () => {
    const p = join(dir, 'mixed.safetensors');
    writeSafetensors(p, {
      a: { dtype: 'F32', shape: [2, 2], bytes: f32([1.5, -2, 0.1, 3e38]) },
      // F16: 0x3c00 = 1, 0xc000 = −2, 0x0001 = 2^-24 (subnormal half), 0x7bff = 65504.
      b: { dtype: 'F16', shape: [4], bytes: u16([0x3c00, 0xc000, 0x0001, 0x7bff]) },
      // BF16: 0x3f80 = 1, 0xbfc0 = −1.5, 0x4049 = 3.140625.
      c: { dtype: 'BF16', shape: [3], bytes: u16([0x3f80, 0xbfc0, 0x4049]) },
    }, 3);
    const f = SafetensorsFile.open(p);
    expect(Array.from(f.tensor('a', [2, 2]))).toEqual([1.5, -2, Math.fround(0.1), Math.fround(3e38)]);
    expect(Array.from(f.tensor('b', [4]))).toEqual([1, -2, 2 ** -24, 65504]);
    expect(Array.from(f.tensor('c', [3]))).toEqual([1, -1.5, 3.140625]);
  });

  it('loads a tiny network with IE120R key names and matches the same weights given as synthetic raw values', () => {
    const net = loadSpec('tiny');
    const tensors: Record<string, Tensor> = {};
    let v = 0;
    const next = (n: number) => Array.from({ length: n }, () => ((v++ % 13) - 6) / 17);
    for (const l of net.layers) {
      const wn = l.outC * l.inC * l.kernel * l.kernel;
      if (l.batchnorm) {
        tensors[`${l.name}.0.weight`] = { dtype: 'F32', shape: [l.outC, l.inC, l.kernel, l.kernel], bytes: f32(next(wn)) };
        tensors[`${l.name}.0.bias`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC)) };
        tensors[`${l.name}.1.weight`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC).map((x) => 1 + x)) };
        tensors[`${l.name}.1.bias`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC)) };
        tensors[`${l.name}.1.running_mean`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC)) };
        tensors[`${l.name}.1.running_var`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC).map((x) => 1 + x)) };
      } else {
        tensors[`${l.name}.weight`] = { dtype: 'F32', shape: [l.outC, l.inC, l.kernel, l.kernel], bytes: f32(next(wn)) };
        tensors[`${l.name}.bias`] = { dtype: 'F32', shape: [l.outC], bytes: f32(next(l.outC)) };
      }
    }
    const p = join(dir, 'tiny.safetensors');
    writeSafetensors(p, tensors, 1);
    const raw = readSafetensorsParams(p, net.layers);
    expect(raw[0]!.bn).toBeDefined();
    expect(raw[2]!.bn).toBeUndefined();
    const hw = loadWeights(net, p);
    expect(hw[0]!.codes.length).toBe(27 * 4);
    // Layer 3 (1x1, no batch norm): weight[co][ci] lands at tap ci, channel co, quantized exactly when representable.
    const l3 = net.layers[2]!;
    const w3 = raw[2]!.weight;
    const co = 5, ci = 2;
    const expectedCode = hw[2]!.codes[ci * l3.outC + co]!;
    const f = new Float32Array([w3[co * l3.inC + ci]!]);
    const u = new Uint32Array(f.buffer)[0]!;
    const rne = ((u >>> 14) + (((u & 0x3fff) > 0x2000 || ((u & 0x3fff) === 0x2000 && (u >>> 14) & 1)) ? 1 : 0));
    expect(expectedCode).toBe(rne);
  });

  it('missing key is a WEIGHTS_INVALID error naming the tensor', () => {
    const p = join(dir, 'missing.safetensors');
    writeSafetensors(p, { 'x.weight': { dtype: 'F32', shape: [1], bytes: f32([1]) } });
    const net = loadSpec('tiny');
    expect(() => loadWeights(net, p)).toThrow(/missing tensor 't1\.0\.weight'/);
  });

  it('wrong shape is a WEIGHTS_INVALID error naming both shapes', () => {
    const p = join(dir, 'shape.safetensors');
    writeSafetensors(p, { 't1.0.weight': { dtype: 'F32', shape: [4, 3, 3, 2], bytes: f32(new Array(72).fill(0)) } });
    expect(() => loadWeights(loadSpec('tiny'), p)).toThrow(/'t1\.0\.weight' has shape \[4,3,3,2\], expected \[4,3,3,3\]/);
  });

  it('a truncated header is rejected', () => {
    const p = join(dir, 'trunc.safetensors');
    writeFileSync(p, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    expect(() => SafetensorsFile.open(p)).toThrow(/header length 200 does not fit/);
  });
});
