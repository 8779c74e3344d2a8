// The mutated cone of one copy of a module (original or mutant) as a small state machine: a set of registers, the
// combinational cells that compute their next values from their current values and from inputs that do not depend on
// them (free inputs), and the points where the rest of the module reads the cone (its boundary). A memory's asynchronous
// read counts as a function of its address (memoryPorts.ts); logic fed only by narrow module inputs is computed from
// them rather than cut off as inputs of its own. Black boxes stay opaque. Compiled to slots so a
// step evaluates without maps. Invariant: every name here (registers, free inputs, boundary readers) is a cell or port
// name of the module, so the original's and the mutant's cones can be matched by name.
import { allOfDepthFirst } from './allOfDepthFirst.js';
import { constantNets } from './constantNets.js';
import { modelledMemory, READ_PORT_TYPE, readPortCell, readPortOf } from './memoryPorts.js';
import { evaluate, EVALUATED_TYPES, nameId, type Bit, type SymbolTable } from './symbolicBits.js';
import type { JsonBit, JsonCell, JsonModule } from './yosysJson.js';

/** Who drives a net: a cell's output bit, or a bit of a module input port. */
type Driver = { readonly cell: JsonCell; readonly port: string; readonly idx: number } | { readonly cell?: undefined; readonly port: string; readonly idx: number };
/** Who reads a net: a cell's input bit, or a bit of a module output port. */
type Reader = Driver;

/** A module indexed for cone building: drivers and readers of each net. */
export class IndexedModule {
  readonly byName = new Map<string, JsonCell>();
  readonly driver = new Map<number, Driver>();
  readonly readers = new Map<number, Reader[]>();

  constructor(readonly mod: JsonModule) {
    const read = (net: JsonBit, r: Reader) => {
      if (typeof net !== 'number') return;
      const list = this.readers.get(net);
      if (list) list.push(r);
      else this.readers.set(net, [r]);
    };
    for (const [port, p] of mod.ports) {
      p.bits.forEach((b, idx) => {
        if (typeof b !== 'number') return;
        if (p.direction === 'input') this.driver.set(b, { port, idx });
        else read(b, { port, idx });
      });
    }
    for (const c of mod.cells) {
      this.byName.set(c.name, c);
      for (const [port, bits] of Object.entries(c.outputs)) bits.forEach((b, idx) => { if (typeof b === 'number') this.driver.set(b, { cell: c, port, idx }); });
      for (const [port, bits] of Object.entries(c.inputs)) bits.forEach((b, idx) => read(b, { cell: c, port, idx }));
    }
  }

  /** The one-bit registers made from bits of wider ones (registerBit), by name, with the register and bit they are. */
  private readonly bits = new Map<string, { readonly cell: JsonCell; readonly of: JsonCell; readonly bit: number }>();

  /**
   * Bit `bit` of register `reg` (a plain $dff) as a register of its own, named `<reg>#<bit>`: a cone may hold the one
   * bit of a data register whose value matters (a sign bit a ReLU fixes) without the logic of the others.
   */
  registerBit(reg: JsonCell, bit: number): JsonCell {
    const name = `${reg.name}#${bit}`;
    const had = this.bits.get(name);
    if (had) return had.cell;
    const cell: JsonCell = { name, type: '$dff', params: { ...reg.params, WIDTH: 1 }, paramKey: reg.paramKey, inputs: { CLK: reg.inputs.CLK ?? [], D: [reg.inputs.D![bit]!] }, outputs: { Q: [reg.outputs.Q![bit]!] } };
    this.bits.set(name, { cell, of: reg, bit });
    return cell;
  }

  /** A register of the cone by name: a cell of the module, or one bit of one (`<reg>#<bit>`, as registerBit names it). */
  register(name: string): JsonCell | undefined {
    const direct = this.byName.get(name);
    if (direct) return direct;
    const at = /^(.*)#(\d+)$/.exec(name);
    const reg = at ? this.byName.get(at[1]!) : undefined;
    return reg?.type === '$dff' && Number(at![2]) < (reg.outputs.Q?.length ?? 0) ? this.registerBit(reg, Number(at![2])) : undefined;
  }

