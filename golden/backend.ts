// tfjs backend selection for the golden: tfjs-node when installed and working, else wasm, else cpu — each only if it
// passes a known-answer check of the binary32 behaviour the contract relies on; says which and why.
import { requirePackage, tf } from './tf.js';
import { SimrunError } from '../core/errors.js';

// The cpu and wasm backends register themselves with tfjs-core when loaded.
requirePackage('@tensorflow/tfjs-backend-cpu');
requirePackage('@tensorflow/tfjs-backend-wasm');

/** The backends the golden can run on. */
export type GoldenBackend = 'tensorflow' | 'wasm' | 'cpu';

let chosen: GoldenBackend | undefined;
let why = '';

/** Why the golden runs on the backend it does (for the run's facts). */
export function backendReason(): string {
  return why;
}

const bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;

/**
 * The active backend's answers to the contract's edge cases, computed by tfjs elementwise ops as the golden uses them;
 * the first wrong one in words, or null. Ties to even in add and multiply, a product just below the smallest normal
 * that must round up to it (not be flushed by the backend), signed zeros, and Inf − Inf = NaN.
 */
export function knownAnswerFailure(): string | null {
  const cases: readonly { readonly what: string; readonly got: () => number; readonly want: number }[] = [
    { what: 'add tie to even: 1 + 2^-24 = 1', got: () => tf.add(1, 2 ** -24).dataSync()[0]!, want: 1 },
    { what: 'add tie to even: (1 + 2^-23) + 2^-24 = 1 + 2^-22', got: () => tf.add(1 + 2 ** -23, 2 ** -24).dataSync()[0]!, want: 1 + 2 ** -22 },
    { what: 'multiply tie to even: (1 + 2^-12)^2 = 1 + 2^-11', got: () => tf.mul(1 + 2 ** -12, 1 + 2 ** -12).dataSync()[0]!, want: 1 + 2 ** -11 },
    { what: 'a product of (1 - 2^-30)·2^-126 rounds up to 2^-126', got: () => tf.mul((1 + 2 ** -10 + 2 ** -20) * 2 ** -1, (2 - 2 ** -9) * 2 ** -126).dataSync()[0]!, want: 2 ** -126 },
    { what: 'signed zero: -0 + -0 = -0', got: () => tf.add(tf.scalar(-0), tf.scalar(-0)).dataSync()[0]!, want: -0 },
    { what: 'signed zero: -1 · 0 = -0', got: () => tf.mul(-1, 0).dataSync()[0]!, want: -0 },
  ];
  for (const c of cases) if (bits(c.got()) !== bits(c.want)) return c.what;
  if (!Number.isNaN(tf.sub(Infinity, Infinity).dataSync()[0]!)) return 'Inf - Inf = NaN';
  return null;
}

async function tryNode(): Promise<boolean> {
  // Optional dependency: its native library is fetched by an install script that may not have run.
  const name = '@tensorflow/tfjs-node';
  try {
    requirePackage(name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

/**
 * Makes `want` (or the best available) the active tfjs backend and returns its name.
 * `auto` prefers tensorflow (tfjs-node), then wasm, then cpu.
 */
export async function useBackend(want: GoldenBackend | 'auto' = 'auto'): Promise<GoldenBackend> {
  if (want === 'auto' && chosen) {
    await tf.setBackend(chosen);
    return chosen;
  }
  const order: GoldenBackend[] = want === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [want];
  const skipped: string[] = [];
  for (const b of order) {
    const ok = b === 'tensorflow' ? await tryNode() : await tf.setBackend(b).catch(() => false);
    if (!ok) {
      skipped.push(`${b} did not load`);
      continue;
    }
    await tf.ready();
    const wrong = knownAnswerFailure();
    if (wrong) {
      // A backend that gets the contract's corner cases wrong would make the golden disagree with the hardware.
      process.stderr.write(`simrun: warning: tfjs backend ${b} fails the start-up known-answer check (${wrong}); ${want === 'auto' ? 'trying the next one' : 'its results will not follow the contract'}\n`);
      if (want === 'auto') {
        skipped.push(`${b} failed ${wrong}`);
        continue;
      }
    }
    if (want === 'auto') chosen = b;
    why = want === 'auto' ? `the first to load and pass the known-answer check${skipped.length ? ` (${skipped.join('; ')})` : ''}` : 'asked for';
    return b;
  }
  throw new SimrunError('INTERNAL', `tfjs backend '${want}' is not available on this machine; choose another (auto picks the first that loads) or reinstall with npm ci`);
}
