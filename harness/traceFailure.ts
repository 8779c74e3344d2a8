// `--trace auto`: after a failing run, re-run the RTL with a waveform of only the first failing layer, in a window
// around its first mismatching beat (or the cycle it deadlocked), stopping the simulation at the window's end.
import { join } from 'node:path';
import { rtlEngine } from '../rtl/engine.js';
import { engineJob, type RunContext } from './prepare.js';
import type { RunReport } from './report.js';
import type { Waveform } from './waveform.js';

export type { Waveform } from './waveform.js';


/**
 * The first failure the RTL can show: its layer and a cycle near it, or null when the RTL has nothing to show. A values
 * mismatch comes before any timing-only difference (a design with its own timing differs from the model's cycles
 * everywhere), then a design failure, then a cycle mismatch, then an own-timing finding at a cycle.
 */
export function failureCycle(r: RunReport): { layer: number; cycle: number; reason: string } | null {
  const involves = (p: { a: string; b: string }) => p.a === 'rtl' || p.b === 'rtl';
  const differing = (pick: (p: { a: string; b: string }) => boolean) => r.layers.flatMap((l) => l.pairs.filter((q) => q.status === 'differ' && pick(q)).map((p) => ({ l, p })));
  for (const { l, p } of [...differing(involves), ...differing(() => true)]) {
    if (p.kind !== 'bits' || !p.first) continue;
    const f = p.first;
    if (f.beat) return { layer: l.index, cycle: f.beat.cycle, reason: `first ${p.a}~${p.b} bit mismatch of layer ${l.index}: row ${f.row} col ${f.col} chan ${f.chan}, ${f.beat.engine} beat ${f.beat.index} at cycle ${f.beat.cycle}` };
  }
  const d = r.failures.find((f) => f.engine === 'rtl' && f.cycle !== undefined && f.layer !== undefined);
  if (d) return { layer: d.layer!, cycle: d.cycle!, reason: `rtl ${d.code} in layer ${d.layer} at cycle ${d.cycle}` };
  for (const { l, p } of differing(involves)) {
    if (p.kind !== 'cycles' || !p.first) continue;
    const f = p.first;
    const cycle = f.actualCycle >= 0 ? f.actualCycle : f.expectedCycle;
    return { layer: l.index, cycle, reason: `first ${p.a}~${p.b} cycle mismatch of layer ${l.index}: beat ${f.beat} at cycle ${cycle}` };
  }
  const own = r.ownTiming?.failures.find((f) => f.cycle !== undefined && f.layer > 0);
  return own ? { layer: own.layer, cycle: own.cycle!, reason: `rtl ${own.kind} in layer ${own.layer} at cycle ${own.cycle}` } : null;
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
  const run = await engine.start(engineJob(ctx, 'rtl', join(ctx.outDir, 'rtl-trace')));
  try {
    for await (const _ of run.frames()) {
      // the frames of a run cut short are not needed: the waveform is the product
    }
    const f = run.info().facts;
    return { path: String(f.waveform), format, window, layers: [at.layer], reason: at.reason, build: { build: String(f.build), buildSeconds: Number(f.buildSeconds), cached: f.cached === true } };
  } finally {
    await run.close();
  }
}
