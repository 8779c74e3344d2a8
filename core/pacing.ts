// Input pacing profiles: the cycle at which every input pixel arrives, frame by frame. Every engine that models time
// (the model, the RTL bench) is driven by exactly these arrivals. Invariant: frame f's pixels arrive in raster order,
// one per cycle at most, inside [f·H·P, (f+1)·H·P) — so frames never overlap and the average row rate is the spec's.
import { SimrunError } from './errors.js';
import type { NetworkSpec } from './spec.js';

/** How the source paces pixels. */
export type Pacing =
  | { readonly kind: 'uniform' }
  /** Random blanking between pixels and before each row, inside every row period (seeded, repeatable). */
  | { readonly kind: 'jitter'; readonly seed: number }
  /** In every frame, row `row` pauses for `cycles` cycles at its middle column; later pixels catch up in the blanking. */
  | { readonly kind: 'stall'; readonly row: number; readonly cycles: number }
  /** Groups of `rows` rows arrive back to back at one pixel per cycle, then a long gap (same average rate). */
  | { readonly kind: 'burst'; readonly rows: number };

const USAGE = "use uniform, jitter:SEED, stall:ROW:CYCLES or burst[:ROWS]";

function wholeNumber(text: string, what: string, raw: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new SimrunError('USAGE', `--pacing '${raw}': ${what} '${text}' is not a whole number; ${USAGE}`);
  return n;
}

/** Parses a --pacing value and checks it against the network (rows exist, stalls fit in the frame). */
export function parsePacing(raw: string, net: NetworkSpec): Pacing {
  const parts = raw.split(':');
  let p: Pacing;
  switch (parts[0]) {
    case 'uniform':
      if (parts.length !== 1) throw new SimrunError('USAGE', `--pacing '${raw}': uniform takes no arguments; ${USAGE}`);
      p = { kind: 'uniform' };
      break;
    case 'jitter':
      if (parts.length !== 2) throw new SimrunError('USAGE', `--pacing '${raw}': jitter needs a seed (jitter:SEED); ${USAGE}`);
      p = { kind: 'jitter', seed: wholeNumber(parts[1]!, 'seed', raw) % 2 ** 32 };
      break;
    case 'stall': {
      if (parts.length !== 3) throw new SimrunError('USAGE', `--pacing '${raw}': stall needs a row and a cycle count (stall:ROW:CYCLES); ${USAGE}`);
      const row = wholeNumber(parts[1]!, 'row', raw);
      const cycles = wholeNumber(parts[2]!, 'cycles', raw);
      if (row >= net.input.height) throw new SimrunError('USAGE', `--pacing '${raw}': row ${row} does not exist; ${net.name}'s input has rows 0..${net.input.height - 1}`);
      if (cycles < 1) throw new SimrunError('USAGE', `--pacing '${raw}': a stall of 0 cycles is uniform pacing; pass 1 or more cycles`);
      p = { kind: 'stall', row, cycles };
      break;
    }
    case 'burst': {
      if (parts.length > 2) throw new SimrunError('USAGE', `--pacing '${raw}': burst takes at most a row count (burst:ROWS); ${USAGE}`);
      const rows = parts.length === 2 ? wholeNumber(parts[1]!, 'rows', raw) : 2;
      if (rows < 1 || rows > net.input.height) throw new SimrunError('USAGE', `--pacing '${raw}': a burst of ${rows} rows does not fit the ${net.input.height}-row frame; pass 1..${net.input.height}`);
      p = { kind: 'burst', rows };
      break;
    }
    default:
      throw new SimrunError('USAGE', `--pacing '${raw}' is not a pacing profile; ${USAGE}`);
  }
  // A stall may push pixels past the frame period; that would overlap the next frame, which no source can do.
  const arr = frameArrivals(net, p, 0);
  const period = net.input.height * net.rowPeriod;
  if (arr[arr.length - 1]! >= period) {
    throw new SimrunError('USAGE', `--pacing '${raw}': the stall pushes the frame's last pixel to cycle ${arr[arr.length - 1]}, past the ${period}-cycle frame period; stall fewer cycles or an earlier row`);
  }
  return p;
}

/** The profile as the text --pacing takes. */
export function formatPacing(p: Pacing): string {
  switch (p.kind) {
    case 'uniform': return 'uniform';
    case 'jitter': return `jitter:${p.seed}`;
    case 'stall': return `stall:${p.row}:${p.cycles}`;
    case 'burst': return `burst:${p.rows}`;
  }
}

/** A small integer PRNG (xorshift32 over a seed mixed with frame and row), so every row's jitter can be made alone. */
function rowRandom(seed: number, frame: number, row: number): () => number {
  let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(frame + 1, 0xc2b2ae35) ^ Math.imul(row + 1, 0x27d4eb2f)) >>> 0;
  if (s === 0) s = 0x6d2b79f5;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** Absolute cycle of every pixel of frame `f` in raster order (length H·W). */
