// Assertion that a run compared every pair of every layer and all of them agreed (three engines: four pairs per layer).
import { expect } from 'vitest';
import type { RunReport } from '../../harness/report.js';

/** Every pair of every layer compared (at least one word or beat) and agreeing; no engine failed; latencies equal. */
export function expectAllAgree(report: RunReport, context = ''): void {
  for (const l of report.layers) {
    const got = l.pairs.map((p) => `${p.a}~${p.b} ${p.kind}: ${p.status} ${p.mismatches}/${p.compared}`);
    expect(got, `${l.name} ${context}`).toEqual(l.pairs.map((p) => `${p.a}~${p.b} ${p.kind}: agree 0/${p.compared}`));
    expect(l.pairs.length, `${l.name} pairs`).toBe(4);
    for (const p of l.pairs) expect(p.compared, `${l.name} ${p.a}~${p.b} ${p.kind}`).toBeGreaterThan(0);
  }
  expect(report.failures).toEqual([]);
  expect(report.latency.rtlCycles).toBe(report.latency.cycles);
  expect(report.pass).toBe(true);
}
