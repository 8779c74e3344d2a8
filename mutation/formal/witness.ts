// A witness for an undetected Yosys mutant of a rowsim-emitted layer: operands at one of the layer's arithmetic sites
// (bias adder, accumulator, multiplier) for which the mutated module's next ALU register differs from the original's in
// a way that reaches the layer's output. Found by SAT over one clock step, with every register, ROM word and
// row-buffer word free but held to values a stimulus can set (finite, never subnormal; weights bfloat18 codes), so the
// witness can be turned into a run (mutation/stimulus/witnessRun.ts) that shows the mutant — or says why it cannot be seen.
// Only modules with rowsim's ALU register names (p_reg, acc, res) and operand wires (x_s*, g_lane_s*[*].w/.bias) get one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYER_SIGNALS } from '../../core/layerSignals.js';
import { vName, VModule } from '../../core/vbuild.js';
import { mutatesRegisterOutput } from './registerOutput.js';
import { rtlilModules } from './rtlilPorts.js';
import { orWhenYosysFails, yosysLimited, type YosysLimits, type YosysMutation } from './yosys.js';
import { bitsOf, valueOf } from './f32bits.js';

/** Where in the layer's ALU the witness acts. */
export type WitnessSite = 'bias-add' | 'accumulate' | 'multiply';

/**
 * Operands (as bit patterns) at one ALU site that make the mutant's register differ. bias-add: `a` the accumulated
 * sum, `b` the bias word; accumulate: `a` the running sum, `b` the product added to it; multiply: `a` the weight's
 * bfloat18 code, `b` the input word.
 */
export interface Witness {
  readonly site: WitnessSite;
  /** The register that differs, as the module names it (`res[0]`). */
  readonly register: string;
  readonly a: number;
  readonly b: number;
  /** The register's next value in the original and in the mutant. */
  readonly gold: number;
  readonly mutant: number;
}

/** What the layer around the mutated module does to a difference, and which inputs a stimulus can give it. */
export interface WitnessContext {
  /** The layer applies ReLU (a difference between two negative sums is not seen). */
  readonly relu: boolean;
  /** The layer is the first: its inputs are pixels (any finite word); otherwise they are the outputs of the layer before. */
  readonly firstLayer: boolean;
  /** The layer before applies ReLU (inputs are never negative). */
  readonly inputsNonNegative: boolean;
}

const { result: RES, accumulator: ACC, product: P_REG, stripInput: X, laneBlock: LANE, laneWeight: W, laneBias: BIAS } = LAYER_SIGNALS;
/** `name[i]` — one word of the layer's ALU register array `name` (names from the emitter, core/layerSignals.ts). */
const arrayWord = (name: string) => new RegExp(`^${name}\\[(\\d+)\\]$`);
const SITES: readonly { readonly reg: RegExp; readonly site: WitnessSite }[] = [
  { reg: arrayWord(RES), site: 'bias-add' },
  { reg: arrayWord(ACC), site: 'accumulate' },
  { reg: arrayWord(P_REG), site: 'multiply' },
];
/** Input ports of the miter, as `expose` names them: register now-values and the cut operand wires. */
const NOW = { sum: new RegExp(`^${ACC}\\[\\d+\\]\\.q$`), sumOrProduct: new RegExp(`^(${ACC}|${P_REG})\\[\\d+\\]\\.q$`) };
const CUT = {
  bias: new RegExp(`^${LANE}\\d+\\[\\d+\\]\\.${BIAS}\\.i$`),
  weight: new RegExp(`^${LANE}\\d+\\[\\d+\\]\\.${W}\\.i$`),
  input: new RegExp(`^${X}\\d+\\.i$`),
};

/** Limits of the witness search (as a proof's). */
export const WITNESS_LIMITS: YosysLimits = { seconds: 45, memoryMiB: 3072 };

const esc = vName;

/**
 * Searches for a witness of mutation `m` (from the design as listMutations prepared it), or says why there is none
 * (NoWitness): `unsat` does not make the mutant equivalent — it may still differ in control, or over many cycles.
 */
