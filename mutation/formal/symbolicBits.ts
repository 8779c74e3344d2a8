// Evaluation of one Yosys cell over bits that are 0, 1 or symbols (unknown values), with structural hashing: a cell
// that cannot be computed gets fresh symbols keyed by its type, parameters and input bits, so two copies of the same
// function of the same symbols get the same symbols (and so compare equal). Invariant: bit values are integers —
// 0 and 1 are constants, v ≥ 2 a symbol or its complement (v ^ 1 is always the complement of v). Pure: no I/O.

/** A bit: 0, 1, or a symbol (even: the symbol, odd: its complement). */
export type Bit = number;

/** Complement of a bit (constants and symbols alike). */
export const notBit = (b: Bit): Bit => b ^ 1;

/** True for 0 and 1. */
const isConst = (b: Bit): boolean => b < 2;

/** A function's inputs and the first of its symbols, in one bucket of the hashing table. */
interface Entry {
  readonly fn: number;
  readonly inputs: readonly number[];
  readonly base: number;
}

/** The first slot to probe for bit operation (op, x, y, z) in a table of mask + 1 slots. */
function opHome(op: number, x: number, y: number, z: number, mask: number): number {
  const h = (Math.imul(Math.imul(Math.imul(op + 1, 0x9e3779b1) ^ x, 0x85ebca6b) ^ y, 0xc2b2ae35) ^ z) >>> 0;
  return (h ^ (h >>> 15)) & mask;
}

/** Hash-consing table of one evaluation step: the same key always gets the same symbols. */
export class SymbolTable {
  private next: number;
  // Function applications are hashed on numbers (no strings to build: this is the evaluator's inner loop); a bucket
  // compares the inputs in full, so a hash collision never makes two applications one.
  private readonly byHash = new Map<number, Entry[]>();
  // The one-bit operations (and, xor, mux: most lookups) live in an open-addressing table of typed arrays instead, so
  // a lookup allocates nothing: profiled on a reachability search of a datapath cone, the Map's per-lookup arrays and
  // entries made garbage collection half of the run.
  private opKeys = new Int32Array(4 << 12);
  private opSymbols = new Int32Array(1 << 12).fill(-1);
  private opCount = 0;

  /** Symbols numbered from `first` (0-based symbol index; bit values 2·first + 2 and up). */
  constructor(first = 0) {
    this.next = first;
  }

  /** Empties the table for a new step whose symbols start at `first`: as a new table, without reallocating its arrays. */
  reset(first: number): void {
    this.next = first;
    this.byHash.clear();
    if (this.opCount) this.opSymbols.fill(-1);
    this.opCount = 0;
    if (this.xorA.size) { this.xorA.clear(); this.xorB.clear(); }
  }

  // The operands of each XOR symbol (by its even bit): x ⊕ y ⊕ y folds back to x with them (xor2).
  private readonly xorA = new Map<number, number>();
  private readonly xorB = new Map<number, number>();

  /** One operand (an even bit) of the XOR symbol `bit` (even), or undefined when it is no XOR of two symbols. */
  xorFirst(bit: Bit): Bit | undefined {
    return this.xorA.get(bit);
  }

  /**
   * The other operand (an even bit) of the XOR symbol `bit` (even) when `one` is one of its two, else undefined:
   * (x ⊕ y) with y gives x.
   */
  xorPartner(bit: Bit, one: Bit): Bit | undefined {
    const a = this.xorA.get(bit);
    if (a === undefined) return undefined;
    const b = this.xorB.get(bit)!;
    return a === one ? b : b === one ? a : undefined;
  }

  /**
   * States that symbol `sym` (index; bit 2·sym + 2) is the XOR of the symbols with even bits `x` and `y`, as a state of
   * a search carries it into the next step (a fact found when the state was reached): the table then gives `sym` for
   * x ⊕ y, and x for sym ⊕ y.
   */
  defineXor(sym: number, x: Bit, y: Bit): void {
    const [a, b] = [Math.min(x, y), Math.max(x, y)];
    this.insertOp(FN_XOR, a, b, 0, sym);
    this.xorA.set(2 * sym + 2, a);
    this.xorB.set(2 * sym + 2, b);
  }

  /**
   * `n` fresh symbols in a row, for unknowns that need no name to be found by (a step's free inputs, numbered by the
   * caller): the index of the first (its bit value 2·index + 2).
   */
  reserve(n: number): number {
    if (this.next + n >= 0x3fffffff) throw new RangeError('symbolic evaluation: more than 2^30 symbols in one step');
    const first = this.next;
    this.next += n;
    return first;
  }

