// The FPU test bench: a top wrapper and a C++ driver that checks rs_fmul/rs_fadd against an IEEE reference on many vectors.
import { VModule } from '../core/vbuild.js';
import { FADD_V, FMUL_V } from '../rtl/fpu.js';
import type { BuildSpec } from '../rtl/verilator.js';

const TOP_V = (() => {
  const m = new VModule('rs_fpu_top', ['rs_fpu_top: one multiply and one add side by side, each driven by the C++ bench.']);
  for (const p of ['ma', 'mb', 'aa', 'ab']) m.port('input', p, 32);
  m.port('output', 'my', 32).port('output', 'ay', 32);
  m.section('the units').instance('rs_fmul', 'u_mul', { op_a: 'ma', op_b: 'mb', op_y: 'my' }).instance('rs_fadd', 'u_add', { op_a: 'aa', op_b: 'ab', op_y: 'ay' });
  return m.render();
})();

// The reference is the host's IEEE arithmetic (no FTZ/DAZ): the double product of two binary32 values is exact and
// one conversion rounds it to nearest even with gradual underflow; a binary32 add is correctly rounded.
const TB_CPP = String.raw`
#include "Vrs_fpu_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static uint32_t f2u(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static uint32_t contract(uint32_t u) {
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc00000u;   // canonical NaN
  if ((u & 0x7f800000u) == 0) return u & 0x80000000u;        // flush a subnormal to a signed zero
  return u;
}
static uint32_t refMul(uint32_t a, uint32_t b) { volatile double p = (double)u2f(a) * (double)u2f(b); return contract(f2u((float)p)); }
static uint32_t refAdd(uint32_t a, uint32_t b) { volatile float s = u2f(a) + u2f(b); return contract(f2u(s)); }

static uint64_t st = 0x9e3779b97f4a7c15ull;
static uint32_t rnd() { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return (uint32_t)(st >> 16); }

// A contract input: never subnormal; mostly normal, sometimes zero, Inf or NaN; mantissas often at their edges.
static uint32_t operand(int expHint) {
  uint32_t s = rnd() & 1, e, m;
  uint32_t k = rnd() % 100;
  if (k < 3) return s << 31;                                   // signed zero
  if (k < 4) return (s << 31) | 0x7f800000u;                   // Inf
  if (k < 5) return (s << 31) | 0x7f800000u | (1 + rnd() % 0x7fffff);  // NaN
  e = expHint >= 0 ? (uint32_t)expHint : 1 + rnd() % 254;
  if (e < 1) e = 1; if (e > 254) e = 254;
  uint32_t mk = rnd() % 8;
  m = mk == 0 ? 0 : mk == 1 ? 0x7fffff : mk == 2 ? (0x7fffff & ~(rnd() % 16)) : (rnd() & 0x7fffff);
  return (s << 31) | (e << 23) | m;
}
static int clampExp(int e) { return e < 1 ? 1 : e > 254 ? 254 : e; }

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  long n = argc > 1 ? atol(argv[1]) : 10000000;
  Vrs_fpu_top top;
  long bad = 0, shown = 0, ties = 0;
  for (long i = 0; i < n; i++) {
    int mode = i % 6;
    uint32_t a, b, c, d;
    int ea = 1 + rnd() % 254;
    if (mode == 0) { a = operand(-1); b = operand(-1); }
    else if (mode == 1) { a = operand(ea); b = operand(clampExp(127 - ea + (int)(rnd() % 7) - 3)); }   // subnormal boundary
    else if (mode == 2) { a = operand(ea); b = operand(clampExp(254 - ea + 127 + (int)(rnd() % 5) - 2 - 127)); } // overflow edge
    else { a = operand(ea); b = operand(clampExp(ea + (int)(rnd() % 61) - 30)); }
    a &= ~0x3fffu;                                             // the multiply's a is a bfloat18 weight by the contract
    if ((a & 0x7f800000u) == 0) a &= 0x80000000u;
    c = operand(ea);
    int dm = rnd() % 4;
    d = dm == 0 ? operand(-1) : dm == 1 ? ((c ^ 0x80000000u) + (rnd() % 5) - 2) : operand(clampExp(ea + (int)(rnd() % 56) - 28));
    if (dm == 1 && ((d & 0x7f800000u) == 0 || (d & 0x7f800000u) == 0x7f800000u)) d = operand(ea);
    if (mode == 5) { c = operand(1 + rnd() % 3); d = operand(1 + rnd() % 3); if (rnd() & 1) d ^= 0x80000000u; } // tiny sums
    top.ma = a; top.mb = b; top.aa = c; top.ab = d;
    top.eval();
    uint32_t wm = refMul(a, b), wa = refAdd(c, d);
    if (((uint64_t)(a & 0x7fffff | 0x800000) * (uint64_t)(b & 0x7fffff | 0x800000) & 0x3fffffull) == 0x200000ull) ties++;
    if (top.my != wm) { bad++; if (shown++ < 8) printf("MISMATCH mul %08x * %08x: rtl %08x want %08x\n", a, b, top.my, wm); }
    if (top.ay != wa) { bad++; if (shown++ < 8) printf("MISMATCH add %08x + %08x: rtl %08x want %08x\n", c, d, top.ay, wa); }
  }
  printf("vectors %ld mismatches %ld ties %ld\n", 2 * n, bad, ties);
  return bad ? 1 : 0;
}
`;

/** Build description of the FPU bench. */
export function fpuBenchSpec(): BuildSpec {
  return {
    name: 'fpu-bench',
    top: 'rs_fpu_top',
    verilog: [{ name: 'rs_fmul.v', text: FMUL_V }, { name: 'rs_fadd.v', text: FADD_V }, { name: 'rs_fpu_top.v', text: TOP_V }],
    cpp: [{ name: 'fpu_tb.cpp', text: TB_CPP }],
  };
}
