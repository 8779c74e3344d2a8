// The relational proofs' reachability search run in two parts (real Yosys): a quick search with a share of the budget
// before the SAT proofs, and the full one after them, which reuses a difference the quick one found instead of
// searching again, and searches again when the quick one only stopped at its budget; the two share one netlist file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { provesByInvariant, reachFromReset } from '../../../mutation/formal/invariantProof.js';
import type { Proof } from '../../../mutation/formal/yosys.js';
import { cellWhere, COUNTER, mutationOf, prepTop as prep } from '../../support/mutantCosim.js';
import { describeRtl } from '../../support/rtl.js';

/** The counter's next-value bit 2 flipped whenever bit 5 is set: equivalent, and only the reachability search proves it. */
function counterMutant() {
  const { dir, il, text } = prep(COUNTER);
  const mux = cellWhere(text, '$mux', /WIDTH 7\n[^]*connect \\S \\row_end/);
  return { dir, il, m: mutationOf(mux, '-mode cnot1 -port A -portbit 2 -ctrlbit 5') };
}

describeRtl('reachability in two parts', () => {
  it('reachFromReset, share 1e-6 of the budget (20 cell evaluations): stopped at its limit; share 1: proven', async () => {
    const { dir, il, m } = counterMutant();
    const quick = await reachFromReset(il, m, { top: 'top', reset: 'rst' }, join(dir, 'q'), false, 1, 1e-6);
    expect(quick.equivalent).toBe(false);
    expect(quick.limited).toBe('20 cell evaluations');
    const full = await reachFromReset(il, m, { top: 'top', reset: 'top.rst' }, join(dir, 'f'));
    expect(full.equivalent).toBe(true);
  }, 120_000);

  it('a quick search (share 1e-6) then the full one in the same folder: the netlist Yosys wrote for the first is read by the second, not written again; the verdicts as in separate folders', async () => {
    const { dir, il, m } = counterMutant();
    const work = join(dir, 'same');
    const quick = await reachFromReset(il, m, { top: 'top', reset: 'rst' }, work, false, 1, 1e-6);
    expect(quick.limited).toBe('20 cell evaluations');
    const written = readdirSync(work).filter((f) => f.endsWith('.json'));
    expect(written).toHaveLength(1);
    const before = statSync(join(work, written[0]!)).mtimeMs;
    const full = await reachFromReset(il, m, { top: 'top', reset: 'rst' }, work);
    expect(full.equivalent).toBe(true);
    expect(readdirSync(work).filter((f) => f.endsWith('.json'))).toEqual(written);
    expect(statSync(join(work, written[0]!)).mtimeMs).toBe(before);
    // Another mutation in the same folder gets a netlist of its own.
    const other = { ...m, args: m.args.replace('-portbit 2', '-portbit 3') };
    await reachFromReset(il, other, { top: 'top', reset: 'rst' }, work);
    expect(readdirSync(work).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  }, 120_000);

  it('provesByInvariant after a quick search that found a difference: reports that difference and its trace without searching again; after one that stopped at its budget (a path from an earlier round included) or failed: searches and proves', async () => {
    const { dir, il, m } = counterMutant();
    const found: Proof = { equivalent: false, detail: 'reachability: marker differs after 2 steps', trace: ['step 1: marker'] };
    const reused = await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'a'), false, 1, found);
    expect(reused.equivalent).toBe(false);
    expect(reused.detail).toMatch(/reachability: marker differs after 2 steps$/);
    expect(reused.trace).toEqual(['step 1: marker']);
    const stopped: Proof = { equivalent: false, detail: 'reachability: marker differs; stopped', limited: '20 cell evaluations', trace: ['step 1: marker'] };
    const searched = await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'b'), false, 1, stopped);
    expect(searched.equivalent).toBe(true);
    expect(searched.detail).toMatch(/proven by reachability from reset/);
    // A search whose Yosys step failed (no path, no limit: a busy machine's timeout looks like this) runs again too.
    const failed: Proof = { equivalent: false, detail: 'reachability: Yosys could not write the netlist' };
    expect((await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'c'), false, 1, failed)).equivalent).toBe(true);
  }, 180_000);

  it('provesByInvariant after a full search (earlierFull) that stopped at its budget: reports that stop and its limit without searching again (the same search with earlierFull false proves it); after a full one whose Yosys step failed: searches and proves', async () => {
    const { dir, il, m } = counterMutant();
    const stopped: Proof = { equivalent: false, detail: 'reachability: stopped at 20 cell evaluations', limited: '20 cell evaluations' };
    const reused = await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'full'), false, 1, stopped, true);
    expect(reused.equivalent).toBe(false);
    expect(reused.limited).toBe('20 cell evaluations');
    expect(reused.detail).toMatch(/reachability: stopped at 20 cell evaluations$/);
    // No search ran: the folder holds no netlist of one.
    expect(existsSync(join(dir, 'full')) ? readdirSync(join(dir, 'full')).filter((f) => f.endsWith('.json')) : []).toEqual([]);
    expect((await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'quick'), false, 1, stopped, false)).equivalent).toBe(true);
    // A full search whose Yosys step failed (no path, no limit) is not an answer: it runs again, and proves.
    const failed: Proof = { equivalent: false, detail: 'reachability: Yosys could not write the netlist' };
    expect((await provesByInvariant(il, m, { top: 'top', reset: 'rst' }, join(dir, 'again'), false, 1, failed, true)).equivalent).toBe(true);
  }, 180_000);
});
