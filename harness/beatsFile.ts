// Beats from a file, one JSON object a line (JSON Lines), for `simrun check --beats` and the library: each line is
// {"layer", "frame", "row", "col", "group", "cycle", "data": ["3f800000", …], "last"?}, the words as 8 hex digits (or
// unsigned numbers). Read as a stream, so a file of any size stays flat in memory; a bad line is named by file:line.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SimrunError } from '../core/errors.js';
import type { Beat } from './scoreboard.js';

const INT_FIELDS = ['layer', 'frame', 'row', 'col', 'group', 'cycle'] as const;

/** One line as a beat, or the reason it is not one. */
function parseBeat(line: string): Beat | string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'is not JSON';
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'is not a JSON object';
  const r = o as Record<string, unknown>;
  for (const k of INT_FIELDS) if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) return `field '${k}' is not a whole number ≥ 0`;
  if (!Array.isArray(r.data) || r.data.length === 0) return "field 'data' is not a list of words";
  const data = new Uint32Array(r.data.length);
  for (let i = 0; i < r.data.length; i++) {
    const w = r.data[i];
    if (typeof w === 'string' && /^[0-9a-fA-F]{1,8}$/.test(w)) data[i] = parseInt(w, 16);
    else if (typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff) data[i] = w;
    else return `data[${i}] is not a 32-bit word (8 hex digits)`;
  }
  if (r.last !== undefined && typeof r.last !== 'boolean') return "field 'last' is not true or false";
  return { layer: r.layer as number, frame: r.frame as number, row: r.row as number, col: r.col as number, group: r.group as number, cycle: r.cycle as number, data, ...(r.last !== undefined ? { last: r.last as boolean } : {}) };
}

/** The beats of a JSON Lines file, in file order; blank lines and lines starting with '#' are skipped. */
export async function* readBeatsJsonl(path: string): AsyncGenerator<Beat> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((res, rej) => { stream.once('open', () => res()); stream.once('error', rej); });
  try {
    await opened;
  } catch (e) {
    throw new SimrunError('USAGE', `beats file '${path}' cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path`);
  }
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n++;
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const b = parseBeat(t);
    if (typeof b === 'string') throw new SimrunError('USAGE', `${path}:${n}: the line ${b}; see docs/check.md for the beat format`);
    yield b;
  }
}
