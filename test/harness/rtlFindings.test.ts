// The one scan of a report's failures, and --trace auto's choice from it: order (layers, then engine failures, then
// own-timing findings), a bit mismatch without a beat skipped rather than crashing, rtl pairs preferred.
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../harness/report.js';
import { findings } from '../../harness/rtlFindings.js';
import { failureCycle } from '../../harness/traceFailure.js';

const bits = (a: string, b: string, beat: { engine: string; index: number; cycle: number } | null) => ({
  a, b, kind: 'bits', status: 'differ', compared: 10, mismatches: 1,
  first: { frame: 0, row: 1, col: 2, chan: 3, expected: '0', actual: '1', expectedValue: 0, actualValue: 1, kind: 'value', beat },
});
const cycles = (a: string, b: string) => ({ a, b, kind: 'cycles', status: 'differ', compared: 10, mismatches: 1, first: { frame: 0, beat: 7, row: 0, col: 0, group: 0, expectedCycle: 90, actualCycle: 95, differs: 'cycle' } });
const report = (layers: unknown[][], failures: unknown[] = [], own: unknown[] = []) =>
  ({ layers: layers.map((pairs, k) => ({ index: k + 1, pairs })), failures, ownTiming: own.length ? { failures: own } : null }) as unknown as RunReport;

describe('findings', () => {
  it('layer 1 cycles, layer 2 bits, an engine failure, an own-timing finding: in that order, rtl marked', () => {
    const r = report([[cycles('sim', 'rtl')], [bits('golden', 'sim', null)]], [{ engine: 'rtl', code: 'SIM_DEADLOCK', message: 'x', layer: 2, cycle: 500 }], [{ kind: 'row-rate', layer: 1, message: 'y', cycle: 40 }]);
    expect(findings(r).map((f) => `${f.kind}:${f.rtl}`)).toEqual(['cycles:true', 'bits:false', 'failure:true', 'own-timing:true']);
  });
});

describe('failureCycle (--trace auto)', () => {
  it('a golden~rtl bit mismatch whose beat is unknown (null) is skipped for the rtl deadlock at layer 2, cycle 500', () => {
    const r = report([[], [], [bits('golden', 'rtl', null)]], [{ engine: 'rtl', code: 'SIM_DEADLOCK', message: 'x', layer: 2, cycle: 500 }]);
    expect(failureCycle(r)).toMatchObject({ layer: 2, cycle: 500 });
  });

  it('a golden~rtl bit mismatch with its beat comes before an earlier layer\'s cycle mismatch', () => {
    const r = report([[cycles('sim', 'rtl')], [bits('golden', 'rtl', { engine: 'rtl', index: 4, cycle: 321 })]]);
    expect(failureCycle(r)).toMatchObject({ layer: 2, cycle: 321 });
  });

  it('with no rtl bit mismatch, a golden~sim one with a beat is taken; nothing at all gives null', () => {
    expect(failureCycle(report([[bits('golden', 'sim', { engine: 'sim', index: 1, cycle: 77 })]]))).toMatchObject({ layer: 1, cycle: 77 });
    expect(failureCycle(report([[], []]))).toBeNull();
  });
});
