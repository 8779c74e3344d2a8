// The run pipeline, one call per stage: prepare → run engines → compare → assemble the report → write outputs.
// Engines are looped over by the Engine interface; nothing here is special-cased by an engine's name.
import { basename, join } from 'node:path';
import type { Engine, EngineInfo, EngineName } from '../core/engine.js';
import { compareFrames, type Comparison } from './comparison.js';
import { stimulusCoverage, summarizeCoverage } from './coverage.js';
import { macsPerFrame } from '../core/coverage.js';
import { renderHtml } from './html.js';
import { releaseOutDir, writeAtomic } from './outdir.js';
import { engineJob, prepare, type RunContext, type RunOptions } from './prepare.js';
import type { StartedRun } from './replay.js';
import { assembleReport, type RunReport } from './report.js';
import type { Waveform } from './traceFailure.js';

export type { RunOptions } from './prepare.js';

type StartedEngine = StartedRun;

/** Runs one comparison and writes `<out>/report.json` and report.html; returns the report and the folder. */
export async function runPipeline(opts: RunOptions): Promise<{ report: RunReport; outDir: string }> {
  const ctx = await prepare(opts);
  let started: StartedEngine[] = [];
  try {
    started = await startEngines(ctx);
    ctx.clock.lap(`engines started${buildText(started.find((e) => e.name === 'rtl')?.run.info().facts)}`);
    const comparison = await compareFrames(ctx, started);
    ctx.clock.lap('frames run and compared');
    // The model's scalar pass classifies about 3 M multiply-accumulates a second: say so before a long one.
    const macs = macsPerFrame(ctx.net);
    if (opts.coverage && macs > 100e6) opts.log?.(`notice: contract coverage classifies ${(macs / 1e6).toFixed(0)} M multiply-accumulates a frame on this thread: about ${Math.ceil(macs / 3e6 / 60)} minutes per distinct image`);
    const coverage = opts.coverage ? stimulusCoverage(ctx.net, ctx.weights, ctx.stimulus) : null;
    if (coverage) ctx.clock.lap('contract coverage (model)');
    const assembled = { ...assembleReport(ctx, engineInfo(started), comparison), coverage, coverageSummary: coverage && summarizeCoverage(coverage) };
    ctx.clock.lap('report');
    const waveform = await waveformOf(ctx, assembled);
    if (waveform?.build) ctx.clock.lap(`waveform${buildText(waveform.build)}`);
    const withWave = { ...assembled, waveform };
    const report: RunReport = { ...withWave, timings: ctx.clock.result() };
    if (opts.writeReports !== false) writeOutputs(ctx, report, comparison);
    return { report, outDir: ctx.outDir };
  } finally {
    await Promise.all(started.map((s) => s.run.close()));
    releaseOutDir(ctx.outDir);
  }
}

/** Stage 2: starts every chosen engine on the same job (each in its own folder, with the faults aimed at it). */
async function startEngines(ctx: RunContext): Promise<StartedEngine[]> {
  const started: StartedEngine[] = [];
  try {
    for (const e of ctx.engines) started.push(await startEngine(ctx, e, join(ctx.outDir, e.name)));
    return started;
  } catch (e) {
    await Promise.all(started.map((s) => s.run.close()));
    throw e;
  }
}

/** Starts one engine on the run's job in `workDir`, with the faults aimed at it. */
export async function startEngine(ctx: RunContext, e: Engine, workDir: string): Promise<StartedRun> {
  const run = await e.start(engineJob(ctx, e.name, workDir));
  // Which layers an engine observes is known before its frames (the rtl engine's taps are resolved at start).
  return { name: e.name, values: e.produces.values, beats: e.produces.beats, observed: run.info().observedLayers, run };
}

/** Stage 4b: the waveform the run asked for — the one the rtl engine wrote, or with --trace auto, one of the failure. */
async function waveformOf(ctx: RunContext, report: RunReport): Promise<Waveform | null> {
  if (ctx.trace === 'auto-fst' || ctx.trace === 'auto-vcd') {
    // The tracer (Verilator glue) loads only when a failure is to be traced.
    return report.pass === false ? (await import('./traceFailure.js')).traceFailure(ctx, report, ctx.trace === 'auto-fst' ? 'fst' : 'vcd') : null;
  }
  const path = report.engineInfo.rtl?.facts.waveform;
  if (!ctx.trace || typeof path !== 'string') return null;
  return {
    path, format: ctx.trace.format, window: ctx.trace.window ?? [0, ctx.expected.lastCycle],
    layers: ctx.trace.layers ?? ctx.net.layers.map((l) => l.index), reason: 'requested with --trace',
  };
}

/** ' (rtl build <name>: 12.3 s)' or ' (rtl build <name>: cached)' — which build a stage made or reused. */
function buildText(facts: Readonly<Record<string, string | number | boolean | null>> | undefined): string {
  if (!facts || typeof facts.build !== 'string') return '';
  return ` (rtl build ${basename(facts.build)}: ${facts.cached ? 'cached' : `${Number(facts.buildSeconds).toFixed(1)} s`})`;
}

/** Each engine's facts once its frames have all been read. */
function engineInfo(started: readonly StartedEngine[]): Map<EngineName, EngineInfo> {
  return new Map(started.map((s) => [s.name, s.run.info()]));
}

/** Stage 5: report.html, then report.json last and atomically — its presence means the run completed. */
function writeOutputs(ctx: RunContext, report: RunReport, comparison: Comparison): void {
  writeAtomic(join(ctx.outDir, 'report.html'), renderHtml(report, comparison, ctx.net.clockHz, ctx.outDir));
  writeAtomic(join(ctx.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
}
