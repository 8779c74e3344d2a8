// Verilog of the floating-point units, written here: bfloat18×binary32 multiply (a 10 × 24-bit significand multiplier)
// and binary32 add, RNE + flush-to-zero.
// Inputs are never subnormal (the contract flushes everything); NaN results are the canonical 0x7FC00000.
// They are Verilog functions so each layer includes them and every ALU calls one shared routine; the rs_fmul/rs_fadd
// modules wrap the same text for the FPU test bench.
import { VModule } from '../core/vbuild.js';

/** Points where a semantic mutant of the multiply replaces the unit's own rule (each a statement's right-hand side). */
export interface FmulRules {
  /** Round-up decision of a normal result (default: ties to even). */
  readonly roundUp?: string;
  /** Result for an exact value in [2^-127, 2^-126) (default: round up to 2^-126 when all significand bits are ones). */
  readonly nearSubnormal?: string;
}

/**
 * The multiply as a Verilog function named `name`, with `rules` replacing its own where given. Written as data flow:
 * every data-dependent choice (which half of the product, a zero operand, rounding) is a shift by a bit or one final
 * select, so its Verilated C++ has no branch on the operands' values beyond the rare Inf/NaN test — a branch the CPU
 * cannot predict costs more than the arithmetic it skips, and every ALU of a layer calls this once a cycle.
 */
function fmulFunction(name: string, rules: FmulRules = {}): string {
  return `
  // a is a bfloat18 weight widened to 32 bits: its low 14 bits are zero by the contract and never read.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic [31:0] ${name}(input [31:0] a, input [31:0] b);
  /* verilator lint_on UNUSEDSIGNAL */
    /* verilator no_inline_task */  // one C++ routine shared by every ALU keeps builds small

  reg        s;
  reg [7:0]  ea, eb;
  reg [8:0]  fa;       // the weight's 9 mantissa bits
  reg [22:0] fb;
  reg [33:0] p;        // the 10 × 24-bit significand product
  reg [47:0] prod;     // p placed as a 24 × 24-bit product would be (× 2^14), shifted so its leading one is bit 47
  reg        hi;       // the product was in [2, 4) already
  reg [9:0]  e;        // biased result exponent, two's complement, before rounding
  reg [23:0] m;
  reg        guard, sticky, up, inRange;
  /* verilator lint_off UNUSEDSIGNAL */
  reg [24:0] mr;       // bit 23, the hidden one, is not read
  /* verilator lint_on UNUSEDSIGNAL */
  reg [9:0]  er;       // e after a rounding carry
  reg [31:0] normal, nearSub;
    begin
    s = a[31] ^ b[31];
    ea = a[30:23]; eb = b[30:23]; fa = a[22:14]; fb = b[22:0];
    // One test on the common path: an operand is Inf or NaN.
    if (ea == 8'hff || eb == 8'hff) begin
      if ((ea == 8'hff && fa != 9'd0) || (eb == 8'hff && fb != 23'd0)) ${name} = 32'h7fc00000;   // NaN in
      else ${name} = (ea == 8'd0 || eb == 8'd0) ? 32'h7fc00000 : {s, 8'hff, 23'd0};   // Inf × 0 = NaN, else Inf
    end else begin
      p = {1'b1, fa} * {1'b1, fb};                        // 34 bits wide by the assignment: nothing is cut
      hi = p[33];
      prod = {p, 14'd0} << !hi;                           // significand in [1, 2) at bits 47..24
      e = {2'b00, ea} + {2'b00, eb} - 10'd127 + {9'd0, hi};
      m = prod[47:24]; guard = prod[23]; sticky = |prod[22:0];
      inRange = !e[9] && e != 10'd0;                      // normal range before rounding
      up = ${rules.roundUp ?? 'guard & (sticky | m[0]);'}
      mr = {1'b0, m} + {24'd0, up};
      er = e + {9'd0, mr[24]};                            // a carry out leaves the significand 1.0: mr[22:0] = 0
      normal = (er >= 10'd255) ? {s, 8'hff, 23'd0} : {s, er[7:0], mr[22:0]};
      // Exact value in [2^-127, 2^-126): on the subnormal grid it rounds up to 2^-126 (normal, kept) exactly
      // when it is at least 2^-126 − 2^-150, i.e. when all 24 significand bits are ones; otherwise it flushes.
      nearSub = ${rules.nearSubnormal ?? "(&m) ? {s, 8'd1, 23'd0} : {s, 31'd0};"}
      // A zero operand gives a signed zero; below 2^-127 the product flushes.
      ${name} = (ea == 8'd0 || eb == 8'd0) ? {s, 31'd0} : inRange ? normal : (e == 10'd0) ? nearSub : {s, 31'd0};
    end
    end
  endfunction
`;
}

