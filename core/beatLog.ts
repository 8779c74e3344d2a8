// The binary beat log the RTL bench writes and rowsim reads: one layout, sized from the plan, little-endian u32 words.
// Header: magic, version, layer count L, then L lane counts (0 = layer not observed). Then one record per beat:
// layer, row, col, group, flags (bit 0: the stream's last flag), cycle low, cycle high, then that layer's lanes.
// Records are in cycle order.
import { closeSync, openSync, readSync } from 'node:fs';
import { SimrunError } from './errors.js';
import { allocBeats, type BeatBlock } from './stream.js';

/** 'RSBL' read as a little-endian u32. */
export const BEAT_LOG_MAGIC = 0x4c425352;
export const BEAT_LOG_VERSION = 2;
/** Words of a record before its lanes. */
export const RECORD_HEADER_WORDS = 7;
/** Field offsets inside a record. */
export const RECORD = { layer: 0, row: 1, col: 2, group: 3, flags: 4, cycleLow: 5, cycleHigh: 6, lanes: 7 } as const;
/** Bit of the flags word that carries the stream's last flag. */
export const FLAG_LAST = 1;
/** Bits of an AXI4-Stream tap's flags: tuser (start of frame) and tlast (end of line). */
export const FLAG_TUSER = 2;
export const FLAG_TLAST = 4;

/** Words of the file header for `layers` layers. */
function headerWords(layers: number): number {
  return 3 + layers;
}

/** The header words, as the writer must emit them. */
export function headerOf(lanes: readonly number[]): Uint32Array {
  return Uint32Array.from([BEAT_LOG_MAGIC, BEAT_LOG_VERSION, lanes.length, ...lanes]);
}

/** Words of the largest record: the buffer the writer needs. */
export function maxRecordWords(lanes: readonly number[]): number {
  return RECORD_HEADER_WORDS + Math.max(0, ...lanes);
}

/** One beat as it arrives, for a watcher that checks beats while the run goes on. */
export interface BeatRecord {
  /** 1-based layer. */
  readonly layer: number;
  /** The beat's index in its layer's stream since the run began (frame = index / beats per frame). */
  readonly index: number;
  readonly row: number;
  readonly col: number;
  readonly group: number;
  readonly flags: number;
  readonly cycle: number;
  /** The lanes' words (a view valid only during the call). */
  readonly data: Uint32Array;
}

/**
 * Splits a beat log into frames as it reads: beat k of layer L belongs to frame floor(k / beatsPerFrame[L]).
 * Feed it chunks of words; it hands out each frame once every observed layer has delivered it (or at the end).
 */
export class BeatLogReader {
  private readonly pending = new Map<number, { blocks: (BeatBlock & { count: number })[]; filled: number[] }>();
  private readonly seen: number[];
  private nextFrame = 0;
  /** Set once `onRecord` asked to stop. */
  stopped = false;
  private header: Uint32Array | null = null;
  private carry = new Uint32Array(0);

  /**
   * @param lanes lanes per layer, 0 for a layer the log does not carry
   * @param perFrame beats per frame of each layer
   * @param frames frames the run streams
   * @param source names the file in errors
   * @param withLast per layer: whether its records' last flag is real (tapped), and so kept on the beats
   * @param onRecord sees every record as it is read; when it returns true the reader stops taking records
   * @param withAxis per layer: whether it is an AXI4-Stream tap whose tuser/tlast flags are kept on the beats
   */
  constructor(private readonly lanes: readonly number[], private readonly perFrame: readonly number[], private readonly frames: number, private readonly source: string, private readonly withLast: readonly boolean[] = [], private readonly onRecord?: (r: BeatRecord) => boolean, private readonly withAxis: readonly boolean[] = []) {
    this.seen = lanes.map(() => 0);
  }

  private corrupt(why: string): SimrunError {
    return new SimrunError('BEAT_LOG_CORRUPT', `beat log ${this.source}: ${why}; the bench and rowsim disagree on the log layout — rebuild the design`);
  }

  private frameSlot(f: number) {
    let s = this.pending.get(f);
    if (!s) {
      s = { blocks: this.lanes.map((n, i) => allocBeats(n > 0 ? this.perFrame[i]! : 0, n, n > 0, n > 0 && this.withLast[i] === true, n > 0 && this.withAxis[i] === true)), filled: this.lanes.map(() => 0) };
      this.pending.set(f, s);
    }
    return s;
  }

