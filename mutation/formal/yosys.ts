// Yosys as the campaign's proof engine: one tool process with limits, and a surviving mutation proven equivalent
// (equiv_make / equiv_simple / equiv_induct on the mutated module against the original) from the prepared netlist the
// campaign wrote once. Works on RTLIL files only: it never reads a design folder and never simulates.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError } from '../../core/errors.js';
import { romContract, type RomContract } from './romContract.js';
import { rtlilModules, type RtlilModule } from './rtlilPorts.js';
import { flattenedName, streamMask } from './streamMask.js';
import { mutatesUndefinedBit, UNDEFINED_BIT_TEXT } from './undefinedBit.js';
import type { YosysMutation } from './yosysMutation.js';

export type { YosysMutation } from './yosysMutation.js';
export { yosys, yosysLimited, type YosysLimits } from '../../core/yosysTool.js';
import { yosys, yosysLimited, type YosysLimits } from '../../core/yosysTool.js';

/** `run`'s value, or `fallback` when Yosys could not run its script (YOSYS_FAILED); any other error is thrown on. */
export async function orWhenYosysFails<T, F>(run: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await run;
  } catch (e) {
    if (e instanceof SimrunError && e.code === 'YOSYS_FAILED') return fallback;
    throw e;
  }
}

/**
 * The proof both kinds of mutant share, on the mutated module alone (gold: as designed, gate: mutated). Its submodules
 * stay opaque cells (ROMs are black boxes), so the proof holds whatever they hold or compute. Logic that reaches no
 * output goes first (a mutation there changes nothing); then every signal gold and gate both name gets an $equiv cell,
 * identical structure is merged (equiv_struct), and the rest is proven by SAT over a few cycles, then by induction.
 * `beforeProof` runs between equiv_make and the proof (the mutated-cone restriction of provesEquivalent).
 */
function equivalenceProof(blacklist?: string, beforeProof: readonly string[] = [], gold = 'rs_eq_gold', gate = 'rs_eq_gate'): string {
  return [
    `opt_clean -purge ${gold} ${gate}`,
    `equiv_make${blacklist ? ` -blacklist ${blacklist}` : ''} ${gold} ${gate} rs_eq`,
    'hierarchy -top rs_eq',
    ...beforeProof,
    'equiv_struct',
    'equiv_simple -seq 2',
    'equiv_status',
    // The induction models only the input cone of the cells still unproven: proven ones are dropped first (their
    // fan-in, e.g. an output mux reading every ALU, would otherwise pull the whole module into SAT), and a cell left
    // out of the model has a free output, so a proof that holds without it holds with it. One step suffices: gold and
    // gate have the same registers, so each is assumed equal in the step before.
    'equiv_remove rs_eq/t:$equiv',
    'opt_clean rs_eq',
    'equiv_induct -seq 1 rs_eq/t:$equiv %ci*',
    'equiv_status',
  ].join('\n');
}

/**
 * Keeps only the proof obligations a single-cell mutation can break. The gate is a verbatim copy of the gold except for
 * one port of one cell, so every cell outside that cell's transitive fan-out (through registers too) computes the same
 * function of the same inputs in both: its $equiv cells hold by construction. They are removed keeping the gold side
 * (the gate's logic then reads the gold's signals), identical cells are merged, and what is left to prove is the
 * mutated cone alone. Without this, SAT has to show two identical copies of every floating-point unit equal, which
 * took 47 CPU s on a two-layer design and timed out on larger ones; with it the same proof takes under 2 s.
 */
function mutatedConeOnly(): string[] {
  return [
    'select -set rs_keep rs_eq/a:rs_mut_cone %co1 rs_eq/t:$equiv %i',
    'equiv_remove -gold rs_eq/t:$equiv @rs_keep %d',
    'select -clear',
    'opt_merge rs_eq',
    'opt_clean rs_eq',
  ];
}

/** What an equivalence check found. */
export interface Proof {
  readonly equivalent: boolean;
  /** Why it is not proven, when it is not. */
  readonly detail: string;
  /** The limit (CPU time, memory, search size) that stopped it before it could decide, if one did. */
  readonly limited?: string;
  /** A difference the proof found, as the steps that reach it (the reachability search's path), when it found one. */
  readonly trace?: readonly string[];
}

