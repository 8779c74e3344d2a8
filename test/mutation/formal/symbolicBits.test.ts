// The cell evaluator of reachability proofs: on constants it must agree with Yosys's own `eval` (an independent
// implementation) for every cell type a prepared layer uses, over signed and unsigned operands of mixed widths; on
// symbols it must pass what a known select picks, fold what is decidable, and give equal symbols to the same function
// of the same symbols only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, notBit, SymbolTable, type Bit, type EvalCell } from '../../../mutation/formal/symbolicBits.js';
import { readYosysJson, type JsonBit } from '../../../mutation/formal/yosysJson.js';
import { describeRtl } from '../../support/rtl.js';
import { lcg } from '../../support/reference.js';

/** Expressions over a (6 bits), b (4 bits), sa/sb (their signed views) and s (1 bit), one output each. */
const EXPRESSIONS = [
  'a + b', 'a - b', 'a * b', 'sa * sb', 'a & b', 'a | b', 'a ^ b', 'a ~^ b', '~a', '-a', '-sa', '!a', '&a', '|a', '^a', '~^a',
  'a && b', 'a || b', 'a == b', 'a != b', 'a < b', 'a <= b', 'a > b', 'a >= b', 'sa < sb', 'sa >= sb',
  'a << b', 'a >> b', 'sa >>> b', 'sa >> b', 'a % (b | 4\'d1)', 'a / (b | 4\'d1)', 's ? a : b', 'sa + sb', 'sa - sb',
];

