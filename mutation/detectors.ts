// How a campaign decides one mutant: an ordered list of detectors, each run while the mutant is still undecided —
// the campaign frames, a mutated x bit read from the netlist, the survivor stimuli (corner runs on its layer, then a
// long jittered run), a quick reachability search, a witness run built from SAT operands, the equivalence proof, and
// proofs that carry a relation between the two designs' states. A new detector is one more entry here, in the place
// its cost and strength put it. Invariant: a kill on a stimulus counts only if the unmutated design passes the same
// stimulus; "equivalent" comes only from a proof.
import { layerModules } from '../core/layerSignals.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SimrunError, type ErrorCode } from '../core/errors.js';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import type { RunContext } from '../harness/prepare.js';
import type { DesignFolder, TapMap } from '../rtl/design.js';
import { equivalencePair, type PlacedMutant } from './catalogue.js';
import { provesByInvariant, QUICK_REACH_SHARE, reachFromReset, type ResetOf } from './formal/invariantProof.js';
import type { ObservedStream } from './formal/mutantPair.js';
import { mutatesRegisterOutput } from './formal/registerOutput.js';
import { mutatesUndefinedBit, UNDEFINED_BIT_TEXT } from './formal/undefinedBit.js';
import { findWitness, noWitnessText, WITNESS_LIMITS, witnessText } from './formal/witness.js';
import { PROOF_LIMITS, provesEquivalent, provesTextsEquivalent, withBudget, type Proof, type YosysMutation } from './formal/yosys.js';
import { MUTSEL_WIDTH, references, runMutant, stimulusOf, type MutantRunResult, type References } from './mutantRun.js';
import type { MutantFirst, MutantResult, MutantStatus } from './report/campaignReport.js';
import { buildSurvivorStimuli, type LayerStimulus, type SurvivorStimulus } from './stimulus/survivorStimuli.js';
import { witnessStimulus } from './stimulus/witnessRun.js';

/**
 * Bumped when survivors' stimulus or their proofs change, so cached verdicts of an older campaign do not count
 * (6: ROM words as the contract allows; proofs stop at a submodule instance in the mutated cone; 7: witness runs,
 * opened proofs; 8: x bits of a mux are equivalent, witnesses write their register; 9: a jittered long run, proofs up
 * to flush-to-zero and by reachability from reset; 10: unresolved when a proof stops at its budget; 11: replicated
 * runs, one-bit-apart coverage cases; 12: a quick reachability search before the SAT proofs; 13: the search compares
 * stream outputs in valid beats only and starts under an active-low reset at level 0; 14: memory reads as functions
 * of their address, memory writes compared under their enables, logic fed by narrow inputs computed; 15: a search
 * stopped at another module's instance goes on in the whole design flattened; 16: the witness run before the
 * equivalence proof, a mutated x bit settled before the survivor runs; 17: the search goes into the design flattened
 * from a mutated instance output, compares outputs the copies drive from different places, enumerates the reset first
 * and leaves the top's streams unread in the reset step; 18: a proof up to the sign of zero after the flush-to-zero
 * one; 19: a constant on an unnamed cell output is searched from its readers and the registers the original
 * computes it from; 20: nets the module always drives to one value are constants in a search, a multiplexer
 * whose data input is its own select is folded, and a search that cannot grow goes on with single bits of the data
 * registers the difference is read from; 21: a constant net a memory reads too is searched, a modelled memory's read
 * is its word at the address whether the address depends on the cone or not, and a mutation Yosys cannot fold is
 * unresolved; 22: a cell whose outputs nothing reads is no place a search compares; 23: a search state keeps the
 * XOR definitions of its symbols, so a bit toggled by another stays related to the bit it was; 24: the witness search
 * sees a register whose two next values the miter had joined, and a mutation of a register's output gets the whole
 * reachability search before the SAT proofs; 25: a proof up to the payload of NaN after the zero relations; 26: the
 * witness search ties the next-value bits its miter leaves undriven to 0 in both copies).
 */
export const SURVIVOR_VERDICT_VERSION = 26;

/** A mutant to run: where it lives and what it is. */
export interface Planned {
  readonly key: string;
  readonly source: 'yosys' | 'catalogue';
  readonly id: number;
  readonly kind: string;
  readonly layer: number | null;
  readonly description: string;
  readonly src: readonly string[];
  readonly design: DesignFolder;
  readonly yosys?: YosysMutation;
  readonly placed?: PlacedMutant;
}

