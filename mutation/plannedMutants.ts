// The mutants a campaign runs, planned once per campaign fingerprint: catalogue mutants (rowsim's design with a bug
// built in, behind the mutsel selector, in one catalogue design) and Yosys mutants (listed by Yosys, folded one netlist
// per mutated module, each a hybrid design folder where it can be, else the whole design folded). Each planned mutant
// names the design folder it runs in; the listing is kept with the fingerprint so a resumed campaign reuses it.
import { layerModules, layerOfModule } from '../core/layerSignals.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkPlan } from '../core/plan.js';
import type { NetworkSpec } from '../core/spec.js';
import { VERSION } from '../core/version.js';
import type { HwLayerWeights } from '../core/weights/types.js';
import { loadDesign, resolveTaps, verilogFiles, type DesignFolder } from '../rtl/design.js';
import { writeDesignFolder } from '../rtl/emit.js';
import { byLayer, CATALOGUE, catalogueFor, type PlacedMutant } from './catalogue.js';
import { addOrderSite } from '../rtl/catalogueKinds.js';
import type { Planned } from './detectors.js';
import type { YosysMutation } from './formal/yosys.js';
import { MUTSEL_WIDTH } from './mutantRun.js';
import { writeFoldedFolder, writeHybridFolder } from './mutantFolders.js';
import { foldByModule, foldMutations, listMutations } from './yosysMutants.js';

/** The fingerprint of a campaign: everything a cached result depends on. */
export function fingerprint(d: DesignFolder, parts: unknown): string {
  const h = createHash('sha256').update(VERSION).update(JSON.stringify(parts));
  for (const f of [...verilogFiles(d.manifest), ...d.manifest.roms, d.manifest.spec, d.manifest.taps]) h.update(f).update(readFileSync(join(d.dir, f)));
  return h.digest('hex').slice(0, 24);
}

/** The catalogue mutants of an emitted design, built into `<outDir>/catalogue` (kept while the fingerprint holds). */
export function catalogueMutants(net: NetworkSpec, plan: NetworkPlan, mode: 'first' | 'all', weights: readonly HwLayerWeights[], weightsName: string, outDir: string): Planned[] {
  const cat = catalogueFor(net, plan, mode);
  const dir = join(outDir, 'catalogue');
  if (!existsSync(join(dir, 'design.json'))) {
    mkdirSync(dir, { recursive: true });
    writeDesignFolder(dir, net, plan, weights, weightsName, { mutants: byLayer(cat), mutselWidth: MUTSEL_WIDTH });
  }
  const cd = loadDesign(dir);
  return cat.map((m) => ({ key: `catalogue-${m.id}`, source: 'catalogue', id: m.id, kind: m.kind, layer: m.layer, description: catalogueText(m), src: [`${layerModules(m.layer).layer}.v`], design: cd, placed: m }));
}

/** What a Yosys listing needs. */
export interface YosysPlanOptions {
  readonly count: number;
  readonly seed: number;
  readonly wire?: string;
  readonly module?: string;
  /** The campaign's fingerprint: a listing made for another campaign is made again. */
  readonly fingerprint: string;
  /** ROM images the campaign writes (none: the design's own); asked only when the mutants are folded. */
  readonly images: () => readonly { name: string; text: string }[];
  /** Yosys folds run at once (the campaign's --jobs). */
  readonly jobs: number;
  readonly log: (line: string) => void;
}

/**
 * `count` Yosys mutants of `design`, listed and folded into `<outDir>/yosys` (or read from there when this campaign
 * listed them before); `builds` gets the listing's time when it ran.
 */
