// Yosys mutants of a design folder (the MCY flow): list single-signal mutations, and fold them into one netlist where a
// runtime selector (mutsel) picks the active one — so one Verilator build serves every mutant. ROM modules (design.json
// romSources) are read as black boxes: their contents never enter Yosys. Writes the prepared netlist the proofs read.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { withBuildLock } from '../core/buildLock.js';
import { cacheRoot, writeCacheFile } from '../core/cacheDir.js';
import { forEachLimited } from '../core/jobs.js';
import { SimrunError } from '../core/errors.js';
import { runTool } from '../core/proc.js';
import { verilogFiles, type DesignFolder } from '../rtl/design.js';
import type { Netlist } from '../rtl/netlist.js';
import { yosys } from './formal/yosys.js';
import type { YosysMutation } from './formal/yosysMutation.js';

/** The read-and-prepare part every script shares: ROM modules as black boxes, the rest as RTL, processes lowered. */
/**
 * The Yosys commands that read and prepare design `d` through `<work>/design`, a link to its folder, by relative names.
 * Yosys writes a source's path into cell names and `-src` attributes: a design read by its absolute path would list
 * different mutation arguments in every campaign folder, and the shards of one campaign could not merge. (Files the
 * sources read, such as `$readmemh` images, are found beside them through the link.)
 */
function prepare(d: DesignFolder, work: string): string {
  const link = join(work, 'design');
  rmSync(link, { recursive: true, force: true });
  symlinkSync(d.dir, link, 'dir');
  const roms = new Set(d.manifest.romSources ?? []);
  const rtl = d.manifest.sources.filter((f) => !roms.has(f));
  const names = (fs: readonly string[]) => fs.map((f) => JSON.stringify(`design/${f}`)).join(' ');
  return [
    ...(roms.size ? [`read_verilog -lib ${names([...roms])}`] : []),
    `read_verilog -sv ${names(rtl)}`,
    // prep (as MCY's flow does): processes lowered, cells trimmed to the bits that matter (wreduce), dead logic removed —
    // so the list names signals that can change something.
    `prep -top ${d.manifest.top}`,
  ].join('\n');
}

/**
 * Lowers every parallel mux ($pmux) to and-or gates before the netlist is written. A mutation can make two of a
 * $pmux's selects true at once (a compare of a case index forced): Yosys gives that an undefined result, synthesis the
 * OR of the selected inputs, but write_verilog renders a $pmux as a casez whose first true item wins — a simulation
 * would hide what the netlist means. As gates, the simulated mutant computes what the hardware would.
 */
const PMUX_AS_GATES = 'techmap -map +/techmap.v t:$pmux';

/** Options of a mutation list. */
export interface ListOptions {
  readonly count: number;
  readonly seed: number;
  /** Only mutations on this wire (a name in the design), e.g. to aim a campaign at one signal. */
  readonly wire?: string;
  /** Only mutations in this module. */
  readonly module?: string;
}

/**
 * Writes `<work>/prepared.il`, the design read and prepared, from the cache when an identical design was prepared
 * before (keyed by Yosys's version, the script and every source's name and bytes: the script reads the design by
 * relative names, so the netlist does not depend on where the design lives). Preparing is most of a listing's time
 * (about two minutes for tiny); several processes or nodes preparing one design make it once, under the build lock.
 */
