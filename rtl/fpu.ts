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

/** The multiply as a Verilog function named `name`, with `rules` replacing its own where given. */
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
  reg [47:0] prod;     // p placed as a 24 × 24-bit product would be (× 2^14)
  reg [9:0]  e;        // biased result exponent, two's complement
  reg [23:0] m;
  reg        guard, sticky, up;
  reg [24:0] mr;
    begin
    s = a[31] ^ b[31];
    ea = a[30:23]; eb = b[30:23]; fa = a[22:14]; fb = b[22:0];
    p = 34'd0; prod = 48'd0; e = 10'd0; m = 24'd0; guard = 1'b0; sticky = 1'b0; up = 1'b0; mr = 25'd0;
    if ((ea == 8'hff && fa != 9'd0) || (eb == 8'hff && fb != 23'd0)) begin
      ${name} = 32'h7fc00000;                                   // NaN in
    end else if (ea == 8'hff || eb == 8'hff) begin
      ${name} = (ea == 8'd0 || eb == 8'd0) ? 32'h7fc00000 : {s, 8'hff, 23'd0};  // Inf × 0 = NaN, else Inf
    end else if (ea == 8'd0 || eb == 8'd0) begin
      ${name} = {s, 31'd0};                                     // a zero operand: signed zero
    end else begin
      p = {1'b1, fa} * {1'b1, fb};                        // 34 bits wide by the assignment: nothing is cut
      prod = {p, 14'd0};                                  // significand product in [1, 4)
      e = {2'b00, ea} + {2'b00, eb} - 10'd127;
      if (prod[47]) begin
        e = e + 10'd1; m = prod[47:24]; guard = prod[23]; sticky = |prod[22:0];
      end else begin
        m = prod[46:23]; guard = prod[22]; sticky = |prod[21:0];
      end
      if (!e[9] && e != 10'd0) begin                      // normal range before rounding
        up = ${rules.roundUp ?? 'guard & (sticky | m[0]);'}
        mr = {1'b0, m} + {24'd0, up};
        if (mr[24]) begin mr = {1'b0, mr[24:1]}; e = e + 10'd1; end
        ${name} = (e >= 10'd255) ? {s, 8'hff, 23'd0} : {s, e[7:0], mr[22:0]};
      end else if (e == 10'd0) begin
        // Exact value in [2^-127, 2^-126): on the subnormal grid it rounds up to 2^-126 (normal, kept) exactly
        // when it is at least 2^-126 − 2^-150, i.e. when all 24 significand bits are ones; otherwise it flushes.
        ${name} = ${rules.nearSubnormal ?? "(&m) ? {s, 8'd1, 23'd0} : {s, 31'd0};"}
      end else begin
        ${name} = {s, 31'd0};                                   // below 2^-127: flushes
      end
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

/** The add as a Verilog function named `name`, with `rules` replacing its own where given. */
function faddFunction(name: string, rules: FaddRules = {}): string {
  return `
  function automatic [31:0] ${name}(input [31:0] a, input [31:0] b);
    /* verilator no_inline_task */  // one C++ routine shared by every ALU keeps builds small

  reg        sa, sb, sBig, sSmall, swap;
  reg [7:0]  ea, eb, eBig, eSmall, d;
  reg [22:0] fa, fb;
  reg [23:0] mBig, mSmall;
  reg [26:0] opBig, opSmall, shifted;                         // significand << 3: guard, round, sticky
  reg [27:0] sum;
  reg [9:0]  e;
  reg [4:0]  lz;
  reg        up;
  reg [24:0] mr;
    begin
    sa = a[31]; sb = b[31]; ea = a[30:23]; eb = b[30:23]; fa = a[22:0]; fb = b[22:0];
    swap = 1'b0; sBig = 1'b0; sSmall = 1'b0; eBig = 8'd0; eSmall = 8'd0; d = 8'd0; mBig = 24'd0; mSmall = 24'd0;
    opBig = 27'd0; opSmall = 27'd0; shifted = 27'd0; sum = 28'd0; e = 10'd0; lz = 5'd0; up = 1'b0; mr = 25'd0;
    if ((ea == 8'hff && fa != 23'd0) || (eb == 8'hff && fb != 23'd0)) begin
      ${name} = 32'h7fc00000;
    end else if (ea == 8'hff && eb == 8'hff) begin
      ${name} = (sa == sb) ? a : 32'h7fc00000;                  // Inf + Inf, or Inf − Inf = NaN
    end else if (ea == 8'hff) begin
      ${name} = a;
    end else if (eb == 8'hff) begin
      ${name} = b;
    end else if (ea == 8'd0 && eb == 8'd0) begin
      ${name} = {sa & sb, 31'd0};                               // −0 + −0 = −0, otherwise +0
    end else if (ea == 8'd0) begin
      ${name} = b;
    end else if (eb == 8'd0) begin
      ${name} = a;
    end else begin
      swap = (eb > ea) || (eb == ea && ${rules.orderB ?? 'fb'} > fa);
      sBig = swap ? sb : sa;  sSmall = swap ? sa : sb;
      eBig = swap ? eb : ea;  eSmall = swap ? ea : eb;
      mBig = {1'b1, swap ? fb : fa};  mSmall = {1'b1, swap ? fa : fb};
      opBig = {mBig, 3'b000};
      opSmall = {mSmall, 3'b000};
      d = eBig - eSmall;
      if (d >= 8'd27) begin
        shifted = {26'd0, 1'b1};                          // all of it lands in the sticky bit
      end else begin
        // Bits shifted out fold into the sticky bit.
        shifted = (opSmall >> d) | {26'd0, |(opSmall & ((27'd1 << d) - 27'd1))};
      end
      sum = (sBig == sSmall) ? {1'b0, opBig} + {1'b0, shifted} : {1'b0, opBig} - {1'b0, shifted};
      e = {2'b00, eBig};
      if (sum == 28'd0) begin
        ${name} = 32'h00000000;                                 // x + (−x) = +0
      end else begin
        if (sum[27]) begin
          sum = {1'b0, sum[27:2], sum[1] | sum[0]};
          e = e + 10'd1;
        end else begin
          // Normalize by a leading-zero count in five halving steps (no loops: small, fast C++ under Verilator).
          if (sum[26:11] == 16'd0) begin sum = sum << 16; lz = lz + 5'd16; end
          if (sum[26:19] == 8'd0)  begin sum = sum << 8;  lz = lz + 5'd8;  end
          if (sum[26:23] == 4'd0)  begin sum = sum << 4;  lz = lz + 5'd4;  end
          if (sum[26:25] == 2'd0)  begin sum = sum << 2;  lz = lz + 5'd2;  end
          if (sum[26] == 1'b0)     begin sum = sum << 1;  lz = lz + 5'd1;  end
          e = e - {5'd0, lz};
        end
        if (e[9] || e == 10'd0) begin
          ${name} = {sBig, 31'd0};                              // below the smallest normal: exact, flushed
        end else begin
          up = ${rules.roundUp ?? 'sum[2] & (sum[1] | sum[0] | sum[3]);'}
          mr = {1'b0, sum[26:3]} + {24'd0, up};
          if (mr[24]) begin mr = {1'b0, mr[24:1]}; e = e + 10'd1; end
          ${name} = (e >= 10'd255) ? {sBig, 8'hff, 23'd0} : {sBig, e[7:0], mr[22:0]};
        end
      end
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
export const FADD_ROUND_MUTANT = mutant(faddFunction('fadd_round', { roundUp: 'sum[2] & (sum[1] | sum[0]);                   // MUTANT: ties toward zero' }));

/**
 * fadd_order: the add whose operand-order test (equal exponents: is b's mantissa the larger?) reads mantissa bit `bit` of
 * b forced to `value` — the pattern of a Yosys mutant of one adder site. Operands with equal exponents and opposite
 * signs whose mantissas agree above `bit` are then subtracted the wrong way round.
 */
export function faddOrderMutant(bit: number, value: 0 | 1): string {
  const mask = (value ? 1 << bit : 0x7fffff ^ (1 << bit)).toString(16);
  return mutant(faddFunction('fadd_order', { orderB: `(fb ${value ? '|' : '&'} 23'h${mask}) /* MUTANT: bit ${bit} of b forced to ${value} */` }));
}
