// The waveform a run wrote, as report.json records it (a type apart, so the report and --trace auto need not import each
// other).

/** A waveform a run wrote: where, which cycles (1 cycle = 10 ns of waveform time), which layers, and why. */
export interface Waveform {
  readonly path: string;
  readonly format: 'fst' | 'vcd';
  /** First and last cycle dumped. */
  readonly window: readonly [number, number];
  readonly layers: readonly number[];
  readonly reason: string;
  /** The build that wrote it, for a re-run: its folder, seconds and whether the cache had it. */
  readonly build?: { readonly build: string; readonly buildSeconds: number; readonly cached: boolean };
}
