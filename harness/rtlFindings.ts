// A run report's failures as one ordered list of typed findings — differing pairs in layer order, then engine
// failures, then own-timing findings. It is the one scan of a report for "what failed, where"; each caller applies its
// own preference to the list (the mutation campaign's verdict, --trace auto's waveform window), never its own walk.
import type { EngineFailure, EngineName } from '../core/engine.js';
import type { BitsPairResult, CyclesPairResult } from './compare.js';
import type { OwnFinding } from './ownTiming.js';
import type { RunReport } from './report.js';

/** One thing that failed in a run. `rtl` says whether the rtl engine is one side of it. */
export type Finding =
  | { readonly kind: 'bits'; readonly layer: number; readonly pair: BitsPairResult; readonly rtl: boolean }
  | { readonly kind: 'cycles'; readonly layer: number; readonly pair: CyclesPairResult; readonly rtl: boolean }
  | { readonly kind: 'failure'; readonly failure: EngineFailure & { readonly engine: EngineName }; readonly rtl: boolean }
  | { readonly kind: 'own-timing'; readonly finding: OwnFinding; readonly rtl: true };

/** Every finding of `r`, in report order: differing pairs layer by layer, engine failures, own-timing findings. */
export function findings(r: RunReport): Finding[] {
  const out: Finding[] = [];
  for (const l of r.layers) {
    for (const p of l.pairs) {
      if (p.status !== 'differ') continue;
      const rtl = p.a === 'rtl' || p.b === 'rtl';
      out.push(p.kind === 'bits' ? { kind: 'bits', layer: l.index, pair: p, rtl } : { kind: 'cycles', layer: l.index, pair: p, rtl });
    }
  }
  for (const f of r.failures) out.push({ kind: 'failure', failure: f, rtl: f.engine === 'rtl' });
  for (const f of r.ownTiming?.failures ?? []) out.push({ kind: 'own-timing', finding: f, rtl: true });
  return out;
}

/** The first finding of `kind` that `accept` takes. */
export function firstOf<K extends Finding['kind']>(all: readonly Finding[], kind: K, accept: (f: Extract<Finding, { kind: K }>) => boolean = () => true): Extract<Finding, { kind: K }> | undefined {
  return all.find((f): f is Extract<Finding, { kind: K }> => f.kind === kind && accept(f as Extract<Finding, { kind: K }>));
}
