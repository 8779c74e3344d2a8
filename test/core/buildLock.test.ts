// The build lock of a shared cache: a free lock is taken and released; a live holder is waited for until the entry
// appears (and the waiter then builds nothing); a holder that died on this host, or an old lock from another host,
// is taken over; two racing makers build once.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withBuildLock } from '../../core/buildLock.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-lock-'));

describe('withBuildLock', () => {
  it('a free lock: make runs, the lock exists while it runs and is gone after', async () => {
    const d = tmp(), lock = join(d, 'x.lock');
    let seen = false;
    const r = await withBuildLock(lock, { ready: () => false }, async () => { seen = existsSync(lock); return 7; });
    expect([r, seen, existsSync(lock)]).toEqual([7, true, false]);
  });

  it('a live holder (a sleeping process on this host): the waiter says who, waits until the entry appears, and makes nothing', async () => {
    const d = tmp(), lock = join(d, 'x.lock'), entry = join(d, 'x');
    const holder = spawn('sleep', ['30']);
    writeFileSync(lock, JSON.stringify({ host: hostname(), pid: holder.pid, started: Date.now() }));
    setTimeout(() => writeFileSync(entry, 'built'), 400);
    const said: string[] = [];
    const r = await withBuildLock(lock, { ready: () => existsSync(entry), onWait: (h) => said.push(h), pollMs: 50 }, async () => 'made');
    holder.kill();
    expect(r).toBeNull();
    expect(said).toEqual([`pid ${holder.pid} on ${hostname()}`]);
  });

  it.each([
    ['a holder that died on this host', { host: hostname(), pid: 2 ** 22 + 12345 }, 0],
    ['a lock from another host untouched for 20 minutes', { host: 'some-other-node', pid: 1 }, 20 * 60_000],
  ])('%s is taken over', async (_, owner, age) => {
    const d = tmp(), lock = join(d, 'x.lock');
    writeFileSync(lock, JSON.stringify({ ...owner, started: Date.now() - age }));
    const then = new Date(Date.now() - age);
    utimesSync(lock, then, then);
    expect(await withBuildLock(lock, { ready: () => false, pollMs: 20 }, async () => 'made')).toBe('made');
  });

  it('a lock from another host touched a minute ago is waited for, not taken over', async () => {
    const d = tmp(), lock = join(d, 'x.lock'), entry = join(d, 'x');
    writeFileSync(lock, JSON.stringify({ host: 'some-other-node', pid: 1, started: Date.now() - 3 * 3600_000 }));
    const then = new Date(Date.now() - 60_000);
    utimesSync(lock, then, then);
    setTimeout(() => writeFileSync(entry, 'built'), 300);
    expect(await withBuildLock(lock, { ready: () => existsSync(entry), pollMs: 20 }, async () => 'made')).toBeNull();
    expect(existsSync(lock)).toBe(true);   // never ours to remove
  });

  it('two makers racing for one entry: it is made once, the other finds it ready', async () => {
    const d = tmp(), lock = join(d, 'x.lock'), entry = join(d, 'x');
    let made = 0;
    const make = async () => { made++; await new Promise((r) => setTimeout(r, 200)); writeFileSync(entry, 'built'); return 'made'; };
    const w = { ready: () => existsSync(entry), pollMs: 20 };
    const both = await Promise.all([withBuildLock(lock, w, make), withBuildLock(lock, w, make)]);
    expect(made).toBe(1);
    expect(both.sort()).toEqual(['made', null].sort());
  });
});
