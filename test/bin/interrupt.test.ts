// Interrupted runs: SIGTERM during a Verilator build ends every compiler rowsim started and removes its temporary
// folder, and a re-run interrupted in an --out that held a passing report leaves no report claiming a pass.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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
  it('mid-build (tiny, fresh cache): exit 143, no compiler left running, no temporary build folder or compiler file in $TMPDIR, and the earlier PASS report is gone', async () => {
    const out = tmp();
    const first = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    const cache = tmp();
    const tmpdirOfRun = tmp();
    const run = simrunAsync(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out, '--quiet'], { env: { SIMRUN_CACHE: cache, TMPDIR: tmpdirOfRun } });
    // Wait until the compiler is really running under the temporary build folder.
    const building = await until(() => processesMentioning(cache).some((p) => /cc1plus|g\+\+|make|verilator/.test(p)), 60_000);
    expect(building, 'the build never started').toBe(true);
    run.stop('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(143);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^simrun: interrupted by SIGTERM: stopping the tools/);
    await sleep(300);
    expect(processesMentioning(cache)).toEqual([]);
    expect(readdirSync(cache).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // The compiler's temporary files lived inside the build folder: none is left in $TMPDIR.
    expect(readdirSync(tmpdirOfRun)).toEqual([]);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});

describe('reports are never half-written', () => {
  it('a failing re-run (bad image) into an --out with a passing report removes nothing it should not and leaves no report', () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]).code).toBe(0);
    // A re-run takes the folder first thing and removes the old report before it reads anything, so whatever stops it
    // afterwards (bad input here, a signal while preparing below) leaves no verdict that is not the latest command's.
    const bad = simrun(['--image', 'nope.png', '--config', 'tiny', '--out', out]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(existsSync(join(out, '.simrun.lock'))).toBe(false);
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]).code).toBe(0);
    // An engine failure after the folder was prepared: the old report must be gone.
    const fail = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { env: { PATH: '/nonexistent' } });
    expect(fail.code).toBe(3);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});

describe('one run per --out', () => {
  it('a second run into a busy --out is refused (exit 2, OUT_BUSY naming the holder\'s pid) and writes nothing; the lock goes with the holder (SIGTERM) and a third run proceeds', async () => {
    const out = tmp();
    // A long run (a million frames of one image) holds the folder until it is stopped.
    const holder = simrunAsync(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '1000000', '--out', out, '--quiet']);
    expect(await until(() => existsSync(join(out, '.simrun.lock')), 60_000), 'the holder never took the folder').toBe(true);
    const second = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--engines', 'golden,sim', '--out', out, '--inject', 'sim@bit:2:3:4:5:30']);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`\\[OUT_BUSY\\].*pid ${holder.pid}\\b.*pass another --out`));
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(out).sort()).toEqual(['.simrun.lock']);
    holder.stop('SIGTERM');
    expect((await holder.done).code).toBe(143);
    expect(readdirSync(out)).toEqual([]);
    const third = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(third.code, third.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
  });

  it('regress, mutate and emit into a busy --out are refused too (exit 2, OUT_BUSY)', async () => {
    const out = tmp();
    const holder = simrunAsync(['--image', 'examples/coffee.png', '--config', 'tiny', '--frames', '1000000', '--out', out, '--quiet']);
    expect(await until(() => existsSync(join(out, '.simrun.lock')), 60_000)).toBe(true);
    try {
      for (const args of [['regress', '--suite', 'examples/suite.yaml'], ['mutate', '--config', 'tiny', '--count', '0'], ['emit', '--config', 'tiny']]) {
        const r = simrun([...args, '--out', out]);
        expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
        expect(r.stderr, args[0]).toMatch(/\[OUT_BUSY\]/);
      }
      expect(readdirSync(out).sort()).toEqual(['.simrun.lock']);
    } finally {
      holder.stop('SIGTERM');
      await holder.done;
    }
  });

  it('a lock left by a run that died (its pid is gone) is taken over', () => {
    const out = tmp();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(out, '.simrun.lock'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), command: 'simrun (killed)', started: '2026-01-01T00:00:00Z' }));
    const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, '.simrun.lock'))).toBe(false);
  });

  it('SIGINT while a re-run (ie120r) is still preparing: the previous PASS report is already gone', async () => {
    const out = tmp();
    expect(simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]).code).toBe(0);
    const rerun = simrunAsync(['--image', 'examples/coffee.png', '--config', 'ie120r', '--out', out, '--quiet']);
    // The folder is taken before the spec, the weights or the image are read; the full IE120R's weights take seconds.
    expect(await until(() => existsSync(join(out, '.simrun.lock')) && !existsSync(join(out, 'report.json')), 60_000)).toBe(true);
    rerun.stop('SIGINT');
    expect((await rerun.done).code).toBe(130);
    expect(readdirSync(out)).toEqual([]);
  });

  it('an --out that cannot be created (/proc/rowsim-x, a file\'s child) fails at once with exit 2, never spinning', () => {
    const file = join(tmp(), 'plain-file');
    writeFileSync(file, 'x');
    for (const out of ['/proc/rowsim-x', '/proc/self/rowsim-x/y', join(file, 'sub')]) {
      const t0 = Date.now();
      const r = simrun(['--image', 'examples/coffee.png', '--config', 'tiny', '--out', out]);
      expect(r.code, `${out}: ${r.stderr}`).toBe(2);
      expect(r.stderr, out).toMatch(/\[OUT_NOT_WRITABLE\].*pass --out/);
      expect(Date.now() - t0, out).toBeLessThan(30_000);
    }
  });
});
