// Event-driven timing of the row-streaming pipeline: per layer, when each output row starts and when each beat leaves.
// Pure integer arithmetic over rows and beats (never over idle cycles). Frames stream back to back without reset.
import { SimrunError } from '../core/errors.js';
import { PIPELINE_DRAIN, START_LATENCY, type LayerPlan } from '../core/plan.js';
import type { LayerSpec, NetworkSpec } from '../core/spec.js';

/** Per-row arrival of a layer's input: cycle of the first and of the last beat of each row, frames concatenated. */
export interface RowArrivals {
  readonly first: Float64Array;
  readonly last: Float64Array;
}

/**
 * One layer's output beats, in emission order (cycle ascending), frames concatenated.
 * Beat i carries output row `row[i]` of frame `frame[i]`, column `col[i]`, channel group `group[i]`.
 */
export interface LayerBeats {
  readonly cycle: Float64Array;
  readonly frame: Int32Array;
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly group: Int32Array;
}

/** Timing of one layer over all frames. */
export interface LayerTiming {
  readonly beats: LayerBeats;
  /** Output row arrivals, which are the next layer's input arrivals. */
  readonly rows: RowArrivals;
  /** Cycle each output row started its first MAC. */
  readonly rowStart: Float64Array;
  /** Most input rows held at once (must stay ≤ plan.bufferRows). */
  readonly bufferHighWater: number;
}

/** Test-only fault: delay one beat of one layer by `cycles` (shows that cycle checks can fail). */
export interface TimingFault {
  readonly layer: number;
  readonly beat: number;
  readonly cycles: number;
}

/** Input pacing of DESIGN §5: pixel (r, c) of frame f arrives at f·H·P + r·P + c. */
export function inputArrivals(net: NetworkSpec, frames: number): RowArrivals {
  const { height: H, width: W } = net.input;
  const P = net.rowPeriod;
  const first = new Float64Array(frames * H);
  const last = new Float64Array(frames * H);
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < H; r++) {
      first[f * H + r] = f * H * P + r * P;
      last[f * H + r] = f * H * P + r * P + W - 1;
    }
  }
  return { first, last };
}

/** Row-level schedule of one layer: when each output row starts, ends, and emits its first and last beat. */
export interface RowSchedule {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly first: Float64Array;
  readonly last: Float64Array;
}

/**
 * Row-level schedule without enumerating beats (cost grows with rows only). Output row r of frame f starts when
 * its last needed input row has fully arrived (+START_LATENCY) and the previous row has freed the ALUs.
 */
export function scheduleRows(l: LayerSpec, plan: LayerPlan, input: RowArrivals, frames: number): RowSchedule {
  const { kernel: k, stride: s, pad: p, inH, outH, outW } = l;
  const { ocmux, colsPerStrip, taps, slotCycles, cyclesPerRow } = plan;
  const n = frames * outH;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const first = new Float64Array(n);
  const last = new Float64Array(n);
  // The last slot (pos colsPerStrip−1, group ocmux−1) always has strip 0 valid; its last valid strip is this one.
  const lastStrip = Math.floor(outW / colsPerStrip) - 1;
  const lastOffset = (colsPerStrip * ocmux - 1) * slotCycles + taps + PIPELINE_DRAIN + Math.max(0, lastStrip);
  let freeAt = 0;
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < outH; r++) {
      const needRow = Math.min(r * s - p + k - 1, inH - 1);
      const t = Math.max(input.last[f * inH + needRow]! + START_LATENCY, freeAt);
      freeAt = t + cyclesPerRow;
      const i = f * outH + r;
      start[i] = t;
      end[i] = freeAt;
      first[i] = t + taps + PIPELINE_DRAIN;
      last[i] = t + lastOffset;
    }
  }
  return { start, end, first, last };
}

