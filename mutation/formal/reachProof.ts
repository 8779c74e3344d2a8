// Equivalence of a mutant by reachability: the original's and the mutant's copies of the mutated cone (mutation/formal/coneMachine.ts)
// run side by side from power-up through reset over every input they can see, and every state pair reached is checked
// for equal boundary values (what the rest of the module reads of the cone; a stream output only while its valid is
// high, as the stream contract gives it meaning — mutation/formal/streamMask.ts; a memory write's address and data
// only while it is enabled — mutation/formal/memoryPorts.ts). Inputs of one or two bits (controls) are
// enumerated; wider ones (data) are symbols both copies share. When a reached pair differs, the cone grows — by the
// registers the difference flows into, and by the narrowest register behind an enumerated control; with none left, by
// single bits of the data registers it is read from — and the search runs again, up to a limit. Sound by
// construction: every real run of the two designs is a path here (free inputs are over-approximated), so "equal at
// every reached pair" means the rest of the module never sees a difference.
// It proves what induction cannot when the relation between the two copies' states is not equality (a counter in
// another encoding, a value corrupted only while it is dead).
import { buildCone, groupOf, IndexedModule, stepCone, type ConeMachine } from './coneMachine.js';
import { EVALUATED_TYPES, SymbolTable, type Bit } from './symbolicBits.js';
import { streamFields } from './streamMask.js';
import { enableNet, writeEnables, type EnableBit } from './memoryPorts.js';
import { FLATTEN_FAILED, flattenedPair, modulePair, type MutantPair, type ObservedStream } from './mutantPair.js';
import type { JsonBit, JsonCell, JsonModule } from './yosysJson.js';
import type { Proof, YosysMutation } from './yosys.js';

/** Limits of a reachability proof. */
export interface ReachLimits {
  /**
   * Cell evaluations for all searches of one mutant (a budget of work, not of time, so that the verdict does not
   * depend on how busy the machine is; from about 10⁵ a second on a datapath to 10⁶ on control logic).
   */
  readonly evaluations: number;
  /** Product states one search may reach. */
  readonly states: number;
  /** Times the cone may grow. */
  readonly rounds: number;
  /** Enumerated input bits per step (2^this input combinations). */
  readonly enumeratedBits: number;
}

/** Default limits. */
export const REACH_LIMITS: ReachLimits = { evaluations: 20_000_000, states: 60_000, rounds: 10, enumeratedBits: 10 };

/** The design's top module and reset port (a top input, with or without the top's name in front), and what it observes. */
export interface ResetOf {
  readonly top: string;
  readonly reset: string;
  /** The reset holds while the port is 0 (an `rst_n`, an AXI4-Stream `aresetn`); high when absent. */
  readonly activeLow?: boolean;
  /** Wire names the tap map reads (last path components): a value that reaches one is observed. */
  readonly tapped?: readonly string[];
  /**
   * The streams the tap map observes (each layer's and the output), as paths from the top: given, a search that stops
   * where the mutated value enters another module's instance (or comes out of one) goes on in the whole design
   * flattened, comparing these.
   */
  readonly streams?: readonly ObservedStream[];
}

/** A free input in a search: enumerated (its bit in the combination) or a symbol both copies share (by its index). */
interface FreeInput {
  readonly bit: number | undefined;
  readonly data: number;
}

/**
 * A place compared as each copy's own watched value (index `k`), under `mask` (its stream's valid): an output port bit
 * the two copies drive from different places, or a tapped wire bit that is not a port of the searched module.
 */
interface ComparedPort {
  readonly id: string;
  readonly k: number;
  readonly mask: readonly number[] | undefined;
}

/** How a search ended. */
type Search =
  | { readonly proven: true; readonly states: number }
  | { readonly proven: false; readonly differs: readonly string[]; readonly depth: number; readonly path: FoundPath }
  | { readonly proven: false; readonly limit: string };

/**
 * Symbols of a state renumbered in order of first appearance, so equal states (up to naming) get one key; with the
 * step's table `t`, a symbol that is the XOR of two others of the state (neither an XOR itself) keeps that as a
 * definition (`defs`: symbol, operand, operand, as new indices), part of the key — a bit a mutant toggles by another
 * stays related to the bit it was, and two states with the same bits but other relations are never one.
 */
function canonical(bits: readonly Bit[], t?: SymbolTable): { bits: Bit[]; symbols: number; key: string; defs: readonly (readonly [number, number, number])[] } {
  const map = new Map<number, number>();
  const out = bits.map((b) => {
    if (b < 2) return b;
    const base = b & ~1;
    let k = map.get(base);
    if (k === undefined) { k = map.size; map.set(base, k); }
    return (2 * k + 2) | (b & 1);
  });
  const defs: [number, number, number][] = [];
  if (t) {
    for (const [base, k] of map) {
      const p = t.xorFirst(base);
      if (p === undefined) continue;
      const q = t.xorPartner(base, p)!;
      const [i, j] = [map.get(p), map.get(q)];
      if (i !== undefined && j !== undefined && t.xorFirst(p) === undefined && t.xorFirst(q) === undefined) defs.push([k, Math.min(i, j), Math.max(i, j)]);
    }
  }
  return { bits: out, symbols: map.size, key: defs.length ? `${out.join(',')}|${defs.join(';')}` : out.join(','), defs };
}

/** A bit as a trace shows it: 0, 1, or a free value both copies share (s3, or ¬s3 for its complement). */
const bitText = (b: Bit) => (b < 2 ? String(b) : `${b & 1 ? '¬' : ''}s${(b >> 1) - 1}`);

/** What a search found on its way to a difference: the inputs it left free, each step's enumerated ones, and where the copies differ. */
interface FoundPath {
  /** Every free input of the cones (enumerated and data), by id. */
  readonly free: readonly string[];
  /** The enumerated inputs, in the bit order of `combos`. */
  readonly enumerated: readonly string[];
  /** Each step's combination of enumerated inputs, from power-up. */
  readonly combos: readonly number[];
  /** Each differing place at the last step, with the original's and the mutant's bit. */
  readonly differs: readonly (readonly [string, Bit, Bit])[];
}