  /** The symbol of a named unknown (an id from nameId): the same one for the same name. */
  named(name: number): Bit {
    return this.symbolsOf(FN_NAMED, [name], 1)[0]!;
  }

  /** `width` symbols for function `fn` (an id from functionId) applied to `inputs` (the same ones for the same both). */
  symbolsOf(fn: number, inputs: readonly number[], width: number): Bit[] {
    let h = (fn ^ 0x811c9dc5) >>> 0;
    for (let i = 0; i < inputs.length; i++) h = Math.imul(h ^ inputs[i]!, 0x01000193) >>> 0;
    let bucket = this.byHash.get(h);
    let base: number | undefined;
    for (const e of bucket ?? []) {
      if (e.fn !== fn || e.inputs.length !== inputs.length) continue;
      let same = true;
      for (let i = 0; i < inputs.length && same; i++) same = e.inputs[i] === inputs[i];
      if (same) { base = e.base; break; }
    }
    if (base === undefined) {
      base = this.next;
      this.next += width;
      if (!bucket) this.byHash.set(h, (bucket = []));
      bucket.push({ fn, inputs, base });
    }
    const out = new Array<Bit>(width);
    for (let i = 0; i < width; i++) out[i] = 2 * (base + i) + 2;
    return out;
  }

  /**
   * The one symbol of bit operation `op` (FN_AND, FN_XOR, FN_MUX) on bits x, y, z (0 when unused): the same one for
   * the same operation and bits. The keys are 32-bit: a bit is 2·symbol + 2 or + 3, so symbols stop at 2^30 (a step
   * would need a billion of them).
   */
  opSymbol(op: number, x: Bit, y: Bit, z: Bit): Bit {
    const mask = this.opSymbols.length - 1;
    let i = opHome(op, x, y, z, mask);
    for (;;) {
      const sym = this.opSymbols[i]!;
      if (sym < 0) break;
      const k = 4 * i;
      if (this.opKeys[k] === op && this.opKeys[k + 1] === x && this.opKeys[k + 2] === y && this.opKeys[k + 3] === z) return 2 * sym + 2;
      i = (i + 1) & mask;
    }
    // Symbols past 2^30 would not fit the table's 32-bit keys as bits (2·symbol + 3).
    if (this.next >= 0x3fffffff) throw new RangeError('symbolic evaluation: more than 2^30 symbols in one step');
    const sym = this.next++;
    const k = 4 * i;
    this.opKeys[k] = op; this.opKeys[k + 1] = x; this.opKeys[k + 2] = y; this.opKeys[k + 3] = z;
    this.opSymbols[i] = sym;
    if (++this.opCount * 2 > this.opSymbols.length) this.growOps();
    if (op === FN_XOR) { this.xorA.set(2 * sym + 2, x); this.xorB.set(2 * sym + 2, y); }
    return 2 * sym + 2;
  }

  /** Enters operation (op, x, y, z) as symbol `sym` (its key known to be new: a step's table starts empty). */
  private insertOp(op: number, x: number, y: number, z: number, sym: number): void {
    this.reinsert(op, x, y, z, sym);
    if (this.opCount * 2 > this.opSymbols.length) this.growOps();
  }

  /** Doubles the operation table (kept at most half full, so probes stay short). */
  private growOps(): void {
    const keys = this.opKeys, symbols = this.opSymbols;
    this.opKeys = new Int32Array(keys.length * 2);
    this.opSymbols = new Int32Array(symbols.length * 2).fill(-1);
    this.opCount = 0;
    for (let i = 0; i < symbols.length; i++) {
      if (symbols[i]! < 0) continue;
      this.reinsert(keys[4 * i]!, keys[4 * i + 1]!, keys[4 * i + 2]!, keys[4 * i + 3]!, symbols[i]!);
    }
  }

  /** Puts an entry of the old table into the grown one (no lookup: every key is known to be new there). */
  private reinsert(op: number, x: number, y: number, z: number, sym: number): void {
    const mask = this.opSymbols.length - 1;
    let i = opHome(op, x, y, z, mask);
    while (this.opSymbols[i]! >= 0) i = (i + 1) & mask;
    const k = 4 * i;
    this.opKeys[k] = op; this.opKeys[k + 1] = x; this.opKeys[k + 2] = y; this.opKeys[k + 3] = z;
    this.opSymbols[i] = sym;
    this.opCount++;
  }
}

