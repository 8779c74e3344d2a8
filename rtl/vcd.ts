// A reader for the VCD files rowsim's bench writes: the signals asked for (by hierarchical name), as value changes over
// time. Only what `simrun explain` needs: vectors and scalars, no real values, no aliases beyond shared ids.
import { SimrunError } from '../core/errors.js';
import { VcdHeaderReader } from './vcdHeader.js';

/** Value changes of one signal: times ascending, values as unsigned integers (up to 53 bits exact), and as bit text. */
export interface SignalChanges {
  readonly times: number[];
  readonly values: number[];
  /** Each value's bits, most significant first, as the file wrote them (for slices of wide vectors). */
  readonly bits: string[];
}

/** The requested signals' changes, by full dotted name (e.g. 'TOP.rs_top.u_layer3.acc[5]'). */
export function readVcd(text: string, names: readonly string[]): Map<string, SignalChanges> {
  const byId = new Map<string, SignalChanges[]>();
  const out = new Map<string, SignalChanges>();
  const head = new VcdHeaderReader();
  const lines = text.split('\n');
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line && head.line(line)) break;
  }
  for (const name of names) {
    const v = head.header.vars.get(name);
    if (!v || out.has(name)) continue;
    const ch: SignalChanges = { times: [], values: [], bits: [] };
    out.set(name, ch);
    byId.set(v.id, [...(byId.get(v.id) ?? []), ch]);
  }
  if (i === lines.length) throw new SimrunError('BEAT_LOG_CORRUPT', 'waveform has no $enddefinitions; it was cut short — rerun');
  let now = 0;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const c = line[0]!;
    if (c === '#') { now = Number(line.slice(1)); continue; }
    let id: string, value: number, bits: string;
    if (c === 'b') {
      const sp = line.indexOf(' ');
      id = line.slice(sp + 1).trim();
      if (!byId.has(id)) continue;
      bits = line.slice(1, sp);
      value = parseInt(bits, 2);
    } else if (c === '0' || c === '1') {
      id = line.slice(1).trim();
      if (!byId.has(id)) continue;
      value = c === '1' ? 1 : 0;
      bits = c;
    } else {
      continue; // $dumpvars and friends, x/z values
    }
    for (const ch of byId.get(id)!) { ch.times.push(now); ch.values.push(value); ch.bits.push(bits); }
  }
  return out;
}

/**
 * The value a signal holds at time `t` (its last change at or before t), or undefined before its first change; with
 * `lsb` and `width`, only bits lsb..lsb+width−1 of it (a lane of a wide vector).
 */
export function valueAt(ch: SignalChanges | undefined, t: number, lsb?: number, width?: number): number | undefined {
  if (!ch) return undefined;
  let lo = 0, hi = ch.times.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ch.times[mid]! <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  if (lsb === undefined || width === undefined) return ch.values[found];
  const bits = ch.bits[found]!.padStart(lsb + width, '0');
  const slice = bits.slice(bits.length - lsb - width, bits.length - lsb);
  return /^[01]+$/.test(slice) ? parseInt(slice, 2) : undefined;
}