/** `limits` with `budget` times the CPU seconds (memory stays: it is the machine's, not the proof's). */
export function withBudget(limits: YosysLimits, budget: number): YosysLimits {
  return { ...limits, seconds: Math.max(1, Math.round(limits.seconds * budget)) };
}

function provenFrom(log: string | null, limits: YosysLimits): Proof {
  if (log === null) return { equivalent: false, detail: `not proven within ${limits.seconds} CPU seconds and ${limits.memoryMiB} MiB`, limited: `${limits.seconds} CPU seconds or ${limits.memoryMiB} MiB` };
  const status = /Of those cells (\d+) are proven and (\d+) are unproven/;
  // The first status counts every $equiv cell (after equiv_simple); the last one, after the induction, counts the cells
  // equiv_simple left (none left: it proved them all, for equiv_remove drops proven cells only).
  const first = status.exec(log);
  const induct = log.lastIndexOf('Executing EQUIV_INDUCT pass');
  const tail = induct >= 0 ? log.slice(induct) : '';
  const last = status.exec(tail);
  const unproven = first === null ? Number(/Found a total of (\d+) unproven/.exec(log)?.[1] ?? '1')
    : last !== null ? Number(last[2]) : /No \$equiv cells found in rs_eq\./.test(tail) ? 0 : Number(first[2]);
  const total = first ? Number(first[1]) + Number(first[2]) : 0;
  return first !== null && unproven === 0 ? { equivalent: true, detail: `all ${total} $equiv cells proven` } : { equivalent: false, detail: `${unproven} $equiv cells unproven` };
}

/** How a mutant is proven. */
export interface ProofOptions {
  /** CPU time and memory of each proof (default PROOF_LIMITS). */
  readonly limits?: YosysLimits;
  /**
   * Take the ROMs' words as the contract allows (mutation/formal/romContract.ts). Only for ROM images rowsim wrote from weights it
   * validated: a design folder's own images are not checked against the contract.
   */
  readonly romContract?: boolean;
}

/** Default limits of an equivalence proof. */
export const PROOF_LIMITS: YosysLimits = { seconds: 45, memoryMiB: 3072 };

/**
 * Proves a Yosys mutation equivalent to the original: the mutated module against an unmutated copy, from the design as
 * listMutations prepared it (`prepared`: its prepared.il). True only when every $equiv cell is proven (a proof that
 * fails for any reason reports the mutant undetected, never equivalent). A wire the mutation overwrites is not matched
 * by name (it differs by construction); what it feeds still is. When the ports cannot be proven equal and the module
 * has stream outputs, a second proof compares those only in valid beats (mutation/formal/streamMask.ts): what the stream contract
 * lets anyone observe. It is the second, not the only, proof because its raw output registers are not matched by name,
 * which makes the induction see more of the module. A mutant whose fan-out reaches a named cell (an instance, a memory)
 * is proven again with memories as registers and ROMs cut open when those are all it reaches, and is not proven
 * otherwise; with `romContract` the ROMs hold only words the contract allows (mutation/formal/romContract.ts). A mutation of a bit
 * that is x in the netlist is equivalent without a proof (mutation/formal/undefinedBit.ts).
 */
export async function provesEquivalent(prepared: string, m: YosysMutation, work: string, opts: ProofOptions = {}): Promise<Proof> {
  const limits = opts.limits ?? PROOF_LIMITS;
  if (mutatesUndefinedBit(prepared, m)) return { equivalent: true, detail: UNDEFINED_BIT_TEXT };
  const exact = await proveMutation(prepared, m, work, limits, false, opts.romContract ?? false);
  if (exact.reachesNamedCell && !exact.reachesNamedCell.includes(m.cell) && onlyMemoriesAndRoms(rtlilModules(prepared), m.module, exact.reachesNamedCell)) {
    // Stopped at memories and ROMs only (not a mutation of one): prove again with memories as registers and ROMs cut
    // open. A script Yosys cannot run that way leaves the stop standing.
    const opened = await orWhenYosysFails(proveMutation(prepared, m, work, limits, false, opts.romContract ?? false, true), exact);
    if (!opened.reachesNamedCell) return opened.equivalent ? { equivalent: true, detail: `${opened.detail}, memories as registers and ROMs cut open` } : { equivalent: false, detail: `${opened.detail} (memories as registers and ROMs cut open)`, limited: opened.limited };
  }
  // A fan-out that reaches a named cell reaches it in the wrapped proof too.
  if (exact.equivalent || exact.reachesNamedCell) return { equivalent: exact.equivalent, detail: exact.detail, limited: exact.limited };
  // A wrapper Yosys cannot read (a port name it takes for something else) leaves the exact verdict standing.
  const inBeats = await orWhenYosysFails(proveMutation(prepared, m, work, limits, true, opts.romContract ?? false), null);
  if (inBeats === null) return exact;
  return inBeats.equivalent
    ? { equivalent: true, detail: `${inBeats.detail}, stream outputs compared in valid beats` }
    : { equivalent: false, detail: `${exact.detail}; in valid beats only: ${inBeats.detail}`, limited: inBeats.limited ?? exact.limited };
}

