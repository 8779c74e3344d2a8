// `simrun synth`: a resource estimate of a design through Yosys — generic gates, iCE40 (LUT4, DFF, SB_MAC16, 4 kbit
// RAM) or Intel ALM (Cyclone V: ALUTs, FFs, DSP multipliers, M10K) — per module and for the whole hierarchy. Invariant:
// a table is printed only when Yosys synthesized the whole design; a target it lacks, a failure, or a design too large
// to synthesize outright is a one-line error, never a partial table.
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { SimrunError } from '../core/errors.js';
import { loadSpec } from '../core/spec.js';
import { loadWeights } from '../core/weights/load.js';
import { yosys } from '../core/yosysTool.js';
import { loadDesign, type DesignFolder } from '../rtl/design.js';
import { writeDesignFolder } from '../rtl/emit.js';
import { makePlan } from './plan.js';
import { prepareOutDir, releaseOutDir, writeAtomic } from './outdir.js';

/**
 * The targets and the Yosys commands of each. The vendor flows stop before their `autoname` pass: it only renames
 * wires, and on a design of millions of wires it took longer than the rest of the synthesis (and gigabytes more).
 * intel's LUT mapping is spelled out as its script runs it, up to ABC's `$lut` cells: its last step (`alm_map`) only
 * renames each `$lut` to the MISTRAL_ALUT of its width, one for one, but elaborates a template for every distinct
 * truth table, which on ie120r-mini's ROMs (300,000 LUTs) ran for hours. So intel's ALUTs are counted as `$lut` cells.
 */
export const SYNTH_TARGETS = {
  generic: (top: string) => `synth -top ${top}`,
  ice40: (top: string) => `synth_ice40 -dsp -noflatten -top ${top} -run :check\nclean`,
  intel: (top: string) => [
    `synth_intel_alm -family cyclonev -noflatten -top ${top} -run :map_luts`,
    'techmap -map +/intel_alm/common/abc9_map.v', 'abc9 -maxlut 6 -W 600', 'techmap -map +/intel_alm/common/abc9_unmap.v',
    'opt -fast', 'clean',
  ].join('\n'),
} as const;
export type SynthTarget = keyof typeof SYNTH_TARGETS;

/** ALUs above which a design is not synthesized outright (tiny has 68, ie120r-mini a few hundred, ie120r thousands). */
export const SYNTH_ALU_LIMIT = 1200;

/** One module's (or the whole design's) resources. */
export interface Resources {
  readonly cells: number;
  /** Logic: gates (generic), LUT4 (ice40) or ALUTs (intel). */
  readonly logic: number;
  readonly flipFlops: number;
  /** Multipliers: SB_MAC16 or MISTRAL_MUL DSP blocks (generic synthesis maps every $mul to gates: 0 there). */
  readonly multipliers: number;
  /** Block RAMs (SB_RAM40_4K, MISTRAL_M10K) and their bits; generic synthesis maps memories to flip-flops. */
  readonly ramBlocks: number;
  readonly ramBits: number;
  /** LUT-RAM cells (MISTRAL_MLAB: 32 words × 1 bit; 20 of them make one physical 10-ALM MLAB); none on the other targets. */
  readonly lutRamBlocks: number;
}

/** The estimate of a design. */
export interface SynthReport {
  readonly target: SynthTarget;
  readonly top: string;
  readonly design: string;
  /** Per module as written once (not times its instances). */
  readonly modules: Readonly<Record<string, Resources & { readonly instances: number }>>;
  /** The whole hierarchy: each module times its instances. */
  readonly total: Resources;
  readonly seconds: number;
}

/** Options of `simrun synth`. */
export interface SynthOptions {
  readonly config?: string;
  readonly rtl?: string;
  readonly target?: string;
  readonly out?: string;
  readonly aluBudget?: number | 'min';
}

/** Bits per block RAM: iCE40 4 kbit (every SB_RAM40_4K* port variant), Cyclone V M10K. */
const RAM_BITS: Readonly<Record<string, number>> = { SB_RAM40_4K: 4096, MISTRAL_M10K: 10240 };

