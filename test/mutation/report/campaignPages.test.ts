// What a campaign's pages say of an unresolved mutant: one whose proof stopped at its budget is told to raise
// --proof-budget; one Yosys could not fold was never run or proven, and no budget would help — the terminal summary,
// the HTML and the JUnit case all say which.
import { describe, expect, it } from 'vitest';
import { campaignHtml, campaignJunit, formatCampaign } from '../../../mutation/report/campaignPages.js';
import type { CampaignReport, MutantResult } from '../../../mutation/report/campaignReport.js';

const unresolved = (id: string, limit: string): MutantResult => ({ id, source: 'yosys', kind: 'const0', layer: 9, description: `mutate ${id}`, src: [], status: 'unresolved', foundBy: null, first: null, proof: null, limit, proofBudget: 1, seconds: 1 });

const report = {
  schemaVersion: 2, rowsim: 'test', config: 'tiny', design: 'd', score: null,
  counts: { killed: 0, deadlock: 0, equivalent: 0, undetected: 0, unresolved: 2 },
  mutants: [unresolved('yosys-1', '20000000 cell evaluations'), unresolved('yosys-2', "no netlist: Yosys cannot fold this mutation (ERROR: Assert `port.clk == wport.clk' failed)")],
  stimulus: { frames: ['directed'], weights: 'w', coverage: null, coverageSummary: null, randomFrames: 0 },
  timing: { seconds: 2, mutantsPerMinute: 60, builds: {} }, shard: null,
} as unknown as CampaignReport;

describe('campaign pages, unresolved mutants', () => {
  it('a budget (yosys-1) and a mutation Yosys could not fold (yosys-2): each page gives the budget advice to the first only', () => {
    const lines = formatCampaign(report).split('\n');
    expect(lines.find((l) => l.startsWith('UNRESOLVED yosys-1 '))).toMatch(/its proof stopped at 20000000 cell evaluations; raise --proof-budget \(now 1\)/);
    const refused = lines.find((l) => l.startsWith('UNRESOLVED yosys-2 '));
    expect(refused).toMatch(/it was never run or proven: no netlist: Yosys cannot fold/);
    expect(refused).not.toMatch(/proof-budget/);
    const html = campaignHtml(report);
    expect(html).toMatch(/yosys-1<\/b> unresolved \(its proof stopped at 20000000 cell evaluations; raise --proof-budget/);
    expect(html).toMatch(/yosys-2<\/b> unresolved \(it was never run or proven: no netlist/);
    const junit = campaignJunit(report);
    expect(junit).toMatch(/unresolved: survived every run and its proof stopped at 20000000 cell evaluations; raise --proof-budget/);
    expect(junit).toMatch(/unresolved: it was never run or proven: no netlist/);
  });
});
