// The run report: report.json's shape (schema version 2), its assembly from the run context, the engines' facts and the
// comparison, and its terminal rendering. Invariant: pass is true only if at least one pair was compared and every
// compared pair agrees with no engine failing; null if nothing was compared; false otherwise.
import { timingText, type StageTime } from './stageClock.js';
import chalk from 'chalk';
import Table from 'cli-table3';
import type { EngineFailure, EngineInfo, EngineName } from '../core/engine.js';
import { describeFault } from '../core/faults.js';
import { formatPacing, lastInputPixel } from '../core/pacing.js';
import type { NetworkPlan } from '../core/plan.js';
import { buffersFromSchedule, type NetworkSpec } from '../core/spec.js';
import { VERSION } from '../core/version.js';
import type { FloatDistance, PairResult } from './compare.js';
import type { Comparison, LayerTiming } from './comparison.js';
import type { TimingMode } from './budgets.js';
import { ownTimingClaim, type OwnFinding, type OwnLayerTiming } from './ownTiming.js';
import type { LayerLatency } from '../sim/schedule.js';
import type { RunContext, RunSource } from './prepare.js';
import type { Waveform } from './waveform.js';
import type { ContractCoverage } from '../core/coverage.js';
import { coverageLines, type CoverageSummary } from './coverage.js';

/** Published IE120R latency, for comparison in every report. */
const PUBLISHED_LATENCY_MS = 11.57274;

/** A layer's share of the latency, with the same cycles in µs and as a percentage of the total. */
export type LatencyShare = LayerLatency & { readonly us: number; readonly percent: number };

/** The chain's shares in report form (µs at `clockHz`, % of the chain's total). */
export function latencyShares(chain: readonly LayerLatency[], clockHz: number): LatencyShare[] {
  const total = chain.reduce((a, l) => a + l.cycles, 0);
  return chain.map((l) => ({ ...l, us: Number(((l.cycles / clockHz) * 1e6).toFixed(3)), percent: total ? Number(((100 * l.cycles) / total).toFixed(2)) : 0 }));
}

/** One pair of one layer, with its verdict. */
export type PairReport = PairResult & { readonly status: 'agree' | 'differ' | 'not compared'; readonly reason?: string };

/** A layer's plan columns. */
export interface PlanColumns {
  readonly strips: number;
  readonly ocmux: number;
  /** Cycles a row keeps the ALUs busy (the published design's req). */
  readonly busyCycles: number;
  /** Cycles between row starts while busy: busyCycles, or the row pacing's gap when that is longer. */
  readonly cyclesPerRow: number;
  readonly cyclesAvailable: number;
  readonly utilization: number;
  readonly alus: number;
  readonly weightBits: number;
  readonly bufferRows: number;
  readonly rowBufferBits: number;
  /** Kernel-row passes per output row (1: every tap in one pass), and the bits of partial sums kept between them. */
  readonly passes: number;
  readonly partialSumBits: number;
}

/** One layer's row of the report. */
export interface LayerReport {
  readonly index: number;
  readonly name: string;
  readonly shape: [number, number, number];
  readonly plan: PlanColumns;
  /** Engines that delivered this layer. */
  readonly observedBy: readonly EngineName[];
  /** Every engine pair that can be compared on this layer, compared or not. */
  readonly pairs: readonly PairReport[];
  /** Distance of the float (tf.conv2d) reference from the exact golden: information, never pass/fail. */
  readonly accuracy: { readonly floatVsExact: FloatDistance } | null;
  /** Per beat-producing engine: frame 0's first and last beat cycles and the run's beats. */
  readonly timing: Readonly<Partial<Record<EngineName, LayerTiming>>>;
  readonly bufferRows: number;
  /** The RTL's own timing of this layer (when it ran and observes the layer): row interval, slack, latency. */
  readonly rtlTiming?: OwnLayerTiming;
}

/** How the RTL's own timing was judged, and what broke. */
export interface OwnTimingReport {
  readonly mode: TimingMode;
  /** Findings that fail the run in this mode (own: all; exact and declared: all but rate and latency, which the cycle comparison covers). */
  readonly failures: readonly OwnFinding[];
  /** Findings kept for information (the rate and latency checks under exact or declared timing). */
  readonly notes: readonly OwnFinding[];
  readonly frameIntervalCycles: number | null;
  /** Whether the steady-state row rate and the constant latency were checked (two complete frames or more). */
  readonly steadyStateChecked: boolean;
  /** Frames per second at that interval. */
  readonly frameRateHz: number | null;
  /** The compute clock's period (ps), for reading cycles as time. */
  readonly periodPs: number;
}