export function frameArrivals(net: NetworkSpec, p: Pacing, f: number): Float64Array {
  const { height: H, width: W } = net.input;
  const P = net.rowPeriod;
  const base = f * H * P;
  const out = new Float64Array(H * W);
  switch (p.kind) {
    case 'uniform':
      for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) out[r * W + c] = base + r * P + c;
      break;
    case 'jitter': {
      // W distinct offsets in [0, P): a sorted sample of W values from [0, P − W], plus the pixel index.
      const u = new Float64Array(W);
      for (let r = 0; r < H; r++) {
        const rnd = rowRandom(p.seed, f, r);
        for (let c = 0; c < W; c++) u[c] = Math.floor(rnd() * (P - W + 1));
        u.sort();
        for (let c = 0; c < W; c++) out[r * W + c] = base + r * P + u[c]! + c;
      }
      break;
    }
    case 'stall': {
      let prev = -1;
      const mid = Math.floor(W / 2);
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          let t = base + r * P + c;
          if (r === p.row && c === mid) t = Math.max(t, prev + 1) + p.cycles;
          t = Math.max(t, prev + 1);
          out[r * W + c] = t;
          prev = t;
        }
      }
      break;
    }
    case 'burst':
      for (let r = 0; r < H; r++) {
        const start = base + (r - (r % p.rows)) * P + (r % p.rows) * W;
        for (let c = 0; c < W; c++) out[r * W + c] = start + c;
      }
      break;
  }
  return out;
}

/** First and last arrival cycle of every row of a frame, from its pixel arrivals. */
function rowArrivalsOf(pixels: Float64Array, height: number, width: number): { first: Float64Array; last: Float64Array } {
  const first = new Float64Array(height);
  const last = new Float64Array(height);
  for (let r = 0; r < height; r++) {
    first[r] = pixels[r * width]!;
    last[r] = pixels[r * width + width - 1]!;
  }
  return { first, last };
}

/** First and last arrival cycle of every row of frame f (without building the pixel array under uniform pacing). */
export function frameRowArrivals(net: NetworkSpec, p: Pacing, f: number): { first: Float64Array; last: Float64Array } {
  const { height: H, width: W } = net.input;
  if (p.kind !== 'uniform') return rowArrivalsOf(frameArrivals(net, p, f), H, W);
  const first = new Float64Array(H);
  const last = new Float64Array(H);
  const base = f * H * net.rowPeriod;
  for (let r = 0; r < H; r++) {
    first[r] = base + r * net.rowPeriod;
    last[r] = first[r]! + W - 1;
  }
  return { first, last };
}

/** Cycle of frame f's last input pixel: the reference point of its latency. */
export function lastInputPixel(net: NetworkSpec, p: Pacing, f: number): number {
  if (p.kind === 'uniform') return f * net.input.height * net.rowPeriod + (net.input.height - 1) * net.rowPeriod + net.input.width - 1;
  const a = frameArrivals(net, p, f);
  return a[a.length - 1]!;
}

/**
 * A design whose input runs on its own (pixel) clock: the same profile in that clock's cycles (its row period is the
 * spec's in time, so it must be a whole number of its cycles), and its arrivals read in compute cycles — a pixel
 * presented in input cycle n is captured on that clock's rising edge at n·Tin + ⌊Tin/2⌋ ps, inside compute cycle
 * ⌊(n·Tin + ⌊Tin/2⌋) / Tc⌋.
 */
export interface InputClock {
  /** The input clock's period and the compute clock's, in picoseconds. */
  readonly inputPs: number;
  readonly computePs: number;
  /**
   * A declared synchronizer: a row completed by the input clock's edge at τ is seen by the compute side `inputCycles`
   * input cycles later and then through `computeStages` compute flops — in the compute cycle of the computeStages-th
   * compute rising edge strictly after τ + inputCycles·Tin. Without it, in the compute cycle that contains τ.
   */
  readonly sync?: { readonly inputCycles: number; readonly computeStages: number };
}

/** The network as the input clock counts: the row period in its cycles (null if not whole). */
export function onInputClock(net: NetworkSpec, c: InputClock): NetworkSpec | null {
  const rowPeriod = (net.rowPeriod * c.computePs) / c.inputPs;
  return Number.isInteger(rowPeriod) && rowPeriod >= net.input.width ? { ...net, rowPeriod } : null;
}

/**
 * Frame f's row arrivals in compute cycles, for an input on clock `c` (or on the compute clock when c is null): each
 * pixel at the compute cycle containing the input clock's edge that captures it.
 */
export function rowArrivalsInComputeCycles(net: NetworkSpec, p: Pacing, f: number, c: InputClock | null): { first: Float64Array; last: Float64Array } {
  const rows = frameRowArrivals(c ? onInputClock(net, c) ?? net : net, p, f);
  if (!c) return rows;
  const at = (n: number) => Math.floor(captureEdge(n, c) / c.computePs);
  return { first: rows.first.map(at), last: rows.last.map(at) };
}

/** The time (ps) of the input clock's rising edge that captures a pixel presented in input cycle n. */
function captureEdge(n: number, c: InputClock): number {
  return n * c.inputPs + Math.floor(c.inputPs / 2);
}

/**
 * When the compute side sees each input row complete, through the declared synchronizer (`c.sync`): the compute cycle
 * of the computeStages-th compute rising edge strictly after the capture edge plus inputCycles input cycles. Rows'
 * first pixels stay at their capture cycles.
 */
export function rowsSeenThroughSync(net: NetworkSpec, p: Pacing, f: number, c: InputClock): { first: Float64Array; last: Float64Array } {
  const captured = rowArrivalsInComputeCycles(net, p, f, c);
  const s = c.sync;
  if (!s) return captured;
  const rows = frameRowArrivals(onInputClock(net, c) ?? net, p, f);
  const half = Math.floor(c.computePs / 2);
  const seen = (n: number) => {
    const t = captureEdge(n, c) + s.inputCycles * c.inputPs;
    const firstEdge = t < half ? 0 : Math.floor((t - half) / c.computePs) + 1;   // compute rising edges: k·Tc + ⌊Tc/2⌋ > t
    return firstEdge + s.computeStages - 1;
  };
  return { first: captured.first, last: rows.last.map(seen) };
}