  /** The reader ids of a cone register's own D input bits (`reg.D[i]`, the wider register's for one bit of it). */
  ownInputs(reg: JsonCell): string[] {
    const b = this.bits.get(reg.name);
    return b ? [`${b.of.name}.D[${b.bit}]`] : (reg.inputs.D ?? []).map((_, k) => `${reg.name}.D[${k}]`);
  }

  private readonly deadMemo = new Map<string, boolean>();
  private namedNets: Set<JsonBit> | undefined;

  /**
   * Whether combinational cell `c` feeds nothing: every reader of its outputs is a combinational cell that feeds
   * nothing (no register, port, memory, instance or named wire downstream). What such a cell reads is seen by nobody.
   * A loop counts as feeding something.
   */
  feedsNothing(c: JsonCell): boolean {
    return allOfDepthFirst(c, this.deadMemo, (cell) => cell.name, (cell) => isComb(cell) && (this.readerCells(cell) ?? false));
  }

  /** The cells reading `c`'s outputs, or null when a named wire, a port or a non-cell reads one of them. */
  private readerCells(c: JsonCell): JsonCell[] | null {
    const named = (this.namedNets ??= new Set([...this.mod.wires.values()].flat()));
    const cells: JsonCell[] = [];
    for (const b of Object.values(c.outputs).flat()) {
      if (typeof b !== 'number') continue;
      if (named.has(b)) return null;
      for (const r of this.readers.get(b) ?? []) {
        if (r.cell === undefined) return null;
        cells.push(r.cell);
      }
    }
    return cells;
  }

  /** A register's name as the design gives it: the named wire on its output, or the cell's own name. */
  registerName(cell: JsonCell): string {
    const b = this.bits.get(cell.name);
    if (b) return `${this.registerName(b.of)}[${b.bit}]`;
    const q = (cell.outputs.Q ?? []).join(',');
    for (const [n, bits] of this.mod.wires) if (bits.join(',') === q) return n;
    return cell.name;
  }

  /** The registers (plain $dff cells) reached from `cells`' outputs through combinational cells and memory reads. */
  registersAfter(cells: readonly JsonCell[]): JsonCell[] {
    return this.registersAfterNets(cells.flatMap((c) => Object.values(c.outputs).flat()));
  }

  /** The registers (plain $dff cells) that read `net` on their D input, directly or through combinational cells and memory reads. */
  registersReading(net: number): JsonCell[] {
    return this.registersAfterNets([net]);
  }

  /** The registers reached from the nets `start` through combinational cells and memory reads. */
  private registersAfterNets(start: readonly JsonBit[]): JsonCell[] {
    const found = new Map<string, JsonCell>();
    const seen = new Set<string>();
    const work = [...start];
    while (work.length) {
      const b = work.pop()!;
      for (const r of typeof b === 'number' ? this.readers.get(b) ?? [] : []) {
        if (!r.cell) continue;
        // Through a memory's asynchronous read (the word at an address), as the cone does (memoryPorts.ts).
        const via = r.cell.type === '$mem_v2' && r.port === 'RD_ADDR' ? readPortCell(r.cell, readPortOf(r.cell, 'RD_ADDR', r.idx)) : r.cell;
        if (seen.has(via.name)) continue;
        seen.add(via.name);
        if (via.type === '$dff') { if (r.port === 'D') found.set(via.name, via); }
        else if (isComb(via) || via.type === READ_PORT_TYPE) work.push(...Object.values(via.outputs).flat());
      }
    }
    return [...found.values()];
  }

  /**
   * What can observe the values on `start` nets and those `cells` drive, through combinational cells: output ports,
   * registers, submodules and memories (any other non-combinational cell), and named wires in `tapped`. Empty when
   * nothing reads them.
   */
  observers(cells: readonly JsonCell[], start: readonly number[], tapped: ReadonlySet<string>): string[] {
    const found = new Set<string>();
    const seen = new Set<string>();
    const nets = new Set<number>();
    const pending = [...start];
    const work = [...cells];
    const visit = (b: number) => {
      if (nets.has(b)) return;
      nets.add(b);
      for (const r of this.readers.get(b) ?? []) {
        if (!r.cell) { found.add(`output port ${r.port}`); continue; }
        if (seen.has(r.cell.name)) continue;
        seen.add(r.cell.name);
        if (isComb(r.cell)) work.push(r.cell);
        else found.add(`${r.cell.type} ${r.cell.name}`);
      }
    };
    while (work.length || pending.length) {
      if (pending.length) { visit(pending.pop()!); continue; }
      const c = work.pop()!;
      for (const bits of Object.values(c.outputs)) for (const b of bits) if (typeof b === 'number') visit(b);
    }
    for (const [name, bits] of this.mod.wires) if (tapped.has(name) && bits.some((b) => typeof b === 'number' && nets.has(b))) found.add(`tapped wire ${name}`);
    return [...found];
  }

