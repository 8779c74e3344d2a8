// The model's classifiers of contract cases: which cases (core/coverage.ts) one product, add or ReLU reaches, from its
// operands' bits and the exact result in a double. Pure: operands in, counts incremented. A product of a bfloat18 and a
// binary32 is exact in a double, and so is a sum of two binary32 whose exponents differ by at most 29.
import { caseIndex } from '../core/coverage.js';

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new Uint32Array(F64.buffer);
const MIN_NORMAL = 2 ** -126;

/** The binary32 bit pattern of `v` (a value already representable in binary32). */
function bits(v: number): number {
  F32[0] = v;
  return U32[0]!;
}

/** floor(log2 |v|) of a nonzero finite double (normal: every value here is ≥ 2^-300). */
function exponentOf(v: number): number {
  F64[0] = v;
  return ((U64[1]! >>> 20) & 0x7ff) - 1023;
}

/** The binary32 next to |r| on the other side of |e| (|r| the nearest to |e|, both positive). */
function neighbour(r: number, e: number): number {
  U32[0] = bits(r) + (r > e ? -1 : 1);
  return F32[0]!;
}

const M = (id: string) => caseIndex('multiply', id);
const A = (id: string) => caseIndex('accumulate', id);
const R = (id: string) => caseIndex('relu', id);

/** Rounding case indices of one site kind. */
interface RoundingBins {
  readonly exact: number;
  readonly down: number;
  readonly up: number;
  readonly tieEven: number;
  readonly tieOdd: number;
  readonly carry: number;
  readonly flushed: number;
  readonly overflow: number;
}
const roundingBins = (at: (id: string) => number): RoundingBins => ({
  exact: at('exact'), down: at('round down'), up: at('round up'), tieEven: at('tie, even kept'), tieOdd: at('tie, odd rounded up'),
  carry: at('rounding carries into the exponent'), flushed: at('flushed to zero'), overflow: at('overflow to Inf'),
});
const MUL_ROUND = roundingBins(M);
const ADD_ROUND = roundingBins(A);

/**
 * Counts how the exact result `e` (nonzero, finite, from finite nonzero operands) rounds to binary32 and what the
 * flush then does: exact, down or up in magnitude, a tie either way, a carry into the next binade, a subnormal result
 * flushed to zero, an overflow to Inf. Returns the rounded magnitude before the flush.
 */
function countRounding(e: number, c: Float64Array, b: RoundingBins): number {
  const x = Math.abs(e);
  const r = Math.fround(x);
  if (r === Infinity) {
    c[b.overflow]!++;
    return r;
  }
  if (r === x) c[b.exact]!++;
  else if (r === 0) c[x === 2 ** -150 ? b.tieEven : b.down]!++; // below half the smallest subnormal, or a tie with 0 (even)
  else {
    const other = neighbour(r, x);
    if (Math.abs(x - r) === Math.abs(x - other)) c[r < x ? b.tieEven : b.tieOdd]!++;
    else c[r < x ? b.down : b.up]!++;
    if (r > x && (bits(r) & 0x7fffff) === 0 && exponentOf(r) > exponentOf(x)) c[b.carry]!++;
  }
  if (r < MIN_NORMAL) c[b.flushed]!++;
  return r;
}

const X_POS0 = M('x +0'), X_NEG0 = M('x −0'), W_POS0 = M('w +0'), W_NEG0 = M('w −0');
const X_PINF = M('x +Inf'), X_NINF = M('x −Inf'), X_NAN = M('x NaN'), INF_ZERO = M('Inf × 0');
const X_SUB = M('x subnormal'), W_SUB = M('w subnormal'), W_SPECIAL = M('w Inf or NaN');
const SIGNS = [M('x+ w+'), M('x+ w−'), M('x− w+'), M('x− w−')];
const SIG_LT2 = M('significands multiply to < 2'), SIG_GE2 = M('significands multiply to ≥ 2');
const TO_MIN_NORMAL = M('rounds up to 2^-126');

/** Counts the cases of the product w · x (x the activation, w the weight's value). */
export function classifyMultiply(x: number, w: number, c: Float64Array): void {
  const ux = bits(x), uw = bits(w);
  const ex = (ux >>> 23) & 0xff, ew = (uw >>> 23) & 0xff;
  const mx = ux & 0x7fffff, mw = uw & 0x7fffff;
  const xZero = ex === 0 && mx === 0, wZero = ew === 0 && mw === 0;
  if (xZero) c[ux >>> 31 ? X_NEG0 : X_POS0]!++;
  if (wZero) c[uw >>> 31 ? W_NEG0 : W_POS0]!++;
  if (ex === 0 && mx !== 0) c[X_SUB]!++;
  if (ew === 0 && mw !== 0) c[W_SUB]!++;
  if (ew === 0xff) c[W_SPECIAL]!++;
  if (ex === 0xff) {
    c[mx ? X_NAN : ux >>> 31 ? X_NINF : X_PINF]!++;
    if (!mx && wZero) c[INF_ZERO]!++;
    return;
  }
  if (xZero || wZero || ew === 0xff) return;
  c[SIGNS[(ux >>> 31) * 2 + (uw >>> 31)]!]!++;
  // The significands' product (each with its hidden bit) is below 2^48 and exact in a double.
  c[(mx | 0x800000) * (mw | 0x800000) >= 2 ** 47 ? SIG_GE2 : SIG_LT2]!++;
  const e = Math.abs(x * w);
  const r = countRounding(e, c, MUL_ROUND);
  if (r === MIN_NORMAL && e < MIN_NORMAL) c[TO_MIN_NORMAL]!++;
}