/** How a trace names the places it shows, and which free inputs are ports of the searched module (the rest are its internal nets). */
export interface TraceNames {
  readonly label: (id: string) => string;
  readonly isPort: (id: string) => boolean;
  /** What the ports belong to ("rs_layer4", "the design's top, flattened"). */
  readonly scope: string;
}

/** Most step lines a trace keeps (runs of equal steps are one line; a longer path keeps its two ends). */
const TRACE_LINES = 200;

/**
 * The path to a difference as lines a user can read: first which inputs the search left free — the module's ports, or
 * also internal nets free wherever the module computes them (then the path over-approximates the module even more
 * than the search always does); then each step from power-up with its enumerated inputs (controls and the reset),
 * equal steps in a row as one line ("steps 12–97"); last, each differing place with the original's and the mutant's bit.
 * Symbols (s3) stand for values both copies share: data inputs, memory words, values computed from them.
 */
function traceLines(found: FoundPath, names: TraceNames): string[] {
  const { free, enumerated, combos, differs } = found;
  const internal = free.filter((id) => !names.isPort(id));
  const few = (ids: readonly string[]) => `${ids.slice(0, 4).map(names.label).join(', ')}${ids.length > 4 ? `, … ${ids.length - 4} more` : ''}`;
  const header = `free inputs: ${enumerated.length} enumerated bit(s)${enumerated.length ? ` (${few(enumerated)})` : ''} and ${free.length - enumerated.length} data bit(s) as shared symbols; ${internal.length
    ? `${internal.length} of them internal nets of ${names.scope} (${few(internal)}), free where the module computes them: a path the module may never take`
    : `all ports of ${names.scope} (no internal net freed; still the search's over-approximation: memory words and the values it computes are symbols too)`}`;
  const stepText = (c: number) => enumerated.map((id, b) => `${names.label(id)}=${(c >> b) & 1}`).join(' ') || 'no enumerated inputs';
  const runs: string[] = [];
  for (let i = 0; i < combos.length;) {
    let j = i;
    while (j + 1 < combos.length && combos[j + 1] === combos[i]) j++;
    runs.push(`${j > i ? `steps ${i}–${j}` : `step ${i}`}: ${stepText(combos[i]!)}`);
    i = j + 1;
  }
  const kept = runs.length > TRACE_LINES ? [...runs.slice(0, TRACE_LINES / 2), `… ${runs.length - TRACE_LINES} lines …`, ...runs.slice(-TRACE_LINES / 2)] : runs;
  const last = `step ${combos.length - 1}: ${differs.slice(0, 4).map(([id, a, b]) => `${names.label(id)} original ${bitText(a)}, mutant ${bitText(b)}`).join('; ')} (s<n>: a symbol both copies share)`;
  return [header, ...kept, last];
}

/**
 * How a trace names places of `m`: a cell's port bit by the design's wire on that net where there is one (`cnt[3]`,
 * not `$procdff$12.Q[3]`), and which free inputs are the module's input ports.
 */
function traceNames(m: IndexedModule, scope: string): TraceNames {
  let wireOf: Map<number, string> | undefined;
  const named = (net: JsonBit | undefined) => {
    if (typeof net !== 'number') return undefined;
    if (!wireOf) {
      wireOf = new Map();
      for (const [n, bits] of m.mod.wires) {
        if (n.startsWith('$')) continue;
        bits.forEach((b, i) => { if (typeof b === 'number' && !wireOf!.has(b)) wireOf!.set(b, bits.length > 1 ? `${n}[${i}]` : n); });
      }
    }
    return wireOf.get(net);
  };
  return {
    scope,
    isPort: (id) => m.mod.ports.get(groupOf(id))?.direction === 'input',
    label: (id) => {
      const at = /^(.*)\.([^.[\]]+)\[(\d+)\]$/.exec(id);
      const cell = at ? m.byName.get(at[1]!) : undefined;
      return (cell && named((cell.outputs[at![2]!] ?? cell.inputs[at![2]!])?.[Number(at![3])])) ?? id;
    },
  };
}

/**
 * Breadth-first search of the product of the two cones from power-up (every register bit a symbol the copies share;
 * the first step with `reset` at its active level when the cone reads it), checking boundary equality at every step.
 */
function search(gold: ConeMachine, gate: ConeMachine, reset: { readonly id: string; readonly level: 0 | 1 } | undefined, isControl: (id: string) => boolean, limits: ReachLimits, budget: { left: number }, masks: ReadonlyMap<string, readonly number[]>, compared: readonly ComparedPort[] = [], streamPlaces: ReadonlySet<string> = new Set()): Search {
  // streamPlaces: stream outputs only the bench observes (the design's top's, or any in the design flattened), which it
  // does not record while reset holds.
  const resetId = reset?.id;
  const ids = [...new Set([...gold.freeIds, ...gate.freeIds])];
  const groups = new Map<string, string[]>();
  for (const id of ids) groups.set(groupOf(id), [...(groups.get(groupOf(id)) ?? []), id]);
  // Narrow groups are controls (enumerated); wider ones data (symbols). The reset always counts among the controls;
  // when there are too many, the widest controls become data (still sound, less precise).
  const resetGroup = resetId === undefined ? undefined : groupOf(resetId);
  const controls = [...groups].filter(([g, bits]) => (bits.length <= 2 && bits.every(isControl)) || (resetId !== undefined && g === groupOf(resetId)))
    // The reset first: were it left to the data, the first step would not be a reset step, and every register's
    // power-up value would count.
    .sort((a, b) => Number(b[0] === resetGroup) - Number(a[0] === resetGroup) || a[1].length - b[1].length);
  const enumerated: string[] = [];
  for (const [, bits] of controls) if (enumerated.length + bits.length <= limits.enumeratedBits) enumerated.push(...bits);
  const enumIndex = new Map(enumerated.map((id, i) => [id, i]));
  const resetBit = resetId !== undefined ? enumIndex.get(resetId) : undefined;
  // Each free input: its bit in the enumerated combination, or the index of the symbol both copies share. The data
  // inputs' symbols are reserved in one block each step (profiled: naming them one by one through the hashing table
  // was a quarter of a search's time).
  const dataIndex = new Map(ids.filter((id) => !enumIndex.has(id)).map((id, i) => [id, i]));
  const inputsOf = (c: ConeMachine): FreeInput[] => c.freeIds.map((id) => ({ bit: enumIndex.get(id), data: dataIndex.get(id) ?? -1 }));
  const [goldInputs, gateInputs] = [inputsOf(gold), inputsOf(gate)];
  const [goldFree, gateFree] = [new Array<Bit>(goldInputs.length), new Array<Bit>(gateInputs.length)];
  // Each boundary place's masking bits, by its index in boundaryIds (the same places in both copies, sorted alike).
  const placeMasks = gold.boundaryIds.map((id) => masks.get(id));
  const streamPlace = gold.boundaryIds.map((id) => streamPlaces.has(id));
  const width = gold.stateWidth;
  const start = canonical([...Array.from({ length: width }, (_, i) => 2 * i + 2), ...Array.from({ length: width }, (_, i) => 2 * i + 2)]);
  // The power-up state is searched only under reset, so it is not marked seen: the same bits reached later (all
  // registers holding what both copies share) must be searched again with every input.
  const seen = new Set<string>();
  // Each state keeps the step that reached it (its enumerated inputs and the state before), so a difference can be
  // shown as the path to it.
  interface Step { readonly combo: number; readonly before: Step | null }
  let frontier: { bits: Bit[]; symbols: number; defs: readonly (readonly [number, number, number])[]; first: boolean; path: Step | null }[] = [{ ...start, first: true, path: null }];
  // One table serves every step, emptied before each: a fresh one per step spent its time regrowing.
  const t = new SymbolTable();
  for (let depth = 0; frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const s of frontier) {
      for (let combo = 0; combo < 1 << enumerated.length; combo++) {
        if (s.first && resetBit !== undefined && ((combo >> resetBit) & 1) !== reset!.level) continue;
        budget.left -= gold.cells.length + gate.cells.length;
        if (budget.left < 0) return { proven: false, limit: `${limits.evaluations} cell evaluations` };
        t.reset(s.symbols);
        for (const [k, i, j] of s.defs) t.defineXor(k, 2 * i + 2, 2 * j + 2);
        const base = t.reserve(dataIndex.size);
        const free = (inputs: readonly FreeInput[], out: Bit[]) => {
          for (let i = 0; i < inputs.length; i++) {
            const f = inputs[i]!;
            out[i] = f.bit !== undefined ? (combo >> f.bit) & 1 : 2 * (base + f.data) + 2;
          }
          return out;
        };
        const g = stepCone(gold, s.bits, free(goldInputs, goldFree), t, 0);
        const m = stepCone(gate, s.bits, free(gateInputs, gateFree), t, width);
        // Compared from the very first cycle, the power-up one included: a memory or a register without reset outside
        // the cone keeps what it takes then. (A difference there that a reset wipes — a register read through an
        // inverter, whose power-up value both copies share — grows the cone into the registers it reaches, where
        // the reset makes it vanish.)
        // A stream field is compared only in a valid beat, a memory write's address and data only when it writes: a
        // place whose masking bits (its group's valid; its write enables) are all 0 in both copies is not.
        const masked = (ks: readonly number[] | undefined) => ks?.every((k) => g.watched[k] === 0 && m.watched[k] === 0) ?? false;
        // A stream output only the bench reads is not observed in the reset step: the bench records beats once reset is
        // released, and what a register shows before its first reset edge is its power-up value, in the original too.
        const unobserved = s.first && resetBit !== undefined;
        let differing: (readonly [string, Bit, Bit])[] | undefined;
        for (let i = 0; i < g.boundary.length; i++) if (g.boundary[i] !== m.boundary[i] && !masked(placeMasks[i]) && !(unobserved && streamPlace[i])) (differing ??= []).push([gold.boundaryIds[i]!, g.boundary[i]!, m.boundary[i]!]);
        // Outputs the copies drive from different places, and inner tapped wires: each copy's own value, under its
        // stream's valid.
        for (const c of compared) if (g.watched[c.k] !== m.watched[c.k] && !masked(c.mask) && !(unobserved && c.mask)) (differing ??= []).push([c.id, g.watched[c.k]!, m.watched[c.k]!]);
        if (differing) {
          const combos: number[] = [combo];
          for (let p = s.path; p; p = p.before) combos.unshift(p.combo);
          return { proven: false, differs: differing.map(([id]) => id), depth, path: { free: ids, enumerated, combos, differs: differing } };
        }
        const c = canonical([...g.next, ...m.next], t);
        if (seen.has(c.key)) continue;
        seen.add(c.key);
        if (seen.size > limits.states) return { proven: false, limit: `${limits.states} states` };
        next.push({ ...c, first: false, path: { combo, before: s.path } });
      }
    }
    frontier = next;
  }
  return { proven: true, states: seen.size };
}