/** Schedules one layer's beats given when its input rows arrive. */
export function scheduleLayer(l: LayerSpec, plan: LayerPlan, input: RowArrivals, frames: number, fault?: TimingFault): LayerTiming {
  const { outH, outW } = l;
  const { strips, ocmux, colsPerStrip, taps, slotCycles, bufferRows } = plan;
  const rows = scheduleRows(l, plan, input, frames);
  const total = frames * outH * outW * ocmux;
  const beats: LayerBeats = {
    cycle: new Float64Array(total), frame: new Int32Array(total), row: new Int32Array(total),
    col: new Int32Array(total), group: new Int32Array(total),
  };
  const rowFirst = new Float64Array(frames * outH);
  const rowLast = new Float64Array(frames * outH);
  let n = 0;
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < outH; r++) {
      const g0 = f * outH + r;
      const start = rows.start[g0]!;
      rowFirst[g0] = -1;
      for (let pos = 0; pos < colsPerStrip; pos++) {
        for (let g = 0; g < ocmux; g++) {
          const t0 = start + (pos * ocmux + g) * slotCycles;
          for (let st = 0; st < strips; st++) {
            const col = st * colsPerStrip + pos;
            if (col >= outW) continue; // that ALU's slot is idle: no beat
            let cycle = t0 + taps + PIPELINE_DRAIN + st;
            if (fault && fault.layer === l.index && fault.beat === n) cycle += fault.cycles;
            beats.cycle[n] = cycle; beats.frame[n] = f; beats.row[n] = r; beats.col[n] = col; beats.group[n] = g;
            if (rowFirst[g0]! < 0) rowFirst[g0] = cycle;
            rowLast[g0] = cycle;
            n++;
          }
        }
      }
    }
  }
  const bufferHighWater = checkRowBuffer(l, bufferRows, input, rows.end, frames);
  return { beats, rows: { first: rowFirst, last: rowLast }, rowStart: rows.start, bufferHighWater };
}

/** Latency of one frame (last output beat − last input pixel) from the row-level schedule alone. */
export function frameLatency(net: NetworkSpec, plan: { readonly layers: readonly LayerPlan[] }): number {
  let arrivals: RowArrivals = inputArrivals(net, 1);
  for (const l of net.layers) {
    const r = scheduleRows(l, plan.layers[l.index - 1]!, arrivals, 1);
    arrivals = { first: r.first, last: r.last };
  }
  const { height: H, width: W } = net.input;
  return arrivals.last[arrivals.last.length - 1]! - ((H - 1) * net.rowPeriod + W - 1);
}

/**
 * The circular row buffer holds `bufferRows` input rows. Input row j's first beat overwrites row j − bufferRows,
 * which must no longer be needed by any output row still computing. Returns the high-water mark.
 */
function checkRowBuffer(l: LayerSpec, bufferRows: number, input: RowArrivals, rowEnd: Float64Array, frames: number): number {
  const { kernel: k, stride: s, pad: p, inH, outH } = l;
  // Last output row (of the same frame) that reads input row q, or −1 if none does.
  const lastReader = (q: number) => {
    const r = Math.min(outH - 1, Math.floor((q + p) / s));
    return r >= 0 && r * s - p <= q && q <= r * s - p + k - 1 ? r : -1;
  };
  let high = 0;
  const totalRows = frames * inH;
  let oldest = 0; // oldest global input row still needed
  for (let j = 0; j < totalRows; j++) {
    const arrive = input.first[j]!;
    // Retire rows whose last reader has finished by the time row j starts arriving.
    while (oldest < j) {
      const f = Math.floor(oldest / inH);
      const r = lastReader(oldest % inH);
      if (r >= 0 && rowEnd[f * outH + r]! > arrive) break;
      oldest++;
    }
    const held = j - oldest + 1;
    if (held > high) high = held;
    if (held > bufferRows) {
      throw new SimrunError(
        'SIM_BUFFER_OVERFLOW',
        `layer ${l.index} '${l.name}': input row ${j % inH} of frame ${Math.floor(j / inH)} arrives at cycle ${arrive} while ${held - 1} older rows are still needed; the ${bufferRows}-row buffer is too small for this plan`,
        { layer: l.index, row: j % inH, cycle: arrive },
      );
    }
  }
  return high;
}