export async function findWitness(prepared: string, m: YosysMutation, ctx: WitnessContext, work: string, limits = WITNESS_LIMITS): Promise<Witness | NoWitness> {
  mkdirSync(work, { recursive: true });
  const cell = m.cell;
  const module = rtlilModules(prepared).get(m.module);
  if (!cell || !module) return { none: 'no-sites' };
  // A $dff becomes ports named after its output wire (expose -evert-dff); a mutation of that output moves the wire, so
  // gold's and gate's ports could never be matched (Yosys refuses after building the whole miter, 11 s on tiny). Other
  // cells with a Q (latches, flip-flops of other kinds, a module's port) are not cut so, and are searched.
  if (mutatesRegisterOutput(prepared, m)) return { none: 'register-output' };
  const gate = m.args.replace(`-module ${m.module}`, '-module rs_w_gate');
  const subs = [...new Set([...module.cells.values()].filter((t) => !t.startsWith('$')))];
  const both = (sel: string) => `rs_w_gold/${sel} rs_w_gate/${sel}`;
  // 1. The miter: row buffers as registers; then, after the mutation, every submodule (a ROM) cut out into ports, the
  //    ALU operands cut into inputs, and every register turned into an input (its value now) and an output (its next
  //    value): one clock step with all state free. Gold and gate share inputs by name.
  // A mutation this flow cannot take (say, on a register's output, whose exposed ports then differ by name between
  // gold and gate) has no witness; it must not stop the campaign.
  const run = async (script: string[], what: string): Promise<string | NoWitness> =>
    (await orWhenYosysFails(yosysLimited(script.join('\n') + '\n', work, what, limits), { none: 'failed' } as const)) ?? { none: 'limits' };
  const miter = await run([
    `read_rtlil ${JSON.stringify(prepared)}`, `copy ${m.module} rs_w_gold`, `copy ${m.module} rs_w_gate`,
    'memory_map rs_w_gold rs_w_gate', 'opt_clean rs_w_gold rs_w_gate',
    `mutate ${gate}`,
    ...(subs.length ? [`expose -evert ${subs.map((t) => both(`t:${t}`)).join(' ')}`] : []),
    `expose -cut ${[`w:${X}*`, `w:${LANE}*.${W}`, `w:${LANE}*.${BIAS}`].map(both).join(' ')}`,
    `expose -evert-dff ${both('t:$dff')}`,
    'setundef -zero rs_w_gold rs_w_gate',
    'opt_clean -purge rs_w_gold rs_w_gate',
    // Gold and gate now read the same inputs, so merging identical cells (repeatedly, as each merge makes the next
    // level identical) leaves two copies of the mutated cone only.
    'equiv_make rs_w_gold rs_w_gate rs_eq', 'hierarchy -top rs_eq', 'opt_merge rs_eq', 'equiv_struct rs_eq', 'opt_clean rs_eq',
    'equiv_simple rs_eq', 'equiv_remove rs_eq/t:$equiv', 'opt_clean rs_eq',
    'equiv_miter -trigger rs_w_miter rs_eq', 'hierarchy -top rs_w_miter', 'opt_clean rs_w_miter',
    // A register's two next values are ports of the miter only when no $equiv cell joins them into the register's own
    // output (tiny seed 33533's yosys-49, a bias adder of layer 4: the miter had res[15].d alone, so the search saw no
    // ALU register at all); exposed here, they are ports either way (while the nets keep those names). The miter
    // holds only the cone of the unproven bits: the bits it does not drive are ones proven equal, and would otherwise
    // be free, apart in gold and gate — a difference that does not exist. Tied to 0 in both, they are equal (and a
    // witness's register values show them as 0).
    'expose rs_w_miter/w:*.d_gold rs_w_miter/w:*.d_gate', 'setundef -undriven -zero rs_w_miter',
    `write_rtlil ${JSON.stringify(join(work, 'miter.il'))}`,
  ], 'witness-miter');
  if (typeof miter !== 'string') return miter;
  const ports = rtlilModules(join(work, 'miter.il')).get('rs_w_miter')?.ports;
  // No miter module: no difference is left after merging (nothing to search).
  if (!ports) return { none: 'unsat' };
  const check = checkModule(ports, ctx);
  if (!check) return { none: 'no-sites' };
  writeFileSync(join(work, 'check.v'), check.verilog);
  // 2. SAT: operands the stimulus can set, and a difference the layer's output shows.
  const sat = await run([
    `read_rtlil ${JSON.stringify(join(work, 'miter.il'))}`, `read_verilog -formal ${JSON.stringify(join(work, 'check.v'))}`,
    'hierarchy -top rs_w_check', 'proc', 'flatten', 'opt_clean',
    `sat -prove-asserts -set-assumes ${check.show.map((n) => `-show \\${n}`).join(' ')} rs_w_check`,
  ], 'witness-sat');
  if (typeof sat !== 'string') return sat;
  if (!/SAT proof finished - model found: FAIL/.test(sat)) return { none: /SAT proof finished - no model found: SUCCESS/.test(sat) ? 'unsat' : 'failed' };
  const values = shownValues(sat);
  let loads = false;
  for (const { name, site } of check.registers) {
    const gold = values.get(`${name}.d_gold`);
    const mutant = values.get(`${name}.d_gate`);
    if (gold === undefined || mutant === undefined || gold === mutant) continue;
    const lane = /\[(\d+)\]$/.exec(name)![1];
    const operand = (names: readonly string[]) => names.map((n) => values.get(n)).find((v) => v !== undefined);
    const weight = operand(check.weights);
    const a = site === 'multiply' ? (weight === undefined ? undefined : weight >>> 14) : values.get(`${ACC}[${lane}].q`);
    const b = site === 'bias-add' ? operand(check.biases) : site === 'accumulate' ? values.get(`${P_REG}[${lane}].q`) : operand(check.inputs);
    if (a === undefined || b === undefined) continue;
    // On a slot's first tap the accumulator loads the product (or, in a later kernel-row pass, adds the pass's partial
    // sum instead): a model in that step shows no product added to the running sum, and a run built so would not meet it.
    if (site === 'accumulate' && gold !== contractSum(a, b)) { loads = true; continue; }
    return { site, register: name, a, b, gold, mutant };
  }
  return { none: loads ? 'load' : 'failed' };
}

