// The original and the mutant as the two copies a reachability search compares (mutation/formal/reachProof.ts): the
// mutated module alone, or the whole design flattened (Yosys `flatten`; black boxes stay cells) so that the search can
// follow the mutated value into the instances it feeds. Invariant: `mutated` holds every gate cell that may differ from
// the original (more only grows the cone, fewer would hide a difference: in a flattened pair it is found by comparing
// the copies cell by cell, never from names), and in a flattened pair every tapped stream is an output port of both
// copies, so what rowsim observes inside the design is compared too.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { driverId, IndexedModule } from './coneMachine.js';
import { readYosysJson, type JsonBit, type JsonCell, type JsonModule } from './yosysJson.js';
import { orWhenYosysFails, yosysLimited, type YosysLimits, type YosysMutation } from './yosys.js';

/** A stream rowsim observes: its valid and the fields that count only in a valid beat, as paths from the top. */
export interface ObservedStream {
  readonly valid: string;
  readonly fields: readonly string[];
}

/** The two copies, what differs between them, the reset's port bit, and the stream outputs compared in valid beats. */
export interface MutantPair {
  readonly gold: IndexedModule;
  readonly gate: IndexedModule;
  readonly mutated: readonly string[];
  /** The reset port's bit id (`rst[0]`), or undefined when the copies do not read the top's reset directly. */
  readonly resetId: string | undefined;
  /** Output ports (besides those the naming rule of streamMask.ts finds) compared only while a valid port is high. */
  readonly fields: ReadonlyMap<string, string>;
  /** Module types with logic of their own (not black boxes): an instance of one is a place a flattened search can enter. */
  readonly submodules: ReadonlySet<string>;
  /**
   * The whole design flattened: `mutated` came from comparing the copies cell by cell, not from the mutation's names,
   * and `ports` are the output port bits (observed streams included) the two copies drive differently.
   */
  readonly flattened?: { readonly ports: readonly string[] };
}

/** Yosys limits of writing a pair's netlist. */
const NETLIST_LIMITS: YosysLimits = { seconds: 120, memoryMiB: 4096 };

/** Why a flattened pair is missing when Yosys could not write it (within NETLIST_LIMITS, or at all). */
export const FLATTEN_FAILED = `Yosys could not flatten the design within ${NETLIST_LIMITS.seconds} CPU seconds and ${NETLIST_LIMITS.memoryMiB} MiB`;

/**
 * Runs `commands` (after reading `prepared`) and writes the design as JSON into `work`, once per mutation and netlist:
 * named by both (the netlist's path, size, time and inode — one rewritten in place is another), and renamed into place
 * only once Yosys is done, so a quick search and the full one after it read one file. Null when Yosys fails.
 */
async function pairNetlist(prepared: string, m: YosysMutation, kind: string, commands: readonly string[], work: string): Promise<Map<string, JsonModule> | null> {
  mkdirSync(work, { recursive: true });
  const st = statSync(prepared);
  const tag = `${kind}-${m.id}-${createHash('sha256').update(`${prepared}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${m.module}\0${m.args}`).digest('hex').slice(0, 12)}`;
  const netlist = join(work, `${tag}.json`);
  if (!existsSync(netlist)) {
    const script = [`read_rtlil ${JSON.stringify(prepared)}`, ...commands, `write_json ${tag}.part.json`].join('\n') + '\n';
    if ((await orWhenYosysFails(yosysLimited(script, work, tag, NETLIST_LIMITS), null)) === null) return null;
    renameSync(join(work, `${tag}.part.json`), netlist);
  }
  return readYosysJson(netlist);
}

/** The module types of `modules` that hold logic (a black box is written with ports only). */
const withLogic = (modules: ReadonlyMap<string, JsonModule>) => new Set([...modules].filter(([, mod]) => mod.cells.length > 0).map(([n]) => n));

/**
 * The mutated module and its mutant, side by side (`resetPort` names the module's port that carries the top's reset,
 * if one does), or why there is none.
 */
export async function modulePair(prepared: string, m: YosysMutation, work: string, resetPort: (modules: ReadonlyMap<string, JsonModule>) => string | undefined): Promise<MutantPair | string> {
  const gateArgs = m.args.replace(`-module ${m.module}`, '-module rs_rp_gate');
  const modules = await pairNetlist(prepared, m, 'reach', [`copy ${m.module} rs_rp_gold`, `copy ${m.module} rs_rp_gate`, `mutate ${gateArgs}`], work);
  if (!modules) return 'Yosys could not write the netlist';
  const gold = new IndexedModule(modules.get('rs_rp_gold')!);
  const gate = new IndexedModule(modules.get('rs_rp_gate')!);
  const port = resetPort(modules);
  return {
    gold, gate, resetId: port === undefined ? undefined : `${port}[0]`, fields: new Map(), submodules: withLogic(modules),
    mutated: [...new Set([m.cell, ...[...gate.byName.keys()].filter((n) => !gold.byName.has(n))])],
  };
}

/**
 * The whole design under `top`, flattened, and its mutant: the original's copy is flattened before the mutation is
 * applied to the design, the mutant's after, so every instance of the mutated module is mutated in the mutant and none
 * in the original. Each stream in `streams` becomes output ports of both copies (`rs_obs<k>_valid` and its fields).
 * Or why not (Yosys could not flatten it, a tapped signal is no wire of it, the copies cannot be matched cell by cell).
 */