/** report.json. */
export interface RunReport {
  readonly schemaVersion: 2;
  readonly rowsim: string;
  readonly config: string;
  readonly engines: readonly EngineName[];
  /** The options that reproduce this run (paths absolute); `simrun explain <run folder>` reads them. */
  readonly run: RunSource;
  readonly pass: boolean | null;
  /** One line saying what was compared and how it came out. */
  readonly summary: string;
  readonly frames: number;
  readonly images: readonly string[];
  readonly weights: string;
  readonly pacing: string;
  readonly faults: readonly { readonly engine: EngineName; readonly text: string; readonly description: string }[];
  readonly engineInfo: Readonly<Partial<Record<EngineName, EngineInfo>>>;
  readonly failures: readonly (EngineFailure & { readonly engine: EngineName })[];
  readonly latency: {
    /** The model's worst frame latency (last input pixel → last output beat), from the plan's schedule. */
    readonly cycles: number;
    readonly ms: number;
    /** Where that frame's latency goes: each layer's share along the critical chain (sums exactly to `cycles`). */
    readonly perLayer: readonly LatencyShare[];
    readonly perFrameCycles: readonly number[];
    /** Measured by each engine that produces beats, per frame (null where the frame's last beat never came). */
    readonly measured: Readonly<Partial<Record<EngineName, readonly (number | null)[]>>>;
    /** The RTL's worst frame latency, or null without the rtl engine. */
    readonly rtlCycles: number | null;
    readonly steadyIntervalCycles: number | null;
    readonly publishedIe120rMs: number;
  };
  readonly totals: { readonly alus: number; readonly weightBits: number; readonly rowBufferBits: number; readonly partialSumBits: number };
  readonly layers: readonly LayerReport[];
  /** The waveform this run wrote (--trace, or --trace auto on a failure), or null. */
  readonly waveform?: Waveform | null;
  /** Wall seconds per stage of the run, the first being Node's start-up and module loading (absent on replays). */
  readonly timings?: { readonly stages: readonly StageTime[]; readonly totalSeconds: number };
  /** rowsim's resident memory as frames were compared (sampled), and its peak. */
  readonly memory: { readonly samples: readonly { readonly frame: number; readonly rssMiB: number }[]; readonly peakMiB: number };
  readonly warnings: readonly string[];
  /** The RTL's own timing, when the rtl engine ran. */
  readonly ownTiming: OwnTimingReport | null;
  /** Where the rtl engine's beats came from: a Verilator run, or a waveform another simulator dumped (and which). */
  readonly rtlSource: { readonly engine: 'verilator' | 'waveform'; readonly file?: string; readonly simulator?: string } | null;
  /** Contract coverage of the run's stimulus (with --coverage): counts per site and case, and their summary. */
  readonly coverage?: ContractCoverage | null;
  readonly coverageSummary?: CoverageSummary | null;
}

/** Plan columns of a layer, in report form. */
export function planColumns(plan: NetworkPlan, index: number): PlanColumns {
  const p = plan.layers[index - 1]!;
  return {
    strips: p.strips, ocmux: p.ocmux, busyCycles: p.busyCycles, cyclesPerRow: p.cyclesPerRow, cyclesAvailable: p.cyclesAvailable,
    utilization: Number(p.utilization.toFixed(4)), alus: p.alus, weightBits: p.weightBits, bufferRows: p.bufferRows, rowBufferBits: p.rowBufferBits,
    passes: p.passes, partialSumBits: p.partialSumBits,
  };
}