export async function yosysMutants(design: DesignFolder, net: NetworkSpec, plan: NetworkPlan, outDir: string, o: YosysPlanOptions, builds: Record<string, number>): Promise<Planned[]> {
  const ydir = join(outDir, 'yosys');
  const listFile = join(ydir, 'mutations.json');
  let list: YosysMutation[];
  if (existsSync(listFile) && (JSON.parse(readFileSync(listFile, 'utf8')) as { fingerprint: string }).fingerprint === o.fingerprint) {
    list = (JSON.parse(readFileSync(listFile, 'utf8')) as { mutations: YosysMutation[] }).mutations;
  } else {
    const tl = performance.now();
    o.log(`yosys: listing ${o.count} mutations`);
    list = await listMutations(design, ydir, { count: o.count, seed: o.seed, ...(o.wire ? { wire: o.wire } : {}), ...(o.module ? { module: o.module } : {}) }, o.log);
    const taps = await resolveTaps(design, net, plan);
    o.log(`yosys: folding ${list.length} mutations, one netlist per mutated module`);
    const images = o.images();
    const { folds, refused } = await foldByModule(design, taps.netlist, list, MUTSEL_WIDTH, ydir, undefined, o.jobs);
    for (const [id, why] of refused) o.log(`yosys: mutation ${id} left out: Yosys cannot fold it (${why})`);
    const hybrids: Record<string, string> = {};
    for (const [module, fold] of folds) {
      const dir = join(ydir, `design-${module.replace(/[^A-Za-z0-9_]/g, '_')}`);
      if (writeHybridFolder(design, fold, dir, images)) hybrids[module] = dir;
    }
    // A module whose source file also defines modules kept as designed cannot be swapped alone: those mutants run on
    // the whole design folded into one netlist.
    if (list.some((m) => !hybrids[m.module] && !refused.has(m.id))) {
      const folded = await foldMutations(design, taps.netlist, list.filter((m) => !hybrids[m.module] && !refused.has(m.id)), MUTSEL_WIDTH, ydir);
      writeFoldedFolder(design, folded, join(ydir, 'design'), images);
    }
    writeFileSync(join(ydir, 'hybrids.json'), JSON.stringify(hybrids, null, 2) + '\n');
    builds.yosysListAndFoldSeconds = Number(((performance.now() - tl) / 1000).toFixed(1));
    list = list.map((m) => (refused.has(m.id) ? { ...m, refused: refused.get(m.id)! } : m));
    writeFileSync(listFile, JSON.stringify({ fingerprint: o.fingerprint, mutations: list }, null, 2) + '\n');
  }
  // Mutated module → its own hybrid design folder (none: every mutant on the whole folded netlist in yosys/design).
  const hybridsFile = join(ydir, 'hybrids.json');
  const hybrids = existsSync(hybridsFile) ? (JSON.parse(readFileSync(hybridsFile, 'utf8')) as Record<string, string>) : {};
  const designs = new Map<string, DesignFolder>();
  const designOf = (module: string) => {
    const dir = hybrids[module] ?? join(ydir, 'design');
    let d = designs.get(dir);
    if (!d) designs.set(dir, (d = loadDesign(dir)));
    return d;
  };
  return list.map((m) => {
    const layer = layerOfModule(m.module);
    // A mutation Yosys could not fold has no design of its own: it names the clean one, which it never runs.
    return { key: `yosys-${m.id}`, source: 'yosys', id: m.id, kind: m.mode, layer: Number.isNaN(layer) ? null : layer, description: `mutate ${m.args.replace(/ -src \S+/g, '')}`, src: m.src, design: m.refused ? design : designOf(m.module), yosys: m };
  });
}

/** A catalogue mutant's description; an add-order-bit one names its site, bit and value in this layer. */
function catalogueText(m: PlacedMutant): string {
  if (m.kind !== 'add-order-bit') return CATALOGUE[m.kind];
  const o = addOrderSite(m.layer);
  return `the ${o.site === 'accumulate' ? 'accumulate' : 'bias add'} of one ALU (strip 0, lane 0) reads mantissa bit ${o.bit} of ${o.site === 'accumulate' ? 'the product' : 'the bias'} (b) forced to ${o.value} in its operand-order test (fb > fa when the exponents are equal)`;
}
