// Faults a user builds into one engine with --inject, to prove the harness catches them where they are.
// Syntax: [engine@]kind:args — bit:L:ROW:COL:CHAN:B, delay:L:BEAT:N, weight:L:INDEX:B, bias:L:INDEX:B, stall:L:N.
import { ENGINE_NAMES, type EngineName } from './engineNames.js';
import { SimrunError } from './errors.js';
import type { NetworkSpec } from './spec.js';

/** A fault, aimed at one engine. */
export type Fault =
  /** Flip bit `bit` of layer `layer`'s output word at (row, col, chan) in every frame. */
  | { readonly kind: 'bit'; readonly layer: number; readonly row: number; readonly col: number; readonly chan: number; readonly bit: number }
  /** Layer `layer`'s beat number `beat` (counted from the start of the run) leaves `cycles` cycles late. */
  | { readonly kind: 'delay'; readonly layer: number; readonly beat: number; readonly cycles: number }
  /** Flip bit `bit` (0..17) of weight code `index` (= tap·Cout + channel, the contract's order) of layer `layer`. */
  | { readonly kind: 'weight'; readonly layer: number; readonly index: number; readonly bit: number }
  /** Flip bit `bit` (0..31) of layer `layer`'s bias word for channel `index`. */
  | { readonly kind: 'bias'; readonly layer: number; readonly index: number; readonly bit: number }
  /** Layer `layer` sees each of its input rows complete `cycles` cycles late. */
  | { readonly kind: 'stall'; readonly layer: number; readonly cycles: number };

/** A parsed --inject: the fault and the engine it goes into. */
export interface AimedFault {
  readonly engine: EngineName;
  readonly fault: Fault;
  /** The text as given, for messages and the report. */
  readonly text: string;
}

const SYNTAX = 'use [engine@]bit:L:ROW:COL:CHAN:B, delay:L:BEAT:N, weight:L:INDEX:B, bias:L:INDEX:B or stall:L:N';

/**
 * Parses one --inject value. Without `engine@`, the fault goes into `defaultEngine` (the engine under test: rtl when it
 * runs, else sim). Every number is checked against the network.
 */
export function parseFault(raw: string, net: NetworkSpec, defaultEngine: EngineName): AimedFault {
  const at = raw.indexOf('@');
  const engine = (at >= 0 ? raw.slice(0, at) : defaultEngine) as EngineName;
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) throw new SimrunError('USAGE', `--inject '${raw}': '${raw.slice(0, at)}' is not an engine; prefix golden@, sim@ or rtl@`);
  const body = at >= 0 ? raw.slice(at + 1) : raw;
  const parts = body.split(':');
  const bad = (why: string) => new SimrunError('USAGE', `--inject '${raw}': ${why}`);
  const nums = parts.slice(1).map((t) => {
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw bad(`'${t}' is not a whole number; ${SYNTAX}`);
    return Number(t);
  });
  const arity: Record<string, number> = { bit: 5, delay: 3, weight: 3, bias: 3, stall: 2 };
  const kind = parts[0]!;
  if (!(kind in arity)) throw bad(`'${kind}' is not a fault kind; ${SYNTAX}`);
  if (nums.length !== arity[kind]) throw bad(`${kind} takes ${arity[kind]} numbers; ${SYNTAX}`);
  const layer = nums[0]!;
  const l = net.layers[layer - 1];
  if (!l) throw bad(`layer ${layer} does not exist; ${net.name} has layers 1..${net.layers.length}`);
  const within = (v: number, n: number, what: string) => {
    if (v >= n) throw bad(`${what} ${v} is out of range 0..${n - 1} for layer ${layer} '${l.name}'`);
    return v;
  };
  let fault: Fault;
  switch (kind) {
    case 'bit':
      fault = { kind, layer, row: within(nums[1]!, l.outH, 'row'), col: within(nums[2]!, l.outW, 'col'), chan: within(nums[3]!, l.outC, 'chan'), bit: within(nums[4]!, 32, 'bit') };
      break;
    case 'delay':
      if (nums[2]! < 1) throw bad('a delay of 0 cycles changes nothing; pass 1 or more');
      fault = { kind, layer, beat: nums[1]!, cycles: nums[2]! };
      break;
    case 'weight':
      fault = { kind, layer, index: within(nums[1]!, l.kernel * l.kernel * l.inC * l.outC, 'weight index'), bit: within(nums[2]!, 18, 'bit') };
      break;
    case 'bias':
      fault = { kind, layer, index: within(nums[1]!, l.outC, 'bias channel'), bit: within(nums[2]!, 32, 'bit') };
      break;
    default:
      if (nums[1]! < 1) throw bad('a stall of 0 cycles changes nothing; pass 1 or more');
      fault = { kind: 'stall', layer, cycles: nums[1]! };
  }
  if (engine === 'golden' && kind !== 'bit' && kind !== 'weight' && kind !== 'bias') throw bad(`the golden has no timing; aim ${kind} faults at sim@ or rtl@`);
  return { engine, fault, text: raw };
}

/** The faults aimed at `engine`. */
export function faultsFor(all: readonly AimedFault[], engine: EngineName): Fault[] {
  return all.filter((a) => a.engine === engine).map((a) => a.fault);
}

/** One line describing a fault, for the terminal and the report. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'bit': return `bit ${f.bit} of layer ${f.layer}'s output at row ${f.row} col ${f.col} chan ${f.chan} flipped`;
    case 'delay': return `beat ${f.beat} of layer ${f.layer} ${f.cycles} cycle(s) late`;
    case 'weight': return `bit ${f.bit} of layer ${f.layer}'s weight code ${f.index} flipped`;
    case 'bias': return `bit ${f.bit} of layer ${f.layer}'s bias for channel ${f.index} flipped`;
    case 'stall': return `layer ${f.layer}'s input rows held back ${f.cycles} cycle(s)`;
  }
}
