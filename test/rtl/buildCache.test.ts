// The build cache: never in the current folder, bounded by least-recent use, and a build a live process uses is kept.
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheRoot, clearCache, evict, listCache, useBuild } from '../../rtl/buildCache.js';
import { simrun } from '../support/cli.js';
import { describeRtl } from '../support/rtl.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-cache-'));

/** A fake finished build of `mib` MiB, last used `ageS` seconds ago, optionally marked in use by `pid`. */
function fakeBuild(root: string, name: string, mib: number, ageS: number, pid?: number): void {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'sim'), Buffer.alloc(mib * 2 ** 20));
  writeFileSync(join(d, '.last-used'), '');
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(join(d, '.last-used'), t, t);
  if (pid !== undefined) writeFileSync(join(d, `.in-use-${pid}`), '');
}

describe('build cache bookkeeping', () => {
  it('the cache root: SIMRUN_CACHE, else $XDG_CACHE_HOME/rowsim, else ~/.cache/rowsim', () => {
    const env = { ...process.env };
    try {
      process.env.SIMRUN_CACHE = '/tmp/x-cache';
      expect(cacheRoot()).toBe('/tmp/x-cache');
      delete process.env.SIMRUN_CACHE;
      process.env.XDG_CACHE_HOME = '/tmp/xdg';
      expect(cacheRoot()).toBe('/tmp/xdg/rowsim');
      delete process.env.XDG_CACHE_HOME;
      expect(cacheRoot()).toMatch(/\/\.cache\/rowsim$/);
    } finally {
      process.env = env;
    }
  });

  it('eviction to a 3 MiB cap (four 1 MiB builds) removes the least recently used one nobody uses; one in use by this process stays', () => {
    const root = tmp();
    fakeBuild(root, 'a', 1, 400, process.pid);   // oldest, but in use
    fakeBuild(root, 'b', 1, 300);
    fakeBuild(root, 'c', 1, 200);
    fakeBuild(root, 'd', 1, 100);
    expect(listCache(root).map((e) => e.name)).toEqual(['d', 'c', 'b', 'a']);
    expect(evict(3 * 2 ** 20 + 1024, root).map((e) => e.name)).toEqual(['b']);
    expect(readdirSync(root).sort()).toEqual(['a', 'c', 'd']);
  });

  it('eviction also removes work folders of builds killed outright on this host (a dead pid, still for 31 minutes); a live build\'s, another host\'s, a recently touched one and one whose build lock is fresh stay', () => {
    const root = tmp();
    const dead = 2 ** 22 + 777;   // above Linux's pid_max default of 2^22: no live process has it
    const old = new Date(Date.now() - 31 * 60_000);
    for (const f of [`x.tmp-${hostname()}-${dead}`, `y.tmp-${hostname()}-${process.pid}`, `z.tmp-elsewhere-${dead}`, `w.tmp-${hostname()}-${dead + 1}`, `v.tmp-${hostname()}-${dead + 2}`]) {
      mkdirSync(join(root, f, 'src'), { recursive: true });
      // w: a build of the same host name in another pid namespace, still writing (touched now).
      if (!f.startsWith('w.')) for (const p of [join(root, f, 'src'), join(root, f)]) utimesSync(p, old, old);
    }
    // v: the same, in a long step that writes nothing (a training run), its build lock's heartbeat fresh.
    writeFileSync(join(root, 'v.lock'), '');
    fakeBuild(root, 'kept', 1, 10);
    expect(evict(2 ** 30, root)).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['kept', 'v.lock', `v.tmp-${hostname()}-${dead + 2}`, `w.tmp-${hostname()}-${dead + 1}`, `y.tmp-${hostname()}-${process.pid}`, `z.tmp-elsewhere-${dead}`].sort());
  });

  it('a marker of a dead process pins nothing; useBuild marks use and its release unpins', () => {
    const root = tmp();
    fakeBuild(root, 'old', 1, 500, 2 ** 22 + 777);
    fakeBuild(root, 'new', 1, 10);
    const release = useBuild(join(root, 'new'));
    expect(listCache(root).find((e) => e.name === 'new')!.users).toEqual([process.pid]);
    expect(clearCache(root)).toMatchObject({ removed: [expect.objectContaining({ name: 'old' })], kept: [expect.objectContaining({ name: 'new' })] });
    release();
    expect(clearCache(root).removed.map((e) => e.name)).toEqual(['new']);
  });

  it('cached plans and weights are not builds: listed never, removed by clear (a weights/ folder holding sim/ included)', () => {
    const root = tmp();
    fakeBuild(root, 'b', 1, 10);
    for (const d of ['plans', 'weights']) {
      mkdirSync(join(root, d, 'sim'), { recursive: true });
      writeFileSync(join(root, d, 'x.bin'), 'x');
    }
    expect(listCache(root).map((e) => e.name)).toEqual(['b']);
    clearCache(root);
    expect(readdirSync(root)).toEqual([]);
  });
});

describeRtl('the cache where users expect it', () => {
  it('an rtl run with XDG_CACHE_HOME set builds there and writes nothing in the current folder; simrun cache lists and clears it', () => {
    const cwd = tmp(), xdg = tmp(), out = tmp();
    const env = { XDG_CACHE_HOME: xdg, SIMRUN_CACHE: '' };
    const r = simrun(['--image', join(process.cwd(), 'examples/coffee.png'), '--config', 'tiny', '--engines', 'golden,sim,rtl', '--out', out], { env, cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(join(xdg, 'rowsim')).some((f) => f.startsWith('rs-tiny-'))).toBe(true);
    const list = simrun(['cache', '--list'], { env, cwd });
    expect(list.stdout).toMatch(new RegExp(`^${join(xdg, 'rowsim')}: 1 build\\(s\\)`));
    expect(list.stdout).toMatch(/rs-tiny-/);
    expect(simrun(['cache', '--clear'], { env, cwd }).stdout).toMatch(/removed 1 build\(s\)/);
    expect(readdirSync(join(xdg, 'rowsim')).filter((f) => f.startsWith('rs-'))).toEqual([]);
  });
});
