// Event-driven timing of the row-streaming pipeline: per layer, when each output row starts and when each beat leaves.
// Pure integer arithmetic over rows and beats (never over idle cycles), frame by frame from the actual arrival of every
// row; frames stream back to back without reset. Memory per layer is a few frames of rows, whatever the run's length.
import { SimrunError } from '../core/errors.js';
import type { LayerPlan } from '../core/plan.js';
import type { LayerSpec } from '../core/spec.js';
import { allocBeats, type BeatBlock } from '../core/stream.js';
import { slotAt, slotsPerRow } from '../core/timingModel.js';

/** First and last beat cycle of every row of one frame of a stream. */
export interface RowArrivals {
  readonly first: Float64Array;
  readonly last: Float64Array;
}

/** One layer's timing for one frame. */
export interface LayerFrameTiming {
  readonly beats: BeatBlock;
  /** Output row arrivals: the next layer's input. */
  readonly rows: RowArrivals;
  /** Cycle each output row started its first MAC, and and when the next row may start. */
  readonly rowStart: Float64Array;
  readonly rowEnd: Float64Array;
  /** Cycle each output row's window was complete (its last needed input row in, plus the start latency). */
  readonly rowReady: Float64Array;
  /** With kernel-row passes: when pass (r, ky) started, at r·K + ky (rowStart is the last pass's). */
  readonly passStart?: Float64Array;
}

/** The model's own timing faults (from --inject aimed at sim). */
export interface TimingFaults {
  /** Beat index (from the start of the run) → extra cycles. */
  readonly delays: ReadonlyMap<number, number>;
  /** Extra cycles before each input row counts as arrived. */
  readonly stall: number;
}

/** The last input row output row r needs: min(r·S − P + K − 1, inH − 1). */
export function neededInputRow(l: LayerSpec, r: number): number {
  return Math.min(r * l.stride - l.pad + l.kernel - 1, l.inH - 1);
}

/** Cycles from a row's start to the first beat of its last slot (position-major) or of the row (strip-major). */
function lastSlotBeatOffset(p: LayerPlan): number {
  return (slotsPerRow(p) - 1) * p.slotInterval + p.taps + p.beatDelay;
}

/** Cycles from a row's start to its first beat. */
export function firstBeatOffset(p: LayerPlan): number {
  return p.beatOrder === 'position-major' ? p.taps + p.beatDelay : lastSlotBeatOffset(p);
}

/** Cycles from a row's start to its last beat. */
function lastBeatOffset(l: LayerSpec, p: LayerPlan): number {
  if (p.beatOrder === 'strip-major') return lastSlotBeatOffset(p) + l.outW * p.ocmux - 1;
  // The last slot (pos colsPerStrip−1, group ocmux−1, in either group order) always has strip 0 valid; its last valid
  // strip is this one.
  const lastStrip = Math.floor(l.outW / p.colsPerStrip) - 1;
  return lastSlotBeatOffset(p) + Math.max(0, lastStrip);
}

/** One frame's row-level schedule of a layer. */
export interface FrameRows {
  /** Per output row: when its (last) pass started, when the ALUs were free again, when its window was complete. */
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly ready: Float64Array;
  /** Per output row: its first and last beat. */
  readonly first: Float64Array;
  readonly last: Float64Array;
  /** Per input row: until when the layer still reads it (−Infinity for a row it never reads). */
  readonly release: Float64Array;
  /** With kernel-row passes: when pass (r, ky) started, at r·K + ky. */
  readonly passStart?: Float64Array;
  /** When the ALUs are free after the frame (carried into the next). */
  readonly freeAt: number;
}

/**
 * One frame's kernel-row passes in the order a layer runs them: by the input row v they read (from −P: padding rows
 * first and last), then by output row, so that a row's passes run ky = 0..K−1 in the contract's order and a group's
 * oldest row (its last pass) finishes first. `v` is the padded row index r·S − P + ky.
 */
export function passOrder(l: LayerSpec): { r: number; ky: number; v: number }[] {
  const order: { r: number; ky: number; v: number }[] = [];
  const vMax = (l.outH - 1) * l.stride - l.pad + l.kernel - 1;
  for (let v = 0 - l.pad; v <= vMax; v++) {   // 0 − pad: never −0
    for (let r = Math.max(0, Math.ceil((v + l.pad - l.kernel + 1) / l.stride)); r < l.outH && r * l.stride <= v + l.pad; r++) {
      order.push({ r, ky: v + l.pad - r * l.stride, v });
    }
  }
  return order;
}

/** A frame's per-row results being filled in: `row` records output row r's (last) pass. */
class FrameRowsBuilder {
  readonly a: Pick<FrameRows, 'start' | 'end' | 'ready' | 'first' | 'last' | 'release'>;
  private readonly firstOffset: number;
  private readonly lastOffset: number;