const A_POS0 = A('a +0'), A_NEG0 = A('a −0'), B_POS0 = A('b +0'), B_NEG0 = A('b −0'), MIXED_ZEROS = A('+0 + −0'), NEG_ZEROS = A('−0 + −0');
const A_INF = A('a ±Inf'), B_INF = A('b ±Inf'), A_NAN = A('a NaN'), B_NAN = A('b NaN'), INF_MINUS_INF = A('Inf + −Inf');
const A_SUB = A('a subnormal'), B_SUB = A('b subnormal');
const EQUAL = [A('same sign, |a|>|b|'), A('same sign, |a|<|b|'), A('same sign, |a|=|b|'), A('opposite sign, |a|>|b|'), A('opposite sign, |a|<|b|'), A('opposite sign, |a|=|b|')];
const LARGER_A = A('larger exponent in a'), LARGER_B = A('larger exponent in b');
const DISTANCE = Array.from({ length: 28 }, (_, d) => (d === 0 ? -1 : A(d >= 27 ? 'distance ≥27' : `distance ${d}`)));
const CARRY_OUT = A('carry out');
const CANCEL = Array.from({ length: 25 }, (_, k) => A(`cancel ${k}`));
const ONE_BIT = Array.from({ length: 23 }, (_, j) => [A(`bit ${j} only, |a|>|b|`), A(`bit ${j} only, |a|<|b|`)] as const);

/**
 * Counts the cases of the add a + b (at an accumulate site a is the running sum and b the product; at the bias add b
 * is the bias). Both site kinds share one list of cases, so one classifier serves both.
 */
export function classifyAdd(a: number, b: number, c: Float64Array): void {
  const ua = bits(a), ub = bits(b);
  const ea = (ua >>> 23) & 0xff, eb = (ub >>> 23) & 0xff;
  const ma = ua & 0x7fffff, mb = ub & 0x7fffff;
  const sa = ua >>> 31, sb = ub >>> 31;
  const aZero = ea === 0 && ma === 0, bZero = eb === 0 && mb === 0;
  if (aZero) c[sa ? A_NEG0 : A_POS0]!++;
  if (bZero) c[sb ? B_NEG0 : B_POS0]!++;
  if (aZero && bZero) {
    if (sa !== sb) c[MIXED_ZEROS]!++;
    else if (sa) c[NEG_ZEROS]!++;
    return;
  }
  if (ea === 0 && ma !== 0) c[A_SUB]!++;
  if (eb === 0 && mb !== 0) c[B_SUB]!++;
  if (ea === 0xff || eb === 0xff) {
    if (ea === 0xff) c[ma ? A_NAN : A_INF]!++;
    if (eb === 0xff) c[mb ? B_NAN : B_INF]!++;
    if (ea === 0xff && eb === 0xff && !ma && !mb && sa !== sb) c[INF_MINUS_INF]!++;
    return;
  }
  if (aZero || bZero) return;
  const subtract = sa !== sb;
  const d = Math.abs(ea - eb);
  if (d === 0) {
    c[EQUAL[(subtract ? 3 : 0) + (ma > mb ? 0 : ma < mb ? 1 : 2)]!]!++;
    // Mantissas one bit apart: an adder that orders its operands by comparing mantissas is decided by that bit alone.
    const apart = ma ^ mb;
    if (subtract && apart !== 0 && (apart & (apart - 1)) === 0) c[ONE_BIT[31 - Math.clz32(apart)]![ma > mb ? 0 : 1]]!++;
  } else {
    c[ea > eb ? LARGER_A : LARGER_B]!++;
    c[DISTANCE[Math.min(d, 27)]!]!++;
  }
  const top = Math.max(ea, eb) - 127;
  if (d > 29) {
    // The smaller operand is below a quarter ULP of the larger: the result is the larger, never a tie; in a subtraction
    // from a power of two the exact result sits in the binade below.
    const powerOfTwo = (ea > eb ? ma : mb) === 0;
    if (!subtract) c[ADD_ROUND.down]!++;
    else {
      c[CANCEL[powerOfTwo ? 1 : 0]!]!++;
      c[ADD_ROUND.up]!++;
      if (powerOfTwo) c[ADD_ROUND.carry]!++;
    }
    return;
  }
  const e = a + b;
  if (e === 0) {
    c[ADD_ROUND.exact]!++;
    return;
  }
  const shift = top - exponentOf(e);
  if (!subtract && shift < 0) c[CARRY_OUT]!++;
  if (subtract) c[CANCEL[Math.min(24, shift)]!]!++;
  countRounding(e, c, ADD_ROUND);
}

const POSITIVE = R('positive'), NEGATIVE = R('negative'), R_POS0 = R('+0'), R_NEG0 = R('−0'), R_PINF = R('+Inf'), R_NINF = R('−Inf'), R_NAN = R('NaN');

/** Counts the case of the ReLU's input v. */
export function classifyRelu(v: number, c: Float64Array): void {
  if (v !== v) c[R_NAN]!++;
  else if (v === Infinity) c[R_PINF]!++;
  else if (v === -Infinity) c[R_NINF]!++;
  else if (v === 0) c[Object.is(v, -0) ? R_NEG0 : R_POS0]!++;
  else c[v > 0 ? POSITIVE : NEGATIVE]!++;
}