/** One proof of a mutation: ports as they are, or (`inBeats`) stream outputs only in valid beats — null when the module has none. */
async function proveMutation(prepared: string, m: YosysMutation, work: string, limits: YosysLimits, inBeats: true, romContract: boolean): Promise<MutationProof | null>;
async function proveMutation(prepared: string, m: YosysMutation, work: string, limits: YosysLimits, inBeats: false, romContract: boolean, opened?: boolean): Promise<MutationProof>;
async function proveMutation(prepared: string, m: YosysMutation, work: string, limits: YosysLimits, inBeats: boolean, romContract: boolean, opened = false): Promise<MutationProof | null> {
  mkdirSync(work, { recursive: true });
  const gate = m.args.replace(`-module ${m.module}`, '-module rs_eq_gate');
  const modules = rtlilModules(prepared);
  const ports = modules.get(m.module)?.ports ?? new Map();
  const roms = romContract ? contractRoms(modules, m) : [];
  const masks = inBeats ? [streamMask(ports, 'rs_eq_gold', 'rs_eq_goldv'), streamMask(ports, 'rs_eq_gate', 'rs_eq_gatev')] as const : null;
  if (masks && (masks[0] === null || masks[1] === null)) return null;
  const tag = inBeats ? `equiv-${m.id}-in-beats` : opened ? `equiv-${m.id}-opened` : `equiv-${m.id}`;
  // The wire the mutation overwrites differs by construction, so it is not matched by name (what it feeds still is) —
  // unless it is a port of the module: then it is what the module shows the world and must be compared. (Should it feed
  // a submodule instance, the named-cell check below stops the proof.)
  const named = /-wire (\S+)/.exec(m.args)?.[1];
  const wire = named !== undefined && !ports.has(named) ? named : undefined;
  const unmatched = [...(wire ? [masks ? flattenedName(wire) : wire] : []), ...(masks ? masks[0]!.unmatched : [])];
  if (unmatched.length) writeFileSync(join(work, `${tag}.blacklist`), unmatched.join('\n') + '\n');
  if (masks) writeFileSync(join(work, `${tag}.v`), masks[0]!.verilog + masks[1]!.verilog);
  if (roms.length) writeFileSync(join(work, `${tag}-roms.v`), roms.map((r) => r.verilog).join(''));
  const cell = m.cell || undefined;
  // The mutated cell's fan-out is marked twice. Before the mutation: an output-port mutation may leave the cell's own
  // output dangling and drive its old net from a constant, so the net's readers are found through the cell as it was.
  // After it: an input-port mutation feeds the cell through a new net, and that net (an input of a submodule instance,
  // which equiv_make compares at the instance's inputs) is in the cone from the cell's inputs. Once wrapped and
  // flattened, the mark spreads on into the wrapper's masking logic.
  const mark = (from: string) => `setattr -set rs_mut_cone 1 rs_eq_gate/c:${cell} ${from}%co*`;
  // Where a difference can flow: the cell's own fan-out, as it was and as it is (cells the mutation adds feed only the
  // mutated cell). Tighter than the proof's cone, which also takes in what the cell's input nets feed besides it.
  const markDiff = `setattr -set rs_diff_cone 1 rs_eq_gate/c:${cell} %co*`;
  // Each ROM cell becomes its contract wrapper, flattened into gold and gate alike (their other submodules stay opaque),
  // before the mutated cone is marked: the mark must spread through the wrapper to the ROM's own cell, whose inputs
  // equiv_make compares (a mutant of the ROM address is not equivalent).
  const contract = roms.length
    ? [`read_verilog ${JSON.stringify(join(work, `${tag}-roms.v`))}`, ...roms.map((r) => `chtype -map ${r.rom} ${r.wrapper} rs_eq_gold rs_eq_gate`),
      ...flattenOneLevel(roms.map((r) => r.wrapper), ['rs_eq_gold', 'rs_eq_gate']), 'setattr -mod -unset keep_hierarchy *']
    : [];
  // Opened: no cell equiv_make would merge by name is left for memories and ROMs. Memories become
  // registers (bank0[i], matched by name like any register) and each ROM cell — inside its contract wrapper, which
  // stays — is cut out: its address becomes an output of the module, compared like any output, and its word an input
  // that gold and gate share. Sharing is sound because a ROM's word is a function of its address history, and the
  // proof fails wherever the addresses can differ.
  const blackboxes = [...new Set([...(modules.get(m.module)?.cells.values() ?? [])].filter((t) => isRomShaped(modules.get(t))))];
  const open = opened
    ? ['memory_map rs_eq_gold rs_eq_gate', 'opt_clean rs_eq_gold rs_eq_gate',
      ...(blackboxes.length ? [`expose -evert ${blackboxes.flatMap((t) => [`rs_eq_gold/t:${t}`, `rs_eq_gate/t:${t}`]).join(' ')}`] : [])]
    : [];
  const wrap = masks
    ? [`read_verilog ${JSON.stringify(join(work, `${tag}.v`))}`,
      // Flatten the wrappers one level only: the module's own submodules stay opaque cells, as in an unwrapped proof.
      ...flattenOneLevel(['rs_eq_gold', 'rs_eq_gate'], ['rs_eq_goldv', 'rs_eq_gatev']), ...(cell ? ['setattr -set rs_mut_cone 1 rs_eq_gatev/a:rs_mut_cone %co*'] : [])]
    : [];
  // equiv_make merges gold's and gate's cells that have a name of their own (submodule instances, memories) and puts an
  // $equiv on each input where they differ; but when the gate's input has become a constant, that $equiv reads nothing
  // in the marked cone and mutatedConeOnly drops it, so the difference would vanish unseen. So when the mutated cell's
  // fan-out reaches a named cell (the mutated cell itself included), the script stops before the proof and the mutant
  // stays unproven (the stricter verdict).
  const reached = `rs_eq_gate/a:rs_diff_cone rs_eq_gate/t:* %i rs_eq_gate/c:$* %d`;
  const namedCellCheck = cell ? [`log ${NAMED_CELL_MARK}`, `select -list ${reached}`, `select -assert-none ${reached}`] : [];
  let log: string | null;
  try {
    log = await yosysLimited([
      `read_rtlil ${JSON.stringify(prepared)}`, `copy ${m.module} rs_eq_gold`, `copy ${m.module} rs_eq_gate`,
      ...contract, ...open, ...(cell ? [mark(''), markDiff] : []), `mutate ${gate}`, ...(cell ? [mark('%ci1 '), markDiff] : []), ...namedCellCheck, ...wrap,
      equivalenceProof(unmatched.length ? `${tag}.blacklist` : undefined, cell ? mutatedConeOnly() : [], ...(masks ? ['rs_eq_goldv', 'rs_eq_gatev'] : [])),
    ].join('\n') + '\n', work, tag, limits);
  } catch (e) {
    const names = e instanceof SimrunError && e.code === 'YOSYS_FAILED' ? namedCellsReached(join(work, `${tag}.log`)) : [];
    if (names.length === 0) throw e;
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    return { equivalent: false, detail: `its cone reaches ${names.length > 1 ? 'cells' : 'cell'} ${shown} (an instance or memory equiv_make merges by name), not proven`, reachesNamedCell: names };
  }
  const proof = provenFrom(log, limits);
  return proof.equivalent && roms.length ? { ...proof, detail: `${proof.detail}, ROM words as the contract allows` } : proof;
}