  constructor(l: LayerSpec, p: LayerPlan) {
    const perRow = () => new Float64Array(l.outH);
    this.a = { start: perRow(), end: perRow(), ready: perRow(), first: perRow(), last: perRow(), release: new Float64Array(l.inH).fill(-Infinity) };
    this.firstOffset = firstBeatOffset(p);
    this.lastOffset = lastBeatOffset(l, p);
  }

  /** Row r was ready at `ready`, started (its last pass) at `t` and freed the ALUs at `free`. */
  row(r: number, ready: number, t: number, free: number): void {
    const a = this.a;
    a.ready[r] = ready;
    a.start[r] = t;
    a.end[r] = free;
    a.first[r] = t + this.firstOffset;
    a.last[r] = t + this.lastOffset;
  }

  done(freeAt: number, passStart?: Float64Array): FrameRows {
    return { ...this.a, freeAt, ...(passStart ? { passStart } : {}) };
  }
}

/**
 * Row-level schedule of one frame (cost grows with rows only). Output row r starts when its last needed input row has
 * fully arrived (+ start latency + any stall) and the previous row has freed the ALUs (`freeAt`, carried across frames).
 * With kernel-row passes, each pass starts once the one input row it reads is in (schedulePasses).
 */
export function scheduleFrameRows(l: LayerSpec, p: LayerPlan, input: RowArrivals, freeAt: number, stall = 0): FrameRows {
  if (p.passes > 1) return schedulePasses(l, p, input, freeAt, stall);
  const rows = new FrameRowsBuilder(l, p);
  for (let r = 0; r < l.outH; r++) {
    const rd = input.last[neededInputRow(l, r)]! + p.startLatency + stall;
    const t = Math.max(rd, freeAt);
    // The next row may start a row interval later (the pacing's gap when that is longer). A row's input rows count as
    // held until then too: with a smaller hold the emitted RTL under jitter left the model's cycles (left for later).
    freeAt = t + p.cyclesPerRow;
    rows.row(r, rd, t, freeAt);
    for (let q = Math.max(0, r * l.stride - l.pad); q <= neededInputRow(l, r); q++) rows.a.release[q] = freeAt;
  }
  return rows.done(freeAt);
}

/**
 * The schedule of a layer that runs kernel-row passes: pass (r, ky) reads input row v = r·S − P + ky alone, and starts
 * once that row is in (+ start latency + any stall; a padding row above or below counts as row 0 or the last row) and
 * the previous pass has freed the ALUs. A pass takes the row's slots once over; the row's beats leave in its last pass,
 * just as a one-pass row's do, so the row's start is its last pass's start.
 */
function schedulePasses(l: LayerSpec, p: LayerPlan, input: RowArrivals, freeAt: number, stall: number): FrameRows {
  const rows = new FrameRowsBuilder(l, p);
  const sweep = slotsPerRow(p) * p.slotInterval + p.rowTurnaround;
  const passStart = new Float64Array(l.outH * l.kernel);
  for (const { r, ky, v } of passOrder(l)) {
    const rd = input.last[Math.min(Math.max(v, 0), l.inH - 1)]! + p.startLatency + stall;
    const t = Math.max(rd, freeAt);
    freeAt = t + sweep;
    passStart[r * l.kernel + ky] = t;
    if (v >= 0 && v < l.inH) rows.a.release[v] = freeAt;
    if (ky === l.kernel - 1) rows.row(r, rd, t, freeAt);
  }
  return rows.done(freeAt, passStart);
}

/**
 * The circular row buffer of one layer across frames. Input row j's first beat overwrites row j − bufferRows, which
 * must no longer be needed by any output row still computing; otherwise the design would read overwritten data.
 */
class RowBufferCheck {
  /** When recent frames' input rows are last read (frame → release), enough to look back bufferRows input rows. */
  private readonly releases = new Map<number, Float64Array>();
  private oldest = 0;
  high = 0;

  /**
   * `slack`: a row counts as held until `slack` cycles after its last reader ends (0 for a run). Sizing for every pacing
   * that keeps rows inside their periods uses the period's spare cycles here (schedule.ts steadyStateHighWater).
   */
  constructor(private readonly l: LayerSpec, private readonly rows: number, private readonly slack = 0) {}

