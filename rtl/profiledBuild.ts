// When the rtl engine's Verilator build is profile-guided (g++ PGO, and Verilator's thread schedule when threaded), and
// its training run: the run's own first frame. Invariant: the choice changes only the simulator's speed, never a beat;
// a failed training publishes nothing.
import { devNull } from 'node:os';
import { SimrunError } from '../core/errors.js';
import { runTool } from '../core/proc.js';
import type { PgoMode } from './pgoMode.js';
import { buildVerilated, isBuilt, type Build, type BuildSpec, type ProfileTraining } from './verilator.js';

export type { PgoMode } from './pgoMode.js';

/**
 * Runs of at least this many cycles on designs of at least AUTO_ALUS ALUs are profiled under `auto`.
 * - The training must cover a whole frame. Trained on the full IE120R's first 300,000 cycles only (with
 *   -fprofile-partial-training), its frame ran no faster than the plain build's (238 s beside 214 s; the cause was not
 *   found). Trained on the whole frame: 156 s, 1.38× faster.
 * - So a profiled build of the full IE120R costs 395–454 s (instrumented build about 70 s, its frame about 250–270 s,
 *   build again about 65 s) where a plain one costs 65–68 s, and saves 50–65 s a frame: it pays from five to seven
 *   frames (15–21 M cycles), and the threshold sits at the cautious end. On a small design (ie120r-mini: a 23 s build
 *   to save 0.06 s a frame) it never pays within one run.
 * - A profiled build already in the cache is used whatever the run's length.
 */
const AUTO_CYCLES = 20_000_000;
const AUTO_ALUS = 512;

/** What the choice needs to know about the run. */
export interface ProfileContext {
  readonly mode: PgoMode;
  readonly alus: number;
  /** Cycles the whole run is expected to take (every frame), when the model knows. */
  readonly expectedCycles?: number;
  /**
   * A build with waveform tracing: `auto` never profiles it, since the training does not trace and would leave the
   * tracing code compiled as cold.
   */
  readonly traced: boolean;
  /** The staged run folder and the simulator's first arguments (stimulus, arrivals, frames). */
  readonly runDir: string;
  readonly args: readonly string[];
  readonly watchdog: number;
  readonly log: (line: string) => void;
}

/** `spec` made profile-guided when the mode and the run call for it; otherwise `spec` itself. */
export async function withProfile(spec: BuildSpec, ctx: ProfileContext): Promise<BuildSpec> {
  if (ctx.mode === 'off') return spec;
  const profiled: BuildSpec = { ...spec, profile: training(ctx) };
  if (ctx.mode === 'on') return profiled;
  if (ctx.traced) return spec;
  const long = ctx.alus >= AUTO_ALUS && (ctx.expectedCycles ?? 0) >= AUTO_CYCLES;
  return long || (await isBuilt(profiled)) ? profiled : spec;
}

/**
 * Builds `plain`, profile-guided when the mode and the run call for it. A profile-guided build that fails — its training
 * run (a design that deadlocks in its first frame), or a compiler that does not take g++'s profile flags — publishes
 * nothing, and the run goes on with a plain build and a notice: the real run then reports a deadlock as it would
 * have, with its diagnosis.
 */
export async function buildMaybeProfiled(plain: BuildSpec, ctx: ProfileContext): Promise<Build> {
  const spec = await withProfile(plain, ctx);
  if (!spec.profile) return buildVerilated(plain);
  try {
    return await buildVerilated(spec);
  } catch (e) {
    if (!(e instanceof SimrunError) || e.code !== 'VERILATOR_FAILED') throw e;
    ctx.log(`notice: rtl: the profile-guided build failed, so this run builds plain (--rtl-pgo off skips the attempt): ${e.message}`);
    return buildVerilated(plain);
  }
}

/**
 * The training run: the staged stimulus through the instrumented simulator for one frame (the bench stops once every
 * observed layer has delivered it, whatever the design's timing), its beats thrown away. Counters a user's GCOV_PREFIX
 * would send elsewhere stay beside the objects.
 */
function training(ctx: ProfileContext): ProfileTraining {
  return {
    async train(exe: string, plusargs: readonly string[]): Promise<void> {
      ctx.log('rtl: profile-guided build: training the instrumented simulator on the first frame');
      const r = await runTool(exe, [ctx.args[0]!, ctx.args[1]!, '1', devNull, String(ctx.watchdog), ...plusargs], { cwd: ctx.runDir, withoutEnv: ['GCOV_PREFIX'] });
      if (r.exitCode !== 0) {
        throw new SimrunError('VERILATOR_FAILED', `its training run exited with ${r.signal ?? r.exitCode} (${r.all.trim().split('\n').slice(-3).join(' | ')})`);
      }
    },
  };
}