/** Commands that flatten the instances of `modules` into `into`, and nothing else (every other module is kept whole). */
function flattenOneLevel(modules: readonly string[], into: readonly string[]): string[] {
  return ['setattr -mod -set keep_hierarchy 1 *', `setattr -mod -unset keep_hierarchy ${modules.join(' ')}`, `flatten ${into.join(' ')}`];
}

/** Logged just before the named-cell check lists what it found, so the list can be read back from the log. */
const NAMED_CELL_MARK = 'RS-CONE-REACHES-NAMED-CELLS';

/** A proof of one mutation, and the named cells it stopped at because the mutated cell's fan-out reaches them. */
interface MutationProof extends Proof {
  readonly reachesNamedCell?: readonly string[];
}

/**
 * A black box shaped like a ROM: inputs and a single output (its word, a function of the address history). Only such
 * a cell is cut open in a proof: gold and gate share its output while its inputs are compared.
 */
function isRomShaped(m: RtlilModule | undefined): boolean {
  if (!m?.blackbox) return false;
  const dirs = [...m.ports.values()].map((p) => p.direction);
  return dirs.filter((d) => d === 'output').length === 1 && !dirs.includes('inout');
}

/**
 * The named cells a proof stopped at are all memories of `module` or ROM black boxes (instances of one, or the ROM
 * inside a contract wrapper, `<instance>.u_rom`): the ones an opened proof takes apart.
 */
