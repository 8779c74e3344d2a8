// A layer's registers over a window of cycles, read from a waveform any simulator dumped: the instance is the one the
// layer's tapped valid signal sits in, the cycles are the waveform engine's (rising edges of the compute clock after
// reset, values just before each edge), and only the window is kept, so `explain` reads a dump of many GB in flat memory.
import type { WaveformSource } from './waveformEngine.js';
import { openWaveform, scopeResolver, tapPaths } from './waveformEngine.js';
import { loadTapMap } from './design.js';
import type { RegisterTrace } from './explain.js';
import type { VcdHeader } from './vcdHeader.js';
import { valueOf, VcdStream, wordOf } from './vcdStream.js';

/** The registers read, and the dump scope of the layer's instance they were looked for in. */
export interface WaveformRegisters extends RegisterTrace {
  readonly instance: string;
}

/**
 * Reads `names` (relative to the instance holding the layer's tapped valid signal) in cycles [from, to] of the dump.
 * Names the dump lacks read as absent (`has` false); reading stops once the window has passed.
 */
export async function waveformRegisters(src: WaveformSource, layer: number, layers: number, names: readonly string[], window: readonly [number, number]): Promise<WaveformRegisters | { readonly reason: string }> {
  const taps = loadTapMap(src.taps);
  const stream = layer === layers ? taps.output : taps.layers[String(layer)];
  const valid = stream ? (stream.axis?.tvalid ?? stream.valid!) : undefined;
  if (!valid) return { reason: `the tap map has no stream of layer ${layer}, so its instance in the waveform is not known` };
  if (!valid.includes('.')) return { reason: `layer ${layer}'s stream is a top port (${valid}); rowsim looks for the ALU registers in the instance holding the tapped valid signal` };
  const input = openWaveform(src.file);
  let instance = '';
  let present: string[] = [];
  const widths = new Map<string, number>();
  const kept = new Map<string, string[]>();
  let passed = false;
  const vcd = new VcdStream((h: VcdHeader) => {
    const path = scopeResolver(h, tapPaths(taps), src.clock ?? taps.clock, src.scope);
    const v = path(valid);
    instance = v.slice(0, v.lastIndexOf('.'));
    present = names.filter((n) => h.vars.has(`${instance}.${n}`));
    for (const n of present) {
      widths.set(n, h.vars.get(`${instance}.${n}`)!.width);
      kept.set(n, []);
    }
    vcd.sample({ signals: present.map((n) => `${instance}.${n}`), clock: path(src.clock ?? taps.clock), reset: { path: path(taps.reset), activeLow: taps.resetActive === 'low' } });
  }, (cycle, values) => {
    if (cycle > window[1]) passed = true;
    if (cycle < window[0] || passed) return;
    present.forEach((n, i) => { kept.get(n)![cycle - window[0]] = values[i]!; });
  });
  try {
    for await (const chunk of input) {
      vcd.push(chunk as string);
      if (passed) break;
    }
    if (!passed) vcd.end();
  } finally {
    input.destroy();
  }
  const bits = (n: string, c: number) => (c < window[0] || c > window[1] ? undefined : kept.get(n)?.[c - window[0]]);
  return {
    instance,
    has: (n) => kept.has(n),
    at: (n, c) => {
      const b = bits(n, c);
      const v = b === undefined ? NaN : valueOf(b);
      return Number.isNaN(v) ? undefined : v;
    },
    word: (n, c, lsb) => {
      const b = bits(n, c);
      return b === undefined ? undefined : wordOf(b, widths.get(n)!, lsb / 32);
    },
  };
}