/** The largest value of a list of any length (spreading a long list into Math.max overflows the stack). */
function largest(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Short name of a pair, e.g. 'golden~sim bits'. */
export function pairName(p: { a: string; b: string; kind: string }): string {
  return `${p.a}~${p.b} ${p.kind}`;
}

/** Stage 4: assembles report.json from the context, each engine's facts and the comparison. */
export function assembleReport(ctx: RunContext, info: ReadonlyMap<EngineName, EngineInfo>, cmp: Comparison): RunReport {
  const { net, plan } = ctx;
  const layers: LayerReport[] = net.layers.map((l) => {
    const li = l.index - 1;
    const compared: PairReport[] = cmp.pairs[li]!.map((acc) => {
      const r = acc.result();
      return { ...r, status: r.mismatches === 0 ? 'agree' : 'differ' };
    });
    const skipped: PairReport[] = cmp.notCompared[li]!.map((n) => ({ a: n.a, b: n.b, kind: n.kind, compared: 0, mismatches: 0, first: null, status: 'not compared', reason: n.reason }));
    const d = cmp.accuracy[li];
    return {
      index: l.index, name: l.name, shape: [l.outH, l.outW, l.outC],
      plan: planColumns(plan, l.index),
      observedBy: [...info.entries()].filter(([, i]) => i.observedLayers.includes(l.index)).map(([n]) => n),
      pairs: [...compared, ...skipped],
      accuracy: d ? { floatVsExact: d } : null,
      timing: Object.fromEntries(cmp.timing[li]!),
      bufferRows: plan.layers[li]!.bufferRows,
      ...(cmp.own?.layers.find((x) => x.layer === l.index) ? { rtlTiming: cmp.own.layers.find((x) => x.layer === l.index)! } : {}),
    };
  });
  const failures = [...info.entries()].flatMap(([engine, i]) => (i.failure ? [{ engine, ...i.failure }] : []));
  const own = ownTimingReport(ctx, cmp, info.get('rtl'));
  const all = layers.flatMap((l) => l.pairs);
  const anyCompared = all.some((p) => p.status !== 'not compared');
  const anyDiffer = all.some((p) => p.status === 'differ');
  const pass = anyDiffer || failures.length || own?.failures.length ? false : anyCompared ? true : null;
  const summary = verdict(ctx, layers, failures, own, pass);
  const model = ctx.expected.perFrameLatency;
  const cycles = largest(model);
  const rtl = cmp.latency.get('rtl');
  const lastBeats = model.map((c, f) => c + lastInputPixel(net, ctx.pacing, f));
  return {
    schemaVersion: 2,
    rowsim: VERSION,
    config: net.name,
    engines: ctx.engines.map((e) => e.name),
    run: ctx.source,
    pass, summary,
    frames: ctx.stimulus.frames,
    images: ctx.images,
    weights: ctx.weightsName,
    pacing: formatPacing(ctx.pacing),
    faults: ctx.faults.map((f) => ({ engine: f.engine, text: f.text, description: describeFault(f.fault) })),
    engineInfo: Object.fromEntries([...info].map(([n, i]) => [n, jsonInfo(i)])),
    failures,
    latency: {
      cycles, ms: Number(((cycles / net.clockHz) * 1000).toFixed(6)),
      perLayer: latencyShares(ctx.expected.chain, net.clockHz),
      perFrameCycles: model,
      measured: Object.fromEntries(cmp.latency),
      rtlCycles: rtl ? (rtl.some((v) => v === null) ? null : largest(rtl as number[])) : null,
      steadyIntervalCycles: lastBeats.length > 1 ? (lastBeats[lastBeats.length - 1]! - lastBeats[0]!) / (lastBeats.length - 1) : null,
      publishedIe120rMs: PUBLISHED_LATENCY_MS,
    },
    totals: plan.totals,
    layers,
    memory: { samples: cmp.memory, peakMiB: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)) },
    warnings: ctx.warnings,
    ownTiming: own,
    rtlSource: rtlSourceOf(info.get('rtl')),
  };
}

/** Where the rtl engine's beats came from, from its facts. */
function rtlSourceOf(i: EngineInfo | undefined): RunReport['rtlSource'] {
  if (!i) return null;
  return i.facts.source === 'waveform'
    ? { engine: 'waveform', file: String(i.facts.waveform), ...(i.facts.simulator ? { simulator: String(i.facts.simulator) } : {}) }
    : { engine: 'verilator' };
}

/** An engine's facts as JSON: a design's own stream layouts as plain [group][lane] channel tables. */
function jsonInfo(i: EngineInfo): EngineInfo {
  if (!i.streams) return i;
  const streams = i.streams.map((s) => s && {
    ...s, layout: { lanes: s.layout.lanes, groups: s.layout.groups, channel: Array.from({ length: s.layout.groups }, (_, g) => Array.from(s.layout.channel.subarray(g * s.layout.lanes, (g + 1) * s.layout.lanes))) },
  });
  return { ...i, streams } as unknown as EngineInfo;
}

