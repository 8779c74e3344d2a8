// A streaming VCD reader that samples chosen signals on a clock's rising edges, as a bench would: fed text in chunks of
// any size (a dump of many GB streams through in flat memory), it keeps only the current value of the signals asked
// for and, at each rising edge of the clock where the reset is inactive, hands out their values just before the edge
// (the beat the design presented in that cycle). Cycle 0 is the first such edge.
import { SimrunError } from '../core/errors.js';
import { VcdHeaderReader, type VcdHeader } from './vcdHeader.js';

/** What to sample. */
export interface VcdSampling {
  /** Full dotted paths of the signals to hand out, in this order. */
  readonly signals: readonly string[];
  readonly clock: string;
  /** The reset and its active level: edges while it is active are not cycles. */
  readonly reset?: { readonly path: string; readonly activeLow: boolean };
}

/** Called at each sampled edge with the cycle and each signal's bits (most significant first; 'x'/'z' as found). */
export type OnCycle = (cycle: number, values: readonly string[]) => void;

/**
 * Parses a VCD as text arrives. Call `header()` once the header is in (`onHeader` fires then; it must call `sample`
 * to say what to hand out), then keep pushing; `end()` flushes the last timestamp.
 */
export class VcdStream {
  private rest = '';
  private inHeader = true;
  private readonly head = new VcdHeaderReader();
  /** Current value per watched id, and the changes of the timestamp being read. */
  private readonly cur = new Map<string, string>();
  private pending = new Map<string, string>();
  private watched = new Map<string, number[]>();
  private ids: string[] = [];
  private clockId = '';
  private resetId: string | null = null;
  private resetActive = '1';
  private cycle = 0;
  private seenTime = false;
  edges = 0;

  constructor(private readonly onHeader: (h: VcdHeader) => void, private readonly onCycle: OnCycle) {}

  /** Says what to sample (from `onHeader`): every path must be declared, else DESIGN_INVALID naming it. */
  sample(s: VcdSampling): void {
    const id = (path: string, what: string) => {
      const v = this.head.header.vars.get(path);
      if (!v) throw new SimrunError('DESIGN_INVALID', `the waveform has no signal '${path}' (${what}); dump it ($dumpvars) or fix the tap map`);
      return v.id;
    };
    this.ids = s.signals.map((p) => id(p, 'a tapped signal'));
    this.clockId = id(s.clock, 'the clock');
    this.resetId = s.reset ? id(s.reset.path, 'the reset') : null;
    this.resetActive = s.reset?.activeLow ? '0' : '1';
    this.watched = new Map();
    [...this.ids, this.clockId, ...(this.resetId ? [this.resetId] : [])].forEach((i, k) => this.watched.set(i, [...(this.watched.get(i) ?? []), k]));
    for (const i of this.watched.keys()) this.cur.set(i, 'x');
  }

  /** Feeds the next piece of text. */
  push(text: string): void {
    const all = this.rest + text;
    const cut = all.lastIndexOf('\n');
    if (cut < 0) {
      this.rest = all;
      return;
    }
    this.rest = all.slice(cut + 1);
    const lines = all.slice(0, cut).split('\n');
    for (const line of lines) this.line(line);
  }

  /** Ends the dump: the last timestamp's edge is sampled. */
  end(): void {
    if (this.rest) this.line(this.rest);
    this.rest = '';
    if (this.inHeader) throw new SimrunError('DESIGN_INVALID', 'the waveform ends inside its header (no $enddefinitions); it was cut short or is not a VCD');
    this.flush();
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    if (this.inHeader) {
      if (this.head.line(line)) {
        this.inHeader = false;
        this.onHeader(this.head.header);
      }
      return;
    }
    const c = line[0]!;
    if (c === '#') {
      this.flush();
      this.seenTime = true;
      return;
    }
    if (c === '$') return; // $dumpvars, $end, $dumpall, $comment…: their value lines are read like any other
    let id: string, value: string;
    if (c === 'b' || c === 'B') {
      const sp = line.indexOf(' ');
      id = line.slice(sp + 1).trim();
      value = line.slice(1, sp);
    } else if (c === 'r' || c === 'R') {
      return;
    } else {
      id = line.slice(1);
      value = c;
    }
    if (this.watched.has(id)) this.pending.set(id, value.toLowerCase());
  }

  /** Applies the timestamp just read, sampling first if the clock rose in it. */
  private flush(): void {
    if (!this.seenTime && this.pending.size === 0) return;
    const clk = this.pending.get(this.clockId);
    const before = this.cur.get(this.clockId);
    if (clk !== undefined && bit(clk) === '1' && before !== undefined && bit(before) === '0') {
      this.edges++;
      const inReset = this.resetId !== null && bit(this.cur.get(this.resetId)!) === this.resetActive;
      if (!inReset) this.onCycle(this.cycle++, this.ids.map((i) => this.cur.get(i)!));
    }
    for (const [i, v] of this.pending) this.cur.set(i, v);
    this.pending = new Map();
  }
}

/** The last bit of a value ('1', '0', 'x' or 'z'): a 1-bit signal may be written as 'b1'. */
function bit(v: string): string {
  return v[v.length - 1] ?? 'x';
}

/** Bits lo..lo+32 of a value (most significant first in `bits`) as an unsigned word; x and z read as 0. */
export function wordOf(bits: string, width: number, word: number): number {
  const padded = bits.length >= width ? bits.slice(bits.length - width) : (bits[0] === 'x' || bits[0] === 'z' ? bits[0] : '0').repeat(width - bits.length) + bits;
  const end = width - word * 32;
  const slice = padded.slice(Math.max(0, end - 32), end);
  let w = 0;
  for (let i = 0; i < slice.length; i++) w = w * 2 + (slice[i] === '1' ? 1 : 0);
  return w >>> 0;
}

/** A small unsigned value (≤ 32 bits) of a signal; x or z anywhere reads as NaN. */
export function valueOf(bits: string): number {
  if (/[xz]/.test(bits)) return NaN;
  return parseInt(bits, 2);
}
