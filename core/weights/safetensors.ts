// safetensors reader (F32, F16, BF16): 8-byte LE header length, JSON header, raw little-endian data; copies before viewing.
import { SimrunError } from '../errors.js';
import { readUserFile } from '../files.js';
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
    const buf = readUserFile(path, 'weights file', 'WEIGHTS_INVALID', 'check the path and its permissions');
    const bad = (why: string) => new SimrunError('WEIGHTS_INVALID', `weights file '${path}': ${why}; write it as a safetensors state dict`);
    if (buf.length < 8) throw bad('shorter than its 8-byte header length');
    const n = Number(buf.readBigUInt64LE(0));
    if (n <= 0 || 8 + n > buf.length) throw bad(`header length ${n} does not fit the ${buf.length}-byte file`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
    } catch {
      throw bad('header is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('header is not a JSON object of tensors');
    const header = parsed as Record<string, TensorEntry>;
    const data = buf.subarray(8 + n);
    for (const [name, e] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      if (e === null || typeof e !== 'object' || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !Array.isArray(e.data_offsets)) {
        throw bad(`tensor '${name}' is not {dtype, shape, data_offsets}`);
      }
      const [a, b] = e.data_offsets;
      if (!(Number.isSafeInteger(a) && Number.isSafeInteger(b) && a! >= 0 && a! <= b! && b! <= data.length)) throw bad(`tensor '${name}' has data offsets outside the file`);
    }
    // Tensors own disjoint byte ranges: two that share bytes would silently read each other's data.
    const ranges = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([k, e]) => ({ k, a: e.data_offsets[0], b: e.data_offsets[1] })).filter((r) => r.b > r.a).sort((x, y) => x.a - y.a);
    for (let i = 1; i < ranges.length; i++) {
      if (ranges[i]!.a < ranges[i - 1]!.b) throw bad(`tensors '${ranges[i - 1]!.k}' and '${ranges[i]!.k}' overlap (data offsets ${ranges[i - 1]!.a}..${ranges[i - 1]!.b} and ${ranges[i]!.a}..${ranges[i]!.b})`);
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
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** The IE120R key names of a layer's tensors, with shapes and meanings (the one place the key scheme is written). */
function layerKeys(l: LayerSpec): { key: string; shape: number[]; meaning: string; role: 'weight' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' }[] {
  const w = [l.outC, l.inC, l.kernel, l.kernel];
  if (!l.batchnorm) {
    return [
      { key: `${l.name}.weight`, shape: w, meaning: `layer ${l.index} conv weight [Cout, Cin, K, K]`, role: 'weight' },
      { key: `${l.name}.bias`, shape: [l.outC], meaning: `layer ${l.index} conv bias`, role: 'bias' },
    ];
  }
  return [
    { key: `${l.name}.0.weight`, shape: w, meaning: `layer ${l.index} conv weight [Cout, Cin, K, K]`, role: 'weight' },
    { key: `${l.name}.0.bias`, shape: [l.outC], meaning: `layer ${l.index} conv bias`, role: 'bias' },
    { key: `${l.name}.1.weight`, shape: [l.outC], meaning: `layer ${l.index} batch-norm gamma`, role: 'gamma' },
    { key: `${l.name}.1.bias`, shape: [l.outC], meaning: `layer ${l.index} batch-norm beta`, role: 'beta' },
    { key: `${l.name}.1.running_mean`, shape: [l.outC], meaning: `layer ${l.index} batch-norm running mean`, role: 'mean' },
    { key: `${l.name}.1.running_var`, shape: [l.outC], meaning: `layer ${l.index} batch-norm running variance (>= 0)`, role: 'variance' },
  ];
}

/** Every key of a network, in order. */
export function stateDictKeys(layers: readonly LayerSpec[]): { key: string; shape: number[]; meaning: string }[] {
  return layers.flatMap((l) => layerKeys(l).map(({ key, shape, meaning }) => ({ key, shape, meaning })));
}

/** Reads every layer's parameters under IE120R key names. */
export function readSafetensorsParams(path: string, layers: readonly LayerSpec[]): RawLayerParams[] {
  const f = SafetensorsFile.open(path);
  return layers.map((l) => {
    const t = Object.fromEntries(layerKeys(l).map((k) => [k.role, f.tensor(k.key, k.shape)])) as Record<string, Float32Array>;
    if (!l.batchnorm) return { weight: t.weight!, bias: t.bias! };
    return { weight: t.weight!, bias: t.bias!, bn: { gamma: t.gamma!, beta: t.beta!, mean: t.mean!, variance: t.variance! } };
  });
}
