// Interrupted runs: SIGTERM during a Verilator build ends every compiler rowsim started and removes its temporary
// folder, and a re-run interrupted in an --out that held a passing report leaves no report claiming a pass.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simrun, simrunAsync } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-int-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line mentions `text` (found through /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 100) {
    if (cond()) return true;
    await sleep(100);
  }
  return false;
}

describeRtl('SIGTERM during a run', () => {
  it('mid-build (tiny, fresh cache): exit 143, no compiler left running, no temporary build folder, and the earlier PASS report is gone', async () => {
    const out = tmp();
    const first = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    const cache = tmp();
    const run = simrunAsync(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out, '--quiet'], { env: { SIMRUN_CACHE: cache } });
    // Wait until the compiler is really running under the temporary build folder.
    const building = await until(() => processesMentioning(cache).some((p) => /cc1plus|g\+\+|make|verilator/.test(p)), 60_000);
    expect(building, 'the build never started').toBe(true);
    run.stop('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    await sleep(300);
    expect(processesMentioning(cache)).toEqual([]);
    expect(readdirSync(cache).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});

describe('reports are never half-written', () => {
  it('a failing re-run (bad image) into an --out with a passing report removes nothing it should not and leaves no report', () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]).code).toBe(0);
    // A bad input is found before the folder is touched: the old report stays, honestly the old run's.
    const bad = simrun(['--image', 'nope.png', '--config', 'tiny', '--out', out]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    // An engine failure after the folder was prepared: the old report must be gone.
    const fail = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { env: { PATH: '/nonexistent' } });
    expect(fail.code).toBe(3);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});