/** What every detector may use: the campaign's stimulus and references, and where it works. */
export interface Campaign {
  readonly ctx: RunContext;
  /** The campaign's context before its own stimulus (its weights, pacing and plan). */
  readonly base: RunContext;
  readonly refs: References;
  readonly net: NetworkSpec;
  readonly plan: NetworkPlan;
  readonly outDir: string;
  /** The campaign writes the ROM images itself (weights it can choose per stimulus). */
  readonly ownRoms: boolean;
  readonly randomCount: number;
  readonly seed: number;
  /** The factor on every proof's CPU time and search size (--proof-budget). */
  readonly proofBudget: number;
  readonly log: (line: string) => void;
  /** The survivor stimuli of a layer on a design, built once and shared by its survivors. */
  readonly stimuliFor: (layer: number | null, d: DesignFolder) => Promise<SurvivorStimulus[]>;
}

/** A mutant's standing as the detectors see it: undecided ('survived') until one decides. */
interface Standing {
  status: 'survived' | 'killed' | 'deadlock' | 'equivalent' | 'undetected';
  first: MutantFirst | null;
  foundBy: MutantResult['foundBy'];
  /** What the proofs and the witness found, in order (joined with '; '). */
  readonly details: string[];
  /** The limits proofs stopped at before they could decide. */
  readonly limits: string[];
  /** The path to a difference a proof found in the mutated module (its data inputs free), if one did. */
  trace?: readonly string[];
  /** The quick reachability search's result when it did not prove the mutant (the full search may reuse it). */
  quickReach?: Proof;
  /** The quick search had the whole budget (a register output's mutation): the full search reuses whatever it found. */
  quickReachFull?: boolean;
}

/** One way of deciding a mutant. */
interface Detector {
  readonly name: string;
  /** Whether it runs on a mutant standing like this. */
  readonly applies: (s: Standing, p: Planned, c: Campaign) => boolean;
  readonly run: (s: Standing, p: Planned, c: Campaign) => Promise<void>;
}

/** Where a mutant's proofs and witness runs work (removed once the mutant is decided). */
const proofWork = (c: Campaign, p: Planned) => join(c.outDir, 'work', `${p.key}-equiv`);

const killedBy = (s: Standing, r: MutantRunResult, by: MutantResult['foundBy']) => {
  s.status = r.status;
  s.first = r.first;
  s.foundBy = by;
};

/** The campaign frames (a directed frame and the photos), against references computed once. */
const campaignFrames: Detector = {
  name: 'campaign frames',
  applies: () => true,
  async run(s, p, c) {
    const r = await runMutant(c.ctx, c.refs, p.design, p.id, join(c.outDir, 'work', p.key));
    s.first = r.first;
    if (r.status !== 'survived') killedBy(s, r, 'campaign');
  },
};

/** Coverage runs, corner runs and replicated runs on the survivor's layer, then the long jittered run: the first kill the clean design does not share. */
const survivorRuns: Detector = {
  name: 'coverage runs, corner runs, replicated runs and the long jittered run',
  applies: (s, _p, c) => s.status === 'survived' && c.randomCount > 0,
  async run(s, p, c) {
    for (const [k, st] of (await c.stimuliFor(p.layer, p.design)).entries()) {
      const r = await runMutant(st.ctx, st.refs, p.design, p.id, join(c.outDir, 'work', `${p.key}-random${k}`), st.romsFromWeights);
      if (r.status !== 'survived' && await st.cleanAgrees()) {
        killedBy(s, r, 'random');
        return;
      }
    }
  },
};

/** The design's top, reset and tapped wires, as the relational proofs take them. */
const resetOf = (p: Planned): ResetOf => ({ top: p.design.manifest.top, reset: p.design.taps.reset, activeLow: p.design.taps.resetActive === 'low', tapped: tapWires(p.design.taps), streams: observedStreams(p.design.taps) });

