// Fast path of the model's MAC kernel: loads the kernel.wasm built from kernelWat.ts and runs it on rows of a layer.
// Same inputs and outputs as convRows (kernel.ts), which stays the readable definition it is tested against.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KernelLayer } from './kernel.js';
import type { FlushVariant } from './kernelWat.js';

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * The kernel module, compiled once per process (Modules can be posted to workers). The built dist/sim/kernel.wasm is
 * read when present; running from sources (the tests) assembles the WAT instead, which the tests check is the same.
 */
export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const built = fileURLToPath(new URL('./kernel.wasm', import.meta.url));
    if (existsSync(built)) return new WebAssembly.Module(readFileSync(built));
    const { assembleKernel } = await import('./assembleKernel.js');
    return new WebAssembly.Module(new Uint8Array(await assembleKernel()));
  })();
  return compiled;
}

type ConvFn = (...args: number[]) => void;

/** The export that performs exactly the flushes `l` needs. */
function variantName(l: KernelLayer): FlushVariant['name'] {
  if (l.flushProducts) return 'conv_flush_all';
  return l.flushSums ? 'conv_flush_sums' : 'conv_flush_none';
}

/** One instance of the kernel with its own linear memory. */
export class WasmConv {
  private readonly mem: WebAssembly.Memory;
  private readonly exports: WebAssembly.Exports;

  constructor(module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, {});
    this.mem = inst.exports.mem as WebAssembly.Memory;
    this.exports = inst.exports;
  }

  private ensure(bytes: number): void {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
  }

  /**
   * Computes output rows [rowStart, rowEnd) of `l` from `x` into `out` (HWC, same layout as convRows); returns the
   * milliseconds spent in the kernel and in copying into and out of the module's memory (for the bench's breakdown).
   */
  run(l: KernelLayer, x: Float32Array, out: Float32Array, rowStart: number, rowEnd: number): KernelTimes {
    const t0 = performance.now();
    const outC16 = (l.outC + 15) & ~15; // padded to whole 16-channel blocks
    const taps = l.kernel * l.kernel * l.inC;
    const rows = rowEnd - rowStart;
    if (rows <= 0) return { kernelMs: 0, copyMs: 0 };
    const xOff = 0;
    const zOff = align(xOff + x.length * 4);
    const wOff = align(zOff + l.inC * 4);
    const bOff = align(wOff + taps * outC16 * 4);
    const oOff = align(bOff + outC16 * 4);
    const end = oOff + rows * l.outW * outC16 * 4;
    this.ensure(end);
    const f = new Float32Array(this.mem.buffer);
    f.set(x, xOff / 4);
    f.fill(0, zOff / 4, zOff / 4 + l.inC);
    if (outC16 === l.outC) {
      f.set(l.weights, wOff / 4);
      f.set(l.bias, bOff / 4);
    } else {
      f.fill(0, wOff / 4, oOff / 4);
      for (let t = 0; t < taps; t++) f.set(l.weights.subarray(t * l.outC, (t + 1) * l.outC), wOff / 4 + t * outC16);
      f.set(l.bias, bOff / 4);
    }
    const conv = this.exports[variantName(l)] as ConvFn;
    const t1 = performance.now();
    conv(xOff, wOff, bOff, oOff, l.inH, l.inW, l.inC, l.outW, outC16, l.kernel, l.stride, l.pad, rowStart, rowEnd, l.relu ? 1 : 0, zOff);
    const t2 = performance.now();
    const res = new Float32Array(this.mem.buffer, oOff, rows * l.outW * outC16);
    const dst = rowStart * l.outW * l.outC;
    if (outC16 === l.outC) {
      out.set(res, dst);
    } else {
      for (let i = 0; i < rows * l.outW; i++) out.set(res.subarray(i * outC16, i * outC16 + l.outC), dst + i * l.outC);
    }
    return { kernelMs: t2 - t1, copyMs: t1 - t0 + (performance.now() - t2) };
  }
}

/** Where one call's time went. */
export interface KernelTimes {
  readonly kernelMs: number;
  readonly copyMs: number;
}

function align(n: number): number {
  return (n + 63) & ~63;
}
