// Names that reach the file system or generated source: path segments that cannot leave their folder, comment text
// that cannot end its comment. Invariant: safeSegment never returns '', '.', '..' or a string with a separator.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SimrunError } from './errors.js';

/** A user-given name as one path segment: letters, digits, '.', '_' and '-' only (others become '_'), at most 80 long. */
export function safeSegment(name: string): string {
  let s = name.normalize('NFKC').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_').slice(0, 80);
  if (s === '' || s === '_') s = s === '_' ? '_' : 'unnamed';
  return s;
}

/** `base`/`segments` resolved, refusing any result outside `base` (OUT_NOT_WRITABLE names both). */
export function inside(base: string, ...segments: string[]): string {
  const b = resolve(base);
  const p = resolve(b, ...segments);
  const rel = relative(b, p);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new SimrunError('OUT_NOT_WRITABLE', `refusing to write '${p}': it is outside the output folder '${b}'`);
  }
  return p;
}

/** True for a name with a control or format character (they would reach generated Verilog, C++ and terminals). */
export function hasControlCharacter(name: string): boolean {
  return /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(name);
}

/** Text safe inside a Verilog or C++ comment: printable ASCII only, no comment terminators. */
export function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').replace(/\*\//g, '*_/').replace(/\/\*/g, '/_*');
}
