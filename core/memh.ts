// .memh codec in the IE120R layout: one line per record, each word 8 hex digits, words concatenated (a wide $readmemh word).
import { SimrunError } from './errors.js';

/** Word order within a line: `lowFirst` writes word 0 first; `highFirst` writes word n−1 first. */
export type WordOrder = 'lowFirst' | 'highFirst';

const HEX = '0123456789abcdef';

function hex8(w: number): string {
  let s = '';
  for (let sh = 28; sh >= 0; sh -= 4) s += HEX[(w >>> sh) & 15];
  return s;
}

/** Formats `words` as lines of `perLine` words each. */
export function formatMemh(words: Uint32Array, perLine: number, order: WordOrder): string {
  if (words.length % perLine !== 0) throw new SimrunError('INTERNAL', `memh: ${words.length} words do not split into lines of ${perLine}`);
  const lines = words.length / perLine;
  const parts: string[] = new Array(lines);
  for (let l = 0; l < lines; l++) {
    let s = '';
    const base = l * perLine;
    if (order === 'lowFirst') for (let i = 0; i < perLine; i++) s += hex8(words[base + i]!);
    else for (let i = perLine - 1; i >= 0; i--) s += hex8(words[base + i]!);
    parts[l] = s;
  }
  return parts.join('\n') + '\n';
}

/**
 * Parses memh text into words (word i of a line at index line·perLine + i, whatever the file order).
 * Words may be concatenated or separated by spaces; `//` comments and blank lines are ignored.
 * Rejects anything else with `file:line: reason`.
 */
export function parseMemh(text: string, file: string, perLine: number, order: WordOrder, expectedLines?: number, digitsPerWord = 8): Uint32Array {
  const src = text.split('\n');
  const out: number[] = [];
  let records = 0;
  const fail = (line: number, why: string): never => {
    throw new SimrunError('MEMH_MALFORMED', `${file}:${line}: ${why}; regenerate the file with 'simrun vectors'`);
  };
  for (let i = 0; i < src.length; i++) {
    const raw = src[i]!.replace(/\/\/.*$/, '').trim();
    if (raw === '') continue;
    const digits = raw.replace(/[\s_]+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(digits)) fail(i + 1, `not hexadecimal ('${raw.slice(0, 24)}')`);
    const d = digitsPerWord;
    if (digits.length !== perLine * d) fail(i + 1, `expected ${perLine} words of ${d} hex digits (${perLine * d} digits), found ${digits.length} digits`);
    const words = new Array<number>(perLine);
    for (let w = 0; w < perLine; w++) {
      const v = parseInt(digits.slice(w * d, w * d + d), 16) >>> 0;
      words[order === 'lowFirst' ? w : perLine - 1 - w] = v;
    }
    for (const v of words) out.push(v);
    records++;
  }
  if (expectedLines !== undefined && records !== expectedLines) {
    fail(src.length, `expected ${expectedLines} lines of data, found ${records} (truncated or wrong shape)`);
  }
  return Uint32Array.from(out);
}