/** The streams the tap map observes (each layer's and the output): the valid, and the fields that count in a valid beat. */
export function observedStreams(taps: TapMap): ObservedStream[] {
  const given = (xs: readonly (string | undefined)[]) => xs.filter((x): x is string => x !== undefined);
  return [...Object.values(taps.layers), taps.output].map((s) => (s.axis
    ? { valid: s.axis.tvalid, fields: given([s.axis.tdata, s.axis.tuser, s.axis.tlast]) }
    : { valid: s.valid!, fields: given([s.row, s.col, s.group, s.data, s.last]) }));
}

/**
 * A mutated bit the original leaves x (a don't-care): equivalent by reading the netlist, right after the campaign
 * frames. It comes before the survivor runs (30 to 45 s per mutant on ie120r-mini) because no run could count against
 * it: a run that told it apart would be telling apart two implementations the original allows.
 */
const undefinedBit: Detector = {
  name: 'x bit',
  applies: (s, p) => s.status === 'survived' && p.yosys !== undefined,
  async run(s, p, c) {
    if (!mutatesUndefinedBit(join(c.outDir, 'yosys', 'prepared.il'), p.yosys!)) return;
    s.status = 'equivalent';
    s.details.push(UNDEFINED_BIT_TEXT);
  },
};

/**
 * A reachability search from reset before the SAT proofs: with a small share of its budget (invariantProof.ts
 * QUICK_REACH_SHARE), as the control mutants it proves in seconds cost the SAT proofs minutes — and with the whole
 * budget on a mutation of a register's output. There the SAT proofs are mostly wasted: the register's hold path
 * stores the mutated value, so induction on equal states fails, and the one-step witness search cannot take it. On the
 * tiny and ie120r-mini campaigns of docs/mutation.md, the search proved 11 such survivors equivalent (9 of them only
 * after one or two SAT proofs had each run to their 45 CPU seconds) and the SAT proofs one; the rest stayed
 * unresolved either way.
 */
const quickReachability: Detector = {
  name: 'quick reachability',
  applies: (s, p) => s.status === 'survived' && p.yosys !== undefined,
  async run(s, p, c) {
    const prepared = join(c.outDir, 'yosys', 'prepared.il');
    const full = mutatesRegisterOutput(prepared, p.yosys!);
    // A search that breaks (a netlist it cannot read) leaves the mutant to the proofs after it.
    const r = await unlessFatal<Proof | null>(reachFromReset(prepared, p.yosys!, resetOf(p), proofWork(c, p), true, c.proofBudget, full ? 1 : QUICK_REACH_SHARE), () => null);
    if (r?.equivalent) {
      s.status = 'equivalent';
      s.details.push(r.detail);
    } else if (r) {
      s.quickReach = r;
      s.quickReachFull = full;
    }
  },
};

/** Yosys equivalence of the mutated module against the original (a catalogue mutant: its two texts). */
const equivalenceProof: Detector = {
  name: 'equivalence proof',
  applies: (s) => s.status === 'survived',
  async run(s, p, c) {
    const work = proofWork(c, p);
    const proof = p.yosys
      ? await provesEquivalent(join(c.outDir, 'yosys', 'prepared.il'), p.yosys, work, { romContract: c.ownRoms, limits: withBudget(PROOF_LIMITS, c.proofBudget) })
      : await (async () => {
        const pair = equivalencePair(c.net, c.plan, p.placed!, MUTSEL_WIDTH);
        const roms = (p.design.manifest.romSources ?? []).filter((x) => x === `${layerModules(p.placed!.layer).weights}.v` || x === `${layerModules(p.placed!.layer).bias}.v`).map((x) => join(p.design.dir, x));
        return provesTextsEquivalent(pair.module, pair.gold, pair.gate, roms, work, p.key, withBudget(PROOF_LIMITS, c.proofBudget));
      })();
    s.status = proof.equivalent ? 'equivalent' : 'undetected';
    s.details.push(proof.detail);
    if (proof.limited) s.limits.push(proof.limited);
  },
};

/**
 * SAT operands that show the mutant at an ALU site of its layer, and a run built on them. It comes before the
 * equivalence proof: a datapath survivor a witness kills costs one SAT search of a single clock step (about 15 s on
 * tiny) instead of two induction proofs that run to their CPU limit first (tiny seed 55117's yosys-11 and -59: 83 and
 * 96 s). A mutant it does not kill goes on to the proofs as before; the cost it adds to one they prove equivalent is the
 * one search.
 */