/** ftz(rne32(a + b)) of two binary32 bit patterns, as bits (NaN canonical): what an accumulate step writes. */
function contractSum(a: number, b: number): number {
  const s = Math.fround(valueOf(a) + valueOf(b));
  if (Number.isNaN(s)) return 0x7fc00000;
  return bitsOf(s !== 0 && Math.abs(s) < 2 ** -126 ? s * 0 : s);
}

/**
 * Why there is no witness: SAT proved that no operands the stimulus can set make a visible difference at an ALU
 * register in one step (`unsat`); in one step the difference reaches no register named as rowsim's ALU registers are
 * (`no-sites`: a control mutant, or a module that is not one of rowsim's layers);
 * the search ran past its limits; Yosys could not run it (`failed`); the difference showed only on a slot's first tap,
 * where the accumulator adds no product to its sum (`load`); or the mutation is of a $dff's output, which the search
 * cannot take (`register-output`).
 */
export interface NoWitness {
  readonly none: 'unsat' | 'no-sites' | 'limits' | 'failed' | 'load' | 'register-output';
}

/** One line for the report when there is no witness. */
export function noWitnessText(n: NoWitness, limits = WITNESS_LIMITS): string {
  switch (n.none) {
    case 'unsat': return 'no witness: no operands a stimulus can set make a visible difference at an ALU register in one step';
    case 'no-sites': return 'no witness: in one step the difference reaches no ALU register (p_reg, acc, res of rowsim\'s layers)';
    case 'limits': return `no witness: the search ran past ${limits.seconds} CPU seconds or ${limits.memoryMiB} MiB`;
    case 'failed': return 'no witness: Yosys could not run the search on this mutation';
    case 'register-output': return 'no witness: the search cuts every $dff register at its output, so it does not take a mutation of one';
    case 'load': return 'no witness: SAT showed the difference only on a slot\'s first tap (the accumulator loads the product or adds a pass\'s partial sum), not where it adds a product to its sum';
  }
}