/** fmul(a, b) = ftz(rne32(a × b)). `a` is a bfloat18 weight widened to 32 bits (its low 14 bits are not read). */
export const FMUL_FN = fmulFunction('fmul');

/** Points where a semantic mutant of the add replaces the unit's own rule. */
export interface FaddRules {
  /** Round-up decision (default: ties to even). */
  readonly roundUp?: string;
  /** The mantissa of b as the operand-order test reads it when the exponents are equal (default: fb). */
  readonly orderB?: string;
}

/**
 * The add as a Verilog function named `name`, with `rules` replacing its own where given. Data flow, as the multiply:
 * the operands are ordered by a masked swap, the effective subtraction is a two's-complement add, the normalization
 * is five shifts whose amounts one bit each chooses, and a zero operand, a zero sum or a flushed result one final
 * select.
 */
function faddFunction(name: string, rules: FaddRules = {}): string {
  return `
  function automatic [31:0] ${name}(input [31:0] a, input [31:0] b);
    /* verilator no_inline_task */  // one C++ routine shared by every ALU keeps builds small

  reg        sa, sb, swap, sub;
  reg [7:0]  ea, eb, d;
  reg [22:0] fa, fb;
  reg [31:0] flip, greater, lesser;                           // the operands by magnitude (a zero is the lesser)
  reg [26:0] sigGreater, sigLesser, shifted;                 // significand << 3: guard, round, sticky
  reg [4:0]  dd;                                              // the alignment shift, at most 27
  reg [53:0] aligned;                                         // sigLesser shifted right, the bits shifted out below
  reg [27:0] sum;
  reg [9:0]  e;
  reg [31:0] n;                                               // the sum normalized: its leading one at bit 31
  reg [4:0]  s4;                                              // the normalizing shifts: 16 or 0, 8 or 0, ...
  reg [3:0]  s3;
  reg [2:0]  s2;
  reg [1:0]  s1;
  reg        s0;
  reg        up;
  /* verilator lint_off UNUSEDSIGNAL */
  reg [24:0] mr;                                              // bit 23, the hidden one, is not read
  /* verilator lint_on UNUSEDSIGNAL */
  reg [9:0]  er;                                              // e after a rounding carry
  reg [31:0] normal;
    begin
    sa = a[31]; sb = b[31]; ea = a[30:23]; eb = b[30:23]; fa = a[22:0]; fb = b[22:0];
    // One test on the common path: an operand is Inf or NaN.
    if (ea == 8'hff || eb == 8'hff) begin
      if ((ea == 8'hff && fa != 23'd0) || (eb == 8'hff && fb != 23'd0)) ${name} = 32'h7fc00000;   // NaN in
      else if (ea == 8'hff && eb == 8'hff) ${name} = (sa == sb) ? a : 32'h7fc00000;   // Inf + Inf, or Inf − Inf = NaN
      else ${name} = (ea == 8'hff) ? a : b;
    end else begin
      // b's magnitude is the greater: exponent, then mantissa, compared as one 31-bit number.
      swap = {eb, ${rules.orderB ?? 'fb'}} > {ea, fa};
      flip = {32{swap}} & (a ^ b);                            // a mux written as a mask: no branch on swap
      greater = a ^ flip;  lesser = b ^ flip;
      sigGreater = {1'b1, greater[22:0], 3'b000};
      sigLesser = {1'b1, lesser[22:0], 3'b000};
      d = greater[30:23] - lesser[30:23];
      // Bits shifted out fold into the sticky bit; from 27 places on, all of sigLesser lands in it. Held at 27, the
      // shift fits its operand, so the C++ has no out-of-range guard; the bits shifted out land in aligned[26:0].
      dd = (d > 8'd27) ? 5'd27 : d[4:0];
      aligned = {sigLesser, 27'd0} >> dd;
      shifted = aligned[53:27] | {26'd0, |aligned[26:0]};
      sub = greater[31] ^ lesser[31];
      sum = {1'b0, sigGreater} + ({28{sub}} ^ {1'b0, shifted}) + {27'd0, sub};   // sigGreater ∓ shifted
      // Normalize by a leading-zero count in five halving steps (no loops: small, fast C++ under Verilator), on a
      // 32-bit word whose leading one moves up to bit 31: a native C++ word, so no step masks its result. A carry out
      // of the add is a leading one already there (no shift); the bits below the guard are all sticky, however many.
      n = {sum, 4'd0};
      s4 = {n[31:16] == 16'd0, 4'd0}; n = n << s4;
      s3 = {n[31:24] == 8'd0, 3'd0};  n = n << s3;
      s2 = {n[31:28] == 4'd0, 2'd0};  n = n << s2;
      s1 = {n[31:30] == 2'd0, 1'd0};  n = n << s1;
      s0 = !n[31];                    n = n << s0;
      e = {2'b00, greater[30:23]} + 10'd1 - {5'd0, s4} - {5'd0, s3} - {6'd0, s2} - {7'd0, s1} - {8'd0, s0};   // sum[27] is worth 2^(exponent + 1)
      // n[31:8]: the significand; n[7] the guard bit, n[6:0] sticky.
      up = ${rules.roundUp ?? 'n[7] & ((|n[6:0]) | n[8]);'}
      mr = {1'b0, n[31:8]} + {24'd0, up};
      er = e + {9'd0, mr[24]};                                // a carry out leaves the significand 1.0: mr[22:0] = 0
      normal = (er >= 10'd255) ? {greater[31], 8'hff, 23'd0} : {greater[31], er[7:0], mr[22:0]};
      // Both zero: −0 + −0 = −0, otherwise +0. One zero: the other operand. x + (−x) = +0. Below the smallest normal
      // before rounding (exact there): flushed.
      ${name} = (lesser[30:23] == 8'd0) ? ((greater[30:23] == 8'd0) ? {sa & sb, 31'd0} : greater)
        : (sum == 28'd0) ? 32'h00000000
        : (e[9] || e == 10'd0) ? {greater[31], 31'd0} : normal;
    end
    end
  endfunction
`;
}

