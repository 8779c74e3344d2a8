// Own-timing checks of a design's beats, frame by frame (memory flat in frames): every (row, col, group) exactly once per
// frame, the end-of-frame and AXI4-Stream framing flags, each tapped layer keeping up with its row rate, a constant
// frame latency, and latency budgets. Pure over beat blocks and input arrivals; the report turns its findings into
// verdicts. Invariant: a finding always names its layer (0 = the whole design) and puts the measured figure beside the
// limit it broke.
import { FLAG_TLAST, FLAG_TUSER } from '../core/beatLog.js';
import type { RowArrivals } from '../sim/timing.js';
import { neededInputRow } from '../sim/timing.js';
import type { LayerSpec, NetworkSpec } from '../core/spec.js';
import type { BeatBlock, StreamLayout } from '../core/stream.js';

/** What an own-timing finding is about. */
export type OwnCheckKind = 'duplicate' | 'stray' | 'missing' | 'last' | 'axis' | 'rate' | 'latency' | 'budget';

/** One broken rule, with the figure that broke it. */
export interface OwnFinding {
  readonly kind: OwnCheckKind;
  /** 1-based layer, or 0 for the whole design. */
  readonly layer: number;
  readonly message: string;
  readonly frame?: number;
  readonly cycle?: number;
  readonly measured?: number;
  readonly limit?: number;
}

/** Latency budgets in cycles: the whole design's and per layer (from the layer's input to its own last beat). */
export interface LatencyBudgets {
  readonly total?: number;
  readonly layers: ReadonlyMap<number, number>;
}

/** One observed layer's timing as the design kept it. */
export interface OwnLayerTiming {
  readonly layer: number;
  /** Cycles the row rate allows per output row. */
  readonly allowedRowInterval: number;
  /** Steady-state output-row interval: the allowed interval plus the lateness the layer gathered per row (≥ 2 frames). */
  readonly rowInterval: number | null;
  /** The shortest interval between two rows the layer computed back to back (its own pace when busy), if seen. */
  readonly busyRowInterval: number | null;
  /** 1 − busyRowInterval / allowed: how much faster than the row rate the layer can go (null if never busy). */
  readonly slack: number | null;
  /** The worst frame's cycles from the layer's input (previous observed layer, or the input) to its last beat. */
  readonly latency: number | null;
}

/** The checker's result. */
export interface OwnTimingResult {
  readonly findings: readonly OwnFinding[];
  readonly layers: readonly OwnLayerTiming[];
  /** Steady-state frame interval: (t_last − t_first)/(N − 1) over the last layer's final beats, or null (one frame). */
  readonly frameInterval: number | null;
  /**
   * Whether the rules that need two complete frames ran: every observed layer's steady-state row rate and a constant
   * frame latency. With one frame only each layer's back-to-back pace stands in for its rate.
   */
  readonly steadyStateChecked: boolean;
}

/** How to judge. */
export interface OwnTimingOptions {
  /** Every observed layer (1-based, ascending; the last layer always), with the stream layout it delivers. */
  readonly observed: readonly { readonly layer: number; readonly layout: StreamLayout; readonly last: boolean; readonly axis: { readonly tuser: boolean; readonly tlast: boolean } | null }[];
  /** Input rows of frame f in compute cycles (first and last pixel of each row). */
  readonly inputRows: (f: number) => RowArrivals;
  /** Whether the input pacing is uniform (then the latency must be exactly constant). */
  readonly uniform: boolean;
  /** How far frame latencies may spread under a non-uniform pacing. */
  readonly latencySpread: number;
  readonly budgets: LatencyBudgets;
  /** Cycles the row rate allows per output row, per layer (index = layer − 1). */
  readonly allowed: readonly number[];
}

/** Findings kept per kind and layer (the first few say where; the count says how many). */
const KEEP = 3;

interface LayerState {
  readonly spec: LayerSpec;
  readonly layout: StreamLayout;
  readonly checkLast: boolean;
  readonly axis: { readonly tuser: boolean; readonly tlast: boolean } | null;
  /** The observed layer this one's readiness is read from (0 = the input), and for each row the row of it needed. */
  readonly from: number;
  readonly need: Int32Array;
  readonly allowed: number;
  idealPrev: number;
  meanLateFirst: number | null;
  meanLateLast: number | null;
  framesMeasured: number;
  busy: number | null;
  worstLatency: number | null;
  /** This layer's latency in its first measured frame, and the first frame whose latency differed from it by more than the spread. */
  firstLatency: { readonly frame: number; readonly latency: number } | null;
  latencyChange: { readonly frame: number; readonly latency: number } | null;
  /** This frame's row completions (the next observed layer reads them). */
  rowDone: Float64Array;
}