describeRtl('evaluate on constants, against Yosys eval', () => {
  it(`${EXPRESSIONS.length} expressions (a 6 bits, b 4 bits, signed views) × 12 random input sets agree bit for bit`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-eval-'));
    const lines = [
      'module top(input [5:0] a, input [3:0] b, input s, ' + EXPRESSIONS.map((_, i) => `output [7:0] y${i}`).join(', ') + ');',
      '  wire signed [5:0] sa = a; wire signed [3:0] sb = b;',
      ...EXPRESSIONS.map((e, i) => `  assign y${i} = ${e};`),
      'endmodule',
    ];
    writeFileSync(join(dir, 'd.v'), lines.join('\n'));
    const rand = lcg(42);
    const sets = Array.from({ length: 12 }, () => ({ a: Math.floor(rand() * 64), b: Math.floor(rand() * 16), s: Math.floor(rand() * 2) }));
    const evals = sets.map((v) => `eval -set a ${v.a} -set b ${v.b} -set s ${v.s} ${EXPRESSIONS.map((_, i) => `-show y${i}`).join(' ')}`);
    const log = execFileSync('yosys', ['-p', ['read_verilog -sv d.v', 'prep -top top', 'write_json d.json', ...evals].join('; ')], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    // Yosys prints, per eval, lines like `Eval result: \y3 = 8'00010110.`
    const results = log.split('Executing EVAL pass').slice(1).map((chunk) => new Map([...chunk.matchAll(/Eval result: \\(y\d+) = \d+'([01]+)\./g)].map((x) => [x[1]!, x[2]!])));
    expect(results).toHaveLength(sets.length);
    const mod = readYosysJson(join(dir, 'd.json')).get('top')!;
    const port = (n: string) => mod.ports.get(n)!.bits;
    sets.forEach((v, k) => {
      const nets = new Map<number, Bit>();
      const setPort = (n: string, value: number) => port(n).forEach((b, i) => nets.set(b as number, (value >> i) & 1));
      setPort('a', v.a); setPort('b', v.b); setPort('s', v.s);
      const bit = (b: JsonBit): Bit | undefined => (b === '0' ? 0 : b === '1' ? 1 : typeof b === 'number' ? nets.get(b) : undefined);
      // Evaluate cells as their inputs become known (the netlist is acyclic).
      const t = new SymbolTable();
      let pending = [...mod.cells];
      while (pending.length) {
        const ready = pending.filter((c) => Object.values(c.inputs).every((bits) => bits.every((b) => bit(b) !== undefined)));
        expect(ready.length).toBeGreaterThan(0);
        for (const c of ready) {
          const ins = Object.fromEntries(Object.entries(c.inputs).map(([p, bits]) => [p, bits.map((b) => bit(b)!)]));
          evaluate(c as EvalCell, ins, t).forEach((y, i) => { const n = c.outputs.Y![i]; if (typeof n === 'number') nets.set(n, y); });
        }
        pending = pending.filter((c) => !ready.includes(c));
      }
      EXPRESSIONS.forEach((e, i) => {
        const ours = port(`y${i}`).map((b) => bit(b)).reverse().join('');
        expect(`${e} = ${ours}`).toBe(`${e} = ${results[k]!.get(`y${i}`)}`);
      });
    });
  }, 120_000);
});

describe('evaluate on symbols', () => {
  const cell = (type: string, params: Record<string, number>): EvalCell => ({ type, params, paramKey: JSON.stringify(params) });
  const x = 2, y = 4, z = 6; // three symbols (their complements are 3, 5, 7)

  it('$mux (4 bits) with a known select passes the chosen symbols; with a symbol select keeps equal bits and S itself for 0/1', () => {
    const t = new SymbolTable(10);
    const mux = cell('$mux', { WIDTH: 4 });
    expect(evaluate(mux, { A: [x, 0, 1, y], B: [z, 1, 0, y], S: [1] }, t)).toEqual([z, 1, 0, y]);
    expect(evaluate(mux, { A: [x, 0, 1, y], B: [z, 1, 0, y], S: [0] }, t)).toEqual([x, 0, 1, y]);
    const r = evaluate(mux, { A: [x, 0, 1, y], B: [z, 1, 0, y], S: [x] }, t);
    expect(r.slice(1)).toEqual([x, notBit(x), y]);
    expect(r[0]).toBeGreaterThanOrEqual(2 * 10 + 2);
  });

  it('$mux (1 bit) whose data input is its select s or ¬s, the other input 0, 1 or a symbol y: the select decides the side it picks (s ? 0 : s = 0, a ReLU\'s sign bit), checked against s = 0 and s = 1 substituted', () => {
    const mux = cell('$mux', { WIDTH: 1 });
    const pick = (sel: number, a: number, b: number) => (sel ? b : a);
    // What a data input is when the select is `sel`: s itself, its complement, or a constant.
    const at = (v: 's' | '¬s' | 0 | 1, sel: number) => (v === 's' ? sel : v === '¬s' ? 1 - sel : v);
    const inputs = ['s', '¬s', 0, 1] as const;
    for (const a of inputs) for (const b of inputs) {
      if (a !== 's' && a !== '¬s' && b !== 's' && b !== '¬s') continue;
      const t = new SymbolTable(10);
      const sym = (v: (typeof inputs)[number]) => (v === 's' ? x : v === '¬s' ? notBit(x) : v);
      const [f0, f1] = [0, 1].map((sel) => pick(sel, at(a, sel), at(b, sel)));
      const expected = f0 === f1 ? f0 : f1 ? x : notBit(x);
      expect(`s ? ${b} : ${a} = ${evaluate(mux, { A: [sym(a)], B: [sym(b)], S: [x] }, t)[0]}`).toBe(`s ? ${b} : ${a} = ${expected}`);
    }
    const t = new SymbolTable(10);
    const and = (p: Bit, q: Bit) => evaluate(cell('$and', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [p], B: [q] }, t)[0]!;
    const or = (p: Bit, q: Bit) => evaluate(cell('$or', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [p], B: [q] }, t)[0]!;
    expect(evaluate(mux, { A: [x], B: [y], S: [x] }, t)).toEqual([and(x, y)]);
    expect(evaluate(mux, { A: [y], B: [x], S: [x] }, t)).toEqual([or(x, y)]);
    expect(evaluate(mux, { A: [notBit(x)], B: [y], S: [x] }, t)).toEqual([or(notBit(x), y)]);
    expect(evaluate(mux, { A: [y], B: [notBit(x)], S: [x] }, t)).toEqual([and(notBit(x), y)]);
  });

  it('$xor of an XOR symbol with one of its operands gives the other (x ⊕ y ⊕ y = x, complements carried), also for a definition a state carries into a new step', () => {
    const t = new SymbolTable(10);
    const xor = (p: Bit, q: Bit) => evaluate(cell('$xor', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [p], B: [q] }, t)[0]!;
    const xy = xor(x, y);
    expect(xy).toBeGreaterThanOrEqual(2 * 10 + 2);
    expect([xor(xy, y), xor(y, xy), xor(xy, x), xor(xy, notBit(y)), xor(notBit(xy), y)]).toEqual([x, x, y, notBit(x), notBit(x)]);
    expect(xor(xy, z)).not.toBe(x);
    // A new step where symbol 5 (bit 12) is known to be symbols 1 ⊕ 2 (bits 4 and 6).
    t.reset(8);
    t.defineXor(5, 4, 6);
    expect([xor(4, 6), xor(12, 6), xor(4, 12)]).toEqual([12, 4, 6]);
  });

  it('bitwise folds: x & ¬x = 0, x ^ x = 0, x ^ ¬x = 1, x | 1 = 1; $eq of a vector with itself is 1, with a differing constant 0', () => {
    const t = new SymbolTable(10);
    expect(evaluate(cell('$and', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [x], B: [notBit(x)] }, t)).toEqual([0]);
    expect(evaluate(cell('$xor', { A_WIDTH: 2, B_WIDTH: 2, Y_WIDTH: 2 }), { A: [x, x], B: [x, notBit(x)] }, t)).toEqual([0, 1]);
    expect(evaluate(cell('$or', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [y], B: [1] }, t)).toEqual([1]);
    const eq = cell('$eq', { A_WIDTH: 3, B_WIDTH: 3, Y_WIDTH: 1 });
    expect(evaluate(eq, { A: [x, y, 1], B: [x, y, 1] }, t)).toEqual([1]);
    expect(evaluate(eq, { A: [x, y, 1], B: [x, y, 0] }, t)).toEqual([0]);
  });

  it('$add (4 bits) of symbols: the same inputs give the same symbols, other inputs others, a constant sum is computed', () => {
    const t = new SymbolTable(10);
    const add = cell('$add', { A_WIDTH: 4, B_WIDTH: 4, Y_WIDTH: 4 });
    const one = evaluate(add, { A: [x, y, 0, 0], B: [1, 0, 0, 0] }, t);
    expect(evaluate(add, { A: [x, y, 0, 0], B: [1, 0, 0, 0] }, t)).toEqual(one);
    expect(evaluate(add, { A: [x, z, 0, 0], B: [1, 0, 0, 0] }, t)).not.toEqual(one);
    expect(evaluate(add, { A: [1, 1, 1, 1], B: [1, 0, 0, 0] }, t)).toEqual([0, 0, 0, 0]);
  });

  it('$shl (8-bit result) by a 32-bit amount of 0xfffffff0 on constants is 0, without building a 2^32-bit number', () => {
    const t = new SymbolTable(10);
    const shl = cell('$shl', { A_WIDTH: 8, B_WIDTH: 32, Y_WIDTH: 8, A_SIGNED: 0, B_SIGNED: 0 });
    const B = Array.from({ length: 32 }, (_, i) => (i < 4 ? 0 : 1));
    expect(evaluate(shl, { A: [1, 0, 0, 0, 0, 0, 0, 0], B }, t)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('SymbolTable: the one-bit operations\' table', () => {
  const cell = (type: string, params: Record<string, number>): EvalCell => ({ type, params, paramKey: JSON.stringify(params) });
  it('and/xor of 20,000 symbol pairs (the table grows 4,096 → 65,536 slots): each pair keeps its symbol, distinct pairs get distinct symbols, and reset numbers a step as a new table does', () => {
    const t = new SymbolTable();
    const xs = Array.from({ length: 200 }, (_, i) => t.named(90_000 + i));
    const and = (a: Bit, b: Bit) => evaluate(cell('$and', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [a], B: [b] }, t)[0]!;
    const xor = (a: Bit, b: Bit) => evaluate(cell('$xor', { A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1 }), { A: [a], B: [b] }, t)[0]!;
    const first = new Map<string, Bit>();
    for (let i = 0; i < 100; i++) for (let j = 100; j < 200; j++) {
      first.set(`and ${i} ${j}`, and(xs[i]!, xs[j]!));
      first.set(`xor ${i} ${j}`, xor(xs[i]!, xs[j]!));
    }
    expect(new Set(first.values()).size).toBe(20_000);
    // Asked again after every growth, in the other operand order (both operations commute): the same symbols.
    for (let i = 0; i < 100; i++) for (let j = 100; j < 200; j++) {
      expect(and(xs[j]!, xs[i]!)).toBe(first.get(`and ${i} ${j}`));
      expect(xor(xs[j]!, xs[i]!)).toBe(first.get(`xor ${i} ${j}`));
    }
    const fresh = new SymbolTable(7);
    const reused = new SymbolTable(3);
    reused.opSymbol(0, 40, 42, 0);
    reused.reset(7);
    const steps = (u: SymbolTable) => [u.named(5), u.opSymbol(0, 16, 18, 0), u.opSymbol(1, 16, 20, 0), u.opSymbol(0, 16, 18, 0)];
    expect(steps(reused)).toEqual(steps(fresh));
  });

  it('reserve(3) after symbols 0..9: bits 22, 24, 26 — fresh, and no later named or computed symbol takes them', () => {
    const t = new SymbolTable(10);
    const first = t.reserve(3);
    expect([0, 1, 2].map((i) => 2 * (first + i) + 2)).toEqual([22, 24, 26]);
    const later = [t.named(1), t.opSymbol(0, 22, 24, 0), ...evaluate(cell('$add', { A_WIDTH: 2, B_WIDTH: 2, Y_WIDTH: 2 }), { A: [22, 24], B: [26, 0] }, t)];
    for (const b of later) expect(b).toBeGreaterThanOrEqual(28);
  });
});
