// ROM images in the formats FPGA flows read besides $readmemh text: Intel/Altera Memory Initialization Files (.mif) and
// Intel HEX (.hex, one word per record at its word address, as Quartus reads memory contents). Each writer has a reader
// that checks what it reads (checksums, widths, every address written once), so an image can be read back word for word.
import { SimrunError } from '../core/errors.js';

/** The ROM image formats `simrun emit --rom-format` writes; memh is the one the emitted Verilog loads. */
export const ROM_FORMATS = ['memh', 'mif', 'hex'] as const;
export type RomFormat = (typeof ROM_FORMATS)[number];

const bad = (file: string, line: number, why: string): never => {
  throw new SimrunError('ROM_MALFORMED', `${file}:${line}: ${why}; write the image again with 'simrun emit --rom-format'`);
};

/** The words as a .mif of `width`-bit words, addresses and data in hex; `title` goes into its header comment. */
export function formatMif(words: Uint32Array, width: number, title: string): string {
  const digits = Math.ceil(width / 4);
  const lines = [`-- ${title.replace(/[\r\n]+/g, ' ')}`, `WIDTH=${width};`, `DEPTH=${words.length};`, 'ADDRESS_RADIX=HEX;', 'DATA_RADIX=HEX;', 'CONTENT BEGIN'];
  for (let a = 0; a < words.length; a++) lines.push(`\t${a.toString(16)} : ${(words[a]! >>> 0).toString(16).padStart(digits, '0')};`);
  lines.push('END;');
  return lines.join('\n') + '\n';
}

/** Reads a .mif (hex or unsigned radix, single addresses or [a..b] ranges, `--` and `%…%` comments): its width and words. */
export function parseMif(text: string, file: string): { width: number; words: Uint32Array } {
  const header = new Map<string, string>();
  let words: (number | undefined)[] | null = null;
  let width = 0;
  const lines = text.replace(/%[^%]*%/g, '').split('\n');
  const radix = (name: string) => {
    const r = header.get(name) ?? 'HEX';
    if (r === 'HEX') return 16;
    if (r === 'UNS' || r === 'DEC') return 10;
    return bad(file, 1, `${name} ${r} is not read (HEX or UNS)`);
  };
  /** A whole number written in `base` (every digit valid), or a ROM_MALFORMED error at line `at`. */
  const number = (text: string, base: number, at: number, what: string): number => {
    if (!(base === 16 ? /^[0-9A-F]+$/i : /^[0-9]+$/).test(text)) bad(file, at, `${what} '${text}' is not a ${base === 16 ? 'hexadecimal' : 'decimal'} number`);
    const v = parseInt(text, base);
    if (!Number.isSafeInteger(v)) bad(file, at, `${what} '${text}' is too large`);
    return v;
  };
  let ended = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/--.*$/, '').trim();
    if (!raw) continue;
    if (ended) bad(file, i + 1, 'text after END;');
    if (words === null) {
      if (/^CONTENT\s+BEGIN$/i.test(raw)) {
        width = number(header.get('WIDTH') ?? '', 10, i + 1, 'WIDTH');
        const depth = number(header.get('DEPTH') ?? '', 10, i + 1, 'DEPTH');
        if (width < 1 || width > 32) bad(file, i + 1, `WIDTH ${width} is not 1..32`);
        if (depth < 1 || depth > 1 << 26) bad(file, i + 1, `DEPTH ${depth} is not 1..${1 << 26}`);
        words = new Array<number | undefined>(depth);
        continue;
      }
      const m = /^([A-Z_]+)\s*=\s*([A-Z0-9]+)\s*;$/i.exec(raw);
      if (!m) bad(file, i + 1, `'${raw.slice(0, 30)}' is not a header line (NAME=VALUE;)`);
      header.set(m![1]!.toUpperCase(), m![2]!.toUpperCase());
      continue;
    }
    if (/^END\s*;$/i.test(raw)) { ended = true; continue; }
    const m = /^(?:\[(\w+)\.\.(\w+)\]|(\w+))\s*:\s*(\w+)\s*;$/.exec(raw);
    if (!m) bad(file, i + 1, `'${raw.slice(0, 30)}' is not 'address : value;'`);
    const ar = radix('ADDRESS_RADIX'), dr = radix('DATA_RADIX');
    const from = number(m![1] ?? m![3]!, ar, i + 1, 'address'), to = number(m![2] ?? m![3]!, ar, i + 1, 'address'), value = number(m![4]!, dr, i + 1, 'value');
    if (from > to) bad(file, i + 1, `range [${m![1]}..${m![2]}] runs backwards`);
    if (value >= 2 ** width) bad(file, i + 1, `value ${m![4]} does not fit in ${width} bits`);
    for (let a = from; a <= to; a++) {
      if (a >= words.length) bad(file, i + 1, `address ${a.toString(16)} is past DEPTH ${words.length}`);
      if (words[a] !== undefined) bad(file, i + 1, `address ${a.toString(16)} is written twice`);
      words[a] = value;
    }
  }
  if (words === null || !ended) return bad(file, lines.length, words === null ? 'no CONTENT BEGIN' : 'no END;');
  const missing = words.findIndex((w) => w === undefined);
  if (missing >= 0) bad(file, lines.length, `address ${missing.toString(16)} is never written`);
  return { width, words: Uint32Array.from(words as number[]) };
}

