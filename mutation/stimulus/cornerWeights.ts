// Corner weights for a campaign's survivors: the design's weights with two adjacent layers (N − 1 and N) rewritten so
// that layer N's multipliers and adders meet the corners of the arithmetic. Layer N − 1 sets layer N's inputs, one
// role per channel, through its biases (a role's channel has zero weights, so it outputs its bias exactly): big, tiny,
// zero, a normal activation, or the input of a directed theme. Each of layer N's output channels takes a theme:
//   huge / tiny / zero / spread: weights that make products overflow, land near and below the smallest normal, be
//     signed zeros, or align by any amount; normal: its own weights with a bias near its sums' size;
//   boundary: inputs (1 + 2^-10 + 2^-20)·2^-1 times weights (2 − 2^-9)·2^-126, an exact product (1 − 2^-30)·2^-126 just
//     below the smallest normal that must round up to it;
//   overflow: inputs 1.5 times weights 1.5·2^126, finite products whose sums overflow in the adder;
//   cancel: inputs and weights 1, so an inside output sums to its tap count T, and a bias −T·(1 − 2^-k) or −T: the bias
//     adder cancels by k bits, or to +0.
// A directed theme reads only the input channels that carry its input (its other weights are 0). Runs rotate themes
// and roles so every theme and role occurs; three more runs give an input channel +Inf (even output channels read it
// with positive weights only, so their sums stay +Inf; odd ones with both signs, so Inf − Inf makes NaN), or NaN, or
// +Inf on the first channel and NaN on the last (a +Inf running sum then meets a NaN product).
// A ladder run (layers after the first) gives every input exactly 1 and, per exponent e, adds x = ±2^e·(1 + 2^-j), then
// 0, then x again, then −2x to each output channel's running sum: together the channels put every exponent 254..1
// through 0 + p, x + 0, x·1, x + x (a normal-path sum of exponent e + 1) and an exact cancellation, where a zero, Inf or
// NaN test or an exponent path may be wrong at one value; the mantissa's one set bit j moves with e, so a test of a
// mantissa for zero meets every bit. Its last live tap then adds y = 2^b·(1 + 2^-j) and the bias is y one mantissa step
// up or down, b one of the bias exponents (every single-bit exponent first): the bias adder sees both operands nonzero
// at exponent b, swapped or not, where an exponent test stuck at one bit takes one of them for zero.
// For layer 1 the pixels are the inputs: random corners in the themed runs, and one run per directed theme with that
// theme's input everywhere. Biases take both signs across runs. Weight codes stay inside the contract (normal or zero
// bfloat18).
import { tapOrder } from '../../core/explain.js';
import type { NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { prng } from './prng.js';

/** What a themed output channel's weights and bias do. */
const THEMES = ['huge', 'tiny', 'zero', 'spread', 'normal', 'boundary', 'overflow', 'cancel'] as const;
export type Theme = (typeof THEMES)[number];
type DirectedKind = 'boundary' | 'overflow' | 'cancel';
/** What one of layer N − 1's channels outputs. */
type Role = 'big' | 'tiny' | 'zero' | 'normal' | DirectedKind;
const ROLES: readonly Role[] = ['big', 'tiny', 'zero', 'normal', 'boundary', 'overflow', 'cancel'];

/** What a corner run does: rotated themes with finite inputs, a directed theme's input at every pixel (layer 1), an infinite or NaN input (or both), or the exponent ladder. */
export type CornerRunKind = 'finite' | DirectedKind | 'inf' | 'nan' | 'infnan' | 'ladder';

/** The input value and weight code of each directed theme (see the header): every product x·w meets that corner. */
const DIRECTED: Readonly<Record<DirectedKind, { readonly x: number; readonly w: number }>> = {
  boundary: { x: (1 + 2 ** -10 + 2 ** -20) * 2 ** -1, w: (1 << 9) | 0x1ff },
  overflow: { x: 1.5, w: (253 << 9) | 0x100 },
  cancel: { x: 1, w: 127 << 9 },
};

const isDirected = (k: string): k is DirectedKind => k === 'boundary' || k === 'overflow' || k === 'cancel';


/** A bfloat18 code: sign, biased exponent 1..254 (0 with mantissa 0 for a signed zero), 9-bit mantissa. */
export function code(sign: number, exp: number, mant: number): number {
  return ((sign & 1) << 17) | ((exp & 0xff) << 9) | (mant & 0x1ff);
}

/** A binary32 value with the given sign, biased exponent (1..254) and a random mantissa. */
function f32(sign: number, exp: number, r: () => number): number {
  const b = new Uint32Array([((sign & 1) << 31) | (exp << 23) | Math.floor(r() * 0x800000)]);
  return new Float32Array(b.buffer)[0]!;
}

/** Themes used at `layer`: layer 1 has no layer before it to give a channel a directed input, so it runs them apart. */
function themesAt(layer: number): readonly Theme[] {
  return layer === 1 ? THEMES.slice(0, 5) : THEMES;
}

/** The theme of output channel `co` in themed run `run` of `layer`. */
function themeOf(layer: number, co: number, run: number, outC: number): Theme {
  const t = themesAt(layer);
  return t[(co + run * outC) % t.length]!;
}

/** Themed runs needed at `layer`: every theme on some channel, and every input role on some channel. */
function themeRuns(net: NetworkSpec, layer: number): number {
  const l = net.layers[layer - 1]!;
  const themes = Math.ceil(themesAt(layer).length / Math.max(1, l.outC));
  return layer === 1 ? themes : Math.max(themes, Math.ceil(ROLES.length / Math.max(1, l.inC)));
}

const DIRECTED_RUNS: readonly CornerRunKind[] = ['boundary', 'overflow', 'cancel'];
const SPECIAL_RUNS: readonly CornerRunKind[] = ['inf', 'nan', 'infnan', 'ladder'];

/** Corner runs aimed at `layer`: the themed runs, then the directed runs (layer 1) or +Inf, NaN, both, and the ladder. */
export function cornerRuns(net: NetworkSpec, layer: number): number {
  return themeRuns(net, layer) + (layer === 1 ? DIRECTED_RUNS : SPECIAL_RUNS).length;
}

/** The kind of corner run `run` aimed at `layer`. */
export function cornerRunKind(net: NetworkSpec, layer: number, run: number): CornerRunKind {
  const themed = themeRuns(net, layer);
  if (run < themed) return 'finite';
  return (layer === 1 ? DIRECTED_RUNS : SPECIAL_RUNS)[run - themed]!;
}

/**
 * The roles of layer N − 1's `inC` channels in themed run `run`: rotated, then each directed theme some output channel
 * has this run given an input channel, if none has it yet.
 */
function rolesOf(inC: number, run: number, needed: readonly DirectedKind[]): Role[] {
  const roles = Array.from({ length: inC }, (_, ci) => ROLES[(ci + run) % ROLES.length]!);
  const missing = needed.filter((d) => !roles.includes(d));
  missing.forEach((d, i) => {
    // Take a channel whose role no directed theme of this run needs.
    const free = roles.map((role, ci) => ({ role, ci })).filter((x) => !needed.includes(x.role as DirectedKind));
    if (free.length) roles[free[(run + i) % free.length]!.ci] = d;
  });
  return roles;
}

/** The bias that gives a channel of role `role` its value (null: a normal activation, its weights kept). */
function roleValue(role: Role, r: () => number): number | null {
  switch (role) {
    case 'big': return f32(0, 200 + Math.floor(r() * 40), r);   // 2^73..2^112: big, finite
    case 'tiny': return f32(0, 1 + Math.floor(r() * 12), r);    // 2^-126..2^-115
    case 'zero': return 0;
    case 'normal': return null;
    default: return DIRECTED[role].x;
  }
}

/**
 * Layer N − 1 with channels set to output constant values: a channel whose `value` is a number gets zero weights and
 * that bias, so every pixel of it is exactly the bias (null: the channel is kept as it is).
 */
export function inputs(w: HwLayerWeights, outC: number, value: (co: number) => number | null): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const bias = Float32Array.from(w.bias);
  const taps = codes.length / outC;
  for (let co = 0; co < outC; co++) {
    const b = value(co);
    if (b === null) continue;
    for (let t = 0; t < taps; t++) codes[t * outC + co] = 0;
    bias[co] = b;
  }
  return { ...w, codes, bias };
}