async function preparedNetlist(d: DesignFolder, work: string, log?: (line: string) => void): Promise<string> {
  const script = `${prepare(d, work)}\nwrite_rtlil prepared.il\n`;
  const version = await runTool('yosys', ['-V']);
  if (version.notFound) throw new SimrunError('YOSYS_MISSING', 'yosys is not installed or not on PATH; install it with: apt-get install -y yosys');
  const key = createHash('sha256').update(version.stdout).update(script);
  for (const f of verilogFiles(d.manifest)) key.update(f).update('\0').update(readFileSync(join(d.dir, f))).update('\0');
  const digest = key.digest('hex').slice(0, 32);
  const cached = join(cacheRoot(), 'yosys', `${digest}.il`);
  const here = join(work, 'prepared.il');
  if (!existsSync(cached)) {
    mkdirSync(dirname(cached), { recursive: true });
    await withBuildLock(`${cached}.lock`, {
      ready: () => existsSync(cached),
      onWait: (holder) => log?.(`yosys: waiting for ${holder}, which is preparing the same design into the shared cache`),
    }, async () => {
      await yosys(script, work, 'prepare');
      const tmp = `${cached}.tmp-${hostname()}-${process.pid}`;
      copyFileSync(here, tmp);
      renameSync(tmp, cached);
    });
  }
  // The netlist in the folder is the design's only when its key says so: an edited design can prepare to a netlist of
  // the same size (one constant for another), and a campaign resumed in the folder must not keep the old one.
  const mark = `${here}.key`;
  if (!existsSync(here) || !existsSync(mark) || readFileSync(mark, 'utf8') !== digest) {
    rmSync(mark, { force: true });
    copyFileSync(cached, here);
    writeFileSync(mark, digest);
  }
  return digest;
}

/** Lists `count` mutations of the design (evenly sampled by Yosys), ids 1..n. */
export async function listMutations(d: DesignFolder, work: string, o: ListOptions, log?: (line: string) => void): Promise<YosysMutation[]> {
  mkdirSync(work, { recursive: true });
  const out = join(work, 'mutations.txt');
  const filter = [o.wire ? `-wire ${o.wire}` : '', o.module ? `-module ${o.module}` : ''].filter(Boolean).join(' ');
  // Output files are named relative to the work folder: Yosys keeps quotes around -o and write_* file names.
  // The prepared design is kept (prepared.il): each equivalence proof starts from it, with the same cell names.
  const digest = await preparedNetlist(d, work, log);
  // The list is a function of the prepared netlist and the arguments, so it is cached beside the netlist: the shards
  // of a campaign and a rerun list once (30 s on tiny) instead of each.
  const args = `-list ${o.count} -seed ${o.seed} ${filter}`;
  const cachedList = join(cacheRoot(), 'yosys', `${digest}-list-${createHash('sha256').update(args).digest('hex').slice(0, 16)}.txt`);
  // Under a lock, like preparing: shards that waited for one preparation together would otherwise each list.
  const listed = await withBuildLock(`${cachedList}.lock`, {
    ready: () => existsSync(cachedList),
    onWait: (holder) => log?.(`yosys: waiting for ${holder}, which is listing the same mutations into the shared cache`),
  }, async () => {
    await yosys(`read_rtlil prepared.il\nmutate ${args} -o mutations.txt\n`, work, 'list');
    writeCacheFile(cachedList, readFileSync(out, 'utf8'));
    return true;
  });
  if (!listed) copyFileSync(cachedList, out);
  return readFileSync(out, 'utf8').split('\n').filter((l) => l.startsWith('mutate ')).map((line, i) => {
    const args = line.slice('mutate '.length).trim();
    const val = (k: string) => { const m = new RegExp(`-${k} (\\S+)`).exec(args); return m ? m[1]! : ''; };
    return { id: i + 1, args, mode: val('mode'), module: val('module'), cell: val('cell'), src: [...args.matchAll(/-src (\S+)/g)].map((m) => m[1]!) };
  });
}

/** The instances of `module` in the design, as (parent module, instance name), from the elaborated netlist. */
function instancesOf(n: Netlist, module: string): { parent: string; name: string }[] {
  const found = new Map<string, { parent: string; name: string }>();
  const walk = (inst: Netlist['root']) => {
    for (const [name, child] of inst.children) {
      if (child.module === module) found.set(`${inst.module}/${name}`, { parent: inst.module, name });
      walk(child);
    }
  };
  walk(n.root);
  return [...found.values()];
}

/**
 * The Yosys commands that give every module on a path from the top to a mutated module a `mutsel` input wired down to
 * it (mutated modules get theirs from `mutate -ctrl`), and the set of those modules.
 */