/** A cell as the evaluator needs it: type, integer parameters, and its input bits by port. */
export interface EvalCell {
  readonly type: string;
  readonly params: Readonly<Record<string, number>>;
  /** Parameters as Yosys wrote them, for the hashing key. */
  readonly paramKey: string;
}

/** The cell types evaluate() knows (anything else cannot be part of a reachability proof). */
export const EVALUATED_TYPES: ReadonlySet<string> = new Set([
  '$not', '$pos', '$neg', '$and', '$or', '$xor', '$xnor', '$reduce_and', '$reduce_or', '$reduce_bool', '$reduce_xor', '$reduce_xnor',
  '$logic_not', '$logic_and', '$logic_or', '$eq', '$ne', '$lt', '$le', '$gt', '$ge', '$add', '$sub', '$mul', '$shl', '$shr', '$sshl', '$sshr',
  '$mod', '$div', '$mux', '$pmux', '$_NOT_', '$_AND_', '$_OR_', '$_XOR_', '$_XNOR_', '$_NAND_', '$_NOR_', '$_ANDNOT_', '$_ORNOT_', '$_MUX_', '$_BUF_',
]);

const BITWISE = new Set(['$and', '$or', '$xor', '$xnor']);

/** Function ids of the bit-level operations and of named unknowns (cell functions get theirs from functionId). */
const FN_AND = 0, FN_XOR = 1, FN_MUX = 2, FN_NAMED = 3;
const functionIds = new Map<string, number>();
const nameIds = new Map<string, number>();

/** A number for the name of an unknown (a free input, an x bit): equal names, equal numbers. */
export function nameId(name: string): number {
  let id = nameIds.get(name);
  if (id === undefined) nameIds.set(name, (id = nameIds.size));
  return id;
}
/** Each cell's input ports in hashing order and its function id, worked out on its first evaluation. */
const cellFunctions = new WeakMap<EvalCell, { readonly ports: readonly string[]; readonly fn: number }>();

/** A number for a cell's function (type, parameters, port names): equal functions, equal numbers. */
function functionId(key: string): number {
  let id = functionIds.get(key);
  if (id === undefined) functionIds.set(key, (id = functionIds.size + 4));
  return id;
}

/** `bits` extended to `width`: sign-extended when `signed`, else with zeros; cut when longer. */
function extend(bits: readonly Bit[], width: number, signed: boolean): Bit[] {
  const fill = signed && bits.length > 0 ? bits[bits.length - 1]! : 0;
  return Array.from({ length: width }, (_, i) => (i < bits.length ? bits[i]! : fill));
}

function and2(a: Bit, b: Bit, t: SymbolTable): Bit {
  if (a === 0 || b === 0 || a === (b ^ 1)) return 0;
  if (a === 1) return b;
  if (b === 1 || a === b) return a;
  return t.opSymbol(FN_AND, Math.min(a, b), Math.max(a, b), 0);
}

const or2 = (a: Bit, b: Bit, t: SymbolTable): Bit => notBit(and2(notBit(a), notBit(b), t));

function xor2(a: Bit, b: Bit, t: SymbolTable): Bit {
  if (isConst(a)) return a ? notBit(b) : b;
  if (isConst(b)) return b ? notBit(a) : a;
  // xor(¬a, b) = ¬xor(a, b): key on the symbols, carry the complements through.
  const flip = (a & 1) ^ (b & 1);
  const [x, y] = [a & ~1, b & ~1];
  if (x === y) return flip;
  // (p ⊕ q) ⊕ q = p: a bit toggled twice by the same symbol is the bit it was.
  const back = t.xorPartner(x, y) ?? t.xorPartner(y, x);
  if (back !== undefined) return back ^ flip;
  return t.opSymbol(FN_XOR, Math.min(x, y), Math.max(x, y), 0) ^ flip;
}

function mux2(s: Bit, a: Bit, b: Bit, t: SymbolTable): Bit {
  if (isConst(s)) return s ? b : a;
  if (a === b) return a;
  if (a === 0 && b === 1) return s;
  if (a === 1 && b === 0) return notBit(s);
  // A data input that is the select itself (or its complement) is known on the side that picks it: s ? b : s is
  // s ∧ b, s ? s : a is s ∨ a. A ReLU by the sign bit is the case that needs it: its sign bit comes out 0 whatever the
  // operand (v[31] ? 0 : v[31]).
  if (a === s || a === notBit(s)) return a === s ? and2(s, b, t) : or2(notBit(s), b, t);
  if (b === s || b === notBit(s)) return b === s ? or2(s, a, t) : and2(notBit(s), a, t);
  return t.opSymbol(FN_MUX, s, a, b);
}

