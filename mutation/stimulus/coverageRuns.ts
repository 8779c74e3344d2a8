// Directed runs that fill contract-coverage holes: for each layer, experiments (one output channel's weights on a few
// taps and its bias, and the input values those taps read) found by a seeded search that keeps each experiment reaching
// a case not yet covered, then packed into runs. Two ways to set a layer's inputs: from pixels, through layers that
// pass them through (passThrough.ts; each experiment at its own output position, the taps at the window's centre), or,
// for a small layer with many input channels, from the biases of the layer before (its weights all −0, so each channel
// holds its bias everywhere; each experiment on its own input channels and output channel). Every run is measured
// afterwards with the model's coverage: what the runs did not reach is reported with its reason, never assumed. Weights stay inside the contract (normal or zero bfloat18,
// finite biases that are never subnormal) and pixels are finite and never subnormal.
import { CONTRACT_CASES, layerSites, siteTally, unreachableCases, type ContractCoverage, type SiteKind } from '../../core/coverage.js';
import type { LayerSpec, NetworkSpec } from '../../core/spec.js';
import type { HwLayerWeights } from '../../core/weights/types.js';
import { mergeCoverage } from '../../harness/coverage.js';
import { add, mul, relu } from '../../sim/arith.js';
import { classifyAdd, classifyMultiply, classifyRelu } from '../../sim/contractCases.js';
import { coverageAndOutputs } from '../../sim/coverage.js';
import { bf18Code, chainTo, NEGATIVE_ZERO, passThroughWeights, type Chain } from './passThrough.js';
import { prng } from './prng.js';
import { bitsOf, exponentOf, valueOf } from '../formal/f32bits.js';

/** One directed run: weights for every layer and one frame, aimed at layer `layer`. */
export interface CoverageRun {
  readonly layer: number;
  readonly weights: HwLayerWeights[];
  readonly frame: Float32Array;
}

/** A reachable case the runs did not reach, and why. */
export interface NotGenerated {
  readonly layer: number;
  readonly site: SiteKind;
  readonly case: string;
  readonly why: string;
}

/** The runs of a layer (or all layers) and what they left. */
export interface CoverageRuns {
  readonly runs: readonly CoverageRun[];
  /** Coverage of each target layer's sites, measured on its own runs. */
  readonly coverage: ContractCoverage | null;
  readonly notGenerated: readonly NotGenerated[];
}

/** An output channel's program: weights on the program taps and a bias. */
export interface Template {
  readonly w: readonly number[];
  readonly bias: number;
}

/** One experiment: a template, the gain of the chain's last layer, and the input value of each program cell. */
export interface Experiment {
  readonly template: number;
  readonly gain: 1 | 2;
  readonly xs: readonly number[];
}

/** Layer L's window as the experiments see it: which cell every tap reads, and the program taps' cells. */
export interface Window {
  /** Per tap in contract order: the program cell it reads (a program tap, or one that reads the same pixel), or −1. */
  readonly cellOf: Int32Array;
  /** Per tap: its index among the program taps, or −1. */
  readonly programIndex: Int32Array;
  /** Per program cell: its offset in the window and pixel channel. */
  readonly cells: readonly { readonly dy: number; readonly dx: number; readonly ch: number }[];
  /** Every (dy, dx, pixel channel) the window reads. */
  readonly reads: readonly { readonly dy: number; readonly dx: number; readonly ch: number }[];
}

export const MAX = 3.4028234663852886e38;
const MIN_NORMAL = 2 ** -126;
const f32 = valueOf;


/** How layer L's inputs are set: from pixels through a pass-through chain, or from the previous layer's biases. */
export type Source = { readonly kind: 'pixels'; readonly chain: Chain } | { readonly kind: 'bias'; readonly n: number; readonly slots: number };

/**
 * The program cells: from pixels, up to three taps at the window's centre (pad, pad) reading distinct pixel channels,
 * then its neighbours when the centre has fewer; from biases, the centre taps of input channels 0..n−1 (slot 0; slot i
 * uses channels i·n..). Every tap reading a program cell's value (the same pixel, or with an input `constant` per
 * channel — from biases, or a constant frame — the same channel anywhere in the window) points at it.
 */
