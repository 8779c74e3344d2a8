// The sim engine: the model's values and the model's beats, frame by frame, behind the one Engine interface.
import type { Engine, EngineFailure, EngineJob, EngineRun, FrameOutput } from '../core/engine.js';
import { SimrunError } from '../core/errors.js';
import type { Fault } from '../core/faults.js';
import { ModelRunner } from './model.js';
import { NetworkScheduler } from './schedule.js';
import type { TimingFaults } from './timing.js';

/** Timing faults per layer, from the faults aimed at the model. */
function timingFaults(faults: readonly Fault[]): Map<number, TimingFaults> {
  const m = new Map<number, { delays: Map<number, number>; stall: number }>();
  const of = (layer: number) => {
    let t = m.get(layer);
    if (!t) m.set(layer, (t = { delays: new Map(), stall: 0 }));
    return t;
  };
  for (const f of faults) {
    if (f.kind === 'delay') of(f.layer).delays.set(f.beat, (of(f.layer).delays.get(f.beat) ?? 0) + f.cycles);
    if (f.kind === 'stall') of(f.layer).stall += f.cycles;
  }
  return m;
}

/** The model as an engine. `kernel` picks the wasm fast path (default) or the readable JS definition. */
export function simEngine(opts: { readonly kernel?: 'wasm' | 'js' } = {}): Engine {
  return {
    name: 'sim',
    produces: { values: true, beats: true },
    async start(job: EngineJob): Promise<EngineRun> {
      const { spec: net, plan } = job;
      // Threads cost more to start than networks under 10^8 MACs per frame take to run.
      const macs = net.layers.reduce((a, l) => a + l.outH * l.outW * l.outC * l.kernel * l.kernel * l.inC, 0);
      const workers = macs > 1e8 ? job.workers : 0;
      const model = await ModelRunner.create(net, job.weights, { workers, kernel: opts.kernel, faults: job.faults });
      const scheduler = new NetworkScheduler(net, plan, job.pacing, timingFaults(job.faults), true, job.inputClock ?? null);
      let failure: EngineFailure | undefined;
      return {
        async *frames(): AsyncGenerator<FrameOutput> {
          for (let f = 0; f < job.stimulus.frames; f++) {
            const values = await model.frame(job.stimulus.frame(f), (k) => job.log(`sim frame ${f + 1}/${job.stimulus.frames}: layer ${k}/${net.layers.length}`));
            let beats;
            if (!failure) {
              try {
                beats = scheduler.frame(f).layers.map((t) => t.beats);
              } catch (e) {
                // A row-buffer overflow under this pacing is the design failing: reported as such, and from here on the
                // model has no timing to offer (its values do not depend on timing and keep coming).
                if (!(e instanceof SimrunError && e.code === 'SIM_BUFFER_OVERFLOW')) throw e;
                failure = { code: 'SIM_BUFFER_OVERFLOW', message: e.message, layer: e.where.layer, cycle: e.where.cycle };
              }
            }
            yield { frame: f, values, ...(beats ? { beats } : {}) };
          }
        },
        info: () => ({
          observedLayers: net.layers.map((l) => l.index),
          ...(failure ? { failure } : {}),
          facts: { kernel: opts.kernel ?? 'wasm', workers, bufferHighWater: scheduler.bufferHighWater().join(',') },
        }),
        close: () => model.close(),
      };
    },
  };
}