/** OR of all bits, folded with the simplifications of or2. */
function reduceOr(bits: readonly Bit[], t: SymbolTable): Bit {
  let acc: Bit = 0;
  for (const b of bits) acc = or2(acc, b, t);
  return acc;
}

function reduceAnd(bits: readonly Bit[], t: SymbolTable): Bit {
  let acc: Bit = 1;
  for (const b of bits) acc = and2(acc, b, t);
  return acc;
}

function reduceXor(bits: readonly Bit[], t: SymbolTable): Bit {
  let acc: Bit = 0;
  for (const b of bits) acc = xor2(acc, b, t);
  return acc;
}

/** Equality of two equally long bit vectors: a constant when decidable bit by bit, else one symbol. */
function equal(a: readonly Bit[], b: readonly Bit[], t: SymbolTable): Bit {
  const open: Bit[] = [];
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y) continue;
    if (x === (y ^ 1)) return 0;
    open.push(xor2(x, y, t));
  }
  return notBit(reduceOr(open, t));
}

const toBig = (bits: readonly Bit[]): bigint => bits.reduce((v, b, i) => (b ? v | (1n << BigInt(i)) : v), 0n);
const fromBig = (v: bigint, width: number): Bit[] => Array.from({ length: width }, (_, i) => Number((v >> BigInt(i)) & 1n));
const signedBig = (bits: readonly Bit[]): bigint => (bits.length && bits[bits.length - 1] ? toBig(bits) - (1n << BigInt(bits.length)) : toBig(bits));

/** A word-level result computed on constants (the cell's inputs are all 0/1), or null when Yosys leaves it undefined. */
function constantResult(cell: EvalCell, ins: Readonly<Record<string, readonly Bit[]>>, yw: number): Bit[] | null {
  const p = cell.params;
  const A = ins.A ?? [], B = ins.B ?? [];
  const signed = (p.A_SIGNED ?? 0) !== 0 && (p.B_SIGNED ?? 0) !== 0;
  const wide = Math.max(A.length, B.length, yw);
  const num = (bits: readonly Bit[], w: number, s: boolean) => (s ? signedBig(extend(bits, w, true)) : toBig(extend(bits, w, false)));
  const mask = (1n << BigInt(yw)) - 1n;
  switch (cell.type) {
    case '$neg': return fromBig((-num(A, yw, (p.A_SIGNED ?? 0) !== 0)) & mask, yw);
    case '$add': return fromBig((num(A, wide, signed) + num(B, wide, signed)) & mask, yw);
    case '$sub': return fromBig((num(A, wide, signed) - num(B, wide, signed)) & mask, yw);
    case '$mul': return fromBig((num(A, wide, signed) * num(B, wide, signed)) & mask, yw);
    case '$div': case '$mod': {
      const w = Math.max(A.length, B.length);
      const [x, y] = [num(A, w, signed), num(B, w, signed)];
      if (y === 0n) return null;
      // BigInt division truncates toward zero and % takes the dividend's sign, as Verilog's do.
      return fromBig((cell.type === '$div' ? x / y : x % y) & mask, yw);
    }
    case '$lt': case '$le': case '$gt': case '$ge': {
      const w = Math.max(A.length, B.length);
      const [x, y] = [num(A, w, signed), num(B, w, signed)];
      const r = cell.type === '$lt' ? x < y : cell.type === '$le' ? x <= y : cell.type === '$gt' ? x > y : x >= y;
      return extend([r ? 1 : 0], yw, false);
    }
    case '$shl': case '$shr': case '$sshl': case '$sshr': {
      const sa = (p.A_SIGNED ?? 0) !== 0;
      const w = Math.max(A.length, yw);
      if ((p.B_SIGNED ?? 0) !== 0 && B.length && B[B.length - 1]) return null;
      // A shift by the width or more leaves only the fill (and keeps BigInt from building a huge number).
      const n = BigInt(Math.min(Number(toBig(B)), w + 1));
      if (cell.type === '$shl' || cell.type === '$sshl') return fromBig((num(A, w, sa) << n) & mask, yw);
      const v = cell.type === '$sshr' && sa ? signedBig(extend(A, w, true)) >> n : toBig(extend(A, w, sa)) >> n;
      return fromBig(v & mask, yw);
    }
  }
  return null;
}