export function windowOf(l: LayerSpec, source: Source, layer: number, constant = source.kind === 'bias'): Window {
  const taps = l.kernel * l.kernel * l.inC;
  const at = (t: number) => ({ ci: t % l.inC, kx: Math.floor(t / l.inC) % l.kernel, ky: Math.floor(t / (l.inC * l.kernel)) });
  const chOf = (ci: number) => (source.kind === 'bias' ? ci : layer === 1 ? ci : source.chain.channel(ci));
  const cells: { dy: number; dx: number; ch: number }[] = [];
  // A window offset some output position reads inside the input (a neighbour of the centre may lie in the padding everywhere).
  const inside = (d: number, outN: number, inN: number) => Array.from({ length: outN }, (_, r) => r * l.stride - l.pad + d).some((y) => y >= 0 && y < inN);
  const offsets = [[0, 0], [0, 1], [1, 0], [0, -1], [-1, 0]].map(([a, b]) => [l.pad + a!, l.pad + b!] as const)
    .filter(([y, x]) => y >= 0 && x >= 0 && y < l.kernel && x < l.kernel && inside(y, l.outH, l.inH) && inside(x, l.outW, l.inW));
  for (const [dy, dx] of constant ? [[l.pad, l.pad] as const] : offsets) {
    for (let ci = 0; ci < l.inC && cells.length < (source.kind === 'bias' ? source.n : 3); ci++) {
      const ch = chOf(ci);
      if (!cells.some((c) => c.dy === dy && c.dx === dx && c.ch === ch)) cells.push({ dy, dx, ch });
    }
  }
  // Program taps in contract order (ky, kx, ci), so the program cells are numbered in the order the sum meets them.
  cells.sort((a, b) => (a.dy - b.dy) || (a.dx - b.dx) || (a.ch - b.ch));
  const cellOf = new Int32Array(taps).fill(-1), programIndex = new Int32Array(taps).fill(-1);
  const reads = new Map<string, { dy: number; dx: number; ch: number }>();
  for (let t = 0; t < taps; t++) {
    const { ci, kx, ky } = at(t);
    const ch = chOf(ci);
    reads.set(`${ky},${kx},${ch}`, { dy: ky, dx: kx, ch });
    const exact = cells.findIndex((c) => c.dy === ky && c.dx === kx && c.ch === ch);
    if (exact >= 0 && !programIndex.includes(exact)) programIndex[t] = exact;
    cellOf[t] = exact >= 0 ? exact : constant ? cells.findIndex((c) => c.ch === ch) : -1;
  }
  return { cellOf, programIndex, cells, reads: [...reads.values()] };
}

/** The counters of one output's operations, per site the layer has. */
export type Counts = Partial<Record<SiteKind, Float64Array>>;

/** Classifies one output of the layer: every tap in order (program taps with their weights, the rest −0), bias, ReLU. */
export function evaluate(l: LayerSpec, win: Window, tpl: Template, xs: readonly number[], c: Counts): void {
  let acc = 0;
  for (let t = 0; t < win.cellOf.length; t++) {
    const x = win.cellOf[t]! >= 0 ? xs[win.cellOf[t]!]! : 0;
    const w = win.programIndex[t]! >= 0 ? tpl.w[win.programIndex[t]!]! : -0;
    classifyMultiply(x, w, c.multiply!);
    const p = mul(w, x);
    if (t === 0) acc = p;
    else {
      classifyAdd(acc, p, c.accumulate!);
      acc = add(acc, p);
    }
  }
  classifyAdd(acc, tpl.bias, c['bias-add']!);
  acc = add(acc, tpl.bias);
  if (c.relu) classifyRelu(acc, c.relu);
}

/** A structured random binary32: exponents around 1, near the smallest normal or near overflow; full, short or extreme significands. */
function randomValue(rnd: () => number): number {
  const r = rnd();
  const e = r < 0.55 ? Math.floor(rnd() * 49) - 24 : r < 0.7 ? -126 + Math.floor(rnd() * 16) : r < 0.85 ? 112 + Math.floor(rnd() * 16) : Math.floor(rnd() * 121) - 60;
  const m = rnd();
  const mant = m < 0.4 ? Math.floor(rnd() * 0x800000) : m < 0.6 ? Math.floor(rnd() * 8) << 20 : m < 0.75 ? 0 : m < 0.85 ? 0x7fffff : Math.floor(rnd() * 512) << 14;
  return (rnd() < 0.5 ? -1 : 1) * f32(((e + 127) << 23) | mant);
}

