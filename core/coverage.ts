// Contract coverage as data: the cases of the arithmetic contract each operation site can reach (like a covergroup's
// bins), which of them a network's structure makes unreachable and why, and counts that merge by addition. No arithmetic
// lives here: the model classifies operations (sim/coverage.ts); the harness renders and merges (harness/coverage.ts).
import { SimrunError } from './errors.js';
import type { LayerSpec, NetworkSpec } from './spec.js';

/** The four operation sites of every layer, in the contract's order. */
export const SITE_KINDS = ['multiply', 'accumulate', 'bias-add', 'relu'] as const;
/** One operation site of a layer: the product, the running sum, the bias add or the ReLU. */
export type SiteKind = (typeof SITE_KINDS)[number];

/** One case (bin) of a site: a stable id, the group it is shown under, and what it means. */
export interface ContractCase {
  readonly id: string;
  readonly group: string;
}

const group = (name: string, ids: readonly string[]): ContractCase[] => ids.map((id) => ({ id, group: name }));
/** Alignment distances 1..26 each, then ≥ 27 (beyond the significand and its guard bits). */
const DISTANCES = [...Array.from({ length: 26 }, (_, i) => `distance ${i + 1}`), 'distance ≥27'];
/** Cancellation by k bits (k = 0..24) in an effective subtraction with a nonzero result. */
const CANCELLATIONS = Array.from({ length: 25 }, (_, k) => `cancel ${k}`);
/** Equal exponents, opposite signs, mantissas that differ in bit j alone: what a mantissa compare's bit j decides. */
const ONE_BIT_APART = Array.from({ length: 23 }, (_, j) => [`bit ${j} only, |a|>|b|`, `bit ${j} only, |a|<|b|`]).flat();
const ROUNDING = ['exact', 'round down', 'round up', 'tie, even kept', 'tie, odd rounded up', 'rounding carries into the exponent'];

/** Cases of an add a + b (a the running sum, b the product or the bias). */
const ADD_CASES: readonly ContractCase[] = [
  ...group('zero operands', ['a +0', 'a −0', 'b +0', 'b −0', '+0 + −0', '−0 + −0']),
  ...group('specials', ['a ±Inf', 'b ±Inf', 'a NaN', 'b NaN', 'Inf + −Inf', 'a subnormal', 'b subnormal']),
  ...group('equal exponents', ['same sign, |a|>|b|', 'same sign, |a|<|b|', 'same sign, |a|=|b|', 'opposite sign, |a|>|b|', 'opposite sign, |a|<|b|', 'opposite sign, |a|=|b|']),
  ...group('one mantissa bit apart', ONE_BIT_APART),
  ...group('alignment', ['larger exponent in a', 'larger exponent in b', ...DISTANCES]),
  ...group('normalization', ['carry out', ...CANCELLATIONS]),
  ...group('rounding', ROUNDING),
  ...group('result', ['flushed to zero', 'overflow to Inf']),
];

/** Cases of a product w · x (x the activation, w the bfloat18 weight). */
const MULTIPLY_CASES: readonly ContractCase[] = [
  ...group('zero operands', ['x +0', 'x −0', 'w +0', 'w −0']),
  ...group('specials', ['x +Inf', 'x −Inf', 'x NaN', 'Inf × 0', 'x subnormal', 'w subnormal', 'w Inf or NaN']),
  ...group('signs', ['x+ w+', 'x+ w−', 'x− w+', 'x− w−']),
  ...group('significand', ['significands multiply to < 2', 'significands multiply to ≥ 2']),
  ...group('rounding', ROUNDING),
  ...group('result', ['rounds up to 2^-126', 'flushed to zero', 'overflow to Inf']),
];

/** Cases of the ReLU: the sign and class of what it is given. */
const RELU_CASES: readonly ContractCase[] = group('input', ['positive', 'negative', '+0', '−0', '+Inf', '−Inf', 'NaN']);

/** The cases of each site kind, in report order; a site's counts are indexed like this list. */
export const CONTRACT_CASES: Readonly<Record<SiteKind, readonly ContractCase[]>> = {
  multiply: MULTIPLY_CASES, accumulate: ADD_CASES, 'bias-add': ADD_CASES, relu: RELU_CASES,
};

/** The index of case `id` at a site of kind `kind` (throws on a typo: ids are code, not input). */
export function caseIndex(kind: SiteKind, id: string): number {
  const i = CONTRACT_CASES[kind].findIndex((c) => c.id === id);
  if (i < 0) throw new SimrunError('INTERNAL', `no contract case '${id}' at a ${kind} site; this is a bug in rowsim, please report it`);
  return i;
}

/** Bumped when the cases or their meaning change: coverage of another version does not merge. */
export const COVERAGE_VERSION = 2;

/** One site of one layer: how often each case was reached, and the cases it cannot reach with their reasons. */
export interface SiteCoverage {
  readonly layer: number;
  readonly site: SiteKind;
  /** Counts indexed like CONTRACT_CASES[site]. */
  readonly counts: readonly number[];
  /** Case id → why no data within the contract reaches it at this site. */
  readonly unreachable: Readonly<Record<string, string>>;
}

/** A run's (or a merge's) contract coverage. */
export interface ContractCoverage {
  readonly version: number;
  readonly network: string;
  /** Frames the counts cover (summed on merge). */
  readonly frames: number;
  readonly sites: readonly SiteCoverage[];
}

