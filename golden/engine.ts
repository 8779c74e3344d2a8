// The golden engine: exact values of every layer for each distinct image (frames showing the same image reuse them),
// and the float accuracy reference on the first image; behind the one Engine interface.
import type { Engine, EngineJob, EngineRun, FrameOutput } from '../core/engine.js';
import type { GoldenBackend } from './backend.js';

/** Options of the golden engine. */
export interface GoldenEngineOptions {
  readonly backend?: GoldenBackend | 'auto';
  /** Also run the float (tf.conv2d) reference on the first frame (information only). */
  readonly floatReference?: boolean;
}

/** The golden as an engine. Faults aimed at it (bit, weight, bias) exist so tests can prove every pair is compared. */
export function goldenEngine(opts: GoldenEngineOptions = {}): Engine {
  return {
    name: 'golden',
    produces: { values: true, beats: false },
    async start(job: EngineJob): Promise<EngineRun> {
      // tfjs loads here, when a run starts the golden, not when a command that never uses it starts.
      const [{ backendReason }, { runGolden, goldenThreads }] = await Promise.all([import('./backend.js'), import('./run.js')]);
      const net = job.spec;
      // One set of threads for every frame and the float reference: each thread loads tfjs once.
      const pool = goldenThreads(net, job.workers, opts.backend ?? 'auto');
      const cache = new Map<number, Float32Array[]>();
      let backend: string | null = null;
      return {
        async *frames(): AsyncGenerator<FrameOutput> {
          for (let f = 0; f < job.stimulus.frames; f++) {
            const image = job.stimulus.imageOf(f);
            let values = cache.get(image);
            if (!values) {
              const g = await runGolden(net, job.weights, job.stimulus.frame(f), {
                mode: 'exact', backend: opts.backend, workers: job.workers, pool, faults: job.faults,
                onLayer: (k) => job.log(`golden exact, image ${image + 1}: layer ${k}/${net.layers.length}`),
              });
              backend = g.backend;
              values = [...g.activations];
              cache.set(image, values);
            }
            const reference = f === 0 && opts.floatReference
              ? (await runGolden(net, job.weights, job.stimulus.frame(0), { mode: 'float', backend: opts.backend, workers: job.workers, pool })).activations
              : undefined;
            yield { frame: f, values, ...(reference ? { reference } : {}) };
          }
        },
        info: () => ({ observedLayers: net.layers.map((l) => l.index), facts: { backend, backendWhy: backend ? backendReason() : null } }),
        close: async () => { await pool?.close(); },
      };
    },
  };
}
