// `--trace auto`: after a failing run, re-run the RTL with a waveform of only the first failing layer, in a window
// around its first mismatching beat (or the cycle it deadlocked), stopping the simulation at the window's end.
import { join } from 'node:path';
import { rtlEngine } from '../rtl/engine.js';
import { engineJob, type RunContext } from './prepare.js';
import type { RunReport } from './report.js';
import { findings, firstOf } from './rtlFindings.js';
import type { Waveform } from './waveform.js';

export type { Waveform } from './waveform.js';


/**
 * The first failure the RTL can show: its layer and a cycle near it, or null when the RTL has nothing to show. A values
 * mismatch comes before any timing-only difference (a design with its own timing differs from the model's cycles
 * everywhere), then a design failure, then a cycle mismatch, then an own-timing finding at a cycle.
 */
export function failureCycle(r: RunReport): { layer: number; cycle: number; reason: string } | null {
  const all = findings(r);
  const bits = (rtlOnly: boolean) => firstOf(all, 'bits', (f) => (f.rtl || !rtlOnly) && !!f.pair.first?.beat);
  const b = bits(true) ?? bits(false);
  if (b) {
    const { pair: p, layer } = b, f = p.first!, beat = f.beat!;
    return { layer, cycle: beat.cycle, reason: `first ${p.a}~${p.b} bit mismatch of layer ${layer}: row ${f.row} col ${f.col} chan ${f.chan}, ${beat.engine} beat ${beat.index} at cycle ${beat.cycle}` };
  }
  const d = firstOf(all, 'failure', (f) => f.rtl && f.failure.cycle !== undefined && f.failure.layer !== undefined)?.failure;
  if (d) return { layer: d.layer!, cycle: d.cycle!, reason: `rtl ${d.code} in layer ${d.layer} at cycle ${d.cycle}` };
  const c = firstOf(all, 'cycles', (f) => f.rtl && f.pair.first !== null);
  if (c) {
    const { pair: p, layer } = c, f = p.first!;
    const cycle = f.actualCycle >= 0 ? f.actualCycle : f.expectedCycle;
    return { layer, cycle, reason: `first ${p.a}~${p.b} cycle mismatch of layer ${layer}: beat ${f.beat} at cycle ${cycle}` };
  }
  const own = firstOf(all, 'own-timing', (f) => f.finding.cycle !== undefined && f.finding.layer > 0)?.finding;
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
