// Equivalence of a mutant up to flush-to-zero: a one-clock-step inductive proof in which chosen 32-bit registers
// (binary32 words) of the original and the mutant need not be equal, only equal once an exponent-0 word is read as a
// signed zero — the way rowsim's adders and multipliers read one. Every other register, every output port and every
// ROM address must be equal. If, from any state pair in that relation, one step always leads to a state pair in it
// again with equal outputs, the two designs cannot be told apart (the relation holds at power-up: all equal). It proves
// a mutant that writes a subnormal where the original writes a zero, which exact induction cannot.
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

/** A proof stopped by its limits while `doing`. */
function stopped(limits: YosysLimits, doing: string): Proof {
  const limit = `${limits.seconds} CPU seconds or ${limits.memoryMiB} MiB`;
  return { equivalent: false, detail: `up to flush-to-zero: ${doing} ran past ${limit}`, limited: limit };
}

/**
 * Tries to prove `m` equivalent up to flush-to-zero. Starts with the 32-bit registers the mutated cell writes (through
 * logic, in one step) relaxed, and relaxes each 32-bit register the proof then finds unequal, up to three rounds.
 */
export async function provesUpToFlush(prepared: string, m: YosysMutation, work: string, limits = FTZ_LIMITS): Promise<Proof> {
  mkdirSync(work, { recursive: true });
  const module = rtlilModules(prepared).get(m.module);
  if (!m.cell || !module) return { equivalent: false, detail: 'up to flush-to-zero: the mutation names no cell' };
  if (/-port (Q|CLK)\b/.test(m.args)) return { equivalent: false, detail: 'up to flush-to-zero: not tried on a register\'s output or clock' };
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
  if (made === null) return stopped(limits, 'building the two copies');
  if (made === 'failed') return { equivalent: false, detail: 'up to flush-to-zero: Yosys could not build the two copies' };
  const modules = rtlilModules(join(work, `${tag}.il`));
  const gold = modules.get('rs_fz_gold'), gate = modules.get('rs_fz_gate');
  if (!gold || !gate) return { equivalent: false, detail: 'up to flush-to-zero: Yosys could not build the two copies' };
  // Every port, the registers' clock outputs (`.c`) too: they are obligations like any output, so a mutant that
  // gates a clock differently is not proven (the one-step model is only sound when both copies tick alike).
  const ports = [...gold.ports];
  if (ports.length !== gate.ports.size || ports.some(([n, p]) => gate.ports.get(n)?.width !== p.width)) {
    return { equivalent: false, detail: 'up to flush-to-zero: the two copies differ in their ports' };
  }
  const registers = registersOf(gold.ports);
  const first = made.split('\n').map((l) => /^rs_fz_gate\/(\S+)\.d$/.exec(l.trim())?.[1]).filter((n): n is string => n !== undefined);
  const relaxed = new Set(first.filter((r) => registers.get(r) === 32));
  if (relaxed.size === 0) return { equivalent: false, detail: 'up to flush-to-zero: the mutation writes no 32-bit register' };
  for (let round = 0; round < 4; round++) {
    const check = checkModule(ports, registers, relaxed);
    writeFileSync(join(work, `${tag}-check.v`), check.verilog);
    const log = await orWhenYosysFails(yosysLimited([
      `read_rtlil ${JSON.stringify(join(work, `${tag}.il`))}`, `read_verilog -formal ${JSON.stringify(join(work, `${tag}-check.v`))}`,
      'hierarchy -top rs_fz_check', 'proc', 'flatten', 'opt_merge -share_all', 'opt_clean',
      `sat -prove-asserts -set-assumes ${check.oks.map((o) => `-show ${o}`).join(' ')} rs_fz_check`,
    ].join('\n') + '\n', work, `${tag}-sat${round}`, limits), 'failed' as const);
    if (log === null) return stopped(limits, 'the proof');
    if (log === 'failed') return { equivalent: false, detail: 'up to flush-to-zero: Yosys could not run the proof' };
    if (/SAT proof finished - no model found: SUCCESS/.test(log)) {
      return { equivalent: true, detail: `proven equal up to flush-to-zero of ${[...relaxed].sort().join(', ')} (one-step induction: exponent-0 words read as signed zeros)` };
    }
    if (!/SAT proof finished - model found: FAIL/.test(log)) return { equivalent: false, detail: 'up to flush-to-zero: not proven within the limits' };
    // Relax what broke, if it is a binary32 register not relaxed yet.
    const broken = check.oks.filter((o) => new RegExp(`^\\s+\\\\${o}\\s+0\\s+0\\s+0\\s*$`, 'm').test(log)).map((o) => check.okOf.get(o)!);
    const more = broken.filter((r) => registers.get(r) === 32 && !relaxed.has(r));
    if (more.length === 0) return { equivalent: false, detail: `up to flush-to-zero: ${broken[0] ?? 'an output'} can differ` };
    for (const r of more) relaxed.add(r);
  }
  return { equivalent: false, detail: 'up to flush-to-zero: not proven' };
}

/** The check module: shared inputs, relaxed registers' now-values related, and one ok wire per obligation. */
function checkModule(ports: readonly (readonly [string, { direction: string; width: number }])[], registers: ReadonlyMap<string, number>, relaxed: ReadonlySet<string>) {
  const inputs = ports.filter(([, p]) => p.direction === 'input');
  const outputs = ports.filter(([, p]) => p.direction === 'output');
  // Equal once an exponent-0 word is read as a zero of its sign.
  const flushEq = (a: string, b: string) => `(${a} == ${b} || (${a}[30:23] == 8'd0 && ${b}[30:23] == 8'd0 && ${a}[31] == ${b}[31]))`;
  const gateOnly = (n: string) => `${n}.gate`;
  const oks: string[] = [];
  const okOf = new Map<string, string>();
  const m = new VModule('rs_fz_check', ['Flush-to-zero equivalence: gold and gate from related states; one ok wire per obligation, each asserted.']);
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
    body.wire(ok, 'bit', reg !== null && relaxed.has(reg) && p.width === 32 ? flushEq(g, t) : `${g} == ${t}`);
  });
  body.always('*', [...[...relaxed].map((r) => `assume (${flushEq(esc(`${r}.q`), esc(gateOnly(`${r}.q`)))});`), ...oks.map((o) => `assert (${o});`)]);
  const verilog = m.render();
  return { verilog, oks, okOf };
}
