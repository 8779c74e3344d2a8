// Test helpers that run one hand-built layer through the golden and through the model kernel, returning output bits.
import { exactLayerRows } from '../../golden/exact.js';
import { useBackend, type GoldenBackend } from '../../golden/backend.js';
import { convRows, type KernelLayer } from '../../sim/kernel.js';
import { kernelModule, WasmConv } from '../../sim/wasmKernel.js';

/** A single layer with explicit values: x is HWC, weights tap order [(ky,kx,ci)][co]. */
export interface TestLayer {
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outC: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly relu: boolean;
  readonly x: Float32Array;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

function outDims(l: TestLayer): [number, number] {
  return [Math.floor((l.inH + 2 * l.pad - l.kernel) / l.stride) + 1, Math.floor((l.inW + 2 * l.pad - l.kernel) / l.stride) + 1];
}

function canon(a: Float32Array): Uint32Array {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const o = new Uint32Array(u.length);
  for (let i = 0; i < u.length; i++) o[i] = (u[i]! & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : u[i]!;
  return o;
}

/** Golden exact output bits (HWC) on the given backend. */
export async function goldenBits(l: TestLayer, backend: GoldenBackend = 'wasm'): Promise<Uint32Array> {
  await useBackend(backend);
  const [outH, outW] = outDims(l);
  const out = exactLayerRows(l.x, l.inH, l.inW, { kernel: l.kernel, stride: l.stride, pad: l.pad, inC: l.inC, outC: l.outC, outH, outW, relu: l.relu, weights: l.weights, bias: l.bias }, 0, outH);
  return canon(out);
}

/** Which flushes the kernel performs in its tap loop (all by default, so every flush path is exercised). */
export interface KernelFlushes {
  readonly flushProducts: boolean;
  readonly flushSums: boolean;
}

const ALL_FLUSHES: KernelFlushes = { flushProducts: true, flushSums: true };

function kernelLayer(l: TestLayer, outW: number, flushes: KernelFlushes = ALL_FLUSHES): KernelLayer {
  return { kernel: l.kernel, stride: l.stride, pad: l.pad, inH: l.inH, inW: l.inW, inC: l.inC, outW, outC: l.outC, relu: l.relu, weights: l.weights, bias: l.bias, ...flushes };
}

/** Model kernel output bits (HWC), readable JS definition; product flush forced on so that path is exercised. */
export function simBits(l: TestLayer): Uint32Array {
  const [outH, outW] = outDims(l);
  const out = new Float32Array(outH * outW * l.outC);
  convRows(kernelLayer(l, outW), l.x, out, 0, outH);
  return canon(out);
}

/** Model kernel output bits (HWC) from the WebAssembly SIMD kernel; every flush on unless `flushes` says otherwise. */
export async function wasmBits(l: TestLayer, flushes: KernelFlushes = ALL_FLUSHES): Promise<Uint32Array> {
  const [outH, outW] = outDims(l);
  const out = new Float32Array(outH * outW * l.outC);
  new WasmConv(await kernelModule()).run(kernelLayer(l, outW, flushes), l.x, out, 0, outH);
  return canon(out);
}