/** fadd(a, b) = ftz(rne32(a + b)). Subnormal sums of normals are exact, so they flush without rounding. */
export const FADD_FN = faddFunction('fadd');

/** A module wrapping one of the functions (op_y = fn(op_a, op_b)), for the FPU bench. */
function wrapper(module: string, fn: string, text: string): string {
  const m = new VModule(module, [`${module}: op_y = ${fn}(op_a, op_b), the function every layer's ALUs call.`])
    .port('input', 'op_a', 32).port('input', 'op_b', 32).port('output', 'op_y', 32);
  m.section(`${fn} (written here) and its one use`).raw(text).assign('op_y', `${fn}(op_a, op_b)`);
  return m.render();
}

/** rs_fmul: the multiply as a module. */
export const FMUL_V = wrapper('rs_fmul', 'fmul', FMUL_FN);

/** rs_fadd: the add as a module. */
export const FADD_V = wrapper('rs_fadd', 'fadd', FADD_FN);

/** A mutated unit: a signal of the unit may be left unread (the multiply's sticky bit once ties ignore it) — waived. */
function mutant(text: string): string {
  return `/* verilator lint_off UNUSEDSIGNAL */\n${text}\n/* verilator lint_on UNUSEDSIGNAL */`;
}

/** fmul whose rounding ignores the result's LSB: ties round away from zero instead of to even. */
export const FMUL_ROUND_MUTANT = mutant(fmulFunction('fmul_round', { roundUp: 'guard;                                          // MUTANT: ties away from zero' }));
/** fmul that flushes every product just below the smallest normal, even those that round up to it. */
export const FMUL_SUBNORMAL_MUTANT = mutant(fmulFunction('fmul_subn', { nearSubnormal: "{s, 31'd0};                                // MUTANT: never rounds up to 2^-126" }));
/** fadd whose rounding ignores the result's LSB on ties: ties round toward zero. */
export const FADD_ROUND_MUTANT = mutant(faddFunction('fadd_round', { roundUp: 'n[7] & (|n[6:0]);                             // MUTANT: ties toward zero' }));

/**
 * fadd_order: the add whose operand-order test (equal exponents: is b's mantissa the larger?) reads mantissa bit `bit` of
 * b forced to `value` — the pattern of a Yosys mutant of one adder site. Operands with equal exponents and opposite
 * signs whose mantissas agree above `bit` are then subtracted the wrong way round.
 */
export function faddOrderMutant(bit: number, value: 0 | 1): string {
  const mask = (value ? 1 << bit : 0x7fffff ^ (1 << bit)).toString(16);
  return mutant(faddFunction('fadd_order', { orderB: `(fb ${value ? '|' : '&'} 23'h${mask}) /* MUTANT: bit ${bit} of b forced to ${value} */` }));
}