/**
 * Layer N's weights and biases by theme; codes laid out [tap][channel] with tap = (ky·K + kx)·Cin + ci. `roles` are
 * the input channels' roles (all `role` for layer 1's directed runs).
 */
function themed(w: HwLayerWeights, layer: number, outC: number, inC: number, run: number, roles: readonly Role[], r: () => number, only?: DirectedKind): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const bias = Float32Array.from(w.bias);
  const taps = codes.length / outC;
  for (let co = 0; co < outC; co++) {
    const theme: Theme = only ?? themeOf(layer, co, run, outC);
    // Both bias signs across runs: with one sign only, a bias adder whose sign logic is wrong can hide under ReLU.
    const bs = (co + run) & 1;
    if (theme === 'normal') {
      // Its own weights; a bias near the size of its sums (2^-3..2^1), so the bias adder sees carries and cancellation.
      bias[co] = f32(bs ^ 1, 124 + Math.floor(r() * 5), r);
      continue;
    }
    if (isDirected(theme)) {
      let reads = 0;
      for (let t = 0; t < taps; t++) {
        const hit = roles[t % inC] === theme;
        codes[t * outC + co] = hit ? DIRECTED[theme].w : 0;
        if (hit) reads++;
      }
      const k = (co * 7 + run) % 24;
      bias[co] = theme === 'cancel' ? Math.fround(-reads * (k === 0 ? 1 : 1 - 2 ** -k)) : 0;
      continue;
    }
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
    bias[co] = theme === 'huge' ? f32(bs, 254, r) : theme === 'tiny' ? (bs ? -0 : 0) : theme === 'zero' ? (bs ? 0 : -0) : f32(r() < 0.5 ? 1 : 0, 1 + Math.floor(r() * 254), r);
  }
  return { ...w, codes, bias };
}