  /**
   * Whether the free input `id` (a driver id: `cell.port[i]` or `port[i]`) is a control: a function of narrow
   * registers (at most `regBits` bits each) and one- or two-bit ports only, through combinational cells — never of a
   * wide register, a memory, a submodule or a wide port (data).
   */
  isControl(id: string, regBits = 16): boolean {
    const at = /^(?:(.*)\.)?([^.[\]]+)\[(\d+)\]$/.exec(id);
    if (!at) return false;
    const [, cellName, port, idx] = at;
    if (cellName === undefined) return (this.mod.ports.get(port!)?.bits.length ?? 99) <= 2;
    const net = this.byName.get(cellName)?.outputs[port!]?.[Number(idx)];
    if (typeof net !== 'number') return false;
    const seen = new Set<number>();
    const work = [net];
    while (work.length) {
      const n = work.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const d = this.driver.get(n);
      if (!d) return false;
      if (!d.cell) { if ((this.mod.ports.get(d.port)?.bits.length ?? 99) > 2) return false; continue; }
      if (d.cell.type === '$dff') { if ((d.cell.params.WIDTH ?? 99) > regBits) return false; continue; }
      if (!isComb(d.cell)) return false;
      for (const bits of Object.values(d.cell.inputs)) for (const b of bits) if (typeof b === 'number') work.push(b);
    }
    return true;
  }

  private readonly portFedMemo = new Map<JsonBit, boolean>();

  /**
   * Whether net `b` is a function of narrow module inputs only (ports of one or two bits, through combinational cells;
   * constants allowed): such logic is exact in a search over those inputs, so it is computed there rather than cut off
   * as an input of its own (which would let a strobe and its own copy one step later disagree). A combinational loop
   * counts as not. Remembered per net: the answer is a property of the netlist, whatever was asked before.
   */
  portFed(b: JsonBit): boolean {
    // A net is "not" while its fan-in is explored, so a loop through it ends there (and a loop is never evaluable).
    return allOfDepthFirst(b, this.portFedMemo, (net) => net, (net) => {
      if (typeof net !== 'number') return true;
      const d = this.driver.get(net);
      if (d && !d.cell) return (this.mod.ports.get(d.port)?.bits.length ?? 99) <= 2;
      return d?.cell !== undefined && isComb(d.cell) && Object.values(d.cell.inputs).flat();
    });
  }

  /** The registers in the combinational fan-in of `bits`, with the depth (cells passed) at which each is first met. */
  registersBefore(bits: readonly JsonBit[]): Map<string, { cell: JsonCell; depth: number }> {
    const out = new Map<string, { cell: JsonCell; depth: number }>();
    const seen = new Set<number>();
    let level = bits.filter((b): b is number => typeof b === 'number');
    for (let depth = 0; level.length && depth < 64; depth++) {
      const next: number[] = [];
      for (const net of level) {
        if (seen.has(net)) continue;
        seen.add(net);
        const d = this.driver.get(net);
        if (!d?.cell) continue;
        if (d.cell.type === '$dff') { if (!out.has(d.cell.name)) out.set(d.cell.name, { cell: d.cell, depth }); }
        else if (isComb(d.cell)) for (const ins of Object.values(d.cell.inputs)) for (const b of ins) if (typeof b === 'number') next.push(b);
      }
      level = next;
    }
    return out;
  }
}

/** A cell the evaluator can compute (combinational and of a known type). */
const isComb = (c: JsonCell): boolean => EVALUATED_TYPES.has(c.type);

