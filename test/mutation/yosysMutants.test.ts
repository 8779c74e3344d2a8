// Yosys's mutation list depends on the design only, not on the folder it sits in: the shards of one campaign, each
// with its own folder, must list the same mutations to merge (Yosys writes a source's path into cell names and -src).
// The prepared netlist and the list are cached by the design's content: a second folder with the same design does not prepare or list again,
// and a design that differs by one source byte does; a same-size netlist left in the folder is replaced. A folded
// netlist writes no parallel mux as a priority casez, and a mutation Yosys cannot fold is left out with its reason.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { validateSpec } from '../../core/spec.js';
import { loadWeights } from '../../core/weights/load.js';
import { makePlan } from '../../harness/plan.js';
import { foldByModule, foldMutations, listMutations } from '../../mutation/yosysMutants.js';
import { readNetlist } from '../../rtl/netlist.js';
import { loadDesign } from '../../rtl/design.js';
import { writeDesignFolder } from '../../rtl/emit.js';
import { describeRtl } from '../support/rtl.js';

describeRtl('listMutations', () => {
  it('a one-layer 8x8 network (1x1 conv, 2 channels), 12 mutations, seed 3, listed from two different folders: the same arguments, and no folder path in them', async () => {
    // Small on purpose: Yosys lists tiny's mutations in minutes, and what is checked does not depend on the size.
    const net = validateSpec({ name: 'one', input: { height: 8, width: 8, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000, layers: [{ name: 'c1', kernel: 1, stride: 1, pad: 0, outChannels: 2, batchnorm: false, relu: true }] }, 'test');
    const plan = makePlan(net);
    const lists = [];
    const saved = process.env.SIMRUN_CACHE;
    process.env.SIMRUN_CACHE = mkdtempSync(join(tmpdir(), 'rowsim-list-cache-'));
    try {
      const dirs: string[] = [];
      for (const k of [1, 2, 3]) {
        const dir = mkdtempSync(join(tmpdir(), `rowsim-list-${k}-`));
        dirs.push(dir);
        writeDesignFolder(join(dir, 'design'), net, plan, loadWeights(net, 'synthetic:0'), 'synthetic:0');
        // The third design differs by a comment: the same mutations, but its own preparation.
        if (k === 3) appendFileSync(join(dir, 'design', 'rs_top.v'), '\n// edited\n');
        const list = await listMutations(loadDesign(join(dir, 'design')), join(dir, 'yosys'), { count: 12, seed: 3 });
        for (const m of list) expect(m.args).not.toContain(dir);
        lists.push(list.map((m) => m.args));
      }
      expect(lists[0]).toHaveLength(12);
      expect(lists[1]).toEqual(lists[0]);
      // Prepared and listed by the first and the third listing; the second took the first's netlist and list from the cache.
      expect(dirs.map((d) => existsSync(join(d, 'yosys', 'prepare.log')))).toEqual([true, false, true]);
      expect(dirs.map((d) => existsSync(join(d, 'yosys', 'list.log')))).toEqual([true, false, true]);
      expect(readFileSync(join(dirs[1]!, 'yosys', 'prepared.il'))).toEqual(readFileSync(join(dirs[0]!, 'yosys', 'prepared.il')));
      // Another design's netlist left in the folder, of the same size as this design's (an edit that changed one
      // constant for another), is not taken for this design's: the folder gets this design's netlist again.
      const stale = join(dirs[1]!, 'yosys', 'prepared.il');
      writeFileSync(stale, readFileSync(stale, 'utf8').replace(/[a-z]/g, 'q'));
      writeFileSync(`${stale}.key`, readFileSync(join(dirs[2]!, 'yosys', 'prepared.il.key')));
      const again = await listMutations(loadDesign(join(dirs[1]!, 'design')), join(dirs[1]!, 'yosys'), { count: 12, seed: 3 });
      expect(readFileSync(stale)).toEqual(readFileSync(join(dirs[0]!, 'yosys', 'prepared.il')));
      expect(again.map((m) => m.args)).toEqual(lists[0]);
      // Another seed is another list: listed afresh, not taken from the cached one.
      const other = await listMutations(loadDesign(join(dirs[1]!, 'design')), join(dirs[1]!, 'yosys'), { count: 12, seed: 4 });
      expect(existsSync(join(dirs[1]!, 'yosys', 'list.log'))).toBe(true);
      expect(other.map((m) => m.args)).not.toEqual(lists[0]);
    } finally {
      // Unset stays unset: assigning undefined would set the string "undefined", a cache folder in the working directory.
      if (saved === undefined) delete process.env.SIMRUN_CACHE;
      else process.env.SIMRUN_CACHE = saved;
    }
  }, 300_000);
});

describeRtl('folding', () => {
  it('one-layer 8x8 network in 4 strips (its beat multiplexer a case of 4), 12 mutations (seed 3) folded whole and by module: the prepared design has parallel muxes ($pmux), the folded Verilog renders none as a casez', async () => {
    // A mutation can make two selects of a $pmux true at once. Yosys gives that an undefined result and synthesis the
    // OR of the selected inputs, but a casez lets its first true item win in simulation, which would hide the mutant.
    const net = validateSpec({ name: 'one', input: { height: 8, width: 8, channels: 3 }, clockHz: 250_000_000, rowRateHz: 2_500_000, layers: [{ name: 'c1', kernel: 1, stride: 1, pad: 0, outChannels: 2, batchnorm: false, relu: true, strips: 4 }] }, 'test');
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-fold-'));
    writeDesignFolder(join(dir, 'design'), net, makePlan(net), loadWeights(net, 'synthetic:0'), 'synthetic:0');
    const d = loadDesign(join(dir, 'design'));
    const work = join(dir, 'yosys');
    const list = await listMutations(d, work, { count: 12, seed: 3 });
    expect(readFileSync(join(work, 'prepared.il'), 'utf8')).toMatch(/cell \$pmux /);
    const netlist = await readNetlist(d.manifest.top, d.manifest.sources, d.dir);
    const whole = readFileSync(await foldMutations(d, netlist, list, 5, work), 'utf8');
    expect(whole).toMatch(/mutsel/);
    expect(whole).not.toMatch(/casez/);
    const byModule = await foldByModule(d, netlist, list, 5, work);
    for (const f of byModule.folds.values()) expect(readFileSync(f.file, 'utf8')).not.toMatch(/casez/);
    expect(byModule.refused.size).toBe(0);
    const texts = new Map([...byModule.folds].map(([module, f]) => [module, readFileSync(f.file, 'utf8')]));
    // A mutation Yosys refuses to fold is found among the others and left out with Yosys's reason; the rest are folded
    // as before. (Here write port 1 of a row buffer that has one write port: Yosys stops on the out-of-range bit. The
    // case a campaign met was that port of a buffer written by three lanes through three ports, on a clock of its own,
    // where Yosys asserted; row buffers now keep a beat's lanes in one word, written through one port.)
    const bad = { id: 13, args: '-mode const0 -module rs_layer1 -cell bank0 -port WR_CLK -portbit 1', mode: 'const0', module: 'rs_layer1', cell: 'bank0', src: [] };
    const mixed = await foldByModule(d, netlist, [list[0]!, bad, ...list.slice(1)], 5, work);
    expect([...mixed.refused.keys()]).toEqual([13]);
    expect(mixed.refused.get(13)).toMatch(/^ERROR: .*portbit/);
    expect([...mixed.folds.keys()].sort()).toEqual([...texts.keys()].sort());
    for (const [module, f] of mixed.folds) expect(readFileSync(f.file, 'utf8')).toBe(texts.get(module));
    // Refused alone, the module keeps its own Verilog: no fold without mutations (and so without a mutsel port).
    const alone = await foldByModule(d, netlist, [bad], 5, work);
    expect([...alone.refused.keys()]).toEqual([13]);
    expect(alone.folds.size).toBe(0);
  }, 300_000);
});
