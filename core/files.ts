// Files and folders users name: reading with errors that say why (missing, permission, a folder, another errno), and
// creating folders without the loops of Node's recursive mkdir.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SimrunError, type ErrorCode } from './errors.js';

/** Why a path cannot be read, in words ('' when it can). */
export function unreadableReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'does not exist';
    case 'EACCES':
    case 'EPERM': return 'cannot be read (permission denied)';
    case 'EISDIR': return 'is a folder, not a file';
    case 'ENOTDIR': return 'is not under a folder (a part of the path is a file)';
    case 'ELOOP': return 'is a symbolic-link loop';
    case 'ENAMETOOLONG': return 'has a name that is too long';
    default: return `cannot be read (${(e as Error).message.split('\n')[0]})`;
  }
}

/** Reads `path` whole; otherwise a SimrunError `code`: "<what> '<path>' <reason>; <fix>". */
export function readUserFile(path: string, what: string, code: ErrorCode, fix: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return readFileSync(path);
  } catch (e) {
    throw new SimrunError(code, `${what} '${path}' ${unreadableReason(e)}; ${fix}`);
  }
}

/** Reads `path` as UTF-8 text (same errors as readUserFile). */
export function readUserText(path: string, what: string, code: ErrorCode, fix: string): string {
  return readUserFile(path, what, code, fix).toString('utf8');
}

/**
 * Creates `path` and any missing parents, one level at a time. Node's own recursive mkdir loops forever on some paths
 * (under /proc it keeps retrying an ENOENT), and being synchronous it would not even let a signal end the run; this
 * walks up to the first existing ancestor and then creates each level once, so every failure is an error at once.
 */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    try {
      if (!statSync(p).isDirectory()) throw Object.assign(new Error(`'${p}' is a file`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const up = dirname(p);
      if (up === p) throw e;
      missing.push(p);
      p = up;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      // Another process may have made it meanwhile; anything else (EACCES, ENOENT under /proc...) is final.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw e;
    }
  }
}