/** Name of the thing that drives a free input bit, by bit (`cell.port[i]` or `port[i]`), and its group (without `[i]`). */
/** A driver's id: `cell.port[i]`, or `port[i]` for a module input. */
export const driverId = (d: Driver) => `${d.cell ? `${d.cell.name}.` : ''}${d.port}[${d.idx}]`;
const readerId = (r: Reader) => (r.cell ? `${r.cell.name}.${r.port}[${r.idx}]` : `output ${r.port}[${r.idx}]`);
/** The group (a whole port of a cell or module) a bit id belongs to. */
export const groupOf = (id: string): string => id.replace(/\[\d+\]$/, '');

/**
 * Where an input bit of a compiled cell comes from: a slot, or (negative) a constant: −1 is 0, −2 is 1, and −3 − n an x
 * bit named n (nameId of its place: one symbol per place, the same in both copies — where the original leaves a bit
 * undefined, the mutant built from the same netlist leaves it so too, and a mutant that picks a value for one is one of
 * the implementations the original allows: mutation/formal/undefinedBit.ts).
 */
type Source = number;

interface CompiledCell {
  readonly cell: JsonCell;
  readonly ins: Readonly<Record<string, Int32Array>>;
  readonly ports: readonly string[];
  readonly out: Int32Array;
  /**
   * The cell's input bits by port, refilled every step (evaluate keeps none of them): a step allocated them afresh for
   * every cell, and the garbage was a large part of a search's time.
   */
  readonly buffers: Readonly<Record<string, Bit[]>>;
  /** The same arrays beside their sources, in port order (the step's inner loop walks these, not the records). */
  readonly fill: readonly { readonly src: Int32Array; readonly bits: Bit[] }[];
}

/** The cone of one copy, compiled: slots are state bits, then free inputs, then cell outputs. */
export interface ConeMachine {
  /** The registers, in the order given; their Q bits fill the first slots. */
  readonly registers: readonly JsonCell[];
  readonly stateWidth: number;
  /** Free input bit ids, in slot order after the state. */
  readonly freeIds: readonly string[];
  /**
   * The boundary: the reader ids of the places the rest of the module reads, sorted (two copies with the same places
   * list them alike), and the slot each reads.
   */
  readonly boundaryIds: readonly string[];
  readonly boundarySlots: Int32Array;
  /** The slots of the registers' D bits (next state), or negative constants. */
  readonly next: Int32Array;
  readonly cells: readonly CompiledCell[];
  readonly slots: number;
  /** The slots (or negative constants) of the nets asked to be watched, in the order asked. */
  readonly watched: Int32Array;
}

/**
 * The cone of `registers` in `m`, with `mutated` (cells that differ from the other copy) inside it, or why there is
 * none: a register that is not a plain $dff, a cell the evaluator cannot compute, a combinational loop, or a net
 * nothing drives. The nets in `watch` are evaluated every step as well (stepCone's `watched`).
 */
export function buildCone(m: IndexedModule, registers: readonly string[], mutated: readonly string[], watch: readonly JsonBit[] = []): ConeMachine | string {
  const regs = coneRegisters(m, registers);
  if (typeof regs === 'string') return regs;
  // Memories written on the registers' clock and read asynchronously join the cone through their read ports
  // (memoryPorts.ts).
  const clock = regs[0]?.inputs.CLK?.[0];
  const memories = new Set(m.mod.cells.filter((c) => modelledMemory(c, clock)).map((c) => c.name));
  const mutatedComb = mutated.map((n) => m.byName.get(n)).filter((c): c is JsonCell => c !== undefined && c.type !== '$dff');
  for (const c of mutatedComb) if (!isComb(c)) return `the mutated cell ${c.name} (${c.type}) cannot be evaluated`;
  const ordered = coneOrder(m, regs, mutatedComb, memories, watch);
  if (typeof ordered === 'string') return ordered;
  return compileCone(m, regs, ordered, memories, watch);
}

/**
 * The registers named, or why they cannot make a cone: one clock for all, since the search steps every register at
 * once, which holds only for registers on the rising edge of one module input (a gated or derived clock would tick
 * some and not others).
 */