const witnessRun: Detector = {
  name: 'witness run',
  applies: (s, p, c) => (s.status === 'survived' || s.status === 'undetected') && p.yosys !== undefined && c.ownRoms && p.layer !== null,
  async run(s, p, c) {
    // A stimulus built from SAT values is new to the engines: should one of them refuse it, the mutant keeps its
    // verdict and the campaign goes on.
    const seen = await unlessFatal(runWitness(c, p, p.layer!, proofWork(c, p)), (e) => ({ result: null, detail: `witness run failed: ${e.message}` }));
    if (seen.result && seen.result.status !== 'survived') killedBy(s, seen.result, 'witness');
    s.details.push(seen.detail);
    if ('limited' in seen && seen.limited) s.limits.push(seen.limited);
  },
};

/** Still neither killed nor proven: proofs that carry a relation other than equality between the designs' states. */
const relationalProofs: Detector = {
  name: 'proofs with a relation',
  applies: (s, p) => s.status === 'undetected' && p.yosys !== undefined,
  async run(s, p, c) {
    // A proof that breaks (a netlist it cannot read) leaves the mutant undetected and the campaign going.
    const deep = await unlessFatal<Proof>(provesByInvariant(join(c.outDir, 'yosys', 'prepared.il'), p.yosys!, resetOf(p), proofWork(c, p), true, c.proofBudget, s.quickReach, s.quickReachFull), (e) => ({ equivalent: false, detail: `proofs with a relation failed: ${e.message}` }));
    if (deep.equivalent) s.status = 'equivalent';
    s.details.push(deep.detail);
    if (deep.limited) s.limits.push(deep.limited);
    if (deep.trace) s.trace = deep.trace;
  },
};

/** Failures that stop the campaign rather than leave one mutant to the detectors after: a tool missing, an unwritable --out. */
const FATAL: readonly ErrorCode[] = ['VERILATOR_MISSING', 'YOSYS_MISSING', 'OUT_NOT_WRITABLE'];

/** `run`'s result, or `fallback`'s when it fails with a rowsim error that is not FATAL (anything else is thrown on). */
function unlessFatal<T>(run: Promise<T>, fallback: (e: SimrunError) => T): Promise<T> {
  return run.catch((e: unknown) => {
    if (e instanceof SimrunError && !FATAL.includes(e.code)) return fallback(e);
    throw e;
  });
}

/** Every wire name the tap map reads (the last component of each signal path). */
function tapWires(taps: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.add(v.split('.').pop()!);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(taps);
  return [...out];
}

/** The detectors in the order a mutant meets them: cheapest and strongest first. */
export const DETECTORS: readonly Detector[] = [campaignFrames, undefinedBit, survivorRuns, quickReachability, witnessRun, equivalenceProof, relationalProofs];

/**
 * The orders a campaign can run the detectors in: the shipped one, and the one before it (the witness run after the
 * equivalence proof has failed), kept so `npm run bench` can time both in one run. Both take today's detectors (the
 * x-bit reading as its own step, no witness search on a $dff's output), so the two differ in the order alone. Every
 * detector is sound on its own, so the order changes the time a verdict takes, not the verdict.
 */
export const DETECTOR_ORDERS = {
  'witness-first': DETECTORS,
  'proof-first': [campaignFrames, undefinedBit, survivorRuns, quickReachability, equivalenceProof, witnessRun, relationalProofs],
} as const satisfies Record<string, readonly Detector[]>;

/** A name of DETECTOR_ORDERS. */
export type DetectorOrder = keyof typeof DETECTOR_ORDERS;