/** Layer N with the taps that read input channel 0 made positive in even output channels (+Inf in, +Inf summed). */
function positiveOnChannel0(w: HwLayerWeights, outC: number, inC: number): HwLayerWeights {
  const codes = Uint32Array.from(w.codes);
  const taps = codes.length / outC;
  for (let t = 0; t < taps; t += inC) for (let co = 0; co < outC; co += 2) codes[t * outC + co]! &= ~(1 << 17);
  return { ...w, codes };
}

/**
 * Biased exponents for the bias adder, in the order channels take them: one bit set (a test for exponent 0 with a bit
 * stuck at 0 fails exactly there), then one bit clear (a test for 255 with a bit stuck at 1), then the rest.
 */
export const BIAS_EXPONENTS: readonly number[] = (() => {
  const first = [1, 2, 4, 8, 16, 32, 64, 128, 254, 253, 251, 247, 239, 223, 191, 127];
  const seen = new Set(first);
  return [...first, ...Array.from({ length: 254 }, (_, i) => 254 - i).filter((e) => !seen.has(e))];
})();

/** The ladder's mantissa at exponent e: one bit set, moving with e, so every bit is the only one at some exponent. */
const ladderMantissa = (e: number): number => 1 << (e % 9);

/**
 * The exponent ladder (inputs all exactly 1) on the `live` taps (in tap order; the others stay 0): the first loads +0;
 * then each exponent e takes four taps, x, 0, x and −2x with x = ±2^(e−127)·(1 + mantissa): the adder sees 0 + p and
 * x + 0 with an operand of exponent e, x + x in its normal path (exponent e + 1), then cancels to +0 exactly. Exponent 254, whose 2x would overflow, takes three taps, −x, 0, x.
 * Exponents descend from a start spaced by the steps a channel has, so the channels together cover every biased
 * exponent 254..1. The last live tap adds y = 2^(b−127)·(1 + mantissa), b = BIAS_EXPONENTS[channel], and the bias is y
 * one mantissa step up or down (ladderBias): the output at the pixel the live taps are for (every inside pixel) is
 * y + bias (+Inf for b = 254), and the bias adder meets two nonzero operands of exponent b. An adder
 * that takes an exponent-e operand for zero (or for Inf or NaN) leaves a wrong term behind, which stays to the output
 * (later steps cancel their own terms only).
 */
