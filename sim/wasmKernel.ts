// Fast path of the model's MAC kernel: assembles kernelWat.ts once with wabt and runs it on rows of a layer.
// Same inputs and outputs as convRows (kernel.ts), which stays the readable definition it is tested against.
import wabt from 'wabt';
import type { KernelLayer } from './kernel.js';
import { KERNEL_WAT } from './kernelWat.js';

let compiled: Promise<WebAssembly.Module> | undefined;

/** The assembled kernel module (compiled once per process; Modules can be posted to workers). */
export function kernelModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const w = await wabt();
    const mod = w.parseWat('kernel.wat', KERNEL_WAT, { simd: true });
    try {
      mod.validate();
      return new WebAssembly.Module(new Uint8Array(mod.toBinary({}).buffer));
    } finally {
      mod.destroy();
    }
  })();
  return compiled;
}

type ConvFn = (...args: number[]) => void;

/** One instance of the kernel with its own linear memory. */
export class WasmConv {
  private readonly mem: WebAssembly.Memory;
  private readonly conv: ConvFn;

  constructor(module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, {});
    this.mem = inst.exports.mem as WebAssembly.Memory;
    this.conv = inst.exports.conv as ConvFn;
  }

  private ensure(bytes: number): void {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
  }

  /** Computes output rows [rowStart, rowEnd) of `l` from `x` into `out` (HWC, same layout as convRows). */
  run(l: KernelLayer, x: Float32Array, out: Float32Array, rowStart: number, rowEnd: number): void {
    const outC16 = (l.outC + 15) & ~15; // padded to whole 16-channel blocks
    const taps = l.kernel * l.kernel * l.inC;
    const rows = rowEnd - rowStart;
    if (rows <= 0) return;
    const xOff = 0;
    const wOff = align(xOff + x.length * 4);
    const bOff = align(wOff + taps * outC16 * 4);
    const oOff = align(bOff + outC16 * 4);
    const end = oOff + rows * l.outW * outC16 * 4;
    this.ensure(end);
    const f = new Float32Array(this.mem.buffer);
    f.set(x, xOff / 4);
    if (outC16 === l.outC) {
      f.set(l.weights, wOff / 4);
      f.set(l.bias, bOff / 4);
    } else {
      f.fill(0, wOff / 4, oOff / 4);
      for (let t = 0; t < taps; t++) f.set(l.weights.subarray(t * l.outC, (t + 1) * l.outC), wOff / 4 + t * outC16);
      f.set(l.bias, bOff / 4);
    }
    this.conv(xOff, wOff, bOff, oOff, l.inH, l.inW, l.inC, l.outW, outC16, l.kernel, l.stride, l.pad, rowStart, rowEnd, l.relu ? 1 : 0, l.flushProducts ? 1 : 0);
    const res = new Float32Array(this.mem.buffer, oOff, rows * l.outW * outC16);
    const dst = rowStart * l.outW * l.outC;
    if (outC16 === l.outC) {
      out.set(res, dst);
    } else {
      for (let i = 0; i < rows * l.outW; i++) out.set(res.subarray(i * outC16, i * outC16 + l.outC), dst + i * l.outC);
    }
  }
}

function align(n: number): number {
  return (n + 63) & ~63;
}