export async function flattenedPair(prepared: string, m: YosysMutation, top: string, reset: string, streams: readonly ObservedStream[], work: string): Promise<MutantPair | string> {
  const modules = await pairNetlist(prepared, m, 'flat', [
    // A module or instance marked keep_hierarchy would stay one definition both copies share: nothing is kept.
    'setattr -mod -unset keep_hierarchy', 'setattr -unset keep_hierarchy',
    `copy ${top} rs_rp_gold`, 'flatten rs_rp_gold', `mutate ${m.args}`, `copy ${top} rs_rp_gate`, 'flatten rs_rp_gate',
    // Only the two copies and the black boxes they instantiate are written (a black box is never selected by `*`).
    'select * rs_rp_gold rs_rp_gate %u %d', 'delete', 'select -clear',
  ], work);
  if (!modules) return FLATTEN_FAILED;
  const observed = (mod: JsonModule) => observedPorts(mod, top, streams);
  const [goldMod, gateMod] = [observed(modules.get('rs_rp_gold')!), observed(modules.get('rs_rp_gate')!)];
  if (typeof goldMod === 'string') return goldMod;
  if (typeof gateMod === 'string') return gateMod;
  const gold = new IndexedModule(goldMod.module);
  const gate = new IndexedModule(gateMod.module);
  const differ = differingCells(gold, gate, modules);
  if (typeof differ === 'string') return differ;
  return { gold, gate, resetId: gold.mod.ports.has(reset) ? `${reset}[0]` : undefined, fields: goldMod.fields, submodules: new Set(), mutated: differ.cells, flattened: { ports: differ.ports } };
}

/**
 * The gate cells that differ from the original's cell of the same name, in a flattened pair — by type, parameters or
 * any input bit (each bit read as its constant or as the name of what drives it: nets are numbered per module, so
 * numbers cannot be compared across the copies) — and the cells only the gate has; the output port bits driven
 * differently; or why the copies cannot be matched:
 * an original's cell missing from the gate, or an instance of a module with logic left in either copy (a module kept
 * whole, whose one definition both copies would share, mutated or not).
 */
function differingCells(gold: IndexedModule, gate: IndexedModule, modules: ReadonlyMap<string, JsonModule>): { cells: string[]; ports: string[] } | string {
  const opaque = (c: JsonCell) => !c.type.startsWith('$') && (modules.get(c.type)?.cells.length ?? 1) > 0;
  const kept = [...gold.mod.cells, ...gate.mod.cells].find(opaque);
  if (kept) return `instance ${kept.name} of ${kept.type} was not flattened`;
  const bitText = (m: IndexedModule, b: JsonBit) => {
    if (typeof b !== 'number') return b;
    const d = m.driver.get(b);
    return d ? driverId(d) : 'undriven';
  };
  const inputsText = (m: IndexedModule, c: JsonCell) => Object.keys(c.inputs).sort().map((p) => `${p}=${c.inputs[p]!.map((b) => bitText(m, b)).join(',')}`).join(';');
  const cells: string[] = [];
  for (const g of gold.mod.cells) if (!gate.byName.has(g.name)) return `cell ${g.name} of the original is not in the mutant`;
  for (const c of gate.mod.cells) {
    const g = gold.byName.get(c.name);
    if (!g || g.type !== c.type || g.paramKey !== c.paramKey || inputsText(gold, g) !== inputsText(gate, c)) cells.push(c.name);
  }
  const ports: string[] = [];
  for (const [name, p] of gate.mod.ports) {
    const g = gold.mod.ports.get(name);
    if (!g || g.direction !== p.direction) return `port ${name} differs between the copies`;
    p.bits.forEach((b, i) => { if (p.direction !== 'input' && bitText(gate, b) !== bitText(gold, g.bits[i]!)) ports.push(`${name}[${i}]`); });
  }
  return { cells, ports };
}

/**
 * `mod` with each observed stream's signals as output ports (`rs_obs<k>_valid`, `rs_obs<k>_f<i>`), and which valid
 * each field port counts under; or why not: a signal that is no wire of the flattened design (a path through a black
 * box, a name flatten changed), or a valid wider than one bit.
 */
function observedPorts(mod: JsonModule, top: string, streams: readonly ObservedStream[]): { module: JsonModule; fields: Map<string, string> } | string {
  const ports = new Map(mod.ports);
  const fields = new Map<string, string>();
  const clash = [...mod.ports.keys()].find((n) => n.startsWith('rs_obs'));
  if (clash) return `the design has a port ${clash}, a name the observed streams take`;
  const wire = (path: string): readonly JsonBit[] | string => {
    const name = path.startsWith(`${top}.`) ? path.slice(top.length + 1) : path;
    return mod.wires.get(name) ?? mod.ports.get(name)?.bits ?? `the tapped signal ${path} is no wire of the flattened design`;
  };
  for (const [k, s] of streams.entries()) {
    const valid = wire(s.valid);
    if (typeof valid === 'string') return valid;
    if (valid.length !== 1) return `the tapped valid ${s.valid} is not one bit`;
    ports.set(`rs_obs${k}_valid`, { direction: 'output', bits: valid });
    for (const [i, f] of s.fields.entries()) {
      const bits = wire(f);
      if (typeof bits === 'string') return bits;
      ports.set(`rs_obs${k}_f${i}`, { direction: 'output', bits });
      fields.set(`rs_obs${k}_f${i}`, `rs_obs${k}_valid`);
    }
  }
  return { module: { ...mod, ports }, fields };
}