/** The own-timing part of the report: which findings fail the run under the mode, and the frame interval. */
function ownTimingReport(ctx: RunContext, cmp: Comparison, rtl: EngineInfo | undefined): OwnTimingReport | null {
  if (!cmp.own || !rtl) return null;
  // Under exact or declared timing the cycle comparison already judges when rows come; the rate and latency checks then
  // only inform. Coverage, framing flags and budgets are the design's own promises in every mode.
  const informative = (f: OwnFinding) => ctx.timing !== 'own' && (f.kind === 'rate' || f.kind === 'latency');
  const periodPs = rtl.periodPs ?? 1e12 / ctx.net.clockHz;
  const fi = cmp.own.frameInterval;
  return {
    mode: ctx.timing,
    failures: cmp.own.findings.filter((f) => !informative(f)),
    notes: cmp.own.findings.filter(informative),
    frameIntervalCycles: fi === null ? null : Number(fi.toFixed(2)),
    steadyStateChecked: cmp.own.steadyStateChecked,
    frameRateHz: fi ? Number((1e12 / (fi * periodPs)).toFixed(3)) : null,
    periodPs,
  };
}

/** The one-line verdict: what was compared, and in words what differs — values, only the timing, or real-time rules. */
function verdict(ctx: RunContext, layers: readonly LayerReport[], failures: readonly (EngineFailure & { engine: EngineName })[], own: OwnTimingReport | null, pass: boolean | null): string {
  const all = layers.flatMap((l) => l.pairs);
  const kinds = [...new Set(all.filter((p) => p.status !== 'not compared').map(pairName))];
  const uncovered = layers.filter((l) => l.pairs.some((p) => p.status === 'not compared' && p.kind === 'bits')).map((l) => l.index);
  const notCompared = uncovered.length ? `; layer(s) ${uncovered.join(', ')} not compared (no tap)` : '';
  const ownText = own && ctx.timing === 'own' ? `; the rtl keeps its own timing: ${ownTimingClaim(own.steadyStateChecked)}` : '';
  if (pass === true) return `PASS: every compared pair agrees in every ${uncovered.length ? 'compared ' : ''}layer (${kinds.join(', ')})${ownText}${notCompared}`;
  if (pass === null) return `NOT COMPARED: ${ctx.engines.length === 1 ? `only ${ctx.engines[0]!.name} ran` : 'no layer is observed by two engines'}; nothing was compared — add an engine to --engines`;
  const differ = all.filter((p) => p.status === 'differ');
  const valuesDiffer = differ.some((p) => p.kind === 'bits');
  const parts = [
    ...new Set(differ.map(pairName)),
    ...failures.map((f) => `${f.engine} ${f.code} in layer ${f.layer ?? '?'}`),
    ...(own?.failures ?? []).map((f) => `rtl ${f.kind}${f.layer ? ` in layer ${f.layer}` : ''}`),
  ];
  const onlyTiming = !valuesDiffer && !failures.length && !own?.failures.length && differ.length > 0;
  if (onlyTiming) {
    const beats = differ.reduce((n, p) => n + p.mismatches, 0);
    return `FAIL: values agree in every compared layer; only the timing differs — ${beats} beat(s) leave at other cycles than rowsim's model predicts (${ctx.timing} timing; ${[...new Set(differ.map(pairName))].join(', ')}). A design that keeps its own timing is judged with --timing own, or predicted with a declared timing (docs/timing.md)`;
  }
  return `FAIL: ${[...new Set(parts)].join('; ')}${!valuesDiffer && differ.length === 0 && own?.failures.length ? ' (values agree; the design breaks its real-time rules)' : ''}`;
}

/** cli-table3 settings for a borderless, compact table. */
export const PLAIN: Pick<Table.TableConstructorOptions, 'style' | 'chars'> = {
  style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 1 },
  chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ' },
};

function cell(p: PairReport | undefined): string {
  if (!p || p.status === 'not compared') return 'n/c';
  return p.mismatches === 0 ? 'ok' : `${p.mismatches} bad`;
}

/** Colours a table cell (only when stdout is a colour terminal; chalk decides). */
function tint(text: string): string {
  return /\bbad\b/.test(text) ? chalk.red(text) : text === 'ok' ? chalk.green(text) : text === 'n/c' ? chalk.dim(text) : text;
}

function value(v: number | 'missing'): string {
  return v === 'missing' ? 'missing' : String(v);
}

