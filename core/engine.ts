// The one interface every engine implements: what it produces, and a run from (spec, plan, weights, stimulus, pacing).
// The harness loops over engines and compares every pair that can be compared; nothing is special-cased by name.
import type { Fault } from './faults.js';
import type { InputClock, Pacing } from './pacing.js';
import type { NetworkPlan } from './plan.js';
import type { NetworkSpec } from './spec.js';
import type { BeatBlock, StreamLayout } from './stream.js';
import type { HwLayerWeights } from './weights/types.js';

export { ENGINE_NAMES, type EngineName } from './engineNames.js';
import type { EngineName } from './engineNames.js';

/** What an engine produces; pairs are compared on what both produce. */
export interface EngineProducts {
  /** Every layer's output values (bits). */
  readonly values: boolean;
  /** Every layer's output beats with their cycles (and so a latency). */
  readonly beats: boolean;
}

/** Frames to run: frame f's HWC float32 stimulus, made on demand so long runs stay flat in memory. */
export interface StimulusSource {
  readonly frames: number;
  /** Frame f's stimulus (H·W·3 float32, HWC, finite, never subnormal). */
  frame(f: number): Float32Array;
  /** Which distinct image frame f shows: engines whose output depends only on the image may reuse results. */
  imageOf(f: number): number;
}

/** Everything a run of one engine needs. */
export interface EngineJob {
  readonly spec: NetworkSpec;
  readonly plan: NetworkPlan;
  readonly weights: readonly HwLayerWeights[];
  readonly stimulus: StimulusSource;
  readonly pacing: Pacing;
  /** A folder inside --out that belongs to this engine. */
  readonly workDir: string;
  /** Faults to build into this engine (parsed from --inject and aimed at it). */
  readonly faults: readonly Fault[];
  /** Worker threads this engine may use (already capped at the machine's cores). */
  readonly workers: number;
  readonly log: (line: string) => void;
  /** A design whose input runs on its own clock, as its declared timing states (the model then times its rows so). */
  readonly inputClock?: InputClock;
}

/** One frame's outputs. A layer the engine did not observe is null. */
export interface FrameOutput {
  readonly frame: number;
  /** Per layer (index i = layer i+1): HWC float32 values; MISSING_WORD where nothing was delivered. */
  readonly values?: readonly (Float32Array | null)[];
  /** Per layer: this frame's beats. */
  readonly beats?: readonly (BeatBlock | null)[];
  /** Per layer: an accuracy reference (the golden's float mode), information only. */
  readonly reference?: readonly Float32Array[];
}

/** How an engine run ended early, as data for the report (a design failure, not a tool failure). */
export interface EngineFailure {
  readonly code: 'SIM_DEADLOCK' | 'SIM_BUFFER_OVERFLOW' | 'RTL_BACKPRESSURE';
  readonly message: string;
  readonly layer?: number;
  readonly cycle?: number;
}

/** A started run: frames in order, then facts for the report. */
export interface EngineRun {
  /** Yields each frame once, in order; the caller may drop a frame after reading it. */
  frames(): AsyncIterable<FrameOutput>;
  /** Facts for the report, read after every frame (backend, build time, which layers were observed...). */
  info(): EngineInfo;
  /** Releases threads and processes (also after an error). */
  close(): Promise<void>;
  /** How far a long simulation has got, for progress lines (engines whose frames come at once have none). */
  progress?(): { readonly cycles: number; readonly expected: number | null } | null;
}

/** A design's own stream of one layer: how it packs channels, and the framing flags its tap carries. */
export interface StreamInfo {
  readonly layout: StreamLayout;
  /** An end-of-frame flag is tapped. */
  readonly last: boolean;
  /** AXI4-Stream: which of tuser (start of frame) and tlast (end of line) are tapped; null for rowsim's fields. */
  readonly axis: { readonly tuser: boolean; readonly tlast: boolean } | null;
}

/** What the report says about an engine run. */
export interface EngineInfo {
  /** Layers (1-based) whose output the engine delivered; every layer for golden and sim. */
  readonly observedLayers: readonly number[];
  /** Per layer, how the engine's stream looks where it is not the plan's (a design's own layout and flags). */
  readonly streams?: readonly (StreamInfo | null)[];
  /** The compute clock's period in picoseconds, when the engine's cycles are a real clock's. */
  readonly periodPs?: number;
  /** A design whose input runs on its own clock: both periods (its beats count compute cycles). */
  readonly inputClock?: InputClock;
  readonly failure?: EngineFailure;
  /** Free-form facts (backend, build seconds, simulated cycles, waveform path...). */
  readonly facts: Readonly<Record<string, string | number | boolean | null>>;
}

/** An engine: a name, what it produces and how to start it. */
export interface Engine {
  readonly name: EngineName;
  readonly produces: EngineProducts;
  start(job: EngineJob): Promise<EngineRun>;
}
