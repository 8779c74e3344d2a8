// The escalation of one mutant: detectors run in order while it is undecided, the first kill or proof decides it, the
// proofs' and witness's words are kept in order, and a survivor nobody decides is undetected. The shipped order is the
// one the campaign documents; a mutation Yosys could not fold is unresolved without running any. (Detectors here are small functions over the standing; the real ones are exercised by
// test/mutation/campaign.test.ts on real builds.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DETECTORS, judgeMutant, type Campaign, type Planned } from '../../mutation/detectors.js';

const planned = { key: 'yosys-7', source: 'yosys', id: 7, kind: 'inv', layer: 2, description: 'mutate -mode inv', src: ['rs_layer2.v:10'] } as unknown as Planned;
const campaign = { outDir: mkdtempSync(`${tmpdir()}/rowsim-detectors-`) } as unknown as Campaign;
type Det = (typeof DETECTORS)[number];

/** A detector that records that it ran and then does `act` to the standing. */
function step(name: string, ran: string[], act: (s: { status: string; first: unknown; foundBy: unknown; details: string[] }) => void, applies: (s: { status: string }) => boolean = (s) => s.status === 'survived' || s.status === 'undetected'): Det {
  return { name, applies: applies as Det['applies'], run: async (s) => { ran.push(name); act(s as never); } };
}

describe('judgeMutant', () => {
  it('the shipped detectors in order: campaign frames, x bit, coverage runs, corner runs, replicated runs and the long jittered run, quick reachability, witness run, equivalence proof, proofs with a relation', () => {
    expect(DETECTORS.map((d) => d.name)).toEqual(['campaign frames', 'x bit', 'coverage runs, corner runs, replicated runs and the long jittered run', 'quick reachability', 'witness run', 'equivalence proof', 'proofs with a relation']);
  });

  it('a kill by the second of three detectors stops the third; the result names the finder and the first difference', async () => {
    const ran: string[] = [];
    const r = await judgeMutant(planned, campaign, [
      step('a', ran, () => {}),
      step('b', ran, (s) => { s.status = 'killed'; s.first = { pair: 'golden~rtl', kind: 'bits', layer: 2 }; s.foundBy = 'random'; }),
      step('c', ran, (s) => { s.status = 'equivalent'; }),
    ]);
    expect(ran).toEqual(['a', 'b']);
    expect(r).toMatchObject({ id: 'yosys-7', status: 'killed', foundBy: 'random', first: { layer: 2 }, proof: null });
  });

  it('not proven, the witness says why, then a relational proof proves it: equivalent, with the three findings joined in order and no finder', async () => {
    const ran: string[] = [];
    const r = await judgeMutant(planned, campaign, [
      step('proof', ran, (s) => { s.status = 'undetected'; s.details.push('not proven'); }),
      step('witness', ran, (s) => { s.details.push('no witness'); }, (s) => s.status === 'undetected'),
      step('relation', ran, (s) => { s.status = 'equivalent'; s.details.push('proven by reachability'); }, (s) => s.status === 'undetected'),
      step('after', ran, () => {}, (s) => s.status === 'undetected'),
    ]);
    expect(ran).toEqual(['proof', 'witness', 'relation']);
    expect(r).toMatchObject({ status: 'equivalent', foundBy: null, proof: 'not proven; no witness; proven by reachability' });
  });

  it('a survivor no detector decides is undetected, never passed off as killed or equivalent', async () => {
    const r = await judgeMutant(planned, campaign, [step('a', [], () => {})]);
    expect(r).toMatchObject({ status: 'undetected', foundBy: null, first: null, proof: null });
  });

  it('a survivor whose proof stopped at its budget is unresolved, with the limit named and the budget recorded', async () => {
    const r = await judgeMutant(planned, { ...campaign, proofBudget: 2 } as Campaign, [
      step('proof', [], (s) => { s.status = 'undetected'; s.details.push('not proven within 90 CPU seconds'); (s as unknown as { limits: string[] }).limits.push('90 CPU seconds or 3072 MiB'); }),
      step('relation', [], (s) => { s.details.push('reachability: stopped at 40000000 cell evaluations'); (s as unknown as { limits: string[] }).limits.push('40000000 cell evaluations'); }, (s) => s.status === 'undetected'),
    ]);
    expect(r).toMatchObject({ status: 'unresolved', limit: '90 CPU seconds or 3072 MiB and 40000000 cell evaluations', proofBudget: 2, foundBy: null });
  });

  it('a mutation Yosys could not fold: no detector runs, and it is unresolved with Yosys\'s reason as its limit', async () => {
    const ran: string[] = [];
    const refused = { ...planned, yosys: { id: 7, args: '-mode const0 -module m -cell bank0 -port WR_CLK -portbit 1', mode: 'const0', module: 'm', cell: 'bank0', src: [], refused: "ERROR: Assert `port.clk == wport.clk' failed" } } as unknown as Planned;
    const r = await judgeMutant(refused, campaign, [step('a', ran, (s) => { s.status = 'killed'; })]);
    expect(ran).toEqual([]);
    expect(r).toMatchObject({ status: 'unresolved', foundBy: null, first: null });
    expect(r.limit).toMatch(/^no netlist: Yosys cannot fold this mutation \(ERROR: Assert `port.clk == wport.clk' failed\)$/);
  });

  it('a proof that stopped at its budget but another that proves it: equivalent, not unresolved', async () => {
    const r = await judgeMutant(planned, campaign, [
      step('proof', [], (s) => { s.status = 'undetected'; (s as unknown as { limits: string[] }).limits.push('45 CPU seconds'); }),
      step('relation', [], (s) => { s.status = 'equivalent'; }, (s) => s.status === 'undetected'),
    ]);
    expect(r.status).toBe('equivalent');
    expect(r.limit).toBeUndefined();
  });
});
