// Engines whose frames were computed once and kept: a mutation campaign compares every mutant's RTL against the same
// golden and model results through the ordinary comparison, without recomputing them per mutant.
import type { EngineInfo, EngineName, EngineRun, FrameOutput } from '../core/engine.js';

/** A started engine as the comparison takes it. */
export interface StartedRun {
  readonly name: EngineName;
  readonly values: boolean;
  readonly beats: boolean;
  readonly observed: readonly number[];
  readonly run: EngineRun;
}

/** Reads every frame of a run into memory (for the reference engines of a campaign) and closes it. */
export async function record(s: StartedRun): Promise<{ started: Omit<StartedRun, 'run'>; frames: FrameOutput[]; info: EngineInfo }> {
  const frames: FrameOutput[] = [];
  try {
    for await (const f of s.run.frames()) frames.push(f);
    return { started: { name: s.name, values: s.values, beats: s.beats, observed: s.observed }, frames, info: s.run.info() };
  } finally {
    await s.run.close();
  }
}

/** A run that hands out recorded frames again. */
export function replay(r: Awaited<ReturnType<typeof record>>): StartedRun {
  return {
    ...r.started,
    run: {
      async *frames() {
        yield* r.frames;
      },
      info: () => r.info,
      close: async () => {},
    },
  };
}