export function ladder(w: HwLayerWeights, outC: number, live: readonly number[] = Array.from({ length: w.codes.length / outC }, (_, t) => t)): HwLayerWeights {
  const codes = new Uint32Array(w.codes.length);
  const bias = new Float32Array(outC);
  // Live taps 1 .. n − 2 hold the steps; the last live tap is the bias adder's other operand. Other taps stay 0.
  const n = live.length;
  const steps = Math.floor((n - 2) / 4);
  const at = (k: number, co: number) => live[k]! * outC + co;
  for (let co = 0; co < outC && n >= 2; co++) {
    let e = 254 - ((co * steps) % 254);
    const sign = co & 1;   // both signs across channels
    for (let k = 1; e >= 1; e--) {
      const m = ladderMantissa(e);
      if (e === 254) {
        if (k + 2 > n - 2) break;
        codes[at(k, co)] = code(1, e, m);
        codes[at(k + 2, co)] = code(0, e, m);
        k += 3;
      } else {
        if (k + 3 > n - 2) break;
        codes[at(k, co)] = code(sign, e, m);
        codes[at(k + 2, co)] = code(sign, e, m);
        codes[at(k + 3, co)] = code(sign ^ 1, e + 1, m);
        k += 4;
      }
    }
    const b = BIAS_EXPONENTS[co % BIAS_EXPONENTS.length]!;
    codes[at(n - 1, co)] = code(0, b, ladderMantissa(b));
    bias[co] = ladderBias(b, co);
  }
  return { ...w, codes, bias };
}

/**
 * The ladder's bias on channel `co`: the last tap's value y = 2^(b−127)·(1 + m/512) with its mantissa one step up
 * (even channels) or down (odd), so the bias adder meets operands of one exponent that it must swap, or not.
 */
function ladderBias(b: number, co: number): number {
  return 2 ** (b - 127) * (1 + (ladderMantissa(b) + (co & 1 ? -1 : 1)) / 512);
}

/**
 * The taps (ky·K + kx)·Cin + ci that read an input, not padding, at output pixel (min(1, H − 1), min(1, W − 1)): every
 * tap where the layer has an inside pixel, fewer in a layer of one or two output rows or columns, whose outputs all
 * touch the padding.
 */
export function liveTaps(l: NetworkSpec['layers'][number]): number[] {
  const window = tapOrder(l.kernel, l.inC, l.stride, l.pad, Math.min(1, l.outH - 1), Math.min(1, l.outW - 1));
  return window.flatMap((t, i) => (t.iy >= 0 && t.iy < l.inH && t.ix >= 0 && t.ix < l.inW ? [i] : []));
}

/**
 * The weights of corner run `run` (0 .. cornerRuns − 1) aimed at layer `layer` (1-based): that layer's channels themed,
 * the layer before it setting the inputs; the other layers as given.
 */
export function cornerWeights(net: NetworkSpec, weights: readonly HwLayerWeights[], layer: number, run: number, seed: number): HwLayerWeights[] {
  const r = prng(seed * 131 + layer * 7 + run);
  const kind = cornerRunKind(net, layer, run);
  const l = net.layers[layer - 1]!;
  if (layer === 1) {
    const roles = new Array<Role>(l.inC).fill(isDirected(kind) ? kind : 'normal');
    return weights.map((w, i) => (i === 0 ? themed(w, 1, l.outC, l.inC, run, roles, r, isDirected(kind) ? kind : undefined) : w));
  }
  const prev = net.layers[layer - 2]!;
  if (kind === 'inf' || kind === 'nan' || kind === 'infnan') {
    // infnan: +Inf on channel 0 and NaN on the last, read later in each window (tap = (ky·K + kx)·Cin + ci).
    const special = (co: number) => (co === 0 ? (kind === 'nan' ? NaN : Infinity) : kind === 'infnan' && co === prev.outC - 1 ? NaN : null);
    return weights.map((w, i) => {
      if (i === layer - 2) return inputs(w, prev.outC, special);
      return i === layer - 1 && kind !== 'nan' ? positiveOnChannel0(w, l.outC, l.inC) : w;
    });
  }
  if (kind === 'ladder') {
    return weights.map((w, i) => (i === layer - 2 ? inputs(w, prev.outC, () => 1) : i === layer - 1 ? ladder(w, l.outC, liveTaps(l)) : w));
  }
  const needed = [...new Set(Array.from({ length: l.outC }, (_, co) => themeOf(layer, co, run, l.outC)).filter(isDirected))];
  const roles = rolesOf(l.inC, run, needed);
  return weights.map((w, i) => {
    if (i === layer - 1) return themed(w, layer, l.outC, l.inC, run, roles, r);
    if (i === layer - 2) return inputs(w, prev.outC, (co) => roleValue(roles[co]!, r));
    return w;
  });
}

/**
 * Pixel values of corner frames for layer 1: random, with zeros, subnormals, tiny and huge values sprinkled (8%), and
 * infinities and NaN more rarely (0.5%, so most windows stay finite); in a directed run, that theme's input everywhere.
 */
export function cornerFrames(n: number, size: number, seed: number, kind: CornerRunKind = 'finite'): Float32Array[] {
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
