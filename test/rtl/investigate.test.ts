// From a mismatch to its cycle, waveform and MAC step on the RTL: --trace auto writes a waveform of only the failing
// layer around its first failing beat (values before timing); explain reads the RTL's own ALU registers, the word its tap
// delivered, and says where the RTL departs (ALU, output register, tap), also on a design without rowsim's registers.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import type { RunReport } from '../../harness/report.js';
import { simrun } from '../support/cli.js';
import { writeOwnDesign } from '../support/ownDesign.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-rinv-'));

describeRtl('--trace auto', () => {
  it('a failing run (rtl@bit:3:2:5:6:22 on tiny): VCD of layer 3 only, a window around its first failing beat, path printed, in report.json and linked from report.html', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--inject', 'rtl@bit:3:2:5:6:22', '--trace', 'auto:vcd', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const w = rep.waveform!;
    expect(w.layers).toEqual([3]);
    expect(w.format).toBe('vcd');
    expect(r.stdout).toContain(`waveform: ${w.path} (cycles ${w.window[0]}..${w.window[1]}, layer(s) 3`);
    const first = rep.layers[2]!.pairs.find((p) => p.a === 'golden' && p.b === 'rtl')!.first as { beat: { cycle: number } };
    expect(w.window[0]).toBeLessThan(first.beat.cycle);
    expect(w.window[1]).toBeGreaterThan(first.beat.cycle);
    const vcd = readFileSync(w.path, 'utf8');
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    // 1 cycle = 10 ns: the dump starts at 10·(window start) and ends at 10·(window end) + 5.
    expect(Math.min(...times)).toBe(10 * w.window[0]);
    expect(Math.max(...times)).toBe(10 * w.window[1] + 5);
    expect(vcd).toMatch(/scope module u_layer3 /);
    expect(vcd).not.toMatch(/scope module u_layer(1|2|4) /);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`href="${relative(out, w.path)}"`);
  });
  it('a passing run writes no waveform', () => {
    const out = tmp();
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--trace', 'auto', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).waveform).toBeNull();
    expect(existsSync(join(out, 'rtl-trace'))).toBe(false);
  });
});

describeRtl('explain with the RTL', () => {
  it('a corrupted RTL weight (rtl@weight:11:67:10, ie120r-mini with 2 strips and 3 groups): the RTL\'s registers differ first at tap 5\'s product', () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'ie120r-mini', '--alu-budget', '160', '--engines', 'golden,sim,rtl', '--inject', 'rtl@weight:11:67:10', '--out', out]).code).toBe(1);
    const r = simrun(['explain', out, '--layer', '11', '--row', '3', '--col', '6', '--chan', '7', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.rtl.found).toBe(true);
    expect(e.differences).toEqual([expect.objectContaining({ a: 'golden', b: 'rtl', step: 5, field: 'product' })]);
    // Up to tap 5 the RTL's running sums are the golden's, bit for bit.
    for (let t = 0; t < 5; t++) expect(e.rtl.taps[t].sum).toBe(e.golden.taps[t].sum);
  });
});

describeRtl('explain says where the RTL departs, also after the ALU', () => {
  it('an injected output bit (rtl@bit:2:3:4:5:30, tiny): the ALU\'s result is right, the output register and the tap hold the flipped word, with its beat and cycle', () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--inject', 'rtl@bit:2:3:4:5:30', '--out', out]).code).toBe(1);
    const r = simrun(['explain', out, '--layer', '2', '--row', '3', '--col', '4', '--chan', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.rtl.found).toBe(true);
    expect(e.rtl.out).toBe(e.golden.out);
    expect(e.rtlDelivered).toMatchObject({ found: true, word: (e.golden.out ^ 0x40000000) >>> 0 });
    expect(e.rtl.outRegister).toBe(e.rtlDelivered.word);
    expect(e.entry.stage).toBe('output register');
    const text = simrun(['explain', out, '--layer', '2', '--row', '3', '--col', '4', '--chan', '5', '--quiet']).stdout;
    expect(text).toMatch(new RegExp(`THE RTL DEPARTS AT ITS OUTPUT REGISTER: .* \\(beat ${e.rtlDelivered.beat} at cycle ${e.rtlDelivered.cycle}\\)`));
    expect(text).not.toMatch(/every step agrees/);
  });

  it('output lanes reversed in the output stage (hand edit of an emitted tiny layer 1): the ALU is right, the output register is not', () => {
    const d = join(tmp(), 'design');
    expect(simrun(['emit', '--config', 'tiny', '--out', d]).code).toBe(0);
    const f = join(d, 'rs_layer1.v');
    const v = readFileSync(f, 'utf8');
    // Lane j of the beat register takes lane (lanes − 1 − j) of the results: a wiring bug after the ALU.
    // (The output stage loads each strip's results as one concatenation per strip: reverse every one.)
    const edited = v.replace(/out_data <= \{(res\[\d+\](?:,\s+res\[\d+\])+)\};/g, (_, words: string) => `out_data <= {${words.split(/,\s+/).reverse().join(', ')}};`);
    expect(edited, 'the output stage\'s lane assignment was not found').not.toBe(v);
    writeFileSync(f, edited);
    const out = tmp();
    expect(simrun(['--rtl', d, '--image', 'examples/coffee.png', '--out', out, '--quiet']).code).toBe(1);
    const e = JSON.parse(simrun(['explain', out, '--layer', '1', '--row', '5', '--col', '5', '--chan', '0', '--json']).stdout);
    expect(e.rtl.out).toBe(e.golden.out);
    expect(e.entry.stage).toBe('output register');
    expect(e.rtlDelivered.word).not.toBe(e.golden.out);
  });
});

describeRtl('investigating a design with its own timing', () => {
  it('explain on it says at once it has no ALU registers, builds nothing, and shows the RTL\'s word beside golden and sim (a flipped bit: never "every step agrees")', () => {
    const d = writeOwnDesign(join(tmp(), 'flip'), { layers: [{}, { flip: true }, {}] });
    const out = tmp();
    expect(simrun(['--rtl', d, '--image', 'examples/coffee.png', '--frames', '2', '--out', out, '--quiet']).code).toBe(1);
    const cache = tmp();
    const r = simrun(['explain', out, '--layer', '2', '--row', '1', '--col', '1', '--chan', '0', '--frame', '1'], { env: { SIMRUN_CACHE: cache } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^simrun: notice: rtl: this design's layer 2 \(own_top\.l2\) has no out_r, pos, grp, phase, p_reg/);
    expect(r.stdout).toMatch(/rtl delivers .* on its tap: beat \d+ at cycle \d+ \(from the run's beat log\)/);
    expect(r.stdout).toMatch(/THE RTL'S WORD DIFFERS: the rtl delivers/);
    expect(r.stdout).not.toMatch(/every step agrees/);
    expect(readdirSync(cache).filter((x) => x.startsWith('rs-'))).toEqual([]);
  });

  it('--trace auto under exact timing opens the first layer with a values mismatch (layer 2), not layer 1 whose beats only differ in time', () => {
    const d = writeOwnDesign(join(tmp(), 'flip'), { layers: [{}, { flip: true }, {}] });
    const out = tmp();
    const r = simrun(['--rtl', d, '--image', 'examples/coffee.png', '--timing', 'exact', '--trace', 'auto:vcd', '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(1);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(rep.layers[0]!.pairs.find((p) => p.kind === 'cycles')!.status).toBe('differ');
    expect(rep.waveform!.layers).toEqual([2]);
    expect(rep.waveform!.reason).toMatch(/bit mismatch of layer 2: row 1 col 1 chan 0/);
  });
});
