// Equivalence of a mutant up to a relation of binary32 words: a one-clock-step inductive proof in which chosen 32-bit
// registers of the original and the mutant need not be equal, only related — first "equal up to flush-to-zero" (equal
// once an exponent-0 word is read as a zero of its sign, the way rowsim's adders and multipliers read one), then, if
// that relation breaks, "equal up to the sign of zero" (any two exponent-0 words related, whatever their signs), then
// "equal up to the payload of NaN" (any two NaN words related). Every other register, every output port and every ROM
// address must be equal. If, from any state pair in the relation, one step always leads to a state pair in it again
// with equal outputs, the two designs cannot be told apart (the relation holds at power-up: all equal). Whatever the
// relation, soundness comes from the induction and the exact outputs, never from the relation being "right". The
// first proves a mutant that writes a subnormal where the original writes a zero; the second one that gives −0 + +0
// the wrong sign in an accumulator a ReLU later reads; the third one that writes another NaN into an accumulator whose
// next add makes every NaN the canonical one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vName, VModule } from '../../core/vbuild.js';
import { rtlilModules } from './rtlilPorts.js';
import { orWhenYosysFails, yosysLimited, type Proof, type YosysLimits, type YosysMutation } from './yosys.js';

const esc = vName;

/** Limits of each SAT run of the proof. */
export const FTZ_LIMITS: YosysLimits = { seconds: 60, memoryMiB: 3072 };

/** The module's register names (as `expose -evert-dff` names their ports: `<name>.q` in, `<name>.d` out). */
function registersOf(ports: ReadonlyMap<string, { direction: string; width: number }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [n, p] of ports) if (p.direction === 'input' && n.endsWith('.q') && ports.get(`${n.slice(0, -2)}.d`)?.direction === 'output') out.set(n.slice(0, -2), p.width);
  return out;
}

/**
 * A relation between an original's and a mutant's binary32 register: its name in a verdict, how it reads a word, a
 * tag for its files, and its Verilog.
 */
interface WordRelation {
  readonly name: string;
  readonly reading: string;
  readonly tag: string;
  readonly holds: (a: string, b: string) => string;
}

/** Equal once an exponent-0 word is read as a zero of its sign (how rowsim's fadd and fmul read one). */
const UP_TO_FLUSH: WordRelation = {
  name: 'flush-to-zero',
  reading: 'exponent-0 words read as signed zeros',
  tag: 'flush',
  holds: (a, b) => `(${a} == ${b} || (${a}[30:23] == 8'd0 && ${b}[30:23] == 8'd0 && ${a}[31] == ${b}[31]))`,
};

/**
 * Equal, or both read as zeros whatever their signs. Weaker than UP_TO_FLUSH, so it is tried second: a design that
 * reads the sign of a zero (a ReLU by the sign bit passes −0 and +0 apart only if it keeps them) may need the first.
 */
const UP_TO_ZERO_SIGN: WordRelation = {
  name: 'the sign of zero',
  reading: 'exponent-0 words read as zeros of either sign',
  tag: 'sign',
  holds: (a, b) => `(${a} == ${b} || (${a}[30:23] == 8'd0 && ${b}[30:23] == 8'd0))`,
};

/**
 * Equal, or both NaN whatever their payloads and signs: rowsim's adders and multipliers turn any NaN operand into the
 * one canonical NaN, so a register that holds another NaN than the original's is seen alike once it is added to (tiny
 * seed 58111's yosys-16: a bit of the Inf − Inf result's NaN constant forced to 1 in an accumulator). Tried last, as
 * the rarest case: the order changes the time a proof takes, never a verdict. The relations are never combined, so a
 * mutant that needs zeros related in one register and NaNs in another is not proven here.
 */
const UP_TO_NAN_PAYLOAD: WordRelation = {
  name: 'the payload of NaN',
  reading: 'NaN words read as one NaN',
  tag: 'nan',
  holds: (a, b) => `(${a} == ${b} || (${a}[30:23] == 8'hff && ${a}[22:0] != 23'd0 && ${b}[30:23] == 8'hff && ${b}[22:0] != 23'd0))`,
};

/** The relations in the order they are tried. */
const RELATIONS: readonly WordRelation[] = [UP_TO_FLUSH, UP_TO_ZERO_SIGN, UP_TO_NAN_PAYLOAD];

/** A proof stopped by its limits while `doing`. */
function stopped(limits: YosysLimits, relation: WordRelation, doing: string): Proof {
  const limit = `${limits.seconds} CPU seconds or ${limits.memoryMiB} MiB`;
  return { equivalent: false, detail: `up to ${relation.name}: ${doing} ran past ${limit}`, limited: limit };
}