function mutselPlumbing(netlist: Netlist, top: string, mutations: readonly YosysMutation[], width: number): { commands: string[]; carriers: Set<string> } {
  const need = new Set(mutations.map((m) => m.module));
  for (let grew = true; grew;) {
    grew = false;
    for (const m of [...need]) {
      if (m === top) continue;
      const inst = instancesOf(netlist, m);
      if (inst.length === 0) throw new SimrunError('YOSYS_FAILED', `module '${m}' that Yosys mutated is not in the elaborated hierarchy (parameterized modules are not supported by mutation campaigns)`);
      for (const i of inst) if (!need.has(i.parent)) { need.add(i.parent); grew = true; }
    }
  }
  const mutated = new Set(mutations.map((m) => m.module));
  const commands: string[] = [];
  for (const p of need) {
    const children = [...need].filter((m) => m !== p).flatMap((m) => instancesOf(netlist, m).filter((i) => i.parent === p));
    if (!mutated.has(p)) commands.push(`cd ${p}`, `add -input mutsel ${width}`, 'cd');
    for (const c of children) commands.push(`cd ${p}`, `connect -port ${c.name} mutsel mutsel`, 'cd');
  }
  return { commands, carriers: need };
}

/** The Yosys commands that read the prepared design and put `mutations` behind mutsel, wired down from `top` by `plumbing`. */
function foldCommands(prepared: string, mutations: readonly YosysMutation[], width: number, plumbing: readonly string[], top: string): string[] {
  return [
    `read_rtlil ${JSON.stringify(prepared)}`,
    ...mutations.map((m) => `mutate -ctrl mutsel ${width} ${m.id} ${m.args}`),
    ...plumbing,
    `hierarchy -top ${top}`,
    PMUX_AS_GATES,
    'opt_clean',
  ];
}

/**
 * Folds every mutation into one netlist (`folded.v` in `work`): each is active when the new top input `mutsel` equals its
 * id; modules between the top and a mutated module get a mutsel port wired through. Starts from the design listMutations
 * prepared (`prepared`), so cell names match. Returns the folded file's path.
 */
export async function foldMutations(d: DesignFolder, netlist: Netlist, mutations: readonly YosysMutation[], width: number, work: string, prepared = join(work, 'prepared.il')): Promise<string> {
  const top = d.manifest.top;
  const { commands } = mutselPlumbing(netlist, top, mutations, width);
  const folded = join(work, 'folded.v');
  await yosys([...foldCommands(prepared, mutations, width, commands, top), 'write_verilog -noattr folded.v'].join('\n') + '\n', work, 'fold');
  return folded;
}

/** One mutated module's own folded netlist: the file, and the modules it defines (the rest come from the design). */
export interface ModuleFold {
  readonly file: string;
  readonly modules: readonly string[];
}

/**
 * Folds each mutated module's mutations on their own, one Yosys run per module and at most `parallel` (and the
 * machine's cores) at a time; each run reads the prepared design afresh, so they share nothing. `folded-<module>.v`
 * defines only that module, with its mutations behind mutsel, and the modules that carry mutsel down to it. Paired with the design's own Verilog for every
 * other module, a mutant then simulates at close to the original design's speed instead of the whole netlist's (a
 * flattened FPU per ALU is ~10× slower under Verilator).
 */