  /** Checks frame f's input rows against every read scheduled so far (frames ≤ f); `release` is frame f's. */
  frame(f: number, inputFirst: Float64Array, release: Float64Array): void {
    const { inH } = this.l;
    this.releases.set(f, release);
    for (let i = 0; i < inH; i++) {
      const j = f * inH + i;
      const arrive = inputFirst[i]!;
      while (this.oldest < j) {
        const held = this.releases.get(Math.floor(this.oldest / inH))![this.oldest % inH]!;
        if (held + this.slack > arrive) break;
        this.oldest++;
      }
      const held = j - this.oldest + 1;
      if (held > this.high) this.high = held;
      if (held > this.rows) {
        throw new SimrunError(
          'SIM_BUFFER_OVERFLOW',
          `layer ${this.l.index} '${this.l.name}': input row ${i} of frame ${f} arrives at cycle ${arrive} while ${held - 1} older rows are still needed; its ${this.rows}-row buffer is too small for this plan and pacing`,
          { layer: this.l.index, row: i, cycle: arrive },
        );
      }
    }
    // Keep only the frames the oldest still-needed row can belong to.
    for (const k of this.releases.keys()) if (k < Math.floor(this.oldest / inH)) this.releases.delete(k);
  }
}

/** One layer's timing, fed frame by frame. */
export class LayerScheduler {
  private freeAt = 0;
  private beatIndex = 0;
  private readonly buffer: RowBufferCheck;

  /**
   * `checkBuffers` false skips the row-buffer check (for expectations of a run whose overflow is reported elsewhere);
   * `bufferSlack` widens every row's hold (RowBufferCheck), for sizing only.
   */
  constructor(private readonly l: LayerSpec, private readonly p: LayerPlan, private readonly faults?: TimingFaults, private readonly checkBuffers = true, bufferSlack = 0) {
    this.buffer = new RowBufferCheck(l, p.bufferRows, bufferSlack);
  }

  /** Most input rows held at once so far (must stay ≤ plan.bufferRows). */
  get bufferHighWater(): number {
    return this.buffer.high;
  }

  /** Schedules frame f given when its input rows arrive; beats are enumerated when `withBeats`. */
  frame(f: number, input: RowArrivals, withBeats = true): LayerFrameTiming {
    const { l, p } = this;
    const rows = scheduleFrameRows(l, p, input, this.freeAt, this.faults?.stall ?? 0);
    this.freeAt = rows.freeAt;
    if (this.checkBuffers) this.buffer.frame(f, input.first, rows.release);
    const perFrame = l.outH * l.outW * p.ocmux;
    if (!withBeats) {
      this.beatIndex += perFrame;
      return { beats: allocBeats(0, p.lanes, false), rows: { first: rows.first, last: rows.last }, rowStart: rows.start, rowEnd: rows.end, rowReady: rows.ready, ...(rows.passStart ? { passStart: rows.passStart } : {}) };
    }
    const beats = allocBeats(perFrame, p.lanes, false, true);
    const rowFirst = new Float64Array(l.outH);
    const rowLast = new Float64Array(l.outH);
    const delays = this.faults?.delays;
    let n = 0;
    const slots = slotsPerRow(p);
    const emit = (cycle: number, r: number, col: number, g: number) => {
      if (delays) cycle += delays.get(this.beatIndex + n) ?? 0;
      beats.cycle[n] = cycle; beats.row[n] = r; beats.col[n] = col; beats.group[n] = g;
      if (rowFirst[r]! < 0) rowFirst[r] = cycle;
      if (cycle > rowLast[r]!) rowLast[r] = cycle;
      n++;
    };
    for (let r = 0; r < l.outH; r++) {
      const start = rows.start[r]!;
      rowFirst[r] = -1;
      if (p.beatOrder === 'position-major') {
        // Each slot's strips take turns on the output as the slot ends; a strip whose column is past the edge keeps
        // its cycle but sends nothing.
        for (let k = 0; k < slots; k++) {
          const { pos, group } = slotAt(p, k);
          const t0 = start + k * p.slotInterval + p.taps + p.beatDelay;
          for (let st = 0; st < p.strips; st++) {
            const col = st * p.colsPerStrip + pos;
            if (col < l.outW) emit(t0 + st, r, col, group);
          }
        }
      } else {
        // The whole row leaves after its last slot, strip by strip, one beat per cycle.
        let t = start + (slots - 1) * p.slotInterval + p.taps + p.beatDelay;
        for (let st = 0; st < p.strips; st++) {
          for (let k = 0; k < slots; k++) {
            const { pos, group } = slotAt(p, k);
            const col = st * p.colsPerStrip + pos;
            if (col < l.outW) emit(t++, r, col, group);
          }
        }
      }
    }
    if (n > 0) beats.last![n - 1] = 1;   // the stream's end-of-frame flag rides on the frame's final beat
    this.beatIndex += n;
    return { beats, rows: { first: rowFirst, last: rowLast }, rowStart: rows.start, rowEnd: rows.end, rowReady: rows.ready, ...(rows.passStart ? { passStart: rows.passStart } : {}) };
  }
}