/** A value related to `v` the way rounding cases need: scaled by a power of two, a power of two at some distance, v ± a power of two, a tie or rounding step of v, the rest to the next binade. */
function related(v: number, rnd: () => number): number {
  if (v === 0 || !Number.isFinite(v)) return randomValue(rnd);
  const e = exponentOf(Math.fround(v));
  const k = Math.floor(rnd() * 28);
  const ulp = 2 ** (e - 23);
  const choice = Math.floor(rnd() * 9);
  const out = [
    v * 2 ** -Math.floor(rnd() * 41),
    Math.sign(v) * 2 ** (e - Math.floor(rnd() * 43) + 2),
    v - Math.sign(v) * 2 ** (e - k),
    v + Math.sign(v) * 2 ** (e - k),
    v,
    Math.sign(v) * 2 ** (e + 1) - v + Math.sign(v) * ulp * [0.5, 0.25, 0.75, -0.5][Math.floor(rnd() * 4)]!,
    Math.sign(v) * ulp * [0.5, 1.5, 0.25, 0.75, 1][Math.floor(rnd() * 5)]! * 2 ** -Math.floor(rnd() * 3),
    v * (1 + 2 ** -(1 + k)),
    flipMantissaBit(v, Math.floor(rnd() * 23)),
  ][choice]!;
  return rnd() < 0.5 ? -out : out;
}

/** `v` (a binary32 value) with bit `j` of its mantissa flipped: the same exponent, one bit apart. */
function flipMantissaBit(v: number, j: number): number {
  return valueOf(bitsOf(v) ^ (1 << j));
}

/** Proposes the program cells' values for a template: each product random or related to the sum so far (or to the bias). */
function propose(tpl: Template, n: number, gain: 1 | 2, rnd: () => number): number[] {
  const live = tpl.w.flatMap((w, i) => (w !== 0 ? [i] : []));
  if (rnd() < 0.25 && tpl.bias !== 0 && live.length) {
    // One product −bias ± 2^(e − k), the others zero: the bias add cancels by about k bits (or crosses the binade); or
    // −bias one mantissa bit apart from it.
    const p = rnd() < 0.4 ? -flipMantissaBit(tpl.bias, Math.floor(rnd() * 23)) : -tpl.bias + (rnd() < 0.5 ? -1 : 1) * 2 ** (exponentOf(tpl.bias) - Math.floor(rnd() * 26));
    // A weight of p's sign where there is one, so the input stays non-negative (past a ReLU it must).
    const same = live.filter((i) => Math.sign(tpl.w[i]!) === Math.sign(p));
    const j = (same.length ? same : live)[Math.floor(rnd() * (same.length || live.length))]!;
    return Array.from({ length: n }, (_, i) => (i === j ? Math.fround(p / tpl.w[i]!) : 0));
  }
  const xs: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = tpl.w[i]!;
    const r = rnd();
    let x: number;
    if (gain === 2 && r < 0.15) x = Infinity;
    else if (r < 0.22) x = 0;
    else if (r < 0.3) x = rnd() < 0.5 ? MAX : -MAX; // a product that overflows when |w| > 1
    else {
      // The product to aim for: random, related to the running sum, or related to what makes the sum meet the bias.
      // (A product that cancels the sum but for one mantissa bit is asked for often: 46 cases need one each.)
      const aim = i > 0 && r < 0.42 && sum !== 0 && Number.isFinite(sum) ? -flipMantissaBit(sum, Math.floor(rnd() * 23))
        : i > 0 && r < 0.7 ? related(sum, rnd) : r < 0.85 && tpl.bias !== 0 ? related(-tpl.bias - sum, rnd) : randomValue(rnd);
      x = w === 0 ? randomValue(rnd) : Math.fround(aim / w);
    }
    xs.push(x);
    sum = i === 0 ? mul(w, x) : add(sum, mul(w, x));
  }
  return xs;
}