/** The checker: feed it every frame's beats in order, then read the result. */
export class OwnTimingChecker {
  private readonly states = new Map<number, LayerState>();
  private readonly counts = new Map<string, number>();
  private readonly findings: OwnFinding[] = [];
  private firstLatency: number | null = null;
  private firstFinal: number | null = null;
  private lastFinal: number | null = null;
  private finals = 0;

  constructor(private readonly net: NetworkSpec, private readonly o: OwnTimingOptions) {
    let from = 0;
    for (const ob of o.observed) {
      const l = net.layers[ob.layer - 1]!;
      const need = new Int32Array(l.outH);
      for (let r = 0; r < l.outH; r++) {
        let q = r;
        for (let j = ob.layer; j > from; j--) q = neededInputRow(net.layers[j - 1]!, q);
        need[r] = q;
      }
      this.states.set(ob.layer, {
        spec: l, layout: ob.layout, checkLast: ob.last, axis: ob.axis, from, need, allowed: o.allowed[ob.layer - 1]!,
        idealPrev: -Infinity, meanLateFirst: null, meanLateLast: null, framesMeasured: 0, busy: null, worstLatency: null,
        firstLatency: null, latencyChange: null, rowDone: new Float64Array(l.outH),
      });
      from = ob.layer;
    }
  }