function coneRegisters(m: IndexedModule, registers: readonly string[]): JsonCell[] | string {
  const regs: JsonCell[] = [];
  const clocks = new Set<string>();
  for (const n of registers) {
    const c = m.register(n);
    if (!c || c.type !== '$dff') return `register ${n} is not a plain flip-flop`;
    const clk = c.inputs.CLK?.[0];
    const port = typeof clk === 'number' ? m.driver.get(clk) : undefined;
    if (c.params.CLK_POLARITY !== 1 || !port || port.cell) return `register ${m.registerName(c)} is not clocked by a module input's rising edge`;
    clocks.add(port.port);
    regs.push(c);
  }
  if (clocks.size > 1) return `the registers have more than one clock (${[...clocks].join(', ')})`;
  return regs;
}

/** The read port a reader of a modelled memory's address computes through, if it is one. */
function readPortAt(memories: ReadonlySet<string>, r: Reader): JsonCell | undefined {
  return r.cell && r.port === 'RD_ADDR' && memories.has(r.cell.name) ? readPortCell(r.cell, readPortOf(r.cell, 'RD_ADDR', r.idx)) : undefined;
}

/**
 * The cells of the cone in evaluation order — the fan-in of the registers' next values (and of the mutated cells, the
 * modelled memories' write ports and the watched nets) through nets that depend on the cone — and its free inputs: the
 * nets that do not depend on it, whoever drives them (by driver id) — and which of the cells depend on the cone. Or
 * why there is none.
 */
