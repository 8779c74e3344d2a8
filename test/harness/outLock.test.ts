// The output folder's lock, in-process: a second taker (this process or another live one) is refused naming the holder,
// a dead holder's lock is taken over, garbage is treated as stale, and releasing lets the next run in.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimrunError } from '../../core/errors.js';
import { LOCK_FILE, lockOutDir, unlockOutDir } from '../../harness/outLock.js';
import { prepareOutDir, releaseOutDir } from '../../harness/outdir.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rowsim-lock-'));

function busy(f: () => unknown): SimrunError {
  try {
    f();
  } catch (e) {
    return e as SimrunError;
  }
  throw new Error('expected OUT_BUSY');
}

describe('output folder lock', () => {
  it('second lock in the same process: OUT_BUSY naming this pid; after unlock it can be taken again', () => {
    const d = tmp();
    lockOutDir(d);
    const e = busy(() => lockOutDir(d));
    expect(e.code).toBe('OUT_BUSY');
    expect(e.message).toContain(`pid ${process.pid} on ${hostname()}`);
    unlockOutDir(d);
    lockOutDir(d);
    unlockOutDir(d);
  });

  it('a live holder elsewhere (pid 1) is refused; one on another host says how to clear it', () => {
    const d = tmp();
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: 1, host: hostname(), command: 'simrun x', started: 's' }));
    expect(busy(() => lockOutDir(d)).message).toMatch(/pid 1 on .*simrun x/);
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-node-7', command: 'simrun y', started: 's' }));
    expect(busy(() => lockOutDir(d)).message).toContain(`delete ${join(d, LOCK_FILE)}`);
  });

  it('a dead holder (pid 2^22+12345, beyond pid_max) and a garbage lock are taken over', () => {
    for (const text of [JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'gone', started: 's' }), 'not json']) {
      const d = tmp();
      writeFileSync(join(d, LOCK_FILE), text);
      lockOutDir(d);
      expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      unlockOutDir(d);
    }
  });

  it('prepareOutDir locks; releaseOutDir(failed) removes a folder it created that holds only the lock', () => {
    const d = join(tmp(), 'fresh');
    expect(prepareOutDir(d, 'x')).toBe(d);
    expect(busy(() => prepareOutDir(d, 'x')).code).toBe('OUT_BUSY');
    releaseOutDir(d, true);
    expect(() => readFileSync(join(d, LOCK_FILE))).toThrow();
    expect(() => prepareOutDir(join(d, '..', 'fresh'), 'x')).not.toThrow();
    releaseOutDir(d);
  });
});