function onlyMemoriesAndRoms(modules: ReadonlyMap<string, RtlilModule>, module: string, names: readonly string[]): boolean {
  const cells = modules.get(module)?.cells ?? new Map<string, string>();
  const isRom = (instance: string) => isRomShaped(modules.get(cells.get(instance) ?? ''));
  return names.every((n) => /^\$mem(_v2)?$/.test(cells.get(n) ?? '') || isRom(n) || (n.endsWith('.u_rom') && isRom(n.slice(0, -'.u_rom'.length))));
}

/** The named cells the script listed before its named-cell check failed, once each (none when it failed otherwise). */
function namedCellsReached(logPath: string): string[] {
  if (!existsSync(logPath)) return [];
  const log = readFileSync(logPath, 'utf8');
  const at = log.indexOf(NAMED_CELL_MARK);
  if (at < 0 || !/Assertion failed: selection is not empty/.test(log.slice(at))) return [];
  return [...new Set(log.slice(at).split('\n').map((l) => /^rs_eq_gate\/(\S+)$/.exec(l.trim())?.[1]).filter((n): n is string => n !== undefined))];
}

/**
 * Contract wrappers (mutation/formal/romContract.ts) for the ROMs the mutated module instantiates — none when the mutation sits on
 * a ROM cell itself, which `mutate` must find by its name (the proof then stops at that cell anyway).
 */
function contractRoms(modules: ReadonlyMap<string, RtlilModule>, m: YosysMutation): RomContract[] {
  const cells = modules.get(m.module)?.cells ?? new Map<string, string>();
  if (m.cell && cells.has(m.cell) && modules.get(cells.get(m.cell)!)?.blackbox) return [];
  const types = new Set([...cells.values()].filter((t) => modules.get(t)?.blackbox));
  return [...types].flatMap((t) => romContract(t, modules.get(t)!) ?? []);
}

/** Proves two texts of one module equivalent (a catalogue mutant off and on); `blackboxes` are the ROM modules' files. */
export async function provesTextsEquivalent(module: string, gold: string, gate: string, blackboxes: readonly string[], work: string, tag: string, limits = PROOF_LIMITS): Promise<Proof> {
  mkdirSync(work, { recursive: true });
  const rename = (text: string, to: string) => text.replace(new RegExp(`\\bmodule ${module}\\b`), `module ${to}`);
  writeFileSync(join(work, `${tag}-gold.v`), rename(gold, 'rs_eq_gold'));
  writeFileSync(join(work, `${tag}-gate.v`), rename(gate, 'rs_eq_gate'));
  const log = await yosysLimited([
    ...(blackboxes.length ? [`read_verilog -lib ${blackboxes.map((f) => JSON.stringify(f)).join(' ')}`] : []),
    `read_verilog -sv ${JSON.stringify(join(work, `${tag}-gold.v`))} ${JSON.stringify(join(work, `${tag}-gate.v`))}`,
    'hierarchy -check', 'proc', 'opt', 'wreduce', 'memory_collect', 'opt_clean', equivalenceProof(),
  ].join('\n') + '\n', work, `equiv-${tag}`, limits);
  return provenFrom(log, limits);
}
