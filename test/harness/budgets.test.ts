// Latency budgets as users write them, at a 250 MHz clock (4 ns per cycle): cycles, µs, ns, per layer; bad ones refused.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { budgetCycles, parseBudgets } from '../../harness/budgets.js';

const TINY = loadSpec('tiny');

describe('latency budgets (tiny, 250 MHz)', () => {
  it.each([['900', 900], ['3.6us', 900], ['3.6µs', 900], ['3.603us', 900], ['3600ns', 900], ['3599ns', 899], ['1 cycles', 1]])('%s → %i cycles', (text, cycles) => {
    expect(budgetCycles(text, TINY.clockHz, 'b', 'USAGE')).toBe(cycles);
  });
  it.each(['0', '-3', '1.5', '2ns', 'soon', '', '0x10'])("'%s' is refused naming it", (text) => {
    expect(() => budgetCycles(text, TINY.clockHz, '--latency-budget', 'USAGE')).toThrow(new RegExp(`--latency-budget '${text.replace(/[.]/g, '\\.')}'`));
  });
  it('the command line wins over design.json, key by key; layers are named by number', () => {
    const b = parseBudgets(TINY, { total: 1000, layers: { 2: '1us', 3: 50 } }, ['800', '3=40'], 'folder');
    expect(b.total).toBe(800);
    expect([...b.layers]).toEqual([[2, 250], [3, 40]]);
    expect(() => parseBudgets(TINY, undefined, ['5=10'], '')).toThrow(/layer '5' does not exist; tiny has layers 1\.\.4/);
  });
});