/** The resources of a cell-type histogram for `target`. */
export function classify(types: Readonly<Record<string, number>>, target: SynthTarget): Resources {
  let cells = 0, logic = 0, flipFlops = 0, multipliers = 0, ramBlocks = 0, ramBits = 0, lutRamBlocks = 0;
  for (const [t, n] of Object.entries(types)) {
    cells += n;
    // Storage: every flip-flop and latch kind of Yosys's gate library, and each target's own.
    if (/^\$_(FF|DFF|DFFE|SDFF|SDFFE|SDFFCE|DFFSR|DFFSRE|ALDFF|ALDFFE|DLATCH|DLATCHSR|SR)_/.test(t) || /^SB_DFF/.test(t) || t === 'MISTRAL_FF') flipFlops += n;
    else if (/^\$mul$|^\$__MUL|^SB_MAC16$|^MISTRAL_MUL/.test(t)) multipliers += n;
    else if (t === 'MISTRAL_MLAB') lutRamBlocks += n;
    else if (RAM_BITS[t.replace(/^SB_RAM40_4K.*/, 'SB_RAM40_4K')] !== undefined) { ramBlocks += n; ramBits += n * RAM_BITS[t.replace(/^SB_RAM40_4K.*/, 'SB_RAM40_4K')]!; }
    else if (target === 'generic' ? /^\$_/.test(t) : target === 'ice40' ? t === 'SB_LUT4' : /^MISTRAL_(ALUT|NOT)|^\$lut$/.test(t)) logic += n;
  }
  return { cells, logic, flipFlops, multipliers, ramBlocks, ramBits, lutRamBlocks };
}

/** a + k·b, resource by resource. */
export const addResources = (a: Resources, b: Resources, k = 1): Resources => ({
  cells: a.cells + k * b.cells, logic: a.logic + k * b.logic, flipFlops: a.flipFlops + k * b.flipFlops,
  multipliers: a.multipliers + k * b.multipliers, ramBlocks: a.ramBlocks + k * b.ramBlocks, ramBits: a.ramBits + k * b.ramBits,
  lutRamBlocks: a.lutRamBlocks + k * b.lutRamBlocks,
});
/** No resources. */
export const NO_RESOURCES: Resources = { cells: 0, logic: 0, flipFlops: 0, multipliers: 0, ramBlocks: 0, ramBits: 0, lutRamBlocks: 0 };