/** The check module: the miter's inputs held to what a stimulus can set, and an assertion that no ALU difference shows. */
function checkModule(ports: ReadonlyMap<string, { direction: string; width: number }>, ctx: WitnessContext) {
  const inputs = [...ports].filter(([, p]) => p.direction === 'input').map(([n, p]) => ({ n, w: p.width }));
  const outputs = new Set([...ports].filter(([, p]) => p.direction === 'output').map(([n]) => n));
  const registers = SITES.flatMap(({ reg, site }) => [...outputs].filter((o) => o.endsWith('.d_gold')).map((o) => o.slice(0, -'.d_gold'.length))
    .filter((name) => reg.test(name) && outputs.has(`${name}.d_gate`)).map((name) => ({ name, site })));
  if (registers.length === 0) return null;
  const word = (n: string) => inputs.find((i) => i.n === n && i.w === 32);
  const biases = inputs.filter((i) => CUT.bias.test(i.n) && i.w === 32).map((i) => i.n);
  const weights = inputs.filter((i) => CUT.weight.test(i.n) && i.w === 32).map((i) => i.n);
  const xs = inputs.filter((i) => CUT.input.test(i.n) && i.w === 32).map((i) => i.n);
  // Finite and normal or zero: what a bias, a layer's output (or a product of one with ±1) can be.
  const allowed = (v: string) => `(${v}[30:23] != 8'hff && (${v}[30:23] != 8'h00 || ${v}[22:0] == 23'd0))`;
  // A running sum of −0 cannot be set up (a sum of −0 and the +0 products beside it is +0), nor an input of −0 from
  // the layer before (+0 + bias −0 is +0).
  const notMinusZero = (v: string) => `(${v} != 32'h80000000)`;
  const assumes = [
    ...inputs.filter((i) => NOW.sumOrProduct.test(i.n) && i.w === 32).map((i) => allowed(esc(i.n))),
    ...inputs.filter((i) => NOW.sum.test(i.n) && i.w === 32).map((i) => notMinusZero(esc(i.n))),
    ...(ctx.firstLayer ? [] : inputs.filter((i) => CUT.input.test(i.n) && i.w === 32).map((i) => notMinusZero(esc(i.n)))),
    ...biases.map((n) => allowed(esc(n))),
    // A weight word is an 18-bit code shifted up by 14, normal or zero.
    ...weights.map((n) => `(${esc(n)}[13:0] == 14'd0 && ${allowed(esc(n))})`),
    ...xs.map((n) => (ctx.firstLayer ? `(${esc(n)}[30:23] != 8'hff)` : `(${allowed(esc(n))}${ctx.inputsNonNegative ? ` && !${esc(n)}[31]` : ''})`)),
    // The stimulus gives every lane and strip the same weights, bias and input (one value per input channel, the same
    // weights in every output channel), so each kind of operand is one value wherever it is cut.
    ...[biases, weights, xs].flatMap((ns) => ns.slice(1).map((n) => `(${esc(n)} == ${esc(ns[0]!)})`)),
  ];
  // What the layer's output shows of a register's next value: res as it is; a sum or product after + (+0) and the
  // layer's ReLU (zeros and subnormals of either sign become +0 — the adder takes an exponent-0 operand for zero —, a
  // negative value 0 under ReLU, any NaN one NaN).
  const seen = (v: string) => `((${v}[30:23] == 8'hff && ${v}[22:0] != 23'd0) ? 32'h7fc00000 : (${v}[30:23] == 8'h00${ctx.relu ? ` || ${v}[31]` : ''}) ? 32'd0 : ${v})`;
  // A register that holds its value in the original (next = now) is not being written: a difference there lies on a
  // hold path, which a stimulus built for the write path never meets (and which may be dead: overwritten before read).
  const writes = (name: string, g: string) => (inputs.some((i) => i.n === `${name}.q`) ? ` && ${g} != ${esc(`${name}.q`)}` : '');
  const shows = registers.map(({ name, site }) => {
    const [g, t] = [esc(`${name}.d_gold`), esc(`${name}.d_gate`)];
    return `(${site === 'bias-add' ? `${g} != ${t}` : `${seen(g)} != ${seen(t)}`}${writes(name, g)})`;
  });
  const wires = registers.flatMap(({ name }) => [`${name}.d_gold`, `${name}.d_gate`]);
  const m = new VModule('rs_w_check', ['The witness search: the miter\'s inputs held to what a stimulus can set; asserts that no ALU difference shows.']);
  for (const i of inputs) m.port('input', i.n, i.w);
  const body = m.section('the miter, and what the stimulus can set');
  for (const w of wires) body.wire(w, 32);
  body.instance('rs_w_miter', 'u_miter', Object.fromEntries([...inputs.map((i) => i.n), ...wires].map((n) => [n, esc(n)])))
    .always('*', [...assumes.map((a) => `assume (${a});`), `assert (!(${shows.join(' || ')}));`]);
  const verilog = m.render();
  const show = [...wires, ...inputs.filter((i) => word(i.n) && NOW.sumOrProduct.test(i.n)).map((i) => i.n), ...biases, ...weights, ...xs];
  return { verilog, registers, biases, weights, inputs: xs, show };
}

/** The values `sat -show` printed, by signal name (binary column, so any width reads exactly). */
function shownValues(log: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of log.split('\n')) {
    const m = /^\s+\\(\S+)\s+-?\d+\s+[0-9a-fA-Fx]+\s+([01x]+)\s*$/.exec(line);
    if (m && !m[2]!.includes('x')) out.set(m[1]!, parseInt(m[2]!.slice(-32), 2) >>> 0);
  }
  return out;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** One line for the report: where the witness acts and with what. */
export function witnessText(w: Witness): string {
  const ops = w.site === 'bias-add' ? `sum ${hex(w.a)} + bias ${hex(w.b)}` : w.site === 'accumulate' ? `sum ${hex(w.a)} + product ${hex(w.b)}`
    : `weight code 0x${w.a.toString(16).padStart(5, '0')} × input ${hex(w.b)}`;
  return `witness: ${w.site} ${ops} makes ${w.register} ${hex(w.mutant)} instead of ${hex(w.gold)}`;
}
