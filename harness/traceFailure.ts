// `--trace auto`: after a failing run, re-run the RTL with a waveform of only the first failing layer, in a window
// around its first mismatching beat (or the cycle it deadlocked), stopping the simulation at the window's end.
import { join } from 'node:path';
import type { EngineName } from '../core/engine.js';
import { faultsFor } from '../core/faults.js';
import { rtlEngine } from '../rtl/engine.js';
import type { FirstBeatMismatch, FirstMismatch } from './compare.js';
import type { RunContext } from './prepare.js';
import type { RunReport } from './report.js';

/** A waveform a run wrote: where, which cycles (1 cycle = 10 ns of waveform time), which layers, and why. */
export interface Waveform {
  readonly path: string;
  readonly format: 'fst' | 'vcd';
  /** First and last cycle dumped. */
  readonly window: readonly [number, number];
  readonly layers: readonly number[];
  readonly reason: string;
}

/** The first failure the RTL can show: its layer and a cycle near it, or null when the RTL has nothing to show. */
export function failureCycle(r: RunReport): { layer: number; cycle: number; reason: string } | null {
  const involves = (p: { a: string; b: string }) => p.a === 'rtl' || p.b === 'rtl';
  for (const pick of [involves, () => true]) {
    for (const l of r.layers) {
      for (const p of l.pairs.filter((q) => q.status === 'differ' && pick(q))) {
        if (p.kind === 'cycles') {
          const f = p.first as FirstBeatMismatch;
          const cycle = f.actualCycle >= 0 ? f.actualCycle : f.expectedCycle;
          return { layer: l.index, cycle, reason: `first ${p.a}~${p.b} cycle mismatch of layer ${l.index}: beat ${f.beat} at cycle ${cycle}` };
        }
        const f = p.first as FirstMismatch;
        if (f.beat) return { layer: l.index, cycle: f.beat.cycle, reason: `first ${p.a}~${p.b} bit mismatch of layer ${l.index}: row ${f.row} col ${f.col} chan ${f.chan}, ${f.beat.engine} beat ${f.beat.index} at cycle ${f.beat.cycle}` };
      }
    }
  }
  const d = r.failures.find((f) => f.engine === 'rtl' && f.cycle !== undefined && f.layer !== undefined);
  return d ? { layer: d.layer!, cycle: d.cycle!, reason: `rtl ${d.code} in layer ${d.layer} at cycle ${d.cycle}` } : null;
}

/** Re-runs the RTL with a waveform of the first failing layer around its first failing cycle; null if nothing to show. */
export async function traceFailure(ctx: RunContext, report: RunReport, format: 'fst' | 'vcd'): Promise<Waveform | null> {
  const at = failureCycle(report);
  if (!at) return null;
  const slot = ctx.plan.layers[at.layer - 1]!.slotCycles;
  // The output's whole slot (its taps, drain and beats) lies within two slots before its beat.
  const window: [number, number] = [Math.max(0, at.cycle - 2 * slot - 10), at.cycle + slot + 10];
  ctx.log(`rtl: re-running for a waveform of layer ${at.layer}, cycles ${window[0]}..${window[1]}`);
  const engine = rtlEngine({
    ...(ctx.design ? { design: ctx.design } : {}), weightsName: ctx.weightsName, watchdog: ctx.expected.quietBound,
    trace: { format, window, layers: [at.layer] }, stopAfter: window[1] + 1,
  });
  const name: EngineName = 'rtl';
  const run = await engine.start({
    spec: ctx.net, plan: ctx.plan, weights: ctx.weights, stimulus: ctx.stimulus, pacing: ctx.pacing,
    workDir: join(ctx.outDir, 'rtl-trace'), faults: faultsFor(ctx.faults, name), workers: ctx.workers, log: ctx.log,
  });
  try {
    for await (const _ of run.frames()) {
      // the frames of a run cut short are not needed: the waveform is the product
    }
    return { path: String(run.info().facts.waveform), format, window, layers: [at.layer], reason: at.reason };
  } finally {
    await run.close();
  }
}
