// Bad declarations in a design folder are refused before any build: DESIGN_INVALID (or USAGE for a bad option), exit 2,
// one line naming the field and the fix, and no Verilator build in the cache.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { simrun } from '../support/cli.js';
import { writeOwnDesign } from '../support/ownDesign.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-decl-'));

/** A fresh own design with `edit` applied to one of its JSON files. */
function designWith(file: 'taps.json' | 'design.json', edit: (j: Record<string, any>) => void, o: Parameters<typeof writeOwnDesign>[1] = {}): string {
  const d = writeOwnDesign(join(tmp(), 'd'), o);
  const j = JSON.parse(readFileSync(join(d, file), 'utf8'));
  edit(j);
  writeFileSync(join(d, file), JSON.stringify(j, null, 2));
  return d;
}

const DECLARED = { plan: true, timing: { mode: 'declared', model: {} } } as const;

const CASES: readonly { title: string; design: () => string; args?: string[]; code: string; message: RegExp }[] = [
  { title: 'declared timing the model cannot honour (a slot overhead of 400 cycles per pixel)', code: 'DESIGN_INVALID',
    design: () => designWith('design.json', (j) => { j.timing.model = { slotOverhead: { perStrip: 0, fixed: 400 } }; }, DECLARED),
    message: /timing\.model\.slotOverhead \(layer 1\): a row then takes \d+ cycles but the row rate allows 250/ },
  { title: 'declared slot interval longer than the slot', code: 'DESIGN_INVALID',
    design: () => designWith('design.json', (j) => { j.timing.model = { slotOverhead: { fixed: 1 }, intervalOverhead: { fixed: 5 } }; }, DECLARED),
    message: /intervalOverhead \(layer 1\): a slot interval of \d+ cycles is longer than the \d+-cycle slot/ },
  { title: 'declared timing without a plan in design.json', code: 'DESIGN_INVALID',
    design: () => designWith('design.json', (j) => { j.timing = 'declared'; }),
    message: /declared timing predicts the design's beats from its plan, and design.json has none/ },
  { title: 'lanes × groups that do not cover the layer\'s channels', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.layers['1'].lanes = 3; j.layers['1'].groups = 1; }),
    message: /tap layers\.1: 3 lanes × 1 groups do not carry layer 1's 4 channels exactly/ },
  { title: 'a channel table naming a channel twice', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.layers['1'].channels = [[0, 1, 1, 3]]; }),
    message: /tap layers\.1: channels names channel 1 twice/ },
  { title: 'an AXI4-Stream tdata of the wrong width', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.output.lanes = 2; j.output.groups = 2; }, { axis: true }),
    message: /tap output \(layer 3\)\.axis\.tdata 'm_axis_tdata' is 128 bits wide, expected 64 bits/ },
  { title: 'an AXI4-Stream tready of the wrong direction (the input\'s tready must be a design output)', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.input.axis.tready = 'm_axis_tready'; }, { axis: true }),
    message: /tap input\.axis\.tready 'm_axis_tready' must be an output port of the top module/ },
  { title: 'a clock that is not a top input', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[1].signal = 'own_top.l1.rows_in'; }, { pixelClockPs: 12_500 }),
    message: /tap clocks\[1\]\.signal 'own_top\.l1\.rows_in' must be an input port of the top module/ },
  { title: 'a clock period that is not a whole number of picoseconds', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[1].periodPs = 12_500.5; }, { pixelClockPs: 12_500 }),
    message: /tap clocks\[1\]\.periodPs 12500\.5 is not a whole number of picoseconds/ },
  { title: 'a pixel clock that does not exist, named by input.clock: that one problem, no second about input.clock', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[1].signal = 'pclk_typo'; }, { pixelClockPs: 12_500 }),
    message: /design folder '[^']*': tap clocks\[1\]\.signal: 'pclk_typo': [^;]*; fix taps\.json\n$/ },
  { title: 'a misspelt compute clock in clocks: that one problem, no second about the compute clock missing', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[0].signal = 'clkk'; }, { pixelClockPs: 12_500 }),
    message: /design folder '[^']*': tap clocks\[0\]\.signal: 'clkk': [^;]*; fix taps\.json\n$/ },
  { title: 'a fractional period on one clock and a non-port on the other: both reported, numbered', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[0].periodPs = 10_000.5; j.clocks[1].signal = 'own_top.l1.rows_in'; }, { pixelClockPs: 12_500 }),
    message: /2 problems with its taps: \(1\) tap clocks\[0\]\.periodPs 10000\.5 is not a whole number of picoseconds.*; \(2\) tap clocks\[1\]\.signal 'own_top\.l1\.rows_in' must be an input port of the top module[^(]*$/ },
  { title: 'a compute clock period that is not the spec\'s clockHz', code: 'DESIGN_INVALID',
    design: () => designWith('taps.json', (j) => { j.clocks[0].periodPs = 9000; }, { pixelClockPs: 12_500 }),
    message: /the compute clock 'clk' has periodPs 9000, but the spec's clockHz 100000000 means 10000 ps/ },
  { title: 'a latency budget of 0 (command line)', code: 'USAGE', design: () => writeOwnDesign(join(tmp(), 'd')), args: ['--latency-budget', '0'],
    message: /--latency-budget '0' is less than one cycle/ },
  { title: 'a latency budget that is not a number (design.json)', code: 'DESIGN_INVALID',
    design: () => designWith('design.json', (j) => { j.timing = { mode: 'own', latencyBudget: { total: 'soon' } }; }),
    message: /timing\.latencyBudget\.total 'soon' is not a latency budget/ },
  { title: 'a latency budget for a layer that does not exist', code: 'USAGE', design: () => writeOwnDesign(join(tmp(), 'd')), args: ['--latency-budget', '9=100'],
    message: /layer '9' does not exist; own3 has layers 1\.\.3/ },
  { title: 'a ROM name rowsim cannot write and the folder lacks', code: 'DESIGN_INVALID',
    design: () => designWith('design.json', (j) => { j.roms = ['coeffs1.hex']; }),
    message: /ROM 'coeffs1\.hex' is listed in design\.json but not there, and rowsim writes only weight\{N\}\.memh/ },
];

describeRtl('bad declarations are refused before any build', () => {
  for (const c of CASES) {
    it(`${c.title}: exit 2, ${c.code}`, () => {
      const cache = tmp();
      const r = simrun(['--rtl', c.design(), '--image', 'examples/coffee.png', '--out', join(tmp(), 'out'), ...(c.args ?? [])], { env: { SIMRUN_CACHE: cache } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^simrun: error \\[${c.code}\\]: `));
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith('rs-')) : []).toEqual([]);
    });
  }
});