/** Yosys's `stat -json` of a synthesized design, as per-module resources and the hierarchy's total from `top`. */
export function readStat(json: string, top: string, target: SynthTarget): { modules: SynthReport['modules']; total: Resources; yosysTotal: Resources | null } {
  // Yosys 0.23 prints the hierarchy's text table inside the JSON (lines with neither quotes nor brackets): drop them.
  const clean = json.split('\n').filter((l) => l.trim() === '' || /["{}[\]]/.test(l)).join('\n');
  let stat: { modules: Record<string, { num_cells_by_type?: Record<string, number> }>; design?: { num_cells_by_type?: Record<string, number> } };
  try {
    stat = JSON.parse(clean);
  } catch (e) {
    throw new SimrunError('YOSYS_FAILED', `yosys stat -json wrote what is not JSON (${(e as Error).message}); see the synthesis log beside it`);
  }
  const own = new Map<string, Record<string, number>>();
  for (const [name, m] of Object.entries(stat.modules)) own.set(name.replace(/^\\/, ''), m.num_cells_by_type ?? {});
  // Instances of a module are cells whose type is another module of the design.
  const instances = new Map<string, number>([[top, 1]]);
  const count = (name: string, k: number) => {
    for (const [t, n] of Object.entries(own.get(name) ?? {})) {
      const child = t.replace(/^\\/, '');
      if (own.has(child)) { instances.set(child, (instances.get(child) ?? 0) + k * n); count(child, k * n); }
    }
  };
  count(top, 1);
  const modules: Record<string, Resources & { instances: number }> = {};
  let total = NO_RESOURCES;
  for (const [name, types] of own) {
    const leaf = Object.fromEntries(Object.entries(types).filter(([t]) => !own.has(t.replace(/^\\/, ''))));
    const r = classify(leaf, target);
    const k = instances.get(name) ?? 0;
    modules[name] = { ...r, instances: k };
    total = addResources(total, r, k);
  }
  // Yosys's own total of the hierarchy (its cells flattened by instance count), to check ours against.
  const design = stat.design?.num_cells_by_type;
  return { modules, total, yosysTotal: design ? classify(Object.fromEntries(Object.entries(design).filter(([t]) => !own.has(t.replace(/^\\/, '')))), target) : null };
}

/** ALUs of a design folder from its spec and pinned plan (strips × lanes per layer), or null when it pins no plan. */
function designAlus(dir: string, spec: string, plan: DesignFolder['manifest']['plan']): number | null {
  if (!plan) return null;
  const net = loadSpec(join(dir, spec));
  return plan.layers.reduce((a, p, i) => a + p.strips * Math.ceil((net.layers[i]?.outC ?? 0) / p.ocmux), 0);
}

/** Refuses a design too large to synthesize outright, naming it and what to do (`fix`, or the default advice). */
export function checkSize(name: string, alus: number | null, fix = 'estimate it from a small build\'s costs with --estimate, or synthesize a smaller spec of the same layers, e.g. --config ie120r-mini'): void {
  if (alus !== null && alus > SYNTH_ALU_LIMIT) throw new SimrunError('USAGE', `${name} has ${alus} ALUs, above the ${SYNTH_ALU_LIMIT} that simrun synth synthesizes outright (hours and tens of GB in Yosys); ${fix}`);
}

/** The --target of `simrun synth` (default generic), or USAGE naming the known ones. */
export function parseTarget(t: string | undefined): SynthTarget {
  const target = t ?? 'generic';
  if (!(target in SYNTH_TARGETS)) throw new SimrunError('USAGE', `--target '${t}' is not one of ${Object.keys(SYNTH_TARGETS).join(', ')}`);
  return target as SynthTarget;
}

/** Links every ROM image the design loads (manifest.roms, by its relative name) into Yosys's working folder, replacing older links. */
function stageRoms(d: DesignFolder, work: string): void {
  rmSync(join(work, 'rom'), { recursive: true, force: true });
  for (const f of d.manifest.roms) {
    const to = join(work, f);
    mkdirSync(dirname(to), { recursive: true });
    rmSync(to, { force: true });
    symlinkSync(join(d.dir, f), to);
  }
}

/**
 * Synthesizes design folder `d` for `target` in folder `work` (its log and stat.json go there): each module once, and
 * the hierarchy's total, checked against Yosys's own.
 */
export async function synthesizeFolder(d: DesignFolder, work: string, target: SynthTarget): Promise<{ modules: SynthReport['modules']; total: Resources }> {
  mkdirSync(work, { recursive: true });
  // $readmemh names are relative to the folder Yosys runs in: the design's images are linked there by those names.
  stageRoms(d, work);
  await yosys([
    `read_verilog -sv ${d.manifest.sources.map((f) => JSON.stringify(join(d.dir, f))).join(' ')}`,
    SYNTH_TARGETS[target](d.manifest.top),
    'tee -q -o stat.json stat -json',
  ].join('\n') + '\n', work, `synth-${target}`);
  const { modules, total, yosysTotal } = readStat(readFileSync(join(work, 'stat.json'), 'utf8'), d.manifest.top, target);
  if (yosysTotal && JSON.stringify(yosysTotal) !== JSON.stringify(total)) throw new SimrunError('INTERNAL', `synth: the modules' cells times their instances (${total.cells}) differ from Yosys's hierarchy total (${yosysTotal.cells})`);
  return { modules, total };
}

/** Synthesizes the design of `o` (a config emitted here, or --rtl) and writes report.json; the report. */
export async function runSynth(o: SynthOptions): Promise<{ report: SynthReport; outDir: string }> {
  const t0 = performance.now();
  const target = parseTarget(o.target);
  if (o.rtl && o.config) throw new SimrunError('USAGE', '--config and --rtl name two designs; pass one (--rtl synthesizes a folder, --config emits a spec)');
  if (o.rtl && o.aluBudget !== undefined) throw new SimrunError('USAGE', '--alu-budget plans a --config; a design folder (--rtl) has its plan already');
  const given = o.rtl ? loadDesign(o.rtl) : null;
  if (given) checkSize(given.dir, designAlus(given.dir, given.manifest.spec, given.manifest.plan), 'synthesize a smaller design of the same layers (--estimate costs a --config, not a folder)');
  if (given && o.out && (resolve(o.out) + sep).startsWith(given.dir + sep)) throw new SimrunError('USAGE', `--out '${o.out}' lies inside the design folder ${given.dir}; pass a folder outside it`);
  const net = given ? null : loadSpec(o.config ?? 'tiny');
  const plan = net ? makePlan(net, o.aluBudget) : null;
  if (net && plan) checkSize(net.name, plan.totals.alus);
  const outDir = prepareOutDir(o.out, 'synth');
  let ok = false;
  try {
    let d = given;
    if (!d) {
      const dir = join(outDir, 'design');
      mkdirSync(dir, { recursive: true });
      writeDesignFolder(dir, net!, plan!, loadWeights(net!, 'synthetic:0'), 'synthetic:0');
      d = loadDesign(dir);
    }
    const { modules, total } = await synthesizeFolder(d, join(outDir, 'yosys'), target);
    const report: SynthReport = { target, top: d.manifest.top, design: d.dir, modules, total, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) };
    writeAtomic(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    ok = true;
    return { report, outDir };
  } finally {
    releaseOutDir(outDir, !ok);
  }
}