/** What can arrive at a layer's input, given the layers before it. */
interface InputReach {
  readonly negative: boolean;
  readonly inf: boolean;
  readonly negInf: boolean;
  readonly nan: boolean;
}

const taps = (l: LayerSpec) => l.kernel * l.kernel * l.inC;

/**
 * The reach of every layer's input: the stimulus is finite and may be negative; a layer's outputs can always overflow
 * to Inf (any finite input times a large enough weight), are NaN when Inf meets −Inf in the sum (two taps or more) or
 * when an Inf or NaN input meets a zero weight, and lose their negatives to a ReLU.
 */
function inputReach(net: NetworkSpec): InputReach[] {
  const out: InputReach[] = [{ negative: true, inf: false, negInf: false, nan: false }];
  for (const l of net.layers.slice(0, -1)) {
    const r = out[out.length - 1]!;
    const nan = taps(l) >= 2 || r.inf || r.negInf || r.nan;
    out.push({ negative: !l.relu, inf: true, negInf: !l.relu, nan });
  }
  return out;
}

/** The sites a layer has: the running sum only with two taps or more, the ReLU only where the spec asks for it. */
export function layerSites(l: LayerSpec): SiteKind[] {
  return SITE_KINDS.filter((s) => (s !== 'accumulate' || taps(l) >= 2) && (s !== 'relu' || l.relu));
}

/** Why each case no data within the contract can reach is unreachable at one site (absent: reachable). */
export function unreachableCases(net: NetworkSpec, layer: number, site: SiteKind): Record<string, string> {
  const l = net.layers[layer - 1]!;
  const input = inputReach(net)[layer - 1]!;
  const prev = layer === 1 ? 'the stimulus' : `layer ${layer - 1}'s output`;
  const u: Record<string, string> = {};
  const flushed = 'products and sums are flushed to zero, so no operand is subnormal';
  if (site === 'multiply') {
    u['x subnormal'] = 'the stimulus is flushed when loaded and every layer output is flushed';
    u['w subnormal'] = 'bfloat18 weight codes are never subnormal';
    u['w Inf or NaN'] = 'weights are finite by the contract';
    if (!input.negative) for (const id of ['x −0', 'x− w+', 'x− w−']) u[id] = `${prev} passes a ReLU, so it is never negative (−0 becomes +0)`;
    if (!input.inf) for (const id of ['x +Inf', 'Inf × 0']) u[id] = layer === 1 ? 'the stimulus is finite by the contract' : `${prev} cannot be Inf`;
    if (!input.negInf) u['x −Inf'] = layer === 1 ? 'the stimulus is finite by the contract' : `${prev} passes a ReLU, so it is never −Inf`;
    if (!input.nan) u['x NaN'] = layer === 1 ? 'the stimulus is finite by the contract' : `${prev} cannot be NaN`;
    return u;
  }
  // A product is NaN only from an Inf or NaN input (times zero, or NaN times anything).
  const productNaN = input.inf || input.negInf || input.nan;
  if (site === 'relu') {
    if (!productNaN && taps(l) < 2) u['NaN'] = `with one tap the sum is one product plus a finite bias, and ${prev} is never Inf or NaN`;
    return u;
  }
  u['a subnormal'] = flushed;
  u['b subnormal'] = site === 'bias-add' ? 'biases are never subnormal by the contract' : flushed;
  if (site === 'accumulate') {
    // The running sum is NaN after Inf + −Inf of two products (then seen from the third tap on) or from a NaN product.
    if (!productNaN) u['b NaN'] = `a product is NaN only from an Inf or NaN input, and ${prev} is neither`;
    if (!productNaN && taps(l) < 3) u['a NaN'] = `with ${taps(l)} taps the running sum meets Inf + −Inf only in its last add, and ${prev} is never Inf or NaN`;
    return u;
  }
  u['b ±Inf'] = 'biases are finite by the contract';
  u['b NaN'] = 'biases are finite by the contract';
  u['Inf + −Inf'] = 'biases are finite by the contract';
  if (!productNaN && taps(l) < 2) u['a NaN'] = `with one tap the sum is one product, and ${prev} is never Inf or NaN`;
  return u;
}

/** Multiply-accumulates of one frame through `net` (what a coverage pass classifies, each with its add). */
export function macsPerFrame(net: NetworkSpec): number {
  return net.layers.reduce((a, l) => a + l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC, 0);
}

/** An empty coverage of `net` (every site, zero counts, its unreachable cases). */
export function emptyCoverage(net: NetworkSpec): ContractCoverage {
  const sites: SiteCoverage[] = [];
  for (const l of net.layers) {
    for (const site of layerSites(l)) sites.push({ layer: l.index, site, counts: CONTRACT_CASES[site].map(() => 0), unreachable: unreachableCases(net, l.index, site) });
  }
  return { version: COVERAGE_VERSION, network: net.name, frames: 0, sites };
}

/** Covered and reachable cases of one site. */
export interface SiteTally {
  readonly covered: number;
  readonly reachable: number;
  /** Reachable cases with a count of zero. */
  readonly holes: readonly string[];
}

/** What a site covered of what it can reach. */
export function siteTally(s: SiteCoverage): SiteTally {
  const holes: string[] = [];
  let covered = 0, reachable = 0;
  CONTRACT_CASES[s.site].forEach((c, i) => {
    if (c.id in s.unreachable) return;
    reachable++;
    if (s.counts[i]! > 0) covered++;
    else holes.push(c.id);
  });
  return { covered, reachable, holes };
}