/** A value the source can put at the layer's input: finite (or +Inf through gain 2), zero or normal, never negative past a ReLU. */
export function realizable(x: number, net: NetworkSpec, layer: number, source: Source, gain: 1 | 2): boolean {
  if (Number.isNaN(x)) return false;
  if (x === Infinity) return gain === 2;
  if (!Number.isFinite(x)) return false;
  const nonNegative = source.kind === 'pixels' ? source.chain.nonNegative : net.layers[layer - 2]!.relu;
  // A pass-through turns −0 into +0; a bias of −0 survives only where no ReLU follows.
  if (layer > 1 && Object.is(x, -0) && (source.kind === 'pixels' || nonNegative)) return false;
  if (x < 0 && nonNegative) return false;
  if (x === 0) return true;
  return Math.abs(x) / gain >= MIN_NORMAL && Math.abs(x) <= MAX;
}

const W_VALUES = [1, 2, 1.5, 1.25, 2 - 2 ** -9, 2 ** -126, 2 ** -63, 2 ** 63, 0.75, 0];
const B_VALUES = [0, -0, 1, 1.5, -1.5, -f32(0x3f7fffff), 2 ** -126, -(2 ** -126), MAX, -MAX, 2 ** -100, 2 ** 100, Math.fround(0.1)];

/** The layer's templates: the first few fixed (plain sums, signs, the boundary, a large bias), the rest drawn. */
export function templates(count: number, n: number, rnd: () => number): Template[] {
  const fixed: Template[] = [
    { w: [1, 1, 1], bias: 0 }, { w: [1, -1, 1], bias: 1.5 }, { w: [-1, 1, -1], bias: -f32(0x3f7fffff) }, { w: [2, -2, 1], bias: -(2 ** -126) },
    { w: [1.5, 1.25, -1], bias: MAX }, { w: [-0, -1, 1], bias: -0 }, { w: [2 ** -126, 1, -1], bias: 2 ** -126 }, { w: [-1, -1, -1], bias: -0 },
    { w: [2, 2, -2], bias: 1 }, { w: [1, 0, -1], bias: -1.5 },
  ];
  const out = fixed.map((t) => ({ w: t.w.slice(0, n), bias: t.bias }));
  while (out.length < count) {
    const w = Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1) * W_VALUES[Math.floor(rnd() * W_VALUES.length)]!);
    out.push({ w, bias: B_VALUES[Math.floor(rnd() * B_VALUES.length)]! });
  }
  return out.slice(0, count);
}

/** The uncovered reachable cases of layer `l` given `seen` (case indices per site). */
export function holesOf(net: NetworkSpec, l: LayerSpec, seen: ContractCoverage | null): Map<SiteKind, Set<number>> {
  const holes = new Map<SiteKind, Set<number>>();
  for (const site of layerSites(l)) {
    const u = unreachableCases(net, l.index, site);
    const counts = seen?.sites.find((s) => s.layer === l.index && s.site === site)?.counts;
    holes.set(site, new Set(CONTRACT_CASES[site].flatMap((c, i) => (c.id in u || (counts?.[i] ?? 0) > 0 ? [] : [i]))));
  }
  return holes;
}

/** The accumulate cases 'bit j only, |a|>|b|' / '… |a|<|b|', by case index: j and whether the running sum is the larger. */
const ONE_BIT_CASES = new Map(CONTRACT_CASES.accumulate.flatMap((c, k) => {
  const m = /^bit (\d+) only, \|a\|([<>])\|b\|$/.exec(c.id);
  return m ? [[k, { bit: Number(m[1]), sumLarger: m[2] === '>' }] as const] : [];
}));

/**
 * Values for a template's first two live program taps (the rest 0) so that the second product is minus the running
 * sum with mantissa bit `bit` flipped: the accumulate adds two numbers of equal exponent and opposite sign one bit apart.
 * Null when the template has fewer than two live taps.
 */
function proposeOneBitApart(tpl: Template, n: number, want: { bit: number; sumLarger: boolean }, rnd: () => number): number[] | null {
  const live = tpl.w.flatMap((w, i) => (w !== 0 ? [i] : []));
  if (live.length < 2) return null;
  const [i0, i1] = [live[0]!, live[1]!];
  // The first product: random, of the weight's sign (so its input is non-negative), with bit `bit` set when the sum is
  // to be the larger (flipping it then makes the product's magnitude smaller).
  const raw = bitsOf(Math.abs(randomValue(rnd)) * Math.sign(tpl.w[i0]!));
  const a = valueOf(want.sumLarger ? raw | (1 << want.bit) : raw & ~(1 << want.bit));
  return Array.from({ length: n }, (_, i) => (i === i0 ? Math.fround(a / tpl.w[i0]!) : i === i1 ? Math.fround(-flipMantissaBit(a, want.bit) / tpl.w[i1]!) : 0));
}

