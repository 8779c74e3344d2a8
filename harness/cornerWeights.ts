// Corner weights for a campaign's survivors: the design's weights with two adjacent layers (N − 1 and N) rewritten so
// that layer N's multipliers and adders meet the corners of the arithmetic — products that overflow to infinity or
// fall below the smallest normal, sums that cancel, align by more than the significand, add signed zeros — and its
// inputs are big, tiny, zero, infinite or NaN. Layer N − 1 sets those inputs through its biases (its themed channels
// have zero weights, so each outputs its bias exactly): finite corners in most runs, so that one channel's overflow does
// not swamp the others, and one run each where an input channel is +Inf or NaN. For layer 1 the frames' pixels carry
// the corners instead. Weight codes stay inside the contract (normal or zero bfloat18).
import type { NetworkSpec } from '../core/spec.js';
import type { HwLayerWeights } from '../core/weights/types.js';

/** What a themed output channel's weights and bias do. */
export const THEMES = ['huge', 'tiny', 'zero', 'spread', 'normal'] as const;
export type Theme = (typeof THEMES)[number];

function prng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** A bfloat18 code: sign, biased exponent 1..254 (0 with mantissa 0 for a signed zero), 9-bit mantissa. */
function code(sign: number, exp: number, mant: number): number {
  return ((sign & 1) << 17) | ((exp & 0xff) << 9) | (mant & 0x1ff);
}

/** A binary32 value with the given sign, biased exponent (1..254) and a random mantissa. */
function f32(sign: number, exp: number, r: () => number): number {
  const b = new Uint32Array([((sign & 1) << 31) | (exp << 23) | Math.floor(r() * 0x800000)]);
  return new Float32Array(b.buffer)[0]!;
}

/** The theme of output channel `co` in corner run `run` (runs cover every theme at least once per channel count). */
export function themeOf(co: number, run: number, outC: number): Theme {
  return THEMES[(co + run * outC) % THEMES.length]!;
}

/** Runs of finite corners needed so that every theme is some channel's theme in a layer of `outC` channels. */
function themeRuns(outC: number): number {
  return Math.ceil(THEMES.length / Math.max(1, outC));
}

/** Corner runs aimed at layer `layer`: the theme rotations, then (from layer 2 on) an infinite input and a NaN input. */
export function cornerRuns(net: NetworkSpec, layer: number): number {
  return themeRuns(net.layers[layer - 1]!.outC) + (layer > 1 ? 2 : 0);
}

/** The values layer N − 1's themed channels output (its bias, weights zero) in a finite run: big, tiny, zero, normal. */
function inputBias(co: number, run: number, r: () => number): number | null {
  switch ((co + run) % 4) {
    case 0: return f32(0, 200 + Math.floor(r() * 40), r);   // 2^73..2^112: big, finite
    case 1: return f32(0, 1 + Math.floor(r() * 12), r);     // 2^-126..2^-115: tiny
    case 2: return 0;
    default: return null;                                    // keeps its own weights: a normal activation
  }
}

/** Layer N − 1 with its channels set to output corner values: `mode` finite (by channel), or channel 0 at +Inf or NaN. */
function inputs(w: HwLayerWeights, outC: number, run: number, mode: 'finite' | 'inf' | 'nan', r: () => number): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const bias = Float32Array.from(w.bias);
  const taps = codes.length / outC;
  for (let co = 0; co < outC; co++) {
    const b = mode === 'finite' ? inputBias(co, run, r) : co === 0 ? (mode === 'inf' ? Infinity : NaN) : null;
    if (b === null) continue;
    for (let t = 0; t < taps; t++) codes[t * outC + co] = 0;
    bias[co] = b;
  }
  return { ...w, codes, bias };
}

/** Rewrites one layer's weights and biases by theme; `taps` taps per channel, codes laid out [tap][channel]. */
function themed(w: HwLayerWeights, outC: number, run: number, r: () => number): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const bias = Float32Array.from(w.bias);
  const taps = codes.length / outC;
  for (let co = 0; co < outC; co++) {
    const theme = themeOf(co, run, outC);
    if (theme === 'normal') continue;
    for (let t = 0; t < taps; t++) {
      const s = r() < 0.5 ? 1 : 0;
      const i = t * outC + co;
      const m = Math.floor(r() * 512);
      // huge: 2^33..2^127 (with big inputs, products overflow; sums of many do sooner); tiny: 2^-126..2^-87
      // (products land near and below the smallest normal); spread: any exponent.
      if (theme === 'huge') codes[i] = code(s, 160 + Math.floor(r() * 95), m);
      else if (theme === 'tiny') codes[i] = code(s, 1 + Math.floor(r() * 40), m);
      else if (theme === 'zero') codes[i] = code(s, 0, 0);
      else codes[i] = code(s, 1 + Math.floor(r() * 254), m);
    }
    const bs = r() < 0.5 ? 1 : 0;
    bias[co] = theme === 'huge' ? f32(1, 254, r) : theme === 'tiny' ? 0 : theme === 'zero' ? -0 : f32(bs, 1 + Math.floor(r() * 254), r);
  }
  return { ...w, codes, bias };
}

/**
 * The weights of corner run `run` (0 .. cornerRuns − 1) aimed at layer `layer` (1-based): that layer's channels themed
 * (see THEMES) in the finite runs, the layer before it setting the inputs; the other layers as given.
 */
export function cornerWeights(net: NetworkSpec, weights: readonly HwLayerWeights[], layer: number, run: number, seed: number): HwLayerWeights[] {
  const r = prng(seed * 131 + layer * 7 + run);
  const finite = themeRuns(net.layers[layer - 1]!.outC);
  const mode = run < finite ? 'finite' : run === finite ? 'inf' : 'nan';
  return weights.map((w, i) => {
    if (i === layer - 1 && mode === 'finite') return themed(w, net.layers[i]!.outC, run, r);
    if (i === layer - 2) return inputs(w, net.layers[i]!.outC, run, mode, r);
    return w;
  });
}

/**
 * Pixel values of corner frames for layer 1: random, with zeros, subnormals, tiny and huge values sprinkled (8%), and
 * infinities and NaN more rarely (0.5%, so most windows stay finite).
 */
export function cornerFrames(n: number, size: number, seed: number): Float32Array[] {
  const r = prng(seed + 17);
  const finite = [0, -0, 1e-40, -1e-40, 3e38, -3e38, 1.2e-38, -1.2e-38, 2 ** -126, 2 ** 127, 2 ** -100, 2 ** 100];
  const special = [Infinity, -Infinity, NaN];
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => {
    const u = r();
    if (u < 0.005) return special[Math.floor(r() * special.length)]!;
    if (u < 0.085) return finite[Math.floor(r() * finite.length)]!;
    return Math.fround((r() * 2 - 1) * 2.6);
  }));
}
