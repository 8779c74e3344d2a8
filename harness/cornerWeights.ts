// Corner weights for a campaign's survivors: the design's weights with two adjacent layers (N − 1 and N) rewritten so
// that layer N's multipliers and adders meet the corners of the arithmetic — products that overflow to infinity or
// fall below the smallest normal, sums that cancel, align by more than the significand, add signed zeros — and its
// inputs are big, tiny, zero, infinite or NaN. Layer N − 1 sets those inputs through its biases (its themed channels
// have zero weights, so each outputs its bias exactly): finite corners in most runs, so that one channel's overflow does
// not swamp the others, and one run each where an input channel is +Inf or NaN. For layer 1 the frames' pixels carry
// the corners instead. Two directed runs follow: 'boundary' (every product's exact value lies just below the smallest
// normal and must round up to it: inputs (1 + 2^-10 + 2^-20)·2^-1, weights (2 − 2^-9)·2^-126, exact product
// (1 − 2^-30)·2^-126), 'overflow' (finite products of 1.125·2^127 whose sums overflow in the adder, not the
// multiplier) and 'cancel' (inputs and weights 1, so an inside output's sum is its tap count T, and biases
// −T·(1 − 2^-k), k = 1..23 by channel, or −T: the bias adder cancels by k bits, or to +0). Biases take both signs across runs, and a magnitude near the sums', so the bias adder meets carries and
// cancellation too. Weight codes stay inside the contract (normal or zero bfloat18).
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

/** What a corner run does: theme rotations of finite corners, the two directed runs, an infinite or a NaN input. */
export type CornerRunKind = 'finite' | 'boundary' | 'overflow' | 'cancel' | 'inf' | 'nan';
type DirectedKind = 'boundary' | 'overflow' | 'cancel';

/** Corner runs aimed at layer `layer`: the theme rotations, the directed runs, then (from layer 2 on) +Inf and NaN inputs. */
export function cornerRuns(net: NetworkSpec, layer: number): number {
  return themeRuns(net.layers[layer - 1]!.outC) + 3 + (layer > 1 ? 2 : 0);
}

/** The kind of corner run `run` aimed at `layer`. */
export function cornerRunKind(net: NetworkSpec, layer: number, run: number): CornerRunKind {
  const finite = themeRuns(net.layers[layer - 1]!.outC);
  if (run < finite) return 'finite';
  return (['boundary', 'overflow', 'cancel', 'inf', 'nan'] as const)[run - finite]!;
}

/** The input value and weight code of a directed run (see the header): every product x·w meets that corner. */
export const DIRECTED: Readonly<Record<DirectedKind, { readonly x: number; readonly w: number }>> = {
  boundary: { x: (1 + 2 ** -10 + 2 ** -20) * 2 ** -1, w: (1 << 9) | 0x1ff },
  overflow: { x: 1.5, w: (253 << 9) | 0x100 },
  cancel: { x: 1, w: 127 << 9 },
};

const isDirected = (k: CornerRunKind): k is DirectedKind => k === 'boundary' || k === 'overflow' || k === 'cancel';

/** The values layer N − 1's themed channels output (its bias, weights zero) in a finite run: big, tiny, zero, normal. */
function inputBias(co: number, run: number, r: () => number): number | null {
  switch ((co + run) % 4) {
    case 0: return f32(0, 200 + Math.floor(r() * 40), r);   // 2^73..2^112: big, finite
    case 1: return f32(0, 1 + Math.floor(r() * 12), r);     // 2^-126..2^-115: tiny
    case 2: return 0;
    default: return null;                                    // keeps its own weights: a normal activation
  }
}

/** Layer N − 1 with its channels set to output corner values: finite (by channel), all the directed run's input, or channel 0 at +Inf or NaN. */
function inputs(w: HwLayerWeights, outC: number, run: number, mode: CornerRunKind, r: () => number): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const bias = Float32Array.from(w.bias);
  const taps = codes.length / outC;
  for (let co = 0; co < outC; co++) {
    const b = mode === 'finite' ? inputBias(co, run, r)
      : isDirected(mode) ? DIRECTED[mode].x
        : co === 0 ? (mode === 'inf' ? Infinity : NaN) : null;
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
    // Both bias signs across runs: with one sign only, a bias adder whose sign logic is wrong can hide under ReLU.
    const bs = (co + run) & 1;
    bias[co] = theme === 'huge' ? f32(bs, 254, r) : theme === 'tiny' ? (bs ? -0 : 0) : theme === 'zero' ? (bs ? 0 : -0) : f32(r() < 0.5 ? 1 : 0, 1 + Math.floor(r() * 254), r);
  }
  // 'normal' channels keep their weights; their bias is set near the size of their sums (2^-3..2^1), alternating in
  // sign, so the bias adder sees carries, cancellation and both orders of magnitude (a zero bias would bypass it).
  for (let co = 0; co < outC; co++) if (themeOf(co, run, outC) === 'normal') bias[co] = f32((co + run + 1) & 1, 124 + Math.floor(r() * 5), r);
  return { ...w, codes, bias };
}

/**
 * Layer N in a directed run: every weight the run's code (positive); every bias +0 (so each sum shows each product),
 * or for 'cancel' the negated tap count less 2^-k of it (channel 0: exactly −T).
 */
function directed(w: HwLayerWeights, outC: number, kind: DirectedKind): HwLayerWeights {
  const taps = w.codes.length / outC;
  const bias = Float32Array.from({ length: w.bias.length }, (_, co) => kind === 'cancel' ? -taps * (1 - (co % 24 === 0 ? 0 : 2 ** -(co % 24))) : 0);
  return { ...w, codes: new Uint32Array(w.codes.length).fill(DIRECTED[kind].w), bias };
}

/**
 * The weights of corner run `run` (0 .. cornerRuns − 1) aimed at layer `layer` (1-based): that layer's channels themed
 * (see THEMES) in the finite runs, the layer before it setting the inputs; the other layers as given.
 */
export function cornerWeights(net: NetworkSpec, weights: readonly HwLayerWeights[], layer: number, run: number, seed: number): HwLayerWeights[] {
  const r = prng(seed * 131 + layer * 7 + run);
  const mode = cornerRunKind(net, layer, run);
  return weights.map((w, i) => {
    if (i === layer - 1 && mode === 'finite') return themed(w, net.layers[i]!.outC, run, r);
    if (i === layer - 1 && isDirected(mode)) return directed(w, net.layers[i]!.outC, mode);
    if (i === layer - 2) return inputs(w, net.layers[i]!.outC, run, mode, r);
    return w;
  });
}

/**
 * Pixel values of corner frames for layer 1: random, with zeros, subnormals, tiny and huge values sprinkled (8%), and
 * infinities and NaN more rarely (0.5%, so most windows stay finite).
 */
export function cornerFrames(n: number, size: number, seed: number, kind: CornerRunKind = 'finite'): Float32Array[] {
  // The directed runs give layer 1 the run's input value at every pixel.
  if (isDirected(kind)) return Array.from({ length: n }, () => new Float32Array(size).fill(DIRECTED[kind].x));
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