/**
 * Tries to prove `m` equivalent up to flush-to-zero, then (when a relaxed register breaks that relation or an output
 * differs) up to the sign of zero, then (likewise) up to the payload of NaN. Each starts with the 32-bit registers the
 * mutated cell writes (through logic, in one step) relaxed, and relaxes each 32-bit register the proof then finds
 * unequal, up to three rounds.
 */
export async function provesUpToFlush(prepared: string, m: YosysMutation, work: string, limits = FTZ_LIMITS): Promise<Proof> {
  mkdirSync(work, { recursive: true });
  const module = rtlilModules(prepared).get(m.module);
  const refused = (why: string): Proof => ({ equivalent: false, detail: `up to flush-to-zero: ${why}` });
  if (!m.cell || !module) return refused('the mutation names no cell');
  if (/-port (Q|CLK)\b/.test(m.args)) return refused('not tried on a register\'s output or clock');
  const roms = [...new Set([...module.cells.values()].filter((t) => !t.startsWith('$')))];
  const both = (sel: string) => `rs_fz_gold/${sel} rs_fz_gate/${sel}`;
  const tag = `ftz-${m.id}`;
  const made = await orWhenYosysFails(yosysLimited([
    `read_rtlil ${JSON.stringify(prepared)}`, `copy ${m.module} rs_fz_gold`, `copy ${m.module} rs_fz_gate`,
    'memory_map rs_fz_gold rs_fz_gate', 'opt_clean rs_fz_gold rs_fz_gate',
    `mutate ${m.args.replace(`-module ${m.module}`, '-module rs_fz_gate')}`,
    ...(roms.length ? [`expose -evert ${roms.map((t) => both(`t:${t}`)).join(' ')}`] : []),
    `expose -evert-dff ${both('t:$dff')}`,
    // The registers the mutated cell feeds in one step (their next-value ports): the first ones relaxed.
    `select -list rs_fz_gate/c:${m.cell} %co* rs_fz_gate/w:*.d %i`,
    // Undriven wires and x bits become 0 in both copies alike (SAT would otherwise take each copy's as free and apart).
    'setundef -undriven -zero rs_fz_gold rs_fz_gate', 'opt_clean rs_fz_gold rs_fz_gate',
    'select rs_fz_gold rs_fz_gate', `write_rtlil -selected ${tag}.il`,
  ].join('\n') + '\n', work, `${tag}-make`, limits), 'failed' as const);
  if (made === null) return stopped(limits, UP_TO_FLUSH, 'building the two copies');
  if (made === 'failed') return refused('Yosys could not build the two copies');
  const modules = rtlilModules(join(work, `${tag}.il`));
  const gold = modules.get('rs_fz_gold'), gate = modules.get('rs_fz_gate');
  if (!gold || !gate) return refused('Yosys could not build the two copies');
  // Every port, the registers' clock outputs (`.c`) too: they are obligations like any output, so a mutant that
  // gates a clock differently is not proven (the one-step model is only sound when both copies tick alike).
  const ports = [...gold.ports];
  if (ports.length !== gate.ports.size || ports.some(([n, p]) => gate.ports.get(n)?.width !== p.width)) {
    return refused('the two copies differ in their ports');
  }
  const registers = registersOf(gold.ports);
  const first = made.split('\n').map((l) => /^rs_fz_gate\/(\S+)\.d$/.exec(l.trim())?.[1]).filter((n): n is string => n !== undefined);
  const start = first.filter((r) => registers.get(r) === 32);
  if (start.length === 0) return refused('the mutation writes no 32-bit register');
  const pair: RelatedPair = { il: join(work, `${tag}.il`), ports, registers, start, work, tag, limits };
  const failed: string[] = [];
  for (const relation of RELATIONS) {
    const proof = await provesRelated(pair, relation);
    if (proof.equivalent) return proof;
    failed.push(proof.detail);
    // Only a model found (a register or output that can differ) makes the next relation worth a try.
    if (proof.limited || !/can differ$/.test(proof.detail)) return { ...proof, detail: failed.join('; ') };
  }
  return { equivalent: false, detail: failed.join('; ') };
}

/** The two copies Yosys built (`il`), their ports and registers, the first registers to relax, and where to work. */
interface RelatedPair {
  readonly il: string;
  readonly ports: readonly (readonly [string, { direction: string; width: number }])[];
  readonly registers: ReadonlyMap<string, number>;
  readonly start: readonly string[];
  readonly work: string;
  readonly tag: string;
  readonly limits: YosysLimits;
}

