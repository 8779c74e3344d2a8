// simrun mutate end to end with real Verilator and Yosys: the catalogue on tiny (every mutant killed in its own layer,
// stall-forever a deadlock naming it), an interrupted campaign resumed, a design folder with a mutation known to be
// equivalent, stream outputs compared only in valid beats, survivors killed on their witness runs, and Yosys's own
// mutants of a small design (none undetected).
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { CampaignReport } from '../../mutation/campaign.js';
import { observedStreams } from '../../mutation/detectors.js';
import { provesByInvariant } from '../../mutation/formal/invariantProof.js';
import { provesEquivalent, type YosysMutation } from '../../mutation/formal/yosys.js';
import { loadTapMap } from '../../rtl/design.js';
import { simrun, simrunAsync } from '../support/cli.js';
import { validateJunit } from '../support/junit.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-mut-'));
const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as CampaignReport;

/** Two 3×3 layers on an 8×8 image: small enough that Yosys prepares it in seconds. */
const MICRO = {
  name: 'micro', input: { height: 8, width: 8, channels: 3 }, clockHz: 100_000_000, rowRateHz: 100_000,
  layers: [
    { name: 'm1', kernel: 3, stride: 1, pad: 1, outChannels: 2, batchnorm: true },
    { name: 'm2', kernel: 1, stride: 2, pad: 0, outChannels: 2, relu: false },
  ],
};