/** The accumulate cases 'cancel k' (k ≥ 1), by case index: k, the bits the sum loses. */
const CANCEL_CASES = new Map(CONTRACT_CASES.accumulate.flatMap((c, i) => {
  const m = /^cancel (\d+)$/.exec(c.id);
  return m && Number(m[1]) >= 1 ? [[i, Number(m[1])] as const] : [];
}));

/**
 * Values for two live program taps of a template whose weights are powers of two of opposite signs (the rest 0): the
 * first product ±2^E, the second ∓(2^E − 2^(E−k)), both exact, so the accumulate's exact sum is ±2^(E−k) — a
 * cancellation of k bits, which for k = 24 no other pair of 24-bit significands gives. Both inputs are positive (a
 * layer past a ReLU takes no negative input). Null when the template has no such pair.
 */
function proposeCancel(tpl: Template, n: number, k: number, rnd: () => number): number[] | null {
  const pow2 = (w: number) => w !== 0 && Number.isFinite(w) && Math.log2(Math.abs(w)) % 1 === 0;
  const live = tpl.w.flatMap((w, i) => (pow2(w) ? [i] : []));
  const pairs = live.flatMap((i0) => live.filter((i1) => i1 > i0 && Math.sign(tpl.w[i1]!) !== Math.sign(tpl.w[i0]!)).map((i1) => [i0, i1] as const));
  if (!pairs.length) return null;
  const [i0, i1] = pairs[Math.floor(rnd() * pairs.length)]!;
  // An exponent well inside the normal range, whatever the weights' own (2^±63, 2^-126) make of it.
  const E = Math.floor(rnd() * 61) - 30;
  const big = 2 ** E, near = 2 ** E - 2 ** (E - k);
  return Array.from({ length: n }, (_, i) => (i === i0 ? big / Math.abs(tpl.w[i0]!) : i === i1 ? near / Math.abs(tpl.w[i1]!) : 0));
}

/** Searches experiments for layer `l` until every hole is reached or `proposals` are spent. */
export function searchExperiments(net: NetworkSpec, l: LayerSpec, source: Source, win: Window, tpls: readonly Template[], holes: Map<SiteKind, Set<number>>, proposals: number, rnd: () => number): Experiment[] {
  const found: Experiment[] = [];
  const counts: Counts = Object.fromEntries(layerSites(l).map((s) => [s, new Float64Array(CONTRACT_CASES[s].length)]));
  const left = () => [...holes.values()].reduce((a, s) => a + s.size, 0);
  for (let i = 0; i < proposals && left() > 0; i++) {
    const gain: 1 | 2 = l.index > 1 && source.kind === 'pixels' && rnd() < 0.2 ? 2 : 1;
    const template = Math.floor(rnd() * tpls.length);
    // Accumulate cases of mantissas one bit apart are 46 narrow targets: half the time, aim at one still open.
    const oneBit = [...(holes.get('accumulate') ?? [])].flatMap((k) => ONE_BIT_CASES.get(k) ?? []);
    // So are its deep cancellations (a power of two less one just below it, for 24 bits): a quarter of the rest aims at one.
    const cancel = [...(holes.get('accumulate') ?? [])].flatMap((k) => CANCEL_CASES.get(k) ?? []);
    const xs = (oneBit.length && rnd() < 0.5 && proposeOneBitApart(tpls[template]!, win.cells.length, oneBit[Math.floor(rnd() * oneBit.length)]!, rnd))
      || (cancel.length && rnd() < 0.25 && proposeCancel(tpls[template]!, win.cells.length, cancel[Math.floor(rnd() * cancel.length)]!, rnd))
      || propose(tpls[template]!, win.cells.length, gain, rnd);
    if (!xs.every((x) => realizable(x, net, l.index, source, gain))) continue;
    for (const c of Object.values(counts)) c.fill(0);
    evaluate(l, win, tpls[template]!, xs, counts);
    let hit = false;
    for (const [site, set] of holes) for (const k of [...set]) if (counts[site]![k]! > 0) { set.delete(k); hit = true; }
    if (hit) found.push({ template, gain, xs });
  }
  return found;
}

