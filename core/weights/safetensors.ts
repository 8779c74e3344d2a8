// safetensors reader (F32, F16, BF16): 8-byte LE header length, JSON header, raw little-endian data; copies before viewing.
import { readFileSync } from 'node:fs';
import { SimrunError } from '../errors.js';
import type { LayerSpec } from '../spec.js';
import type { RawLayerParams } from './types.js';

interface TensorEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** A parsed safetensors file: tensor lookup by name, converted to float32. */
export class SafetensorsFile {
  private constructor(
    private readonly path: string,
    private readonly header: Readonly<Record<string, TensorEntry>>,
    private readonly data: Buffer,
  ) {}

  /** Reads and parses the header; tensors are converted lazily. */
  static open(path: string): SafetensorsFile {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      throw new SimrunError('WEIGHTS_INVALID', `weights file '${path}' cannot be read; check the path`);
    }
    const bad = (why: string) => new SimrunError('WEIGHTS_INVALID', `weights file '${path}': ${why}; write it as a safetensors state dict`);
    if (buf.length < 8) throw bad('shorter than its 8-byte header length');
    const n = Number(buf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > buf.length) throw bad(`header length ${n} does not fit the ${buf.length}-byte file`);
    let header: Record<string, TensorEntry>;
    try {
      header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    } catch {
      throw bad('header is not valid JSON');
    }
    const data = buf.subarray(8 + n);
    for (const [name, e] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const [a, b] = e.data_offsets ?? [];
      if (!(Number.isInteger(a) && Number.isInteger(b) && a! <= b! && b! <= data.length)) throw bad(`tensor '${name}' has data offsets outside the file`);
    }
    return new SafetensorsFile(path, header, data);
  }

  /** Tensor `name` as float32 with its shape checked; a clear error when missing or mis-shaped. */
  tensor(name: string, shape: readonly number[]): Float32Array {
    const e = this.header[name];
    if (!e || name === '__metadata__') {
      throw new SimrunError('WEIGHTS_INVALID', `weights file '${this.path}': missing tensor '${name}' [${shape.join(',')}]; export the state dict with IE120R key names`);
    }
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new SimrunError('WEIGHTS_INVALID', `weights file '${this.path}': tensor '${name}' has shape [${e.shape.join(',')}], expected [${shape.join(',')}]; the file does not match this config`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const [start, end] = e.data_offsets;
    const width = ({ F32: 4, F16: 2, BF16: 2 } as Record<string, number>)[e.dtype];
    if (!width) throw new SimrunError('WEIGHTS_INVALID', `weights file '${this.path}': tensor '${name}' has dtype ${e.dtype}; use F32, F16 or BF16`);
    if (end - start !== count * width) throw new SimrunError('WEIGHTS_INVALID', `weights file '${this.path}': tensor '${name}' holds ${end - start} bytes, expected ${count * width}`);
    // Copy first: the data offset need not be aligned for a typed-array view.
    const bytes = new Uint8Array(this.data.subarray(start, end));
    const out = new Float32Array(count);
    if (e.dtype === 'F32') {
      out.set(new Float32Array(bytes.buffer, 0, count));
    } else if (e.dtype === 'BF16') {
      const h = new Uint16Array(bytes.buffer, 0, count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = h[i]! << 16;
    } else {
      const h = new Uint16Array(bytes.buffer, 0, count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(h[i]!);
    }
    return out;
  }
}

/** IEEE binary16 bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** Reads every layer's parameters under IE120R key names. */
export function readSafetensorsParams(path: string, layers: readonly LayerSpec[]): RawLayerParams[] {
  const f = SafetensorsFile.open(path);
  return layers.map((l) => {
    const wShape = [l.outC, l.inC, l.kernel, l.kernel];
    if (!l.batchnorm) return { weight: f.tensor(`${l.name}.weight`, wShape), bias: f.tensor(`${l.name}.bias`, [l.outC]) };
    return {
      weight: f.tensor(`${l.name}.0.weight`, wShape),
      bias: f.tensor(`${l.name}.0.bias`, [l.outC]),
      bn: {
        gamma: f.tensor(`${l.name}.1.weight`, [l.outC]),
        beta: f.tensor(`${l.name}.1.bias`, [l.outC]),
        mean: f.tensor(`${l.name}.1.running_mean`, [l.outC]),
        variance: f.tensor(`${l.name}.1.running_var`, [l.outC]),
      },
    };
  });
}
