// The calibration build of `simrun synth --estimate`: a seven-layer network small enough to synthesize in minutes whose
// layers vary their ALUs, row-buffer bits and ROM lanes independently, and the per-module samples of its synthesis,
// kept in the cache. Invariant: samples are reused only for the same target, calibration spec, Yosys version and code
// that decides the synthesized design (emitter, planner, weight generator, synthesis script): any change recalibrates.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, writeCacheFile } from '../core/cacheDir.js';
import { codeHash, importClosure } from '../core/codeHash.js';
import { loadSpec, specSource, validateSpec, type NetworkSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { yosysVersion } from '../core/yosysTool.js';
import { loadDesign } from '../rtl/design.js';
import { writeDesignFolder } from '../rtl/emit.js';
import { makePlan } from './plan.js';
import { checkSize, synthesizeFolder, type Resources, type SynthTarget } from './synth.js';
import { designFeatures, type CostSample } from './synthCost.js';

/**
 * Pinned strips and ocmux so that the layers' cost terms vary independently: 1 to 4 ALUs; row buffers of 4 to 41
 * kbit, their words one channel (c2, c4, c5: fed one lane a beat) or a whole beat of 2 to 4 lanes (c1, c3, c6, c7);
 * 1 to 4 lanes reading ROMs of 1 to 10 kbit. 15 ALUs in all, several minutes of Yosys.
 */
const CALIBRATION_SPEC = {
  name: 'synth-calibration',
  input: { height: 32, width: 32, channels: 3 },
  clockHz: 250_000_000,
  rowRateHz: 20_000,
  layers: [
    { name: 'c1', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 1, ocmux: 2 },
    { name: 'c2', kernel: 3, stride: 2, pad: 1, outChannels: 4, strips: 1, ocmux: 2 },
    { name: 'c3', kernel: 1, stride: 1, pad: 0, outChannels: 16, strips: 1, ocmux: 16 },
    { name: 'c4', kernel: 3, stride: 1, pad: 1, outChannels: 4, strips: 2, ocmux: 4 },
    { name: 'c5', kernel: 3, stride: 1, pad: 1, outChannels: 6, strips: 1, ocmux: 2 },
    { name: 'c6', kernel: 3, stride: 1, pad: 1, outChannels: 4, strips: 1, ocmux: 1 },
    { name: 'c7', kernel: 3, stride: 1, pad: 1, outChannels: 2, strips: 2, ocmux: 2, relu: false },
  ],
} as const;

/** The calibration network: rowsim's own, or a user's spec (a small one with layers like the design's). */
export function calibrationSpec(config?: string): NetworkSpec {
  return config === undefined ? validateSpec(CALIBRATION_SPEC, 'the synth calibration network') : loadSpec(config);
}

/**
 * The compiled files whose code decides what a calibration measured: everything the emitter (the Verilog), the design
 * loader, the planner (buffer rows, strips, slots), the weight generator (the ROM contents Yosys folds into logic) and
 * the synthesis script reach through their imports, so a file the emitter gains later is in the key too. The cost
 * model (synthCost.ts) is not: the cache keeps measurements, and features are worked out afresh.
 */
const MEASURED_ENTRIES = ['../rtl/emit.js', '../rtl/design.js', './plan.js', '../core/weights/load.js', './synth.js', '../core/yosysTool.js'];

/** What a calibration measured: its module samples and how long Yosys took. */
export interface Calibration {
  readonly spec: string;
  readonly target: SynthTarget;
  readonly seconds: number;
  readonly samples: readonly (CostSample & { readonly module: string })[];
  /** True when the samples came from the cache rather than a synthesis in this run. */
  readonly cached: boolean;
}

/** What the cache keeps: Yosys's resources per module (features are worked out afresh, so the model can change). */
interface Measured {
  readonly target: SynthTarget;
  readonly seconds: number;
  readonly modules: Readonly<Record<string, Resources>>;
}

/**
 * The calibration for `target` on `net` (see calibrationSpec): from the cache, or synthesized in `work` (minutes) and
 * cached. A calibration network too large to synthesize outright is refused before Yosys starts.
 */
export async function calibrate(target: SynthTarget, net: NetworkSpec, work: string): Promise<Calibration> {
  const plan = makePlan(net);
  checkSize(net.name, plan.totals.alus, 'pass a smaller --calibration spec');
  const key = createHash('sha256').update(codeHash(importClosure(MEASURED_ENTRIES, import.meta.url), import.meta.url)).update(await yosysVersion())
    .update(JSON.stringify(specSource(net))).update(target).digest('hex').slice(0, 24);
  const path = join(cacheRoot(), 'synth-costs', `${key}.json`);
  let m = readMeasured(path, target);
  const cached = m !== null;
  if (!m) {
    const t0 = performance.now();
    const dir = join(work, 'design');
    mkdirSync(dir, { recursive: true });
    writeDesignFolder(dir, net, plan, loadWeights(net, 'synthetic:0'), 'synthetic:0');
    const { modules } = await synthesizeFolder(loadDesign(dir), join(work, 'yosys'), target);
    m = { target, seconds: Math.round((performance.now() - t0) / 100) / 10, modules };
    writeCacheFile(path, JSON.stringify(m));
  }
  const modules = m.modules;
  const samples = [...designFeatures(net, plan)].flatMap(([module, features]) => {
    const r = modules[module];
    return r ? [{ module, features, resources: { cells: r.cells, logic: r.logic, flipFlops: r.flipFlops, multipliers: r.multipliers, ramBlocks: r.ramBlocks, ramBits: r.ramBits, lutRamBlocks: r.lutRamBlocks ?? 0 } }] : [];
  });
  return { spec: net.name, target, seconds: m.seconds, samples, cached };
}

/** A cached measurement for `target`, or null when there is none (or it does not parse). */
function readMeasured(path: string, target: SynthTarget): Measured | null {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as Measured;
    return m.target === target && m.modules && typeof m.modules === 'object' ? m : null;
  } catch {
    return null;
  }
}
