// Assembles the model's MAC kernel (kernelWat.ts) into WebAssembly bytes; run as a script by `npm run build` to ship
// dist/sim/kernel.wasm, so no run assembles or parses WAT. wabt is a build-time tool only (a devDependency).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_WAT } from './kernelWat.js';

/** The kernel's binary, assembled from KERNEL_WAT with SIMD enabled and validated. */
export async function assembleKernel(): Promise<Uint8Array<ArrayBuffer>> {
  const { default: wabt } = await import('wabt');
  const w = await wabt();
  const mod = w.parseWat('kernel.wat', KERNEL_WAT, { simd: true });
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Where the built kernel lives: beside the compiled wasmKernel.js in dist/sim/. */
const KERNEL_WASM_URL = new URL('./kernel.wasm', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(KERNEL_WASM_URL, await assembleKernel());
}
