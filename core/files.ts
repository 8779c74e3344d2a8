// Reading user-named files with errors that say why: missing, not readable (permission), a folder, or another errno.
import { readFileSync, statSync } from 'node:fs';
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
