// The cone machine's watched nets: their logic joins the cone in evaluation order, and a watched net whose logic cannot
// be evaluated (an undriven input) is left out whole — a symbol, never a cell evaluated before a cell it reads. Which nets
// are functions of narrow inputs only (computed in a search rather than cut off as inputs of their own).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCone, IndexedModule, type ConeMachine } from '../../../mutation/formal/coneMachine.js';
import { readYosysJson } from '../../../mutation/formal/yosysJson.js';

type Net = number | '0' | '1';
const gate1 = (type: string, ins: Record<string, Net>, y: number) => ({
  type, parameters: { A_SIGNED: 0, B_SIGNED: 0, A_WIDTH: 1, B_WIDTH: 1, Y_WIDTH: 1, WIDTH: 1 },
  port_directions: { ...Object.fromEntries(Object.keys(ins).map((k) => [k, 'input'])), Y: 'output' },
  connections: { ...Object.fromEntries(Object.entries(ins).map(([k, v]) => [k, [v]])), Y: [y] },
});

/**
 * Register R (D = R | 1); b_valid = i & R (net 13); a_valid = mux(S 1, A aValidA, B b_valid) (net 14); a_data = i & 1.
 * With `undriven`, the mux's A input is net 12, which nothing drives.
 */
function module(undriven: boolean): IndexedModule {
  const raw = {
    modules: {
      m: {
        ports: {
          clk: { direction: 'input', bits: [2] }, i: { direction: 'input', bits: [3] },
          a_valid: { direction: 'output', bits: [14] }, a_data: { direction: 'output', bits: [20] },
          b_valid: { direction: 'output', bits: [13] },
        },
        cells: {
          MUT: gate1('$and', { A: 3, B: '1' }, 20),
          Z: gate1('$or', { A: 11, B: '1' }, 10),
          R: { type: '$dff', parameters: { WIDTH: 1, CLK_POLARITY: 1 }, port_directions: { CLK: 'input', D: 'input', Q: 'output' }, connections: { CLK: [2], D: [10], Q: [11] } },
          Dc: gate1('$and', { A: 3, B: 11 }, 13),
          Ac: gate1('$mux', { A: undriven ? 12 : '0', B: 13, S: '1' }, 14),
        },
      },
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'rowsim-cone-')), 'm.json');
  writeFileSync(file, JSON.stringify(raw));
  return new IndexedModule(readYosysJson(file).get('m')!);
}

/** Whether every slot a cell reads is a state bit, a free input or the output of a cell evaluated before it. */
function topological(c: ConeMachine): boolean {
  const written = new Set(Array.from({ length: c.stateWidth + c.freeIds.length }, (_, i) => i));
  for (const cell of c.cells) {
    for (const p of cell.ports) for (const s of cell.ins[p]!) if (s >= 0 && !written.has(s)) return false;
    for (const s of cell.out) if (s >= 0) written.add(s);
  }
  return true;
}

describe('buildCone with watched nets', () => {
  it.each([false, true])('a_valid then b_valid watched, a_valid\'s mux input undriven=%s: evaluation order topological; a_valid computed only when its logic is whole', (undriven) => {
    const cone = buildCone(module(undriven), ['R'], ['MUT'], [14, 13]);
    if (typeof cone === 'string') throw new Error(cone);
    expect(topological(cone)).toBe(true);
    const computed = (k: number) => cone.watched[k]! >= cone.stateWidth + cone.freeIds.length;
    expect(computed(0)).toBe(!undriven);
    expect(computed(1)).toBe(true);
    expect(cone.cells.some((c) => c.cell.name === 'Ac')).toBe(!undriven);
  });
});

describe('IndexedModule.portFed', () => {
  it('i & 1 (a one-bit input and a constant): port-fed; i & R (a register) and an undriven net: not — a search computes only the first from its inputs', () => {
    const m = module(true);
    expect(m.portFed(20)).toBe(true);
    expect(m.portFed(13)).toBe(false);
    expect(m.portFed(12)).toBe(false);
    expect(m.portFed('1')).toBe(true);
  });
});

/**
 * A chain of `n` unnamed NOT gates from input i (net 3): gate k reads net 100 + k − 1 (net 3 for k = 0) and drives
 * 100 + k. The last net goes to `end`: nothing, output port o, or back into gate 0 through an OR with i (a loop).
 */
function chain(n: number, end: 'nothing' | 'port' | 'loop' | 'register'): IndexedModule {
  const cells: Record<string, unknown> = {};
  for (let k = 0; k < n; k++) cells[`g${k}`] = gate1('$not', { A: k === 0 ? (end === 'loop' ? 99 : 3) : 100 + k - 1 }, 100 + k);
  if (end === 'loop') cells.join = gate1('$or', { A: 3, B: 100 + n - 1 }, 99);
  // 'register': register R (clock clk, net 2) loads the last net; its output is port q.
  if (end === 'register') cells.R = { type: '$dff', parameters: { WIDTH: 1, CLK_POLARITY: 1 }, port_directions: { CLK: 'input', D: 'input', Q: 'output' }, connections: { CLK: [2], D: [100 + n - 1], Q: [98] } };
  const ports: Record<string, unknown> = { i: { direction: 'input', bits: [3] } };
  if (end === 'port') ports.o = { direction: 'output', bits: [100 + n - 1] };
  if (end === 'register') Object.assign(ports, { clk: { direction: 'input', bits: [2] }, q: { direction: 'output', bits: [98] } });
  const file = join(mkdtempSync(join(tmpdir(), 'rowsim-cone-')), 'm.json');
  writeFileSync(file, JSON.stringify({ modules: { m: { ports, cells } } }));
  return new IndexedModule(readYosysJson(file).get('m')!);
}

describe('IndexedModule.feedsNothing, portFed and buildCone on long chains', () => {
  it.each([
    [3, 'nothing', true], [3, 'port', false], [3, 'loop', false],
    [50_000, 'nothing', true], [50_000, 'port', false], [50_000, 'loop', false],
  ] as const)('a chain of %i unnamed gates ending in %s: feeds nothing = %s, asked from its middle, its first and its last gate (no stack overflow)', (n, end, dead) => {
    const m = chain(n, end);
    expect(m.feedsNothing(m.byName.get(`g${Math.floor(n / 2)}`)!)).toBe(dead);
    expect(m.feedsNothing(m.byName.get('g0')!)).toBe(dead);
    expect(m.feedsNothing(m.byName.get(`g${n - 1}`)!)).toBe(dead);
  });

  it.each([
    [3, 'nothing', true], [3, 'port', true], [3, 'loop', false],
    [50_000, 'nothing', true], [50_000, 'port', true], [50_000, 'loop', false],
  ] as const)('a chain of %i gates from one-bit input i ending in %s: its last net port-fed = %s (a loop never is), asked from the end first', (n, end, fed) => {
    const m = chain(n, end);
    expect(m.portFed(100 + n - 1)).toBe(fed);
    expect(m.portFed(100 + Math.floor(n / 2))).toBe(fed);
    expect(m.portFed(3)).toBe(true);
  });

  it.each([3, 50_000])('register R fed by a chain of %i gates from one-bit input i: its cone computes the whole chain, in topological order (no stack overflow)', (n) => {
    const cone = buildCone(chain(n, 'register'), ['R'], []);
    if (typeof cone === 'string') throw new Error(cone);
    expect(topological(cone)).toBe(true);
    expect(cone.cells.filter((c) => c.cell.name.startsWith('g'))).toHaveLength(n);
  });
});