describeRtl('simrun mutate', () => {
  it('tiny, catalogue all (each kind at every layer it applies to): every mutant killed and localized to its own layer; stall-forever deadlocks naming it; JUnit agrees', () => {
    const out = tmp();
    const junit = join(out, 'junit.xml');
    const r = simrun(['mutate', '--config', 'tiny', '--count', '0', '--catalogue', 'all', '--out', out, '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(out);
    const kinds = new Set(rep.mutants.map((m) => m.kind));
    expect(kinds.size).toBe(13);
    // The adder's order test with one mantissa bit forced, at the accumulate (odd layers) and the bias add (even), bits 18, 0, 22, 9.
    expect(rep.mutants.filter((m) => m.kind === 'add-order-bit').map((m) => m.layer)).toEqual([1, 2, 3, 4]);
    expect(rep.mutants.length).toBeGreaterThan(30);
    for (const m of rep.mutants) {
      expect(m.source).toBe('catalogue');
      expect(m.status, `${m.id} ${m.kind} layer ${m.layer}`).toBe(m.kind === 'stall-forever' ? 'deadlock' : 'killed');
      expect(m.first!.layer, `${m.id} ${m.kind} localized`).toBe(m.layer);
    }
    expect(rep.counts).toEqual({ killed: rep.mutants.length - rep.mutants.filter((m) => m.kind === 'stall-forever').length, deadlock: rep.mutants.filter((m) => m.kind === 'stall-forever').length, equivalent: 0, undetected: 0, unresolved: 0 });
    expect(rep.score).toBe(1);
    validateJunit(junit);
    const x = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
    const suite = x.testsuites.testsuite;
    expect(Number(suite.tests)).toBe(rep.mutants.length);
    expect(Number(suite.failures)).toBe(0);
    expect(r.stdout).toMatch(/mutation score 100\.0%/);
  }, 600_000);

  it('an interrupted campaign (SIGINT after some results) resumes: the rerun runs only the mutants without a result and keeps the others', async () => {
    const out = tmp();
    const args = ['mutate', '--config', 'tiny', '--count', '0', '--catalogue', 'all', '--jobs', '1', '--out', out];
    const run = simrunAsync(args);
    const results = join(out, 'results');
    const count = () => { try { return readdirSync(results).filter((f) => f.endsWith('.json')).length; } catch { return 0; } };
    for (let t = 0; t < 1200 && count() < 4; t++) await new Promise((r) => setTimeout(r, 250));
    run.stop('SIGINT');
    const first = await run.done;
    expect(first.code, first.stderr).toBe(130);
    const kept = readdirSync(results).filter((f) => f.endsWith('.json'));
    expect(kept.length).toBeGreaterThanOrEqual(4);
    const before = new Map(kept.map((f) => [f, statSync(join(results, f)).mtimeMs]));
    const second = simrun(args);
    expect(second.code, second.stderr).toBe(0);
    const total = report(out).mutants.length;
    expect(second.stderr).toContain(`resuming: ${kept.length} of ${total} mutants already have results`);
    // One progress line per mutant run: exactly the missing ones.
    expect(second.stderr.split('\n').filter((l) => /^\s*\d+\/\d+ catalogue-/.test(l))).toHaveLength(total - kept.length);
    for (const [f, t] of before) expect(statSync(join(results, f)).mtimeMs, f).toBe(t);
  }, 600_000);

  it('a design folder with a known equivalent mutation (micro, a redundant term on wire spare in layer 2): every Yosys mutant of spare is reported equivalent, not undetected', () => {
    const dir = tmp();
    const spec = join(dir, 'micro.json');
    writeFileSync(spec, JSON.stringify(MICRO));
    const design = join(dir, 'design');
    expect(simrun(['emit', '--config', spec, '--out', design]).code).toBe(0);
    const f = join(design, 'rs_layer2.v');
    const v = readFileSync(f, 'utf8');
    // out_valid is loaded only while beat_now, when phase ≥ beat0 > 0: so (spare || phase != 0) is always 1 there,
    // whatever spare holds — a mutation of spare can change nothing.
    const edited = v
      .replace(/(\n\s*wire\s+\[[^\]]*\]\s*beat0 = [^\n]*\n)/, "$1  wire        spare = phase == 0;\n")
      .replace(/out_valid <= (ocol < [^;]+);/, 'out_valid <= ($1) && (spare || phase != 0);');
    expect(edited).not.toBe(v);
    expect(edited).toContain('(spare || phase != 0)');
    writeFileSync(f, edited);
    const out = join(dir, 'campaign');
    const r = simrun(['mutate', '--rtl', design, '--yosys-wire', 'spare', '--count', '6', '--catalogue', 'none', '--out', out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const rep = report(out);
    expect(rep.mutants.length).toBeGreaterThan(0);
    for (const m of rep.mutants) {
      expect(m.source).toBe('yosys');
      expect(m.description).toContain('spare');
      expect(m.status, `${m.id}: ${m.description} (${m.proof})`).toBe('equivalent');
    }
    expect(rep.counts.undetected).toBe(0);
    expect(rep.score).toBeNull();
  }, 600_000);

  it('micro, Yosys mutants of out_row in layer 1 (count 12): those that change the row only outside valid beats are equivalent under the stream contract, none undetected; every kill is proven not equivalent', async () => {
    const dir = tmp();
    const spec = join(dir, 'micro.json');
    writeFileSync(spec, JSON.stringify(MICRO));
    const out = join(dir, 'campaign');
    const r = simrun(['mutate', '--config', spec, '--yosys-wire', 'out_row', '--yosys-module', 'rs_layer1', '--count', '12', '--catalogue', 'none', '--out', out]);
    const rep = report(out);
    expect(rep.mutants.filter((m) => m.status === 'undetected').map((m) => `${m.id} ${m.description} ${m.proof}`)).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    // The hold path of the out_row register (its value while no beat is sent) is unobservable: the stream contract and
    // the bench read a row only in a valid beat. Compared unmasked, these were undetected.
    expect(rep.counts.equivalent).toBeGreaterThan(0);
    const caught = rep.mutants.filter((m) => m.status === 'killed');
    expect(caught.length).toBeGreaterThan(0);
    const listed = (JSON.parse(readFileSync(join(out, 'yosys', 'mutations.json'), 'utf8')) as { mutations: YosysMutation[] }).mutations;
    const wrong: string[] = [];
    for (const m of caught) {
      const proof = await provesEquivalent(join(out, 'yosys', 'prepared.il'), listed.find((x) => `yosys-${x.id}` === m.id)!, join(dir, 'proofs', m.id));
      if (proof.equivalent) wrong.push(`${m.id} ${m.description}`);
    }
    expect(wrong).toEqual([]);
  }, 600_000);

  it('micro, Yosys mutants of layer 1 (count 40) with no random frames: survivors of the campaign frames are killed on their witness runs (before any equivalence proof), each localized to layer 1 with its witness in the report, and none proves equivalent', async () => {
    const dir = tmp();
    const spec = join(dir, 'micro.json');
    writeFileSync(spec, JSON.stringify(MICRO));
    const out = join(dir, 'campaign');
    const junit = join(dir, 'junit.xml');
    simrun(['mutate', '--config', spec, '--yosys-module', 'rs_layer1', '--count', '40', '--random-frames', '0', '--catalogue', 'none', '--out', out, '--junit', junit]);
    const rep = report(out);
    // Without corner runs, the campaign's frames leave arithmetic mutants alive; a witness (SAT operands at an ALU
    // site) turned into a stimulus must show them.
    const byWitness = rep.mutants.filter((m) => m.foundBy === 'witness');
    expect(byWitness.length, rep.mutants.map((m) => `${m.id} ${m.status} ${m.proof ?? ''}`).join('\n')).toBeGreaterThan(0);
    for (const m of byWitness) {
      expect(m.status).toBe('killed');
      expect(m.first!.layer, m.id).toBe(1);
      expect(m.proof, m.id).toMatch(/witness: (bias-add|accumulate|multiply) .* makes \S+ 0x[0-9a-f]{8} instead of 0x[0-9a-f]{8}$/);
    }
    // Every undetected mutant says what the witness search found, and the search ran (no Yosys failure).
    for (const m of rep.mutants.filter((x) => x.status === 'undetected')) expect(m.proof, m.id).toMatch(/witness: |no witness: (no operands|in one step the difference)/);
    validateJunit(junit);
    const listed = (JSON.parse(readFileSync(join(out, 'yosys', 'mutations.json'), 'utf8')) as { mutations: YosysMutation[] }).mutations;
    for (const m of byWitness) {
      const proof = await provesEquivalent(join(out, 'yosys', 'prepared.il'), listed.find((x) => `yosys-${x.id}` === m.id)!, join(dir, 'proofs', m.id), { romContract: true });
      expect(proof.equivalent, m.id).toBe(false);
    }
  }, 600_000);

  it('Yosys mutants of micro (count 24, seed 5): none undetected; every kill names the layer of the module Yosys mutated; no caught mutant proves equivalent by induction, nor (every twelfth, and every one in the top, across instances) with a relation', async () => {
    const dir = tmp();
    const spec = join(dir, 'micro.json');
    writeFileSync(spec, JSON.stringify(MICRO));
    const out = join(dir, 'campaign');
    const r = simrun(['mutate', '--config', spec, '--count', '24', '--seed', '5', '--catalogue', 'none', '--out', out]);
    const rep = report(out);
    const undetected = rep.mutants.filter((m) => m.status === 'undetected').map((m) => `${m.id} ${m.description} ${m.proof}`);
    expect(undetected).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    expect(rep.mutants.length).toBe(24);
    for (const m of rep.mutants.filter((x) => x.status === 'killed' && x.layer !== null)) expect(m.first!.layer, m.id).toBe(m.layer);
    // The proof must be able to fail: every mutant the simulation caught (inside a layer, on an instance's port, on an
    // output port of the top) is a real difference, so proving any of them equivalent would be unsound.
    const listed = (JSON.parse(readFileSync(join(out, 'yosys', 'mutations.json'), 'utf8')) as { mutations: YosysMutation[] }).mutations;
    const caught = rep.mutants.filter((m) => m.status === 'killed' || m.status === 'deadlock');
    expect(caught.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const m of caught) {
      const y = listed.find((x) => `yosys-${x.id}` === m.id)!;
      const proof = await provesEquivalent(join(out, 'yosys', 'prepared.il'), y, join(dir, 'proofs', m.id));
      if (proof.equivalent) wrong.push(`${m.id} ${m.description}`);
    }
    // Nor may the proofs with a relation (flush-to-zero, reachability from reset, across instances in the design
    // flattened) prove a caught mutant: every twelfth one, as they cost up to half a minute each, and every one in
    // the top (a connection between layers: where the search goes on across instances).
    const streams = observedStreams(loadTapMap(join(out, 'design', 'taps.json')));
    for (const m of caught.filter((x, i) => i % 12 === 0 || x.description.includes('-module rs_top '))) {
      const y = listed.find((x) => `yosys-${x.id}` === m.id)!;
      const related = await provesByInvariant(join(out, 'yosys', 'prepared.il'), y, { top: 'rs_top', reset: 'rst', streams }, join(dir, 'proofs', `${m.id}-invariant`));
      if (related.equivalent) wrong.push(`${m.id} ${m.description}: ${related.detail}`);
    }
    expect(wrong).toEqual([]);
  }, 1_500_000);
});