/** Runs the detectors on one mutant until decided; its result as the campaign records it. */
export async function judgeMutant(p: Planned, c: Campaign, detectors: readonly Detector[] = DETECTORS): Promise<MutantResult> {
  const ts = performance.now();
  const s: Standing = { status: 'survived', first: null, foundBy: null, details: [], limits: [] };
  // A folder left by an interrupted campaign (perhaps on another version of the design) is not this mutant's.
  rmSync(proofWork(c, p), { recursive: true, force: true });
  // A mutation Yosys could not fold has no netlist to run or prove: unresolved, with Yosys's reason, never a verdict.
  if (p.yosys?.refused) s.limits.push(`no netlist: Yosys cannot fold this mutation (${p.yosys.refused})`);
  else for (const d of detectors) if (d.applies(s, p, c)) await d.run(s, p, c);
  rmSync(proofWork(c, p), { recursive: true, force: true });
  // Survived every run and not proven: unresolved when a proof stopped at its budget, rather than finding nothing.
  const status: MutantStatus = s.status === 'survived' || s.status === 'undetected' ? (s.limits.length ? 'unresolved' : 'undetected') : s.status;
  return {
    id: p.key, source: p.source, kind: p.kind, layer: p.layer, description: p.description, src: p.src,
    status, foundBy: status === 'killed' || status === 'deadlock' ? s.foundBy : null, first: s.first,
    proof: s.details.length ? s.details.join('; ') : null, ...(status === 'unresolved' ? { limit: [...new Set(s.limits)].join(' and ') } : {}),
    // A difference the proof reached with the module's data inputs free, which no run of the design showed: kept as
    // its path, so the survivor is never a bare verdict.
    ...((status === 'undetected' || status === 'unresolved') && s.trace ? { trace: s.trace } : {}),
    proofBudget: c.proofBudget, seconds: Number(((performance.now() - ts) / 1000).toFixed(2)),
  };
}

/**
 * A survivor's witness (mutation/formal/witness.ts): SAT operands at one ALU site of its layer, set up in weights and
 * inputs (mutation/stimulus/witnessRun.ts) and run like a corner run; a kill counts only if the clean design passes the
 * same run.
 */
async function runWitness(c: Campaign, p: Planned, layer: number, work: string): Promise<{ result: MutantRunResult | null; detail: string; limited?: string }> {
  const { net, plan, base } = c;
  const l = net.layers[layer - 1]!;
  const limits = withBudget(WITNESS_LIMITS, c.proofBudget);
  const w = await findWitness(join(c.outDir, 'yosys', 'prepared.il'), p.yosys!, { relu: l.relu, firstLayer: layer === 1, inputsNonNegative: layer > 1 && net.layers[layer - 2]!.relu }, join(work, 'witness'), limits);
  if ('none' in w) return { result: null, detail: noWitnessText(w, limits), ...(w.none === 'limits' ? { limited: `the witness search's ${limits.seconds} CPU seconds or ${limits.memoryMiB} MiB` } : {}) };
  const text = witnessText(w);
  const st = witnessStimulus(net, base.weights, layer, w);
  if (!st) return { result: null, detail: `${text}, which no stimulus of this layer can set up` };
  const { expectedRun } = await import('../sim/schedule.js');
  const wctx: RunContext = { ...base, weights: st.weights, stimulus: stimulusOf([st.frame]), expected: expectedRun(net, plan, c.ctx.pacing, 1) };
  const dir = join(work, 'witness-run');
  const wrefs = await references(wctx, join(dir, 'refs'));
  const r = await runMutant(wctx, wrefs, p.design, p.id, join(dir, 'mutant'), true);
  if (r.status === 'survived') return { result: null, detail: `${text}; a run built on it did not show it` };
  const clean = await runMutant(wctx, wrefs, p.design, 0, join(dir, 'clean'), true);
  if (clean.status !== 'survived') return { result: null, detail: `${text}; the unmutated design fails the run built on it too (${clean.status}), so the kill is not counted` };
  return { result: r, detail: text };
}

/** The survivor stimuli of a campaign, built on first use per (layer, design) and shared. */
export function survivorStimuliCache(ctx: RunContext, base: RunContext, ownRoms: boolean, randomCount: number, seed: number, outDir: string, log: (line: string) => void, directed: ReadonlyMap<number, readonly LayerStimulus[]> = new Map(), replicated: ReadonlyMap<number, readonly LayerStimulus[]> = new Map()): Campaign['stimuliFor'] {
  const built = new Map<string, Promise<SurvivorStimulus[]>>();
  return (layer, d) => {
    const key = `${layer ?? 'top'}|${d.dir}`;
    let p = built.get(key);
    if (!p) {
      const own = layer !== null && ownRoms ? layer : null;
      p = buildSurvivorStimuli(ctx, base, own, randomCount, seed, d, join(outDir, 'reference-random', `${layer ?? 'top'}-${built.size}`), log, own === null ? [] : directed.get(own) ?? [], own === null ? [] : replicated.get(own) ?? []);
      built.set(key, p);
    }
    return p;
  };
}
