// From a mismatch to its cycle, waveform and MAC step on the RTL: --trace auto writes a waveform of only the failing
// layer around its first failing beat; explain reads the RTL's own ALU registers and names the tap that went wrong.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import type { RunReport } from '../../harness/report.js';
import { simrun } from '../support/cli.js';
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