/** One Intel HEX record: `:` count, address, type, data, and the two's complement of their byte sum. */
function record(address: number, type: number, data: readonly number[]): string {
  const bytes = [data.length, (address >> 8) & 0xff, address & 0xff, type, ...data];
  const sum = bytes.reduce((a, b) => a + b, 0);
  return ':' + [...bytes, (0x100 - (sum & 0xff)) & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/**
 * The words as Intel HEX: one data record per word at its word address, the word's ceil(width/8) bytes most significant
 * first; an extended linear address record (type 04) before each 64 Ki-word page past the first; an end record.
 */
export function formatIntelHex(words: Uint32Array, width: number): string {
  const bytes = Math.ceil(width / 8);
  const out: string[] = [];
  for (let a = 0; a < words.length; a++) {
    if (a > 0 && a % 0x10000 === 0) out.push(record(0, 4, [(a >>> 24) & 0xff, (a >>> 16) & 0xff]));
    const w = words[a]! >>> 0;
    out.push(record(a & 0xffff, 0, Array.from({ length: bytes }, (_, k) => (w >>> (8 * (bytes - 1 - k))) & 0xff)));
  }
  out.push(record(0, 1, []));
  return out.join('\n') + '\n';
}

/** Reads Intel HEX of `width`-bit words (one word per data record, word addresses): every checksum and address checked. */
export function parseIntelHex(text: string, file: string, width: number): Uint32Array {
  const bytes = Math.ceil(width / 8);
  const words: (number | undefined)[] = [];
  let page = 0, ended = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    if (ended) bad(file, i + 1, 'a record after the end record');
    if (!/^:([0-9A-F]{2})+$/i.test(raw)) bad(file, i + 1, 'not an Intel HEX record (:, then pairs of hex digits)');
    const b = raw.slice(1).match(/../g)!.map((h) => parseInt(h, 16));
    if (b.length !== b[0]! + 5) bad(file, i + 1, `the record says ${b[0]} data bytes but holds ${b.length - 5}`);
    if ((b.reduce((a, x) => a + x, 0) & 0xff) !== 0) bad(file, i + 1, 'checksum does not match');
    const type = b[3]!, data = b.slice(4, -1);
    if (type === 1) {
      if (data.length) bad(file, i + 1, 'an end record carries no data');
      ended = true;
      continue;
    }
    if (type === 4) {
      if (data.length !== 2) bad(file, i + 1, `an extended linear address record holds 2 bytes, not ${data.length}`);
      page = ((data[0]! << 8) | data[1]!) * 0x10000;
      continue;
    }
    if (type !== 0) bad(file, i + 1, `record type ${type} is not read (00, 01 or 04)`);
    if (data.length !== bytes) bad(file, i + 1, `a word of ${width} bits takes ${bytes} bytes, the record holds ${data.length}`);
    const a = page + ((b[1]! << 8) | b[2]!);
    const w = data.reduce((acc, x) => acc * 256 + x, 0);
    if (w >= 2 ** width) bad(file, i + 1, `value ${w.toString(16)} does not fit in ${width} bits`);
    if (words[a] !== undefined) bad(file, i + 1, `address ${a.toString(16)} is written twice`);
    words[a] = w;
  }
  if (!ended) bad(file, lines.length, 'no end record (:00000001FF)');
  for (let a = 0; a < words.length; a++) if (words[a] === undefined) bad(file, lines.length, `address ${a.toString(16)} is never written`);
  return Uint32Array.from(words as number[]);
}