/** Places experiments at output positions of layer `l` whose program cells lie inside its input, so that no one reads another's hazardous cell (negative or Inf). */
function place(l: LayerSpec, win: Window, experiments: readonly Experiment[]): { at: [number, number]; e: Experiment }[][] {
  const runs: { at: [number, number]; e: Experiment }[][] = [];
  let pending = [...experiments];
  while (pending.length) {
    const programCells = new Set<string>(), hazards = new Set<string>(), windows = new Set<string>();
    const run: { at: [number, number]; e: Experiment }[] = [];
    const rest: Experiment[] = [];
    let r = 0, c = 0;
    for (const e of pending) {
      let placed = false;
      for (; r < l.outH && !placed; c = c + 1 < l.outW ? c + 1 : (r++, 0)) {
        const y0 = r * l.stride - l.pad, x0 = c * l.stride - l.pad;
        const cell = (d: { dy: number; dx: number; ch: number }) => `${y0 + d.dy},${x0 + d.dx},${d.ch}`;
        if (!win.cells.every((d) => y0 + d.dy >= 0 && y0 + d.dy < l.inH && x0 + d.dx >= 0 && x0 + d.dx < l.inW)) continue;
        const mine = win.cells.map(cell), mineHazard = win.cells.filter((_, i) => e.xs[i]! < 0 || e.xs[i] === Infinity).map(cell);
        const reads = win.reads.map(cell);
        // Cells are one experiment's own; a negative or infinite value times another's −0 weight would change its sum.
        if (mine.some((k) => programCells.has(k)) || reads.some((k) => hazards.has(k)) || mineHazard.some((k) => windows.has(k))) continue;
        mine.forEach((k) => programCells.add(k));
        mineHazard.forEach((k) => hazards.add(k));
        reads.forEach((k) => windows.add(k));
        run.push({ at: [r, c], e });
        placed = true;
      }
      if (!placed) rest.push(e);
    }
    if (run.length === 0) break;
    runs.push(run);
    pending = rest;
  }
  return runs;
}

/** Layer `l`'s weights with each template on its output channel: template `tid` of slot `co` on the program taps (shifted by `channelShift`·slot input channels). */
export function layerWeights(l: LayerSpec, win: Window, tpls: readonly Template[], group: readonly number[], channelShift: number): HwLayerWeights {
  const codes = new Uint32Array(l.kernel * l.kernel * l.inC * l.outC).fill(NEGATIVE_ZERO);
  const bias = new Float32Array(l.outC);
  group.forEach((tid, co) => {
    const tpl = tpls[tid]!;
    for (let t = 0; t < win.programIndex.length; t++) {
      if (win.programIndex[t]! >= 0) codes[(t + co * channelShift) * l.outC + co] = bf18Code(tpl.w[win.programIndex[t]!]!);
    }
    bias[co] = tpl.bias;
  });
  return { codes, bias };
}

/** The runs that carry layer `l`'s experiments: pixels placed at positions, or values in the previous layer's biases. */
function buildRuns(net: NetworkSpec, base: readonly HwLayerWeights[], l: LayerSpec, source: Source, win: Window, tpls: readonly Template[], experiments: readonly Experiment[]): CoverageRun[] {
  const runs: CoverageRun[] = [];
  const { height: H, width: W } = net.input;
  const chainWeights = (gain: 1 | 2) => {
    const weights = base.map((w) => w);
    for (const j of net.layers.slice(0, l.index - 1)) weights[j.index - 1] = passThroughWeights(j, j.index === l.index - 1 ? gain : 1);
    return weights;
  };
  if (source.kind === 'bias') {
    // Each experiment a slot: its own input channels (the previous layer's biases) and output channel; pixels all +0.
    for (let k = 0; k < experiments.length; k += source.slots) {
      const slot = experiments.slice(k, k + source.slots);
      const weights = chainWeights(1);
      const prev = net.layers[l.index - 2]!;
      const values = new Float32Array(prev.outC);
      slot.forEach((e, i) => e.xs.forEach((x, c) => { values[i * source.n + c] = x; }));
      weights[l.index - 2] = { codes: new Uint32Array(prev.kernel * prev.kernel * prev.inC * prev.outC).fill(NEGATIVE_ZERO), bias: values };
      weights[l.index - 1] = layerWeights(l, win, tpls, slot.map((e) => e.template), source.n);
      runs.push({ layer: l.index, weights, frame: new Float32Array(H * W * 3) });
    }
    return runs;
  }
  for (const gain of [1, 2] as const) {
    const mine = experiments.filter((e) => e.gain === gain);
    const used = [...new Set(mine.map((e) => e.template))];
    for (let g = 0; g < used.length; g += l.outC) {
      const group = used.slice(g, g + l.outC);
      for (const placed of place(l, win, mine.filter((e) => group.includes(e.template)))) {
        const weights = chainWeights(gain);
        // Every output channel carries a template, the group repeated: an experiment then reaches the same cases on
        // several channels, so in a design that computes channels on parallel ALUs (lanes) it meets more than one.
        weights[l.index - 1] = layerWeights(l, win, tpls, Array.from({ length: l.outC }, (_, co) => group[co % group.length]!), 0);
        const frame = new Float32Array(H * W * 3);
        for (const { at: [r, c], e } of placed) {
          win.cells.forEach((d, i) => {
            const y = (r * l.stride - l.pad + d.dy) * source.chain.scale, x = (c * l.stride - l.pad + d.dx) * source.chain.scale;
            const v = e.xs[i]!;
            frame[(y * W + x) * 3 + d.ch] = l.index === 1 ? v : v === Infinity ? MAX : v / gain;
          });
        }
        runs.push({ layer: l.index, weights, frame });
      }
    }
  }
  return runs;
}