/** One line for a first mismatch. */
export function describeFirst(l: { index: number; name: string }, p: PairReport): string {
  if (p.kind === 'bits') {
    const m = p.first!;
    const beat = m.beat ? `; ${m.beat.engine} beat ${m.beat.index} at cycle ${m.beat.cycle}` : '';
    const ulp = p.categories && p.categories.value ? `, max ${p.maxUlp} ULP over ${p.categories.value} value differences` : '';
    const cats = p.categories ? Object.entries(p.categories).filter(([k, n]) => n > 0 && k !== 'value').map(([k, n]) => `${n} ${k}`).join(', ') : '';
    return `layer ${l.index} '${l.name}' ${pairName(p)}: first at frame ${m.frame} row ${m.row} col ${m.col} chan ${m.chan}${beat}: ${p.a} ${m.expected} (${value(m.expectedValue)}) vs ${p.b} ${m.actual} (${value(m.actualValue)}) [${m.kind}]; ${p.mismatches} of ${p.compared} words differ${ulp}${cats ? ` (${cats})` : ''}`;
  }
  const c = p.first!;
  const cyc = (n: number) => (n < 0 ? 'none' : String(n));
  const what = c.differs === 'last' ? `, its end-of-frame flag differs` : c.differs === 'coordinates' ? ', its coordinates differ' : '';
  return `layer ${l.index} '${l.name}' ${pairName(p)}: first at beat ${c.beat} (frame ${c.frame} row ${c.row} col ${c.col} group ${c.group}): ${p.a} cycle ${cyc(c.expectedCycle)}, ${p.b} cycle ${cyc(c.actualCycle)}${what}; ${p.mismatches} of ${p.compared} beats differ`;
}

/** Renders the run report for a terminal: per-layer table with a column per pair, first mismatches, latency, verdict. */
/** Memory samples in a few words: every sample for up to 10 frames, else the first, middle and last. */
export function memoryText(mem: RunReport['memory']['samples']): string {
  const pick = mem.length <= 10 ? mem : [mem[0]!, mem[Math.floor(mem.length / 2)]!, mem[mem.length - 1]!];
  return pick.map((m) => `frame ${m.frame} ${m.rssMiB.toFixed(0)} MiB`).join(', ');
}

/** A pair's column header in the terminal table: engines by initial (g, s, r), 'cyc' for a cycles pair. */
function shortPair(name: string): string {
  const [pair, kind] = name.split(' ');
  return `${pair!.split('~').map((e) => e[0]).join('~')}${kind === 'cycles' ? ' cyc' : ''}`;
}