export async function foldByModule(d: DesignFolder, netlist: Netlist, mutations: readonly YosysMutation[], width: number, work: string, prepared = join(work, 'prepared.il'), parallel = availableParallelism()): Promise<ModuleFolds> {
  const top = d.manifest.top;
  const byModule = new Map<string, YosysMutation[]>();
  for (const m of mutations) byModule.set(m.module, [...(byModule.get(m.module) ?? []), m]);
  const folds = new Map<string, ModuleFold>();
  const refused = new Map<number, string>();
  const runs: { module: string; tag: string; script: (ms: readonly YosysMutation[], file: string) => string; ms: readonly YosysMutation[]; file: string }[] = [];
  for (const [module, ms] of byModule) {
    const { commands, carriers } = mutselPlumbing(netlist, top, ms, width);
    const name = module.replace(/[^A-Za-z0-9_]/g, '_');
    const file = `folded-${name}.v`;
    runs.push({
      module, tag: `fold-${name}`, ms, file,
      script: (some, to) => [
        ...foldCommands(prepared, some, width, commands, top),
        `select ${[...carriers].map((c) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(c) ? c : JSON.stringify(c))).join(' ')}`,
        `write_verilog -noattr -selected ${to}`,
      ].join('\n') + '\n',
    });
    folds.set(module, { file: join(work, file), modules: [...carriers] });
  }
  // Two names that differ only in characters the file name drops would write one file: refuse rather than mix them.
  if (new Set(runs.map((r) => r.tag)).size !== runs.length) throw new SimrunError('YOSYS_FAILED', `two mutated modules of ${d.dir} map to one folded file name (${runs.map((r) => r.tag).join(', ')}); rename one of them`);
  // No more at once than the machine has cores, whatever the caller asks: each run holds the whole design (about 0.5 GB
  // for tiny).
  await forEachLimited(runs, Math.min(parallel, availableParallelism()), async (r) => {
    try {
      await yosys(r.script(r.ms, r.file), work, r.tag);
    } catch (e) {
      if (!(e instanceof SimrunError) || e.code !== 'YOSYS_FAILED') throw e;
      // One mutation Yosys cannot fold (it asserts on a memory whose write ports get different clocks, say) must not
      // take the campaign down: the ones it refuses are found by halves and left out, and the rest folded.
      const tryFold = async (some: readonly YosysMutation[]) => { try { await yosys(r.script(some, `${r.file}.try`), work, `${r.tag}-try`); return undefined; } catch (f) { if (f instanceof SimrunError && f.code === 'YOSYS_FAILED') return yosysError(f); throw f; } };
      const mine = await refusedMutations(r.ms, tryFold, yosysError(e));
      // Refused only together (none alone), or every one alone because the module fails without any: the error stands.
      const theModules = mine.size === r.ms.length && r.ms.length > 1 && (await tryFold([])) !== undefined;
      rmSync(join(work, `${r.file}.try`), { force: true });
      if (mine.size === 0 || theModules) throw e;
      for (const [id, why] of mine) refused.set(id, why);
      const rest = r.ms.filter((m) => !mine.has(m.id));
      // With none left the module keeps its own Verilog: a fold without mutations would have no mutsel port for the
      // parent's connection to reach.
      if (rest.length) await yosys(r.script(rest, r.file), work, r.tag);
      else folds.delete(r.module);
    }
  });
  return { folds, refused };
}

/** Yosys's own words in a YOSYS_FAILED error (its ERROR lines), without the run's name. */
const yosysError = (e: SimrunError) => e.message.replace(/^yosys \S+ failed: /, '');

/** What foldByModule made: each mutated module's folded netlist, and the mutations Yosys could not fold (id → its error). */
export interface ModuleFolds {
  readonly folds: ReadonlyMap<string, ModuleFold>;
  readonly refused: ReadonlyMap<number, string>;
}

/**
 * The mutations of `ms` that `fold` (undefined when Yosys folds them, else its error) fails on alone, found by
 * halves: about 2·log2(n) folds for one bad mutation among n, instead of n. `known`: the error of folding all of `ms`,
 * when that was tried already.
 */
async function refusedMutations(ms: readonly YosysMutation[], fold: (ms: readonly YosysMutation[]) => Promise<string | undefined>, known?: string): Promise<Map<number, string>> {
  const error = known ?? (await fold(ms));
  if (error === undefined) return new Map();
  if (ms.length === 1) return new Map([[ms[0]!.id, error]]);
  const half = Math.ceil(ms.length / 2);
  return new Map([...(await refusedMutations(ms.slice(0, half), fold)), ...(await refusedMutations(ms.slice(half), fold))]);
}