  private find(f: OwnFinding): void {
    const key = `${f.kind}:${f.layer}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    if (n <= KEEP) this.findings.push(f);
  }

  /** Checks frame f: `beats[i]` is layer i+1's block (null where not observed). */
  frame(f: number, beats: readonly (BeatBlock | null)[]): void {
    const input = this.o.inputRows(f);
    let upstreamDone: Float64Array = input.last;
    let upstreamLast = input.last[input.last.length - 1]!;
    for (const [layer, s] of this.states) {
      const b = beats[layer - 1];
      const complete = b ? this.coverage(f, s, b) : false;
      const last = b && b.count ? maxCycle(b) : null;
      if (b && complete) {
        this.rows(f, s, b, upstreamDone);
        this.flags(f, s, b);
      }
      if (last !== null && complete) {
        const lat = last - upstreamLast;
        if (s.worstLatency === null || lat > s.worstLatency) s.worstLatency = lat;
        // Measured only against a complete upstream frame (NaN otherwise): a change is then this span's own.
        if (Number.isFinite(lat)) {
          const first = (s.firstLatency ??= { frame: f, latency: lat });
          if (s.latencyChange === null && Math.abs(lat - first.latency) > this.latencyBound()) s.latencyChange = { frame: f, latency: lat };
        }
        const budget = this.o.budgets.layers.get(layer);
        if (budget !== undefined && lat > budget) {
          this.find({ kind: 'budget', layer, frame: f, measured: lat, limit: budget, message: `layer ${layer} took ${lat} cycles from its input's last beat to its own in frame ${f}, over its budget of ${budget}` });
        }
      }
      upstreamDone = complete ? s.rowDone : new Float64Array(s.spec.outH).fill(NaN);
      upstreamLast = complete && last !== null ? last : NaN;
    }
    this.frameLatency(f, beats, input);
  }

  /** Every (row, col, group) exactly once; returns whether the frame's beats are complete and in range. */
  private coverage(f: number, s: LayerState, b: BeatBlock): boolean {
    const { outH, outW, index } = s.spec;
    const G = s.layout.groups;
    const seen = new Uint8Array(outH * outW * G);
    let dup = 0, stray = 0;
    for (let i = 0; i < b.count; i++) {
      const r = b.row[i]!, c = b.col[i]!, g = b.group[i]!;
      if (r < 0 || r >= outH || c < 0 || c >= outW || g < 0 || g >= G) {
        if (!stray++) this.find({ kind: 'stray', layer: index, frame: f, cycle: b.cycle[i]!, message: `layer ${index} frame ${f}: a beat at cycle ${b.cycle[i]} names row ${r} col ${c} group ${g}, outside the layer's ${outH}x${outW} output with ${G} group(s)` });
        continue;
      }
      const k = (r * outW + c) * G + g;
      if (seen[k]) {
        if (!dup++) this.find({ kind: 'duplicate', layer: index, frame: f, cycle: b.cycle[i]!, message: `layer ${index} frame ${f}: row ${r} col ${c} group ${g} arrives a second time, at cycle ${b.cycle[i]}` });
      }
      seen[k] = 1;
    }
    const missing = seen.length - seen.reduce((a, x) => a + x, 0);
    if (missing) {
      const k = seen.indexOf(0);
      const g = k % G, pix = (k - g) / G;
      this.find({ kind: 'missing', layer: index, frame: f, measured: missing, message: `layer ${index} frame ${f}: ${missing} of ${seen.length} (row, col, group) never arrive, the first row ${Math.floor(pix / outW)} col ${pix % outW} group ${g}` });
    }
    return !missing && !dup && !stray;
  }

  /** Row completions, lateness against an ideal server at the allowed row interval, and the layer's busy pace. */
  private rows(f: number, s: LayerState, b: BeatBlock, upstream: Float64Array): void {
    const done = s.rowDone.fill(-Infinity);
    for (let i = 0; i < b.count; i++) if (b.cycle[i]! > done[b.row[i]!]!) done[b.row[i]!] = b.cycle[i]!;
    let sumLate = 0;
    let ok = true;
    for (let r = 0; r < done.length; r++) {
      const ready = upstream[s.need[r]!]!;
      if (!Number.isFinite(ready)) ok = false;
      // The ideal server finishes rows no faster than the allowed interval, never before they are ready: a layer that
      // keeps up stays a bounded distance behind it; one that is slower drifts further behind with every row.
      const ideal = Math.max(ready, s.idealPrev + s.allowed);
      s.idealPrev = ideal;
      sumLate += done[r]! - ideal;
      const prev = r > 0 ? done[r - 1]! : -Infinity;
      if (r > 0 && ready <= prev) {
        const gap = done[r]! - prev;
        if (s.busy === null || gap < s.busy) s.busy = gap;
      }
    }
    if (!ok) return;
    const mean = sumLate / done.length;
    if (s.meanLateFirst === null) s.meanLateFirst = mean;
    s.meanLateLast = mean;
    s.framesMeasured++;
  }

  /** The end-of-frame flag on exactly the final beat; AXI4-Stream tuser on the first beat, tlast on each line's last. */
  private flags(f: number, s: LayerState, b: BeatBlock): void {
    const { index, outW } = s.spec;
    if (s.checkLast && b.last) {
      for (let i = 0; i < b.count; i++) {
        const want = i === b.count - 1 ? 1 : 0;
        if (b.last[i] !== want) {
          this.find({ kind: 'last', layer: index, frame: f, cycle: b.cycle[i]!, message: `layer ${index} frame ${f}: the end-of-frame flag is ${want ? 'low on the frame\'s final beat' : `high on beat ${i} of ${b.count}`} (cycle ${b.cycle[i]})` });
          break;
        }
      }
    }
    if (s.axis && b.axis) {
      const G = s.layout.groups;
      for (let i = 0; i < b.count; i++) {
        const user = (b.axis[i]! & FLAG_TUSER) !== 0, eol = (b.axis[i]! & FLAG_TLAST) !== 0;
        const wantUser = i === 0, wantEol = b.col[i] === outW - 1 && b.group[i] === G - 1;
        if ((s.axis.tuser && user !== wantUser) || (s.axis.tlast && eol !== wantEol)) {
          const what = s.axis.tuser && user !== wantUser ? `tuser (start of frame) is ${user ? 'high' : 'low'}` : `tlast (end of line) is ${eol ? 'high' : 'low'}`;
          this.find({ kind: 'axis', layer: index, frame: f, cycle: b.cycle[i]!, message: `layer ${index} frame ${f}: ${what} on beat ${i} (row ${b.row[i]} col ${b.col[i]} group ${b.group[i]}) at cycle ${b.cycle[i]}` });
          break;
        }
      }
    }
  }

  /** The whole design's latency of frame f: the last layer's final beat − the frame's last input pixel. */
  private frameLatency(f: number, beats: readonly (BeatBlock | null)[], input: RowArrivals): void {
    const L = this.net.layers.length;
    const b = beats[L - 1];
    const s = this.states.get(L)!;
    if (!b || b.count !== s.spec.outH * s.spec.outW * s.layout.groups) return;
    const last = maxCycle(b);
    const lat = last - input.last[input.last.length - 1]!;
    if (this.firstFinal === null) this.firstFinal = last;
    this.lastFinal = last;
    this.finals++;
    const first = (this.firstLatency ??= lat);
    const spread = Math.abs(lat - first);
    const bound = this.latencyBound();
    if (spread > bound) {
      this.find({ kind: 'latency', layer: 0, frame: f, measured: lat, limit: first, message: `the frame latency is not constant: frame ${f} takes ${lat} cycles, frame 0 ${first} (${this.o.uniform ? 'uniform pacing: they must be equal' : `allowed spread under this pacing: ${bound}`})${this.latencySource(f)}` });
    }
    if (this.o.budgets.total !== undefined && lat > this.o.budgets.total) {
      this.find({ kind: 'budget', layer: 0, frame: f, measured: lat, limit: this.o.budgets.total, message: `frame ${f}'s latency is ${lat} cycles, over the budget of ${this.o.budgets.total}` });
    }
  }

  /** How far a frame's latency may differ from frame 0's: not at all under uniform pacing. */
  private latencyBound(): number {
    return this.o.uniform ? 0 : this.o.latencySpread;
  }

  /** Where a latency change of frame f first shows: the first observed layer whose own latency changed by then. */
  private latencySource(f: number): string {
    for (const [layer, s] of this.states) {
      const c = s.latencyChange, first = s.firstLatency;
      // With untapped layers before it, the span from the previous tapped layer's last beat is all that is seen.
      const where = s.from < layer - 1 ? `layers ${s.from + 1}–${layer} (only layer ${layer} is tapped)` : `layer ${layer}`;
      if (c && first && c.frame <= f) return `; it first changes in ${where}, from its input to its last beat: ${first.latency} cycles in frame ${first.frame}, ${c.latency} in frame ${c.frame}`;
    }
    return '';
  }

  /** The findings (with counts folded into the messages) and each observed layer's timing. */
  result(): OwnTimingResult {
    const layers: OwnLayerTiming[] = [];
    for (const [layer, s] of this.states) {
      let rowInterval: number | null = null;
      if (s.framesMeasured >= 2 && s.meanLateFirst !== null && s.meanLateLast !== null) {
        const growth = s.meanLateLast - s.meanLateFirst;
        rowInterval = s.allowed + growth / ((s.framesMeasured - 1) * s.spec.outH);
        // Under uniform pacing a layer that keeps up repeats itself frame after frame; allow a quarter of a row for a
        // start-up transient. Other pacings move rows by up to a row period, so allow one.
        const tolerance = this.o.uniform ? s.allowed / 4 : s.allowed;
        if (growth > tolerance) {
          const pct = ((rowInterval / s.allowed - 1) * 100).toFixed(1);
          this.find({
            kind: 'rate', layer, measured: Number(rowInterval.toFixed(2)), limit: s.allowed,
            message: `layer ${layer} does not keep up with the row rate: it delivers an output row every ${rowInterval.toFixed(1)} cycles in steady state, the row rate allows ${s.allowed} (${pct} % too slow; it fell ${growth.toFixed(0)} cycles further behind over ${s.framesMeasured} frames)`,
          });
        }
      }
      // One frame shows no drift; what it does show is the pace of rows computed back to back. A row may take longer
      // than the allowed interval where a layer has fewer rows than the frame has row periods (it catches up between
      // frames), but not longer than its share of a frame period: rows that slow cannot all fit in one.
      const frameShare = Math.floor((this.net.input.height * this.net.rowPeriod) / s.spec.outH);
      if (s.framesMeasured < 2 && s.busy !== null && s.busy > frameShare) {
        const pct = ((s.busy / frameShare - 1) * 100).toFixed(1);
        this.find({
          kind: 'rate', layer, measured: s.busy, limit: frameShare,
          message: `layer ${layer} does not keep up with the row rate: computing rows back to back it delivers one every ${s.busy} cycles, and its ${s.spec.outH} rows fit a frame period (${this.net.input.height * this.net.rowPeriod} cycles) only at ${frameShare} or fewer each (${pct} % too slow; one frame seen, --frames 2 or more measures its steady-state rate)`,
        });
      }
      layers.push({
        layer, allowedRowInterval: s.allowed, rowInterval: rowInterval === null ? null : Number(rowInterval.toFixed(2)),
        busyRowInterval: s.busy, slack: s.busy === null ? null : Number((1 - s.busy / s.allowed).toFixed(4)), latency: s.worstLatency,
      });
    }
    const findings = this.findings.map((f) => {
      const n = this.counts.get(`${f.kind}:${f.layer}`)!;
      return n > KEEP && this.findings.filter((x) => x.kind === f.kind && x.layer === f.layer)[0] === f ? { ...f, message: `${f.message} (${n} times in the run)` } : f;
    });
    const frameInterval = this.finals >= 2 ? (this.lastFinal! - this.firstFinal!) / (this.finals - 1) : null;
    const steadyStateChecked = this.finals >= 2 && [...this.states.values()].every((s) => s.framesMeasured >= 2);
    return { findings, layers, frameInterval, steadyStateChecked };
  }
}

/** The largest cycle of a block (beats need not be in cycle order in every engine). */
function maxCycle(b: BeatBlock): number {
  let m = -Infinity;
  for (let i = 0; i < b.count; i++) if (b.cycle[i]! > m) m = b.cycle[i]!;
  return m;
}

/**
 * What a passing own-timing run has shown. One frame cannot show a steady-state rate or a constant latency, so then the
 * verdict says what stood in for the rate and what was not checked.
 */
export function ownTimingClaim(steadyStateChecked: boolean): string {
  return steadyStateChecked
    ? 'every tapped layer keeps up with the row rate and the latency is constant'
    : 'in one frame no tapped layer computed rows back to back too slowly for its rows to fit a frame period; the steady-state rate and a constant latency need --frames 2 or more and were not checked';
}