/**
 * Output bits (port Y) of `cell` for inputs `ins` (bits by port, least significant first). Bitwise and selecting cells
 * are worked bit by bit (so a multiplexer with a known select passes its symbols through); any other cell with a
 * symbol among its inputs gets fresh symbols keyed by its function and inputs.
 */
export function evaluate(cell: EvalCell, ins: Readonly<Record<string, readonly Bit[]>>, t: SymbolTable): Bit[] {
  const p = cell.params;
  const yw = p.Y_WIDTH ?? p.WIDTH ?? 1;
  const A = ins.A ?? [], B = ins.B ?? [];
  const sa = (p.A_SIGNED ?? 0) !== 0, sb = (p.B_SIGNED ?? 0) !== 0;
  switch (cell.type) {
    case '$_BUF_': return [A[0]!];
    case '$_NOT_': return [notBit(A[0]!)];
    case '$_AND_': return [and2(A[0]!, B[0]!, t)];
    case '$_NAND_': return [notBit(and2(A[0]!, B[0]!, t))];
    case '$_OR_': return [or2(A[0]!, B[0]!, t)];
    case '$_NOR_': return [notBit(or2(A[0]!, B[0]!, t))];
    case '$_XOR_': return [xor2(A[0]!, B[0]!, t)];
    case '$_XNOR_': return [notBit(xor2(A[0]!, B[0]!, t))];
    case '$_ANDNOT_': return [and2(A[0]!, notBit(B[0]!), t)];
    case '$_ORNOT_': return [or2(A[0]!, notBit(B[0]!), t)];
    case '$_MUX_': return [mux2(ins.S![0]!, A[0]!, B[0]!, t)];
    case '$pos': return extend(A, yw, sa);
    case '$not': return extend(A, yw, sa).map(notBit);
    case '$reduce_and': return extend([reduceAnd(A, t)], yw, false);
    case '$reduce_or': case '$reduce_bool': return extend([reduceOr(A, t)], yw, false);
    case '$reduce_xor': return extend([reduceXor(A, t)], yw, false);
    case '$reduce_xnor': return extend([notBit(reduceXor(A, t))], yw, false);
    case '$logic_not': return extend([notBit(reduceOr(A, t))], yw, false);
    case '$logic_and': return extend([and2(reduceOr(A, t), reduceOr(B, t), t)], yw, false);
    case '$logic_or': return extend([or2(reduceOr(A, t), reduceOr(B, t), t)], yw, false);
    case '$mux': {
      const s = ins.S![0]!;
      return A.map((a, i) => mux2(s, a, B[i]!, t));
    }
    case '$pmux': {
      const S = ins.S!;
      const w = p.WIDTH!;
      if (S.every(isConst)) {
        const on = S.flatMap((s, i) => (s ? [i] : []));
        if (on.length === 0) return [...A];
        if (on.length === 1) return B.slice(on[0]! * w, on[0]! * w + w);
      }
      break;
    }
  }
  if (BITWISE.has(cell.type)) {
    const signed = sa && sb;
    const [a, b] = [extend(A, yw, signed), extend(B, yw, signed)];
    const op = cell.type === '$and' ? and2 : cell.type === '$or' ? or2 : xor2;
    const r = a.map((x, i) => op(x, b[i]!, t));
    return cell.type === '$xnor' ? r.map(notBit) : r;
  }
  if (cell.type === '$eq' || cell.type === '$ne') {
    const w = Math.max(A.length, B.length);
    const signed = sa && sb;
    const e = equal(extend(A, w, signed), extend(B, w, signed), t);
    return extend([cell.type === '$eq' ? e : notBit(e)], yw, false);
  }
  const all = Object.values(ins).every((bits) => bits.every(isConst));
  if (all) {
    const r = constantResult(cell, ins, yw);
    if (r) return r;
  }
  let known = cellFunctions.get(cell);
  if (!known) {
    const ports = Object.keys(ins).sort();
    cellFunctions.set(cell, (known = { ports, fn: functionId(`${cell.type}|${cell.paramKey}|${ports.join(',')}`) }));
  }
  const inputs: number[] = [];
  for (const k of known.ports) for (const b of ins[k]!) inputs.push(b);
  return t.symbolsOf(known.fn, inputs, yw);
}
