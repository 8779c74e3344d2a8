// The rtl engine's beats from a waveform any simulator dumped (VCD; FST through fst2vcd), instead of a Verilator run:
// the tap map names the streams, each is sampled on the compute clock's rising edges as the bench samples them, and the
// beats flow through the same beat-log reader, so values, cycles and the own-timing checks judge them like a Verilator
// run. Read as a stream: a dump of many GB keeps memory flat.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { BeatLogReader, FLAG_LAST, FLAG_TLAST, FLAG_TUSER, RECORD, RECORD_HEADER_WORDS, headerOf } from '../core/beatLog.js';
import type { Engine, EngineJob, EngineRun, FrameOutput, StreamInfo } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import { beatsPerFrame, valuesFromBeats } from '../core/stream.js';
import { loadTapMap, streamLayout, type TapMap } from './design.js';
import type { VcdHeader } from './vcdHeader.js';
import { valueOf, VcdStream, wordOf } from './vcdStream.js';

/** Where the waveform is and how to read it. */
export interface WaveformSource {
  /** A .vcd file, or an .fst (read through fst2vcd from Debian's gtkwave). */
  readonly file: string;
  /** The tap map (taps.json) naming each stream's signals as the design declares them. */
  readonly taps: string;
  /** The compute clock's signal, when not the tap map's `clock`. */
  readonly clock?: string;
  /** The dump scope the design's top sits in (e.g. tb.dut), when the signals' names alone are ambiguous. */
  readonly scope?: string;
}

type Stream = TapMap['output'];