/** The one-step induction of `pair` up to `relation`, relaxing what breaks for up to four rounds. */
async function provesRelated(pair: RelatedPair, relation: WordRelation): Promise<Proof> {
  const { registers, work, limits } = pair;
  const tag = `${pair.tag}-${relation.tag}`;
  const refused = (why: string): Proof => ({ equivalent: false, detail: `up to ${relation.name}: ${why}` });
  const relaxed = new Set(pair.start);
  for (let round = 0; round < 4; round++) {
    const check = checkModule(pair.ports, registers, relaxed, relation);
    writeFileSync(join(work, `${tag}-check.v`), check.verilog);
    const log = await orWhenYosysFails(yosysLimited([
      `read_rtlil ${JSON.stringify(pair.il)}`, `read_verilog -formal ${JSON.stringify(join(work, `${tag}-check.v`))}`,
      'hierarchy -top rs_fz_check', 'proc', 'flatten', 'opt_merge -share_all', 'opt_clean',
      // Merged, gold's and gate's cells outside the relaxed registers' cone read the same signals: their obligations
      // fold to true and the logic behind them goes (tiny seed 58111's yosys-16: 1.3 GB and 42 s per SAT run before,
      // 0.24 GB and 30 s after). -keepdc: no folding that changes what an x bit may be.
      'opt_expr -keepdc', 'opt_merge -share_all', 'opt_expr -keepdc', 'opt_clean',
      `sat -prove-asserts -set-assumes ${check.oks.map((o) => `-show ${o}`).join(' ')} rs_fz_check`,
    ].join('\n') + '\n', work, `${tag}-sat${round}`, limits), 'failed' as const);
    if (log === null) return stopped(limits, relation, 'the proof');
    if (log === 'failed') return refused('Yosys could not run the proof');
    if (/SAT proof finished - no model found: SUCCESS/.test(log)) {
      return { equivalent: true, detail: `proven equal up to ${relation.name} of ${[...relaxed].sort().join(', ')} (one-step induction: ${relation.reading})` };
    }
    if (!/SAT proof finished - model found: FAIL/.test(log)) return refused('not proven within the limits');
    // Relax what broke, if it is a binary32 register not relaxed yet.
    const broken = check.oks.filter((o) => new RegExp(`^\\s+\\\\${o}\\s+0\\s+0\\s+0\\s*$`, 'm').test(log)).map((o) => check.okOf.get(o)!);
    const more = broken.filter((r) => registers.get(r) === 32 && !relaxed.has(r));
    if (more.length === 0) return refused(`${broken[0] ?? 'an output'} can differ`);
    for (const r of more) relaxed.add(r);
  }
  return refused('not proven');
}

/** The check module: shared inputs, relaxed registers' now-values related, and one ok wire per obligation. */
function checkModule(ports: RelatedPair['ports'], registers: ReadonlyMap<string, number>, relaxed: ReadonlySet<string>, relation: WordRelation) {
  const inputs = ports.filter(([, p]) => p.direction === 'input');
  const outputs = ports.filter(([, p]) => p.direction === 'output');
  const related = relation.holds;
  const gateOnly = (n: string) => `${n}.gate`;
  const oks: string[] = [];
  const okOf = new Map<string, string>();
  const m = new VModule('rs_fz_check', [`Equivalence up to ${relation.name}: gold and gate from related states; one ok wire per obligation, each asserted.`]);
  for (const [n, p] of inputs) m.port('input', n, p.width);
  for (const r of relaxed) m.port('input', gateOnly(`${r}.q`), registers.get(r)!);
  const body = m.section('gold and gate, and the obligations');
  for (const [n, p] of outputs) body.wire(`g.${n}`, p.width).wire(`t.${n}`, p.width);
  body.instance('rs_fz_gold', 'u_gold', Object.fromEntries([...inputs.map(([n]) => [n, esc(n)]), ...outputs.map(([n]) => [n, esc(`g.${n}`)])]))
    .instance('rs_fz_gate', 'u_gate', Object.fromEntries([...inputs.map(([n]) => [n, esc(relaxed.has(n.slice(0, -2)) && n.endsWith('.q') ? gateOnly(n) : n)]), ...outputs.map(([n]) => [n, esc(`t.${n}`)])]));
  outputs.forEach(([n, p], i) => {
    const reg = n.endsWith('.d') ? n.slice(0, -2) : null;
    const ok = `rs_ok_${i}`;
    oks.push(ok);
    okOf.set(ok, reg ?? n);
    const [g, t] = [esc(`g.${n}`), esc(`t.${n}`)];
    body.wire(ok, 'bit', reg !== null && relaxed.has(reg) && p.width === 32 ? related(g, t) : `${g} == ${t}`);
  });
  body.always('*', [...[...relaxed].map((r) => `assume (${related(esc(`${r}.q`), esc(gateOnly(`${r}.q`)))});`), ...oks.map((o) => `assert (${o});`)]);
  const verilog = m.render();
  return { verilog, oks, okOf };
}