  /** Consumes the next chunk of words (any split); returns the frames completed by it, in order. */
  push(chunk: Uint32Array): { frame: number; beats: (BeatBlock | null)[] }[] {
    let words = chunk;
    if (this.carry.length) {
      words = new Uint32Array(this.carry.length + chunk.length);
      words.set(this.carry);
      words.set(chunk, this.carry.length);
    }
    let i = 0;
    if (!this.header) {
      const need = 3;
      if (words.length < need || words.length < headerWords(words[2] ?? 0)) {
        this.carry = words.slice();
        return [];
      }
      if (words[0] !== BEAT_LOG_MAGIC) throw this.corrupt(`it does not start with the beat-log magic (found 0x${words[0]!.toString(16)})`);
      if (words[1] !== BEAT_LOG_VERSION) throw this.corrupt(`version ${words[1]} is not ${BEAT_LOG_VERSION}`);
      if (words[2] !== this.lanes.length) throw this.corrupt(`it has ${words[2]} layers, expected ${this.lanes.length}`);
      this.header = words.slice(0, headerWords(this.lanes.length));
      for (let l = 0; l < this.lanes.length; l++) {
        if (this.header[3 + l] !== this.lanes[l]) throw this.corrupt(`layer ${l + 1} has ${this.header[3 + l]} lanes, expected ${this.lanes[l]}`);
      }
      i = this.header.length;
    }
    while (i < words.length && !this.stopped) {
      const layer = words[i + RECORD.layer]!;
      const n = layer >= 1 && layer <= this.lanes.length ? this.lanes[layer - 1]! : 0;
      if (n === 0) throw this.corrupt(`word ${i}: a record for layer ${layer}, which the log does not carry`);
      const size = RECORD_HEADER_WORDS + n;
      if (i + size > words.length) break;
      const li = layer - 1;
      const k = this.seen[li]!++;
      if (this.onRecord?.({
        layer, index: k, row: words[i + RECORD.row]!, col: words[i + RECORD.col]!, group: words[i + RECORD.group]!, flags: words[i + RECORD.flags]!,
        cycle: words[i + RECORD.cycleLow]! + words[i + RECORD.cycleHigh]! * 4294967296, data: words.subarray(i + RECORD.lanes, i + size),
      })) this.stopped = true;
      const frame = Math.floor(k / this.perFrame[li]!);
      if (frame < this.frames) {
        const slot = this.frameSlot(frame);
        const b = slot.blocks[li]!;
        const at = slot.filled[li]!++;
        b.row[at] = words[i + RECORD.row]!;
        b.col[at] = words[i + RECORD.col]!;
        b.group[at] = words[i + RECORD.group]!;
        if (b.last) b.last[at] = words[i + RECORD.flags]! & FLAG_LAST;
        if (b.axis) b.axis[at] = words[i + RECORD.flags]! & (FLAG_TUSER | FLAG_TLAST);
        b.cycle[at] = words[i + RECORD.cycleLow]! + words[i + RECORD.cycleHigh]! * 4294967296;
        b.data!.set(words.subarray(i + RECORD.lanes, i + size), at * n);
      }
      i += size;
    }
    this.carry = words.slice(i);
    return this.drain(false);
  }

  /** Ends the log: every frame not yet handed out is returned, with the beats that did arrive. */
  end(): { frame: number; beats: (BeatBlock | null)[] }[] {
    if (!this.header) throw this.corrupt('it is shorter than its header');
    if (this.carry.length) throw this.corrupt(`it ends inside a record (${this.carry.length} stray words)`);
    return this.drain(true);
  }

  /** Beats each observed layer delivered so far. */
  delivered(): readonly number[] {
    return this.seen;
  }

  private drain(all: boolean): { frame: number; beats: (BeatBlock | null)[] }[] {
    const out: { frame: number; beats: (BeatBlock | null)[] }[] = [];
    while (this.nextFrame < this.frames) {
      const f = this.nextFrame;
      const slot = this.pending.get(f);
      const complete = slot !== undefined && this.lanes.every((n, l) => n === 0 || slot.filled[l]! >= this.perFrame[l]!);
      if (!complete && !all) break;
      const s = slot ?? this.frameSlot(f);
      out.push({
        frame: f,
        beats: s.blocks.map((b, l) => (this.lanes[l] === 0 ? null : { ...b, count: s.filled[l]! })),
      });
      this.pending.delete(f);
      this.nextFrame++;
    }
    return out;
  }
}

/** One beat found in a log: its words, its index in its layer's stream and its cycle. */
export interface FoundBeat {
  readonly data: Uint32Array;
  readonly index: number;
  readonly cycle: number;
}

/**
 * The beat of `layer` in frame `frame` (beats `perFrame` to a frame) that carries (row, col, group), read from a beat log
 * file in chunks (null when the log has no such beat). Invariant: reads the file once, front to back.
 */
export function findBeatInLog(path: string, layer: number, frame: number, perFrame: number, row: number, col: number, group: number): FoundBeat | null {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    let carry = new Uint8Array(0);   // bytes of a record (or word) cut by the end of the last chunk
    let lanes: number[] | null = null;
    let k = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return null;
      const bytes = new Uint8Array(carry.length + n);
      bytes.set(carry);
      bytes.set(buf.subarray(0, n), carry.length);
      const all = new Uint32Array(bytes.buffer, 0, bytes.length >> 2);
      let i = 0;
      if (!lanes) {
        if (all.length < 3 || all.length < headerWords(all[2]!)) { carry = bytes; continue; }
        if (all[0] !== BEAT_LOG_MAGIC) throw new SimrunError('BEAT_LOG_CORRUPT', `beat log ${path} does not start with the beat-log magic`);
        lanes = Array.from(all.subarray(3, headerWords(all[2]!)));
        i = headerWords(all[2]!);
      }
      while (i < all.length) {
        const l = all[i + RECORD.layer]!;
        if (!lanes[l - 1]) throw new SimrunError('BEAT_LOG_CORRUPT', `beat log ${path}: a record for layer ${l}, which the log does not carry`);
        const size = RECORD_HEADER_WORDS + lanes[l - 1]!;
        if (i + size > all.length) break;
        if (l === layer) {
          const f = Math.floor(k / perFrame);
          if (f === frame && all[i + RECORD.row] === row && all[i + RECORD.col] === col && all[i + RECORD.group] === group) {
            return { data: all.slice(i + RECORD.lanes, i + size), index: k, cycle: all[i + RECORD.cycleLow]! + all[i + RECORD.cycleHigh]! * 4294967296 };
          }
          if (f > frame) return null;
          k++;
        }
        i += size;
      }
      carry = bytes.slice(i * 4);
    }
  } finally {
    closeSync(fd);
  }
}