function coneOrder(m: IndexedModule, regs: readonly JsonCell[], mutatedComb: readonly JsonCell[], memories: ReadonlySet<string>, watch: readonly JsonBit[]): { order: JsonCell[]; freeNets: Map<number, string>; dependent: Set<string> } | string {
  const stateNets = new Set(regs.flatMap((r) => r.outputs.Q ?? []));
  const constants = constantNets(m.mod);
  // Nets that depend on the cone: forward from the registers' outputs and the mutated cells'.
  const dep = new Set<number>();
  const spread = (nets: readonly JsonBit[]) => {
    const work = nets.filter((b): b is number => typeof b === 'number');
    while (work.length) {
      const n = work.pop()!;
      if (dep.has(n)) continue;
      dep.add(n);
      for (const r of m.readers.get(n) ?? []) {
        const outs = r.cell && isComb(r.cell) ? Object.values(r.cell.outputs).flat() : readPortAt(memories, r)?.outputs.Y ?? [];
        work.push(...outs.filter((b): b is number => typeof b === 'number'));
      }
    }
  };
  spread(regs.flatMap((r) => r.outputs.Q ?? []));
  spread(mutatedComb.flatMap((c) => Object.values(c.outputs).flat()));
  const order: JsonCell[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const freeNets = new Map<number, string>();
  let problem: string | undefined;
  // What visiting net b comes to: nothing more (a state bit, a constant, a free input, or a problem), or its driver's
  // visit, which the caller makes.
  const cellOf = (b: JsonBit): JsonCell | undefined => {
    if (typeof b !== 'number' || problem) return undefined;
    const d = m.driver.get(b);
    if (!d) { problem = `net ${b} has no driver`; return undefined; }
    if (stateNets.has(b)) return undefined;
    // A modelled memory's read is its word at the address, whether the address depends on the cone or not: a copy
    // whose address is a constant (the mutant's, where the original's is computed) must read the same word the other
    // reads at that address, not a word of its own.
    if (d.cell && d.port === 'RD_DATA' && memories.has(d.cell.name)) return readPortCell(d.cell, readPortOf(d.cell, 'RD_DATA', d.idx));
    if (d.cell && dep.has(b)) {
      if (!isComb(d.cell)) { problem = `cell ${d.cell.name} (${d.cell.type}) depends on the cone but cannot be evaluated`; return undefined; }
      return d.cell;
    }
    if (d.cell && isComb(d.cell) && m.portFed(b)) return d.cell;
    // A net the module always drives to one value is that value, not a free input (compileCone's sources).
    if (!constants.has(b)) freeNets.set(b, driverId(d));
    return undefined;
  };
  // Depth first in post-order (a cell after every cell it reads), on an explicit stack: a chain of thousands of cells
  // cannot overflow the call stack.
  const visitCell = (root: JsonCell): void => {
    const stack: { readonly cell: JsonCell; readonly bits: readonly JsonBit[]; next: number }[] = [];
    const enter = (c: JsonCell): void => {
      const s = state.get(c.name);
      if (s === 'done') return;
      if (s === 'visiting') { problem = `combinational loop through ${c.name}`; return; }
      state.set(c.name, 'visiting');
      stack.push({ cell: c, bits: Object.values(c.inputs).flat(), next: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.next < f.bits.length) {
        const c = cellOf(f.bits[f.next++]!);
        if (c) enter(c);
        continue;
      }
      stack.pop();
      state.set(f.cell.name, 'done');
      order.push(f.cell);
    }
  };
  const visitNet = (b: JsonBit): void => {
    const c = cellOf(b);
    if (c) visitCell(c);
  };
  for (const r of regs) for (const b of r.inputs.D ?? []) visitNet(b);
  for (const c of mutatedComb) visitCell(c);
  // A modelled memory's write ports join the cone where they depend on it, so the boundary is at the port itself,
  // where its address and data can be compared only under its enables (reachProof.ts).
  for (const name of memories) {
    const mem = m.byName.get(name)!;
    for (const port of ['WR_EN', 'WR_ADDR', 'WR_DATA']) for (const b of mem.inputs[port] ?? []) if (typeof b === 'number' && dep.has(b)) visitNet(b);
  }
  if (problem) return problem;
  // Watched nets are computed too (their logic joins the cone, or they are free inputs). One that cannot be (no
  // driver, a loop, logic the evaluator lacks) reads as a symbol of its own: known to nobody, so it relaxes nothing.
  // Its visit is undone whole: a cell left half-visited would sit in the order before a cell it reads.
  for (const b of watch) {
    const mark = order.length, states = new Map(state), frees = new Map(freeNets);
    visitNet(b);
    if (!problem) continue;
    order.length = mark;
    state.clear();
    for (const [k, v] of states) state.set(k, v);
    freeNets.clear();
    for (const [k, v] of frees) freeNets.set(k, v);
    problem = undefined;
  }
  // Cells computed from narrow inputs alone are in the order but not of the cone: equal in both copies, they are not
  // boundary sources (one copy may reach them and the other not, as when a mutation ties off the net that led there).
  const dependent = new Set(order.filter((c) => Object.values(c.outputs).flat().some((b) => typeof b === 'number' && dep.has(b))).map((c) => c.name));
  return { order, freeNets, dependent };
}

/** The cone compiled to slots (state bits, free inputs, cell outputs), with its boundary: what outside it reads. */
function compileCone(m: IndexedModule, regs: readonly JsonCell[], ordered: { readonly order: readonly JsonCell[]; readonly freeNets: ReadonlyMap<number, string>; readonly dependent: ReadonlySet<string> }, memories: ReadonlySet<string>, watch: readonly JsonBit[]): ConeMachine | string {
  const { order, freeNets, dependent } = ordered;
  const slotOf = new Map<number, number>();
  let slots = 0;
  for (const r of regs) for (const b of r.outputs.Q ?? []) if (typeof b === 'number') slotOf.set(b, slots++); else return `register ${r.name} has a constant output bit`;
  const stateWidth = slots;
  const freeIds = [...new Set(freeNets.values())];
  const freeSlot = new Map(freeIds.map((id, i) => [id, stateWidth + i]));
  slots += freeIds.length;
  for (const [net, id] of freeNets) slotOf.set(net, freeSlot.get(id)!);
  for (const c of order) for (const b of c.outputs.Y ?? []) if (typeof b === 'number') slotOf.set(b, slots++);
  const constants = constantNets(m.mod);
  const constant = (b: number): Source | undefined => { const k = constants.get(b); return k === undefined ? undefined : -1 - k; };
  const source = (b: JsonBit, place: string): Source => (b === '0' ? -1 : b === '1' ? -2 : typeof b === 'number' ? slotOf.get(b) ?? constant(b) ?? -3 - nameId(`x|${place}`) : -3 - nameId(`x|${place}`));
  const cells: CompiledCell[] = order.map((cell) => {
    const ins = Object.fromEntries(Object.entries(cell.inputs).map(([p, bits]) => [p, Int32Array.from(bits.map((b, k) => source(b, `${cell.name}.${p}[${k}]`)))]));
    const ports = Object.keys(cell.inputs);
    const buffers = Object.fromEntries(ports.map((p) => [p, new Array<Bit>(ins[p]!.length).fill(0)]));
    return {
      cell, ins, ports, buffers,
      fill: ports.map((p) => ({ src: ins[p]!, bits: buffers[p]! })),
      // An output bit tied to a constant (no net) has no slot: −1, skipped when the cell's result is stored.
      out: Int32Array.from((cell.outputs.Y ?? []).map((b) => (typeof b === 'number' ? slotOf.get(b)! : -1))),
    };
  });
  // The boundary: bits the cone computes (register outputs, cell outputs) that anything outside it reads. A modelled
  // read port in the cone reads its address there: not a boundary place.
  const inCone = new Set(order.map((c) => c.name));
  const own = new Set(regs.flatMap((r) => m.ownInputs(r)));
  const readInCone = (r: Reader) => { const f = readPortAt(memories, r); return f !== undefined && inCone.has(f.name); };
  const boundary = new Map<string, number>();
  const produced = [...regs.flatMap((r) => r.outputs.Q ?? []), ...order.filter((c) => dependent.has(c.name)).flatMap((c) => c.outputs.Y ?? [])];
  for (const b of produced) {
    if (typeof b !== 'number') continue;
    for (const r of m.readers.get(b) ?? []) {
      // A cell whose outputs nobody reads is no place to compare (the mutant's adder whose result a constant replaced).
      if (r.cell && (inCone.has(r.cell.name) || own.has(readerId(r)) || readInCone(r) || m.feedsNothing(r.cell))) continue;
      boundary.set(readerId(r), slotOf.get(b)!);
    }
  }
  const next = Int32Array.from(regs.flatMap((r) => (r.inputs.D ?? []).map((b, k) => source(b, `${r.name}.D[${k}]`))));
  const watched = Int32Array.from(watch.map((b, k) => source(b, `watch[${k}]`)));
  const boundaryIds = [...boundary.keys()].sort();
  const boundarySlots = Int32Array.from(boundaryIds, (id) => boundary.get(id)!);
  return { registers: regs, stateWidth, freeIds, boundaryIds, boundarySlots, next, cells, slots, watched };
}

/** Per cone, the value of every slot in the step being evaluated, reused from step to step. */
const slotBuffers = new WeakMap<ConeMachine, Bit[]>();

/**
 * One step of a cone: next state and boundary values (in the order of `boundaryIds`), from state bits (`stateWidth` of
 * them from `stateAt` in `stateBits`) and free input bits (by slot order).
 */
export function stepCone(c: ConeMachine, stateBits: readonly Bit[], freeBits: readonly Bit[], t: SymbolTable, stateAt = 0): { next: Bit[]; boundary: Bit[]; watched: Bit[] } {
  // The slot values too are one array per cone, overwritten every step (every slot a step reads it writes first).
  let v = slotBuffers.get(c);
  if (!v) slotBuffers.set(c, (v = new Array<Bit>(c.slots).fill(0)));
  for (let i = 0; i < c.stateWidth; i++) v[i] = stateBits[stateAt + i]!;
  for (let i = 0; i < freeBits.length; i++) v[c.stateWidth + i] = freeBits[i]!;
  const read = (s: number): Bit => (s >= 0 ? v[s]! : s === -1 ? 0 : s === -2 ? 1 : t.named(-3 - s));
  for (const cc of c.cells) {
    for (const { src, bits } of cc.fill) {
      for (let k = 0; k < src.length; k++) {
        const s = src[k]!;
        bits[k] = s >= 0 ? v[s]! : read(s);
      }
    }
    const y = evaluate(cc.cell, cc.buffers, t);
    for (let i = 0; i < cc.out.length; i++) if (cc.out[i]! >= 0) v[cc.out[i]!] = y[i]!;
  }
  const boundary = new Array<Bit>(c.boundarySlots.length);
  for (let i = 0; i < boundary.length; i++) boundary[i] = v[c.boundarySlots[i]!]!;
  return { next: Array.from(c.next, read), boundary, watched: c.watched.length ? Array.from(c.watched, read) : [] };
}