/** The dump's text as a stream: the file, or fst2vcd's output for an FST. */
export function openWaveform(file: string): Readable {
  if (!existsSync(file)) throw new SimrunError('USAGE', `waveform '${file}' does not exist; pass --waveform <file.vcd|file.fst>`);
  if (!file.endsWith('.fst')) return createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  if (spawnSync('fst2vcd', ['--help'], { stdio: 'ignore' }).error) throw new SimrunError('FST2VCD_MISSING', `reading the FST '${file}' needs fst2vcd, which is not on PATH; install it with: apt-get install -y gtkwave (or dump VCD)`);
  const p = spawn('fst2vcd', [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  p.on('error', () => undefined);
  p.stdout.setEncoding('utf8');
  p.stdout.on('error', () => undefined);
  return p.stdout;
}

/**
 * The dump path of each tap path: the path below the top (or a top port's name) under a scope, the scope being the one
 * given, else the one under which most taps resolve (ties: the deepest).
 */
export function scopeResolver(h: VcdHeader, tapPaths: readonly string[], clock: string, scope: string | undefined): (tap: string) => string {
  const below = (p: string) => (p.includes('.') ? p.slice(p.indexOf('.') + 1) : p);
  let s = scope;
  if (s === undefined) {
    const clk = below(clock);
    const candidates = [...h.vars.keys()].filter((p) => p === clk || p.endsWith(`.${clk}`)).map((p) => p.slice(0, p.length - clk.length - 1));
    if (!candidates.length) throw new SimrunError('DESIGN_INVALID', `the waveform has no clock '${clock}' in any scope; dump it or pass --clock`);
    const score = (c: string) => tapPaths.filter((t) => h.vars.has(c ? `${c}.${below(t)}` : below(t))).length;
    s = candidates.sort((a, b) => score(b) - score(a) || b.length - a.length)[0]!;
  }
  return (tap) => (s ? `${s}.${below(tap)}` : below(tap));
}

/** The valid and data signals of every tapped stream: what the scope is chosen by. */
export function tapPaths(taps: TapMap): string[] {
  return [...Object.values(taps.layers), taps.output].flatMap((s) => (s.axis ? [s.axis.tvalid, s.axis.tdata] : [s.valid!, s.data!]));
}

/** The signals each stream is read from, and how a sampled cycle becomes its beat record. */
interface StreamReader {
  readonly layer: number;
  readonly signals: readonly string[];
  readonly lanes: number;
  /** The record for this cycle's values (at offset `at` of the cycle's values), or null when not valid. */
  record(values: readonly string[], at: number, cycle: number, count: number): Uint32Array | null;
}

function streamReader(job: EngineJob, n: number, s: Stream, path: (t: string) => string, h: VcdHeader, where: string): { reader: StreamReader; info: StreamInfo } {
  const l = job.spec.layers[n - 1]!;
  const dataPath = path(s.axis?.tdata ?? s.data!);
  const width = h.vars.get(dataPath)?.width ?? null;
  const layout = streamLayout(l, s, undefined, width, n === job.spec.layers.length ? 'output' : `layers.${n}`, `fix ${where}`);
  if (width !== null && width !== layout.lanes * 32) throw new SimrunError('DESIGN_INVALID', `${where}: '${dataPath}' in the waveform is ${width} bits, but the stream has ${layout.lanes} lanes of 32; fix the tap map`);
  const fields = s.axis
    ? [s.axis.tvalid, s.axis.tdata, s.axis.tuser, s.axis.tlast]
    : [s.valid!, s.data!, s.row!, s.col!, s.group, s.last];
  const signals = fields.filter((f): f is string => f !== undefined).map(path);
  const idx = (f: string | undefined) => (f === undefined ? -1 : signals.indexOf(path(f)));
  const [iValid, iData] = [idx(s.axis?.tvalid ?? s.valid), idx(s.axis?.tdata ?? s.data)];
  const [iRow, iCol, iGroup, iLast, iUser, iEol] = [idx(s.row), idx(s.col), idx(s.group), idx(s.last), idx(s.axis?.tuser), idx(s.axis?.tlast)];
  const w = layout.lanes * 32;
  const perFrame = beatsPerFrame(l, layout);
  const reader: StreamReader = {
    layer: n, signals, lanes: layout.lanes,
    record(v, at, cycle, count) {
      if (valueOf(v[at + iValid]!) !== 1) return null;
      const rec = new Uint32Array(RECORD_HEADER_WORDS + layout.lanes);
      rec[RECORD.layer] = n;
      if (s.axis) {
        // AXI4-Stream carries no coordinates: beat k of a frame is pixel k / groups in raster order, group k % groups.
        const kf = count % perFrame, pix = Math.floor(kf / layout.groups);
        rec[RECORD.row] = Math.floor(pix / l.outW); rec[RECORD.col] = pix % l.outW; rec[RECORD.group] = kf % layout.groups;
        rec[RECORD.flags] = (iUser >= 0 && valueOf(v[at + iUser]!) === 1 ? FLAG_TUSER : 0) | (iEol >= 0 && valueOf(v[at + iEol]!) === 1 ? FLAG_TLAST : 0);
      } else {
        rec[RECORD.row] = valueOf(v[at + iRow]!) >>> 0; rec[RECORD.col] = valueOf(v[at + iCol]!) >>> 0;
        rec[RECORD.group] = iGroup >= 0 ? valueOf(v[at + iGroup]!) >>> 0 : 0;
        rec[RECORD.flags] = iLast >= 0 && valueOf(v[at + iLast]!) === 1 ? FLAG_LAST : 0;
      }
      rec[RECORD.cycleLow] = cycle >>> 0; rec[RECORD.cycleHigh] = Math.floor(cycle / 4294967296);
      for (let j = 0; j < layout.lanes; j++) rec[RECORD.lanes + j] = wordOf(v[at + iData]!, w, j);
      return rec;
    },
  };
  return { reader, info: { layout, last: s.last !== undefined, axis: s.axis ? { tuser: s.axis.tuser !== undefined, tlast: s.axis.tlast !== undefined } : null } };
}

/** The rtl engine fed from a waveform. */
export function waveformEngine(src: WaveformSource): Engine {
  return {
    name: 'rtl',
    produces: { values: true, beats: true },
    async start(job: EngineJob): Promise<EngineRun> {
      const net = job.spec;
      const taps = loadTapMap(src.taps);
      const L = net.layers.length;
      const entries: [number, Stream][] = [...Object.entries(taps.layers).map(([k, s]) => [Number(k), s] as [number, Stream]), [L, taps.output]];
      for (const [n] of entries) if (n < 1 || n > L) throw new SimrunError('DESIGN_INVALID', `${src.taps} taps layer ${n}, but ${net.name} has layers 1..${L}`);
      entries.sort((a, b) => a[0] - b[0]);
      const input = openWaveform(src.file);
      const chunks = input[Symbol.asyncIterator]() as AsyncIterator<string>;
      let header: VcdHeader | null = null;
      const readers: StreamReader[] = [];
      const infos = new Map<number, StreamInfo>();
      const pendingRecords: Uint32Array[] = [];
      const counts = new Map<number, number>();
      let cycles = 0;
      const vcd = new VcdStream((h) => {
        header = h;
        const clock = src.clock ?? taps.clock;
        const path = scopeResolver(h, tapPaths(taps), clock, src.scope);
        for (const [n, s] of entries) {
          const r = streamReader(job, n, s, path, h, src.taps);
          readers.push(r.reader);
          infos.set(n, r.info);
        }
        vcd.sample({ signals: readers.flatMap((r) => r.signals), clock: path(clock), reset: { path: path(taps.reset), activeLow: taps.resetActive === 'low' } });
      }, (cycle, values) => {
        cycles = cycle + 1;
        let at = 0;
        for (const r of readers) {
          const k = counts.get(r.layer) ?? 0;
          const rec = r.record(values, at, cycle, k);
          if (rec) {
            pendingRecords.push(rec);
            counts.set(r.layer, k + 1);
          }
          at += r.signals.length;
        }
      });
      // The header is read now: the streams' layouts (and which layers are observed) are known before any frame.
      while (!header) {
        const c = await chunks.next();
        if (c.done) {
          vcd.end();
          break;
        }
        vcd.push(c.value);
      }
      const lanes = net.layers.map((l) => infos.get(l.index)?.layout.lanes ?? 0);
      const perFrame = net.layers.map((l, i) => beatsPerFrame(l, infos.get(l.index)?.layout ?? job.plan.layers[i]!));
      const log = new BeatLogReader(lanes, perFrame, job.stimulus.frames, src.file, net.layers.map((l) => infos.get(l.index)?.last === true), undefined, net.layers.map((l) => infos.get(l.index)?.axis !== null && infos.has(l.index)));
      log.push(headerOf(lanes));
      const hv = header as VcdHeader | null;
      return {
        async *frames(): AsyncGenerator<FrameOutput> {
          const emit = function* (done: { frame: number; beats: (import('../core/stream.js').BeatBlock | null)[] }[]) {
            for (const fr of done) {
              const values = fr.beats.map((b, i) => (b ? valuesFromBeats(net.layers[i]!, infos.get(i + 1)!.layout, b) : null));
              yield { frame: fr.frame, values, beats: fr.beats };
            }
          };
          for (;;) {
            const c = await chunks.next();
            if (c.done) break;
            vcd.push(c.value);
            if (pendingRecords.length) yield* emit(log.push(concat(pendingRecords.splice(0))));
          }
          vcd.end();
          if (vcd.edges === 0) throw new SimrunError('DESIGN_INVALID', `the clock '${src.clock ?? taps.clock}' never rises in the waveform '${src.file}'; dump the compute clock or pass --clock`);
          if (pendingRecords.length) yield* emit(log.push(concat(pendingRecords.splice(0))));
          yield* emit(log.end());
        },
        info: () => ({
          observedLayers: entries.map(([n]) => n),
          streams: net.layers.map((l) => infos.get(l.index) ?? null),
          facts: { source: 'waveform', waveform: src.file, simulator: hv?.version ?? '', timescale: hv?.timescale ?? '', cycles, clockEdges: vcd.edges },
        }),
        close: async () => {
          input.destroy();
        },
      };
    },
  };
}

function concat(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