/**
 * The input port of `module` that carries the top's reset port in every instance of it (the same port each time), or
 * undefined when an instance gets its reset otherwise (a delayed or derived reset does not start high in cycle 0).
 */
function resetPortOf(modules: ReadonlyMap<string, JsonModule>, top: string, reset: string, module: string): string | undefined {
  const found = new Set<string | undefined>();
  // Walks every instance path from the top, carrying the net the top's reset is on (undefined once it is lost).
  const walk = (name: string, resetNet: number | undefined, depth: number, port: string | undefined) => {
    if (name === module) { found.add(port); return; }
    const mod = modules.get(name);
    if (!mod || depth > 16) { found.add(undefined); return; }
    for (const c of mod.cells) {
      if (c.type.startsWith('$') || !modules.has(c.type)) continue;
      const child = modules.get(c.type)!;
      const p = Object.entries(c.inputs).find(([, bits]) => bits.length === 1 && resetNet !== undefined && bits[0] === resetNet)?.[0];
      const childNet = p === undefined ? undefined : child.ports.get(p)?.bits[0];
      walk(c.type, typeof childNet === 'number' ? childNet : undefined, depth + 1, p);
    }
  };
  const topNet = modules.get(top)?.ports.get(reset)?.bits[0];
  if (module === top) return typeof topNet === 'number' ? reset : undefined;
  walk(top, typeof topNet === 'number' ? topNet : undefined, 0, undefined);
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * Tries to prove mutation `m` (of the design listMutations prepared: `prepared`) equivalent by reachability. `design`
 * names the top module and its reset port: the bench holds reset first, so the search starts with it. When the search
 * of the mutated module stops where the mutated value enters an instance of another module (or comes from one: a
 * mutation of an instance's output port), and `design` lists the
 * streams rowsim observes, the whole design is flattened and searched again (a value one instance produces may be one
 * the next never sees differ: an output that only ever holds its reset value).
 */
export async function provesByReachability(prepared: string, m: YosysMutation, design: ResetOf, work: string, limits: ReachLimits = REACH_LIMITS): Promise<Proof> {
  const { top } = design;
  const reset = design.reset.startsWith(`${top}.`) ? design.reset.slice(top.length + 1) : design.reset;
  if (!m.cell) return { equivalent: false, detail: 'reachability: the mutation names no cell' };
  if (/-port CLK\b/.test(m.args)) return { equivalent: false, detail: 'reachability: not tried on a clock input' };
  const pair = await modulePair(prepared, m, work, (modules) => resetPortOf(modules, top, reset, m.module));
  if (typeof pair === 'string') return { equivalent: false, detail: `reachability: ${pair}` };
  if (!pair.gate.byName.get(m.cell)) return { equivalent: false, detail: 'reachability: the mutated cell is not in the netlist' };
  // One budget for both searches (ReachLimits.evaluations): the flattened one gets what the first left.
  const budget = { left: limits.evaluations };
  const own = searchPair(pair, m, design, limits, budget);
  if (own.proof.equivalent || own.instance === undefined || !design.streams) return own.proof;
  const flat = await flattenedPair(prepared, m, top, reset, design.streams, work);
  // Yosys stopped at its limits (a large design) is a budget; a design that cannot be matched is a verdict.
  if (flat === FLATTEN_FAILED) return { ...own.proof, detail: `${own.proof.detail}; across instances: ${flat}`, limited: own.proof.limited ?? 'flattening the design (Yosys limits)' };
  if (typeof flat === 'string') return { ...own.proof, detail: `${own.proof.detail}; across instances: ${flat}` };
  const across = searchPair(flat, m, design, limits, budget).proof;
  if (across.equivalent) return { ...across, detail: `${across.detail}, in the whole design flattened (the mutated value meets ${own.instance})` };
  // Not proven either way: the flattened search's difference is the one a user can replay through the whole design.
  return { equivalent: false, detail: `${own.proof.detail}; across instances: ${across.detail}`, ...(across.limited ?? own.proof.limited ? { limited: across.limited ?? own.proof.limited } : {}), ...(across.trace ?? own.proof.trace ? { trace: across.trace ?? own.proof.trace } : {}) };
}

/**
 * The search on one pair of copies, growing the cone round by round, and the first instance of another module (in
 * `pair.submodules`) that the mutated value was seen to enter, if any: where a search of this pair cannot follow it.
 */
function searchPair(pair: MutantPair, m: YosysMutation, design: ResetOf, limits: ReachLimits, budget: { left: number }): { proof: Proof; instance?: string } {
  const { gold, gate, mutated } = pair;
  const tapped = design.tapped ?? [];
  const instanceOf = (name: string) => { const c = gate.byName.get(name); return c && pair.submodules.has(c.type) ? `${c.type} ${c.name}` : undefined; };
  // The registers the mutated value reaches first: a mutated register itself (in a flattened pair, one per instance),
  // or those after the mutated logic.
  const first = gate.byName.get(m.cell);
  const cells = mutated.map((n) => gate.byName.get(n)).filter((c): c is JsonCell => c !== undefined);
  const starts = first?.type === '$dff' ? [first] : [...cells.filter((c) => c.type === '$dff'), ...gate.registersAfter(cells.filter((c) => c.type !== '$dff'))];
  const registers = new Set(starts.map((c) => c.name));
  // Outputs the two flattened copies drive from different places (a constant in place of an instance's output) may not
  // be read from the cone at all: each is compared as its own value in each copy (maskedCones).
  const outs = pair.flattened?.ports ?? [];
  // In the mutated module alone, a wire the tap map names is read by the bench, not only by the module's own logic:
  // compared as a place of its own (a flattened pair has the taps as ports already).
  const taps = pair.flattened ? [] : internalTaps(gold, design);
  if (registers.size === 0 && !pair.flattened) startAtConstantNet(gold, gate, m, tapped, registers);
  if (registers.size === 0 && pair.flattened) {
    // The shortcut below reads the mutation's names, which flattening changed. Here the copies were compared cell by
    // cell: with no cell and no output (observed streams included) driven differently, they are one circuit.
    if (cells.length === 0 && pair.flattened.ports.length === 0) return { proof: { equivalent: true, detail: 'proven: flattened, the mutant is the original circuit (nothing reads the mutated value)' } };
    // Logic that feeds a memory's write port or an output but no register: the search starts from the nearest
    // registers that drive it in the original (the value the mutation replaced, often), which any cone may hold —
    // and so does an output driven differently (the original's register behind it).
    addNearestBefore(gold, gate, [...cells.flatMap((c) => Object.values(gold.byName.get(c.name)?.inputs ?? {}).flat()), ...outs.map((o) => portBit(gold, o))], registers);
    if (registers.size === 0) {
      const seen = [...pair.flattened.ports.map((p) => `output ${p}`), ...gate.observers(cells, [], new Set())];
      return { proof: { equivalent: false, detail: `reachability: the mutation reaches no register${seen.length ? `, but it reaches ${seen.slice(0, 3).join(', ')}` : ''}` } };
    }
  }
  if (registers.size === 0) {
    // Reaching no register, the mutated value may reach nothing at all (a wire of the top that no layer reads): then
    // no run, and no tap, can see it. Taps are matched by wire name, whatever module they name, to stay on the safe side.
    // What reads the wire bit the mutation names, in the original: every reader of it sees the mutated value (a
    // constant mutation leaves no net to follow in the mutant). Without a named wire, what the added cells drive.
    const net = namedNet(gold, m);
    const added = mutated.filter((n) => n !== m.cell && !gold.byName.has(n)).map((n) => gate.byName.get(n)!).filter(Boolean);
    const seen = typeof net === 'number' ? gold.observers([], [net], new Set(tapped))
      : added.length ? gate.observers(added, [], new Set(tapped)) : ['an unnamed net (the mutation added no cell and names no wire)'];
    if (seen.length === 0) return { proof: { equivalent: true, detail: `proven: nothing reads the mutated value (no register, port, submodule, memory or tapped wire of ${m.module} is reached)` } };
    // The instance the value enters, or the one it comes from (the mutation replaced an output of it): either way only
    // the design flattened shows what the instance does with it, or what it drove there.
    const instance = seen.map((o) => instanceOf(o.split(' ')[1] ?? '')).find((x) => x !== undefined) ?? instanceOf(m.cell);
    return { proof: { equivalent: false, detail: `reachability: the mutation reaches no register, but it reaches ${seen.slice(0, 3).join(', ')}` }, ...(instance ? { instance } : {}) };
  }
  const initial = [...registers];
  let restarts = 0;
  let withoutBits: ((why: string) => Proof) | undefined;
  let last = '';
  let trace: readonly string[] = [];
  let stalled = false;
  let instance: string | undefined;
  const ended = (proof: Proof) => ({ proof, ...(instance ? { instance } : {}) });
  for (let round = 0; round <= limits.rounds; round++) {
    const names = [...registers].sort();
    const built = maskedCones(gold, gate, names, mutated, pair.fields, outs, taps);
    if (typeof built === 'string') return { proof: { equivalent: false, detail: `reachability: ${built}` } };
    const { cones: [g, t], masks, streams, compared } = built;
    // Only the bench reads the top's outputs; a submodule's feed logic that may keep what it sees under reset.
    const streamPlaces = pair.flattened || m.module === design.top ? built.streamPlaces : undefined;
    const width = (c: ConeMachine) => c.stateWidth;
    // Both cones must be read by the rest of the module at the same places, so that each place can be compared.
    const places = (c: ConeMachine) => c.boundaryIds.join('\n');
    if (width(g) !== width(t) || places(g) !== places(t)) return { proof: { equivalent: false, detail: 'reachability: the two cones differ in shape' } };
    const found = search(g, t, pair.resetId === undefined ? undefined : { id: pair.resetId, level: design.activeLow ? 0 : 1 }, (id) => gate.isControl(id), limits, budget, masks, compared, streamPlaces);
    // Named as in the original (a mutation on a register's output leaves the mutant's register on a nameless net).
    const shown = names.map((n) => gold.registerName(gold.register(n) ?? gate.register(n)!)).join(', ');
    if (found.proven) return { proof: { equivalent: true, detail: `proven by reachability from reset: ${found.states} state pairs of ${shown} (${width(g)} register bits), every signal read from them equal${streams ? ' (stream outputs in valid beats)' : ''}` } };
    if ('limit' in found) return ended(withoutBits?.(`stopped at ${found.limit} with ${shown}`) ?? { equivalent: false, detail: `reachability: ${last ? `${last}; ` : ''}stopped at ${found.limit} with ${shown}`, limited: found.limit, ...(trace.length ? { trace } : {}) });
    const naming = traceNames(gold, pair.flattened ? `the design's top (${design.top}, flattened)` : m.module);
    const internal = found.path.free.filter((id) => !naming.isPort(id)).length;
    // Not a run: the path is the search's, over free inputs; the verdict says what stands between it and a run.
    last = `${found.differs[0]} differs after ${found.depth + 1} steps (${internal
      ? `on a path that frees ${internal} internal net bit(s) of ${naming.scope}, so it may be none the module takes`
      : `on a path that frees no internal net of ${naming.scope}, though still the search's over-approximation`}; not realized as a run)`;
    trace = traceLines(found.path, naming);
    instance ??= found.differs.map((id) => instanceOf(/^(.*)\.[^.[\]]+\[\d+\]$/.exec(id)?.[1] ?? '')).find((x) => x !== undefined);
    const before = registers.size;
    growCone(gold, gate, [g, t], found.differs, registers, toggled(found.path));
    if (registers.size === before) {
      // With no register left to grow into: single bits of the data registers the difference is read from.
      const bits = restarts < MAX_RESTARTS ? startAgainWithBits(gold, gate, found.differs, registers, initial) : undefined;
      if (!bits) { stalled = true; break; }
      restarts++;
      round = -1;
      // Should the search with the bits stop at a limit, the verdict is the difference it started from: the bits were
      // a try, and a budget they spent must not turn a difference found into a budget verdict.
      const [was, wasTrace] = [last, trace];
      withoutBits ??= (why) => ({ equivalent: false, detail: `reachability: ${was}; with register bits ${bits.map((n) => gold.registerName(gold.register(n)!)).join(', ')} too, ${why}`, ...(wasTrace.length ? { trace: wasTrace } : {}) });
    }
  }
  // Out of rounds while the cone still grew is a budget, not a verdict; a difference the cone cannot grow past is one.
  const outOfRounds = !stalled && last !== '';
  if (outOfRounds && withoutBits) return ended(withoutBits(`stopped after ${limits.rounds} rounds of cone growth`));
  return ended({ equivalent: false, detail: `reachability: ${last || 'not proven'}${outOfRounds ? `; stopped after ${limits.rounds} rounds of cone growth` : ''}`, ...(outOfRounds ? { limited: `${limits.rounds} rounds of cone growth` } : {}), ...(trace.length ? { trace } : {}) });
}

/**
 * Both copies' cones of `names`, each watching what masks a boundary place (the module's stream valids, the enables
 * of memory writes at the boundary), and those masks: place → indices into `watched`, all 0 in both copies for the
 * place not to count. `streams` tells whether any stream output is masked.
 */
function maskedCones(gold: IndexedModule, gate: IndexedModule, names: readonly string[], mutated: readonly string[], extraFields: ReadonlyMap<string, string>, outs: readonly string[] = [], taps: readonly TappedBit[] = []): { cones: readonly [ConeMachine, ConeMachine]; masks: Map<string, readonly number[]>; streams: boolean; compared: ComparedPort[]; streamPlaces: Set<string> } | string {
  // The module's stream outputs (streamMask.ts): each compared only while its group's valid is high, as the stream
  // contract gives them meaning and rowsim observes them.
  const fields = new Map([...streamFields(gold.mod.ports), ...extraFields]);
  const valids = [...new Set([...fields.values(), ...taps.flatMap((t) => (t.valid === undefined ? [] : [t.valid]))])];
  const net = (c: IndexedModule, name: string, bit: number): JsonBit => c.mod.ports.get(name)?.bits[bit] ?? c.mod.wires.get(name)?.[bit] ?? 'x';
  // The places compared as their own value in each copy, watched after the valids and the write enables: outputs the
  // copies drive from different places, then tapped wires inside the module.
  const apart = [
    ...outs.map((o) => ({ id: `output ${o}`, net: (c: IndexedModule) => portBit(c, o), valid: fields.get(o.replace(/\[\d+\]$/, '')) })),
    ...taps.map((t) => ({ id: `tapped ${t.wire}[${t.bit}]`, net: (c: IndexedModule) => net(c, t.wire, t.bit), valid: t.valid })),
  ];
  const build = (enables: readonly EnableBit[]) => {
    const watch = (c: IndexedModule) => [...valids.map((v) => net(c, v, 0)), ...enables.map((e) => enableNet(e, (n) => c.byName.get(n))), ...apart.map((p) => p.net(c))];
    const cones = [buildCone(gold, names, mutated, watch(gold)), buildCone(gate, names, mutated, watch(gate))] as const;
    return cones.find((c): c is string => typeof c === 'string') ?? (cones as readonly [ConeMachine, ConeMachine]);
  };
  // A memory write at the boundary counts only while enabled (memoryPorts.ts): its enables are watched too. The places
  // are known only once the cone is, and watching an enable can bring logic and so places of its own: the cones are
  // built again until the set of write places stops growing (a few builds at most; any left unmasked are compared).
  const key = (e: EnableBit) => `${e.memory}\0${e.bit}`;
  let writes = new Map<string, EnableBit[]>();
  let enables: EnableBit[] = [];
  let cones = build([]);
  for (let pass = 0; pass < 4 && typeof cones !== 'string'; pass++) {
    const found = writeEnables(cones[0].boundaryIds, (n) => gold.byName.get(n));
    if ([...found.keys()].every((id) => writes.has(id))) break;
    writes = new Map([...writes, ...found]);
    enables = [...new Map([...writes.values()].flat().map((e) => [key(e), e])).values()];
    cones = build(enables);
  }
  if (typeof cones === 'string') return cones;
  const index = new Map(enables.map((e, i) => [key(e), valids.length + i]));
  // An output compared as its own value is not a boundary place: one copy's cone may read it and the other's not.
  const own = new Set(outs.map((o) => `output ${o}`));
  if (own.size) cones = cones.map((c) => { const keep = c.boundaryIds.map((id) => !own.has(id)); return { ...c, boundaryIds: c.boundaryIds.filter((_, i) => keep[i]), boundarySlots: c.boundarySlots.filter((_, i) => keep[i]) }; }) as unknown as readonly [ConeMachine, ConeMachine];
  const at = valids.length + enables.length;
  const compared = apart.map((p, j) => ({ id: p.id, k: at + j, mask: p.valid === undefined ? undefined : [valids.indexOf(p.valid)] }));
  // A compared net the search cannot compute would read as one symbol in both copies, and so as equal: refused instead.
  for (const [j, p] of apart.entries()) {
    for (const [c, cone] of [[gold, cones[0]], [gate, cones[1]]] as const) {
      if (typeof p.net(c) === 'number' && cone.watched[at + j]! <= -3) return `${p.id} cannot be computed in the search`;
    }
  }
  const masks = new Map<string, readonly number[]>();
  const streamPlaces = new Set<string>();
  for (const id of cones[0].boundaryIds) {
    const port = /^output (\S+)\[\d+\]$/.exec(id)?.[1];
    const valid = port === undefined ? undefined : fields.get(port);
    if (valid !== undefined) { masks.set(id, [valids.indexOf(valid)]); streamPlaces.add(id); }
    const en = writes.get(id);
    if (en) masks.set(id, [...new Set(en.map((e) => index.get(key(e))!))]);
  }
  return { cones, masks, streams: [...masks.keys()].some((id) => id.startsWith('output ')) || compared.some((c) => c.mask), compared, streamPlaces };
}

/** One bit of a wire the tap map reads, in the searched module, and the valid that gives it meaning (a stream field's). */
interface TappedBit {
  readonly wire: string;
  readonly bit: number;
  readonly valid?: string;
}

/**
 * The bits of the wires of module `m` the tap map names (by last path component, whatever module the tap names: on the
 * safe side) that are not its ports — its ports are boundary places already — with the valid of the stream a wire is a
 * field of, when that valid is a wire or port of `m` too.
 */
function internalTaps(m: IndexedModule, design: ResetOf): TappedBit[] {
  const last = (path: string) => path.split('.').pop()!;
  const validOf = new Map<string, string>();
  for (const st of design.streams ?? []) for (const f of st.fields) validOf.set(last(f), last(st.valid));
  const has = (name: string) => m.mod.wires.has(name) || m.mod.ports.has(name);
  return (design.tapped ?? []).filter((w) => m.mod.wires.has(w) && !m.mod.ports.has(w)).flatMap((wire) => {
    const valid = validOf.get(wire);
    return m.mod.wires.get(wire)!.map((_, bit) => ({ wire, bit, ...(valid !== undefined && has(valid) && valid !== wire ? { valid } : {}) }));
  });
}

/**
 * A constant in place of a cell's output leaves the mutated cell driving nothing in the mutant: where the mutated value
 * goes is the net as it was, so the search starts (`registers`) from the registers that read that net in the
 * original, with the nearest ones the original computes it from — whether the constant is what the original holds
 * there (a one-value counter compared with 0, say) is theirs to decide, and a search that must first find them by
 * growth can spend its budget on everything the net feeds instead. Only when registers are all that read the net: a
 * tapped wire, an output, a memory or an instance reading it is left to the search's other rules (an instance, say, to
 * the search of the design flattened).
 */
function startAtConstantNet(gold: IndexedModule, gate: IndexedModule, m: YosysMutation, tapped: readonly string[], registers: Set<string>): void {
  const net = namedNet(gold, m);
  const readers = typeof net === 'number' ? gold.observers([], [net], new Set(tapped)) : [];
  // A memory may read it too (an address): its ports are boundary places, or part of the cone when it is modelled.
  if (typeof net !== 'number' || readers.length === 0 || !readers.every((o) => o.startsWith('$dff ') || o.startsWith('$mem_v2 '))) return;
  for (const r of gold.registersReading(net)) if (gate.byName.get(r.name)?.type === '$dff') registers.add(r.name);
  const cell = m.cell === undefined ? undefined : gold.byName.get(m.cell);
  if (cell) addNearestBefore(gold, gate, Object.values(cell.inputs).flat(), registers);
}

/** Adds to `registers` the registers nearest behind `nets` in the original that are registers in the mutant too. */
function addNearestBefore(gold: IndexedModule, gate: IndexedModule, nets: readonly JsonBit[], registers: Set<string>): void {
  const before = gold.registersBefore(nets);
  const nearest = Math.min(...[...before.values()].map((r) => r.depth));
  for (const [n, r] of before) if (r.depth === nearest && gate.byName.get(n)?.type === '$dff') registers.add(n);
}

/** The net of the wire bit mutation `m` names (`-wire w -wirebit i`, else its cell's output bit) in module `c`, if any. */
function namedNet(c: IndexedModule, m: YosysMutation): JsonBit | undefined {
  const wire = /-wire (\S+) -wirebit (\d+)/.exec(m.args);
  if (wire) return c.mod.wires.get(wire[1]!)?.[Number(wire[2])];
  // No wire named (an output no named wire carries, as `a == b` inside a larger expression): the mutated cell's own
  // output bit is the net. A mutated input port names none: the value it changes goes into that one cell only.
  const port = /-port (\S+) -portbit (\d+)/.exec(m.args);
  const cell = m.cell === undefined ? undefined : c.byName.get(m.cell);
  return port && cell ? cell.outputs[port[1]!]?.[Number(port[2])] : undefined;
}

/** The net of output port bit `o` (`m_row[0]`) in module `c`: a number, or a constant ('0', '1', 'x'). */
function portBit(c: IndexedModule, o: string): JsonBit {
  const at = /^(.*)\[(\d+)\]$/.exec(o);
  return (at ? c.mod.ports.get(at[1]!)?.bits[Number(at[2])] : undefined) ?? 'x';
}

/**
 * Grows the cone's register set after a search found the boundary places `differs` unequal: by the registers the
 * difference flows into (through each reader), and by the narrowest register behind an enumerated control of either
 * copy's cone (a constant mutation can leave a control only the original's cone reads).
 */
function growCone(gold: IndexedModule, gate: IndexedModule, cones: readonly [ConeMachine, ConeMachine], differs: readonly string[], registers: Set<string>, toggledGroups: ReadonlySet<string> = new Set()): void {
  for (const id of differs) {
    const cellName = /^(.*)\.[A-Za-z_]+\[\d+\]$/.exec(id)?.[1];
    const reader = cellName === undefined ? undefined : gate.byName.get(cellName);
    if (!reader) continue;
    if (reader.type === '$dff') registers.add(reader.name);
    else for (const r of gate.registersAfter([reader])) registers.add(r.name);
  }
  // Registers behind the controls the path to the difference changed come first: the difference needed them, while
  // controls it left at one value (another layer's strobes, in a flattened design) may have nothing to do with it.
  const candidatesBehind = (only: ((group: string) => boolean) | undefined) => {
    const behind = new Map<string, { cell: JsonCell; depth: number }>();
    for (const [m, cone] of [[gate, cones[1]], [gold, cones[0]]] as const) {
      const controls = [...new Set(cone.freeIds.filter((id) => m.isControl(id)).map(groupOf))].filter((grp) => !only || only(grp));
      const found = m.registersBefore(controls.flatMap((grp) => {
        const cellName = /^(.*)\.[A-Za-z_]+$/.exec(grp)?.[1];
        const c = cellName === undefined ? undefined : m.byName.get(cellName);
        return c ? Object.values(c.outputs).flat() : [];
      }));
      for (const [n, r] of found) if (!behind.has(n)) behind.set(n, r);
    }
    return [...behind.values()].filter((r) => !registers.has(r.cell.name))
      .sort((a, b) => (a.cell.params.WIDTH ?? 0) - (b.cell.params.WIDTH ?? 0) || a.depth - b.depth || a.cell.name.localeCompare(b.cell.name));
  };
  const next = (toggledGroups.size ? candidatesBehind((grp) => toggledGroups.has(grp))[0] : undefined) ?? candidatesBehind(undefined)[0];
  if (next) registers.add(next.cell.name);
}

/** Times the growth may start again with register bits (searchPair), each with the rounds of ReachLimits. */
const MAX_RESTARTS = 2;

/** Most register bits bitsRead gives the cone at once: more, and the search would carry a datapath after all. */
const GROWN_BITS = 8;

/**
 * The single bits of registers outside the cone (registerBit) that the places `differs` read — through combinational
 * cells, and through the cone's registers to the D bit of each (the value they hold came from there), in either copy —
 * and the control registers (at most CONTROL_BITS wide) those places and the bits' next values are read from. None
 * when the bits are more than GROWN_BITS: a difference that reads a whole word is left as it is.
 */
function bitsRead(gold: IndexedModule, gate: IndexedModule, differs: readonly string[], registers: ReadonlySet<string>): { bits: string[]; controls: string[] } | undefined {
  const bits = new Set<string>();
  const controls = new Set<string>();
  // Walks back from `start` in module `m`, through the registers `inCone` holds, collecting what it meets outside.
  const walk = (m: IndexedModule, start: readonly JsonBit[], inCone: (name: string) => boolean) => {
    const seen = new Set<number>();
    const work = start.filter((b): b is number => typeof b === 'number');
    while (work.length && bits.size <= GROWN_BITS && seen.size < 100_000) {
      const b = work.pop()!;
      if (seen.has(b)) continue;
      seen.add(b);
      const d = m.driver.get(b);
      if (!d?.cell) continue;
      if (EVALUATED_TYPES.has(d.cell.type)) { for (const x of faninOfBit(d.cell, d.idx)) if (typeof x === 'number') work.push(x); continue; }
      if (d.cell.type !== '$dff') continue;
      if (gold.byName.get(d.cell.name)?.type !== '$dff' || gate.byName.get(d.cell.name)?.type !== '$dff') continue;
      // A control's whole register, in the cone or not (the growth starts again without the others); a data register's
      // bit, or, when the cone holds it, where its value came from.
      const bit = `${d.cell.name}#${d.idx}`;
      if ((d.cell.params.WIDTH ?? 0) <= CONTROL_BITS) controls.add(d.cell.name);
      else if (inCone(d.cell.name) || inCone(bit)) { const next = d.cell.inputs.D?.[d.idx]; if (typeof next === 'number') work.push(next); }
      else bits.add(bit);
    }
  };
  for (const m of [gold, gate]) walk(m, differs.map((id) => placeNet(m, id)).filter((b): b is JsonBit => b !== undefined), (n) => registers.has(n));
  if (bits.size === 0 || bits.size > GROWN_BITS) return undefined;
  // Then what the bits' own next values are read from (the phase a result is written in), the bits now in the cone.
  const found = [...bits];
  for (const m of [gold, gate]) walk(m, found.flatMap((n) => m.register(n)?.inputs.D ?? []), (n) => registers.has(n) || found.includes(n));
  return bits.size <= GROWN_BITS ? { bits: [...bits], controls: [...controls] } : undefined;
}

/**
 * Starts the growth again (`registers` back to `initial`, with the register bits added before) with the data register
 * bits the places `differs` read and the controls they are read from (bitsRead), and returns the new bits; undefined,
 * registers untouched, when there are none. The one bit whose next value the module fixes (a sign bit a ReLU clears)
 * can decide what the whole word could not. Starting again matters: the controls the growth added while the bits were
 * free (counters of arriving rows, say) may be needed no longer, and their product is what a search pays for.
 */
function startAgainWithBits(gold: IndexedModule, gate: IndexedModule, differs: readonly string[], registers: Set<string>, initial: readonly string[]): string[] | undefined {
  const read = bitsRead(gold, gate, differs, registers);
  if (!read) return undefined;
  const kept = [...registers].filter((n) => /#\d+$/.test(n));
  registers.clear();
  for (const n of [...initial, ...kept, ...read.bits, ...read.controls]) registers.add(n);
  return read.bits;
}

/** Widest register IndexedModule.isControl takes for a control. */
const CONTROL_BITS = 16;

/**
 * The input bits output bit `i` of combinational cell `c` is computed from: bit by bit for the cells that work bit by
 * bit (multiplexers, bitwise logic; a select is read whole), every input bit for the rest.
 */
function faninOfBit(c: JsonCell, i: number): JsonBit[] {
  const at = (bits: readonly JsonBit[] | undefined) => (bits && bits.length ? [bits[Math.min(i, bits.length - 1)]!] : []);
  switch (c.type) {
    case '$mux': return [...at(c.inputs.A), ...at(c.inputs.B), ...(c.inputs.S ?? [])];
    case '$pmux': {
      const w = c.params.WIDTH ?? 1;
      return [...at(c.inputs.A), ...(c.inputs.B ?? []).filter((_, k) => k % w === i), ...(c.inputs.S ?? [])];
    }
    case '$and': case '$or': case '$xor': case '$xnor': case '$not': case '$pos':
      return [...at(c.inputs.A), ...at(c.inputs.B)];
  }
  return Object.values(c.inputs).flat();
}

/** The net a place of a search reads in module `m`: a cell's input bit, an output port bit, or a tapped wire bit. */
function placeNet(m: IndexedModule, id: string): JsonBit | undefined {
  const out = /^output (\S+)\[(\d+)\]$/.exec(id);
  if (out) return m.mod.ports.get(out[1]!)?.bits[Number(out[2])];
  const tap = /^tapped (\S+)\[(\d+)\]$/.exec(id);
  if (tap) return m.mod.wires.get(tap[1]!)?.[Number(tap[2])];
  const at = /^(.*)\.([^.[\]]+)\[(\d+)\]$/.exec(id);
  return at ? m.byName.get(at[1]!)?.inputs[at[2]!]?.[Number(at[3])] : undefined;
}

/** The groups of the enumerated inputs whose value changed along a path after its first step (the reset step). */
function toggled(path: FoundPath): Set<string> {
  const out = new Set<string>();
  path.enumerated.forEach((id, b) => {
    const bits = path.combos.slice(1).map((c) => (c >> b) & 1);
    if (bits.some((x) => x !== bits[0]) || (bits.length && bits[0] !== ((path.combos[0]! >> b) & 1))) out.add(groupOf(id));
  });
  return out;
}