/** Where layer `li`'s inputs come from: biases when that packs more experiments into a run than pixel positions do. */
function sourceFor(net: NetworkSpec, li: number): Source {
  const l = net.layers[li - 1]!;
  const chain = chainTo(net, li);
  if (li === 1) return { kind: 'pixels', chain };
  const n = Math.min(3, l.inC);
  const slots = Math.min(l.outC, Math.floor(l.inC / n));
  return slots > 1 && slots >= l.outH * l.outW ? { kind: 'bias', n, slots } : { kind: 'pixels', chain };
}

/**
 * Directed runs for `layers` (default: every layer) that reach the reachable cases `seen` (coverage already had) did
 * not. `proposals` bounds the search per layer. Uses `base` for layers after the target.
 */
export function coverageRuns(net: NetworkSpec, base: readonly HwLayerWeights[], seed: number, opts: { readonly layers?: readonly number[]; readonly seen?: ContractCoverage | null; readonly proposals?: number } = {}): CoverageRuns {
  const runs: CoverageRun[] = [];
  const notGenerated: NotGenerated[] = [];
  const measured: ContractCoverage[] = [];
  for (const li of opts.layers ?? net.layers.map((l) => l.index)) {
    const l = net.layers[li - 1]!;
    const holes = holesOf(net, l, opts.seen ?? null);
    const rnd = prng(seed * 7919 + li);
    const mine: CoverageRun[] = [];
    // Biases pack more experiments into a small layer's runs but cannot make an infinite input: what they leave is
    // tried from pixels (through gain 2) next.
    const pixels: Source = { kind: 'pixels', chain: chainTo(net, li) };
    const first = sourceFor(net, li);
    for (const source of first.kind === 'bias' ? [first, pixels] : [first]) {
      const win = windowOf(l, source, li);
      const tpls = templates(Math.max(l.outC, 12), win.cells.length, rnd);
      const experiments = searchExperiments(net, l, source, win, tpls, holes, opts.proposals ?? 20_000, rnd);
      mine.push(...buildRuns(net, base, l, source, win, tpls, experiments));
    }
    runs.push(...mine);
    // What the runs reached is measured, not assumed: the model's coverage of each run at this layer's sites.
    const got = mine.map((r) => coverageAndOutputs(net, r.weights, [r.frame], li).coverage);
    measured.push(...got);
    const parts = [...(opts.seen ? [opts.seen] : []), ...got];
    const left = parts.length
      ? mergeCoverage(parts).sites.filter((s) => s.layer === li).map((s) => ({ site: s.site, holes: siteTally(s).holes }))
      : [...holesOf(net, l, null)].map(([site, set]) => ({ site, holes: [...set].map((k) => CONTRACT_CASES[site][k]!.id) }));
    const why = `no run reached it: the search tried ${opts.proposals ?? 20_000} experiments from each source`;
    for (const s of left) for (const id of s.holes) notGenerated.push({ layer: li, site: s.site, case: id, why });
  }
  return { runs, coverage: measured.length ? mergeCoverage(measured) : null, notGenerated };
}
