// The nets of a module that hold one value whatever its inputs, registers, memories and instances hold: its
// combinational cells evaluated once over symbols (symbolicBits.ts), every value that is not theirs a fresh symbol.
// Sound by construction: a net comes out 0 or 1 only when the evaluator's folds make it so for every value of those
// symbols (a ReLU by the sign bit writes a sign bit that is 0 whatever its operand). Pure: no I/O.
import { evaluate, EVALUATED_TYPES, SymbolTable, type Bit } from './symbolicBits.js';
import type { JsonBit, JsonCell, JsonModule } from './yosysJson.js';

const known = new WeakMap<JsonModule, ReadonlyMap<number, 0 | 1>>();

/**
 * The nets of `mod` that its combinational cells always drive to the same value, and that value. A cell in a
 * combinational loop, and any cell the evaluator does not know, counts as unknown: its outputs are symbols.
 */
export function constantNets(mod: JsonModule): ReadonlyMap<number, 0 | 1> {
  const done = known.get(mod);
  if (done) return done;
  const comb = mod.cells.filter((c) => EVALUATED_TYPES.has(c.type));
  const driverOf = new Map<number, JsonCell>();
  for (const c of comb) for (const bits of Object.values(c.outputs)) for (const b of bits) if (typeof b === 'number') driverOf.set(b, c);
  // Kahn's order over the cells that feed each other: a cell waits for every combinational cell it reads. Cells on
  // a loop never come up, and their outputs stay symbols.
  const waiting = new Map<JsonCell, number>();
  const readers = new Map<JsonCell, JsonCell[]>();
  for (const c of comb) {
    const feeders = new Set<JsonCell>();
    for (const bits of Object.values(c.inputs)) for (const b of bits) { const d = typeof b === 'number' ? driverOf.get(b) : undefined; if (d) feeders.add(d); }
    waiting.set(c, feeders.size);
    for (const d of feeders) { const list = readers.get(d); if (list) list.push(c); else readers.set(d, [c]); }
  }
  const t = new SymbolTable();
  const value = new Map<number, Bit>();
  const read = (b: JsonBit): Bit => {
    if (b === '0') return 0;
    if (b === '1') return 1;
    if (typeof b !== 'number') return 2 * t.reserve(1) + 2;
    let v = value.get(b);
    if (v === undefined) value.set(b, (v = 2 * t.reserve(1) + 2));
    return v;
  };
  const out = new Map<number, 0 | 1>();
  const ready = comb.filter((c) => waiting.get(c) === 0);
  while (ready.length) {
    const c = ready.pop()!;
    const ins = Object.fromEntries(Object.entries(c.inputs).map(([p, bits]) => [p, bits.map(read)]));
    const y = evaluate(c, ins, t);
    (c.outputs.Y ?? []).forEach((b, i) => {
      if (typeof b !== 'number') return;
      value.set(b, y[i]!);
      if (y[i]! < 2) out.set(b, y[i] as 0 | 1);
    });
    for (const r of readers.get(c) ?? []) {
      const left = waiting.get(r)! - 1;
      waiting.set(r, left);
      if (left === 0) ready.push(r);
    }
  }
  known.set(mod, out);
  return out;
}