export function formatRunReport(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`${r.config}: ${r.frames} frame(s) of ${r.images.join(', ')}, weights ${r.weights}, engines ${r.engines.join(',')}, pacing ${r.pacing}${r.ownTiming ? `, timing ${r.ownTiming.mode}` : ''}${r.engineInfo.golden?.facts.backend ? ` (golden on tfjs-${r.engineInfo.golden.facts.backend})` : ''}`);
  for (const f of r.faults) lines.push(`injected into ${f.engine}: ${f.description} (${f.text})`);
  if (r.rtlSource?.engine === 'waveform') lines.push(`rtl: beats read from the waveform ${r.rtlSource.file}${r.rtlSource.simulator ? ` (written by ${r.rtlSource.simulator})` : ''}`);
  const pairNames = [...new Set(r.layers.flatMap((l) => l.pairs.map(pairName)))];
  // The beats shown are the RTL's own when it ran (the model's are in report.json and report.html), else the model's.
  const beatEngine = (['rtl', 'sim'] as const).find((e) => r.engines.includes(e));
  const own = r.ownTiming?.mode === 'own';
  // Under own timing the model's plan says nothing about the design: its columns give way to the RTL's own figures.
  const rtlTotal = own ? r.layers.reduce((n, l) => n + (l.rtlTiming?.latency ?? 0), 0) : 0;
  const t = new Table({
    head: ['#', 'layer', 'out', ...(own ? [] : ['util']), ...pairNames.map(shortPair), own ? 'rtl latency' : 'latency share', ...(beatEngine ? [`first (${beatEngine})`, 'last beat'] : []), ...(own ? ['row every', 'allowed', 'slack'] : [])],
    ...PLAIN,
    colAligns: ['right', 'left', 'right', ...(own ? [] : ['right' as const]), ...pairNames.map(() => 'right' as const), 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const l of r.layers) {
    const tm = beatEngine ? l.timing[beatEngine] : undefined;
    const share = r.latency.perLayer.find((x) => x.layer === l.index);
    const rt = l.rtlTiming;
    t.push([
      l.index, l.name, l.shape.join('x'), ...(own ? [] : [`${(l.plan.utilization * 100).toFixed(1)}%`]),
      ...pairNames.map((n) => tint(cell(l.pairs.find((p) => pairName(p) === n)))),
      own ? (rt?.latency != null ? `${rt.latency} (${((100 * rt.latency) / Math.max(1, rtlTotal)).toFixed(1)}%)` : '-') : share ? `${share.cycles} (${share.percent.toFixed(1)}%)` : '-',
      ...(beatEngine ? [tm?.firstBeatCycle ?? '-', tm?.lastBeatCycle ?? '-'] : []),
      ...(own ? [rt?.rowInterval?.toFixed(1) ?? '-', rt?.allowedRowInterval ?? '-', rt?.slack != null ? `${(rt.slack * 100).toFixed(0)}%` : '-'] : []),
    ]);
  }
  lines.push(t.toString());
  lines.push(`columns: ${pairNames.map((n) => `${shortPair(n)} = ${n}`).join(', ')}; ${own ? 'rtl latency: from the layer\'s input to its own last beat, worst frame' : 'util and latency share: rowsim\'s plan and model'}${beatEngine ? `; first/last beat: frame 0, ${beatEngine}` : ''}${own ? '; row every: the rtl\'s steady-state output-row interval (cycles) beside what the row rate allows; slack: how much faster its back-to-back rows are' : ''}`);
  for (const l of r.layers) for (const p of l.pairs) if (p.status === 'differ') lines.push(`${chalk.red('MISMATCH')} ${describeFirst(l, p)}`);
  for (const f of r.failures) lines.push(`${chalk.red('FAILURE')} ${f.engine} ${f.code}: ${f.message}`);
  for (const f of r.ownTiming?.failures ?? []) lines.push(`${chalk.red('TIMING')} ${f.kind}: ${f.message}`);
  for (const f of r.ownTiming?.notes ?? []) lines.push(`${chalk.yellow('note')} ${f.kind} (information under ${r.ownTiming!.mode} timing): ${f.message}`);
  const unobserved = r.layers.filter((l) => l.pairs.some((p) => p.status === 'not compared' && p.kind === 'bits'));
  if (unobserved.length) lines.push(`not compared: layer(s) ${unobserved.map((l) => l.index).join(', ')} (${unobserved[0]!.pairs.find((p) => p.status === 'not compared')!.reason}); the next observed layer covers them`);
  const acc = r.layers.filter((l) => l.accuracy);
  if (acc.length) lines.push(`float reference (tf.conv2d) vs exact golden, median ULP per layer: ${acc.map((l) => l.accuracy!.floatVsExact.medianUlp).join(' ')} (information, not pass/fail)`);
  const L = r.latency;
  lines.push(`latency (last input pixel → last output beat): ${L.cycles} cycles = ${L.ms.toFixed(6)} ms${r.config === 'ie120r' ? ` (published IE120R: ${L.publishedIe120rMs} ms)` : ''}${L.rtlCycles !== null ? `; rtl measured ${L.rtlCycles} cycles` : ''}`);
  const top3 = [...L.perLayer].sort((a, b) => b.cycles - a.cycles).slice(0, 3);
  if (top3.length) lines.push(`latency share: each layer's cycles along the critical chain (wait + compute + drain, summing to the total); largest: ${top3.map((x) => `${x.name} ${x.cycles} cycles = ${x.us} µs (${x.percent}%)`).join(', ')}`);
  if (L.perFrameCycles.length > 1) lines.push(`per frame: ${L.perFrameCycles.length <= 8 ? L.perFrameCycles.join(', ') : `${L.perFrameCycles.slice(0, 8).join(', ')}, …`} cycles; steady frame interval ${L.steadyIntervalCycles} cycles`);
  const rtlLat = L.measured.rtl;
  const ns = (c: number) => `${((c * (r.ownTiming?.periodPs ?? 0)) / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} ns`;
  if (rtlLat && rtlLat.length > 1) lines.push(`rtl per frame: ${rtlLat.slice(0, 8).map((v) => (v === null ? 'missing' : `${v} (${ns(v)})`)).join(', ')}${rtlLat.length > 8 ? ', …' : ''} cycles${r.ownTiming?.frameIntervalCycles ? `; steady frame interval ${r.ownTiming.frameIntervalCycles} cycles = ${ns(r.ownTiming.frameIntervalCycles)} (${r.ownTiming.frameRateHz} frames/s)` : ''}`);
  const mem = r.memory.samples;
  if (mem.length > 1) lines.push(`memory (rowsim's resident set as frames were compared): ${memoryText(mem)}; peak ${r.memory.peakMiB} MiB`);
  lines.push(`totals${own ? " (rowsim's plan for this spec, not the design's)" : ''}: ${r.totals.alus} ALUs, ${r.totals.weightBits} weight bits, ${r.totals.rowBufferBits} row-buffer bits${r.totals.partialSumBits ? `, ${r.totals.partialSumBits} partial-sum bits` : ''}`);
  if (r.coverage) lines.push(...coverageLines(r.coverage));
  if (r.timings) lines.push(`time: ${timingText(r.timings)}; peak memory ${r.memory.peakMiB} MiB`);
  lines.push(r.pass === true ? chalk.green(r.summary) : r.pass === null ? chalk.yellow(r.summary) : chalk.red(r.summary));
  return lines.join('\n');
}

/** Renders the plan as a fixed-width table with each layer's latency share (used by `simrun plan`). */
export function formatPlanTable(net: NetworkSpec, plan: NetworkPlan, shares: readonly LatencyShare[]): string {
  // Kernel-row passes add two columns: the passes of each row and the partial-sum memory they keep.
  const passes = net.partialSums === true || plan.layers.some((p) => p.passes > 1);
  const cols = (row: (string | number)[], pass: string | number, psum: string | number) => (passes ? [...row.slice(0, 5), pass, ...row.slice(5, 11), psum, ...row.slice(11)] : row);
  const head = cols(['#', 'layer', 'out HxWxC', 'strips', 'ocmux', 'cyc/row', 'avail', 'util', 'ALUs', 'w bits', 'buf bits', 'latency', 'µs', '%'], 'passes', 'psum bits');
  const t = new Table({
    head: head.map(String),
    ...PLAIN,
    colAligns: head.map((_, i) => (i === 1 ? 'left' : 'right')),
  });
  for (const l of net.layers) {
    const p = plan.layers[l.index - 1]!;
    const s = shares[l.index - 1]!;
    t.push(cols([l.index, l.name, `${l.outH}x${l.outW}x${l.outC}`, p.strips, p.ocmux, p.busyCycles, p.cyclesAvailable, `${(p.utilization * 100).toFixed(1)}%`, p.alus, p.weightBits, p.rowBufferBits, s.cycles, s.us.toFixed(3), s.percent.toFixed(1)], p.passes, p.partialSumBits));
  }
  const tt = plan.totals;
  const cycles = shares.reduce((a, x) => a + x.cycles, 0);
  t.push(cols(['', 'total', '', '', '', '', '', '', tt.alus, tt.weightBits, tt.rowBufferBits, cycles, ((cycles / net.clockHz) * 1e6).toFixed(3), '100.0'], '', tt.partialSumBits));
  const ms = (cycles / net.clockHz) * 1000;
  const paced = plan.layers.some((p) => p.minRowGap > 0) ? `\nrows paced (rowPacing ${net.rowPacing}): each layer starts a row at least ⌊${net.rowPacing}·avail⌋ cycles after the previous; cyc/row and util count the ALUs' busy cycles` : '';
  const buffers = buffersFromSchedule(net) ? `\nrow buffers sized to the steady state's high-water mark ${net.rowBuffers === 'in-period' ? 'under any pacing that keeps rows inside their periods (jitter included)' : 'under uniform pacing'}: ${plan.layers.map((p) => p.bufferRows).join(', ')} rows` : '';
  return `${t.toString()}${paced}${buffers}\nlatency (last input pixel → last output beat): ${cycles} cycles = ${ms.toFixed(6)} ms at ${net.clockHz / 1e6} MHz${net.name === 'ie120r' || net.name === 'ie120r-published' ? ' (published IE120R: 11.572740 ms with 3960 ALUs)' : ''}
w bits, buf bits: weight ROM and row-buffer bits${passes ? '; passes: kernel-row passes per output row (partial sums kept between them in psum bits)' : ''}; latency: each layer's cycles, its share along the critical chain (waiting for its input row or busy ALUs, computing the last row's slots, draining its beats); the shares sum to the total`;
}
