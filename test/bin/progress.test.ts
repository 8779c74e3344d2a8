// Without a terminal a long run is never silent: every SIMRUN_PROGRESS_SECONDS (10 by default) it prints its latest
// status — the frame being compared and the RTL's simulated cycle, rate and time left — and a short run prints nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-prog-'));

describeRtl('progress lines in a CI log', () => {
  it('ie120r-mini through the RTL, 40 frames, SIMRUN_PROGRESS_SECONDS=1: progress lines name the frame and the RTL cycle with rate and time left', () => {
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'ie120r-mini', '--engines', 'sim,rtl', '--frames', '40', '--out', tmp()], { env: { SIMRUN_PROGRESS_SECONDS: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('simrun: progress ('));
    expect(lines.length, r.stderr).toBeGreaterThan(1);
    expect(r.stderr).toMatch(/simrun: progress \(\d+ s\): comparing frame \d+\/40; rtl at cycle [\d.]+M? of [\d.]+M \([\d.]+M? cycles\/s, about \d+ s left\)/);
  });

  it('a short run (tiny, golden and sim) prints no progress line', () => {
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', tmp()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
