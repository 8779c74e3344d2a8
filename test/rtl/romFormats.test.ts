// ROM images as .mif and Intel HEX: records worked out by hand (checksums, the extended address record), the readers
// refuse what is malformed, and `simrun emit --rom-format memh,mif,hex` writes images that read back to the .memh words.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimrunError } from '../../core/errors.js';
import { loadDesign } from '../../rtl/design.js';
import { formatIntelHex, formatMif, parseIntelHex, parseMif } from '../../rtl/romFormats.js';
import { simrun } from '../support/cli.js';

const code = (f: () => unknown) => { try { f(); return null; } catch (e) { return e instanceof SimrunError ? e.code : String(e); } };

describe('Intel HEX', () => {
  it('18-bit 0x1fc00 at 0: :03 0000 00 01FC00, checksum 00 (0x03+0x01+0xFC = 0x100); then the end record', () => {
    expect(formatIntelHex(Uint32Array.of(0x1fc00), 18)).toBe(':0300000001FC0000\n:00000001FF\n');
  });
  it('32-bit 0x3f800000 at 1: checksum 0x3C (0x100 − (0x04+0x01+0x3F+0x80) mod 0x100)', () => {
    expect(formatIntelHex(Uint32Array.of(0, 0x3f800000), 32).split('\n')[1]).toBe(':040001003F8000003C');
  });
  it('65537 words: word 65536 after the extended linear address record :020000040001F9, at address 0000', () => {
    const words = new Uint32Array(65537).map((_, i) => i & 0x3ffff);
    const lines = formatIntelHex(words, 18).trim().split('\n');
    expect(lines[65536]).toBe(':020000040001F9');
    expect(lines[65537]).toBe(':03000000010000FC'); // 0x10000 in three bytes at address 0; 0x100 − (3 + 1) = 0xFC
    expect(Array.from(parseIntelHex(lines.join('\n'), 'x.hex', 18))).toEqual(Array.from(words));
  });
  it('refused: a wrong checksum, a word written twice, a value wider than the word, no end record — ROM_MALFORMED', () => {
    expect(code(() => parseIntelHex(':0300000001FC0001\n:00000001FF\n', 'x.hex', 18))).toBe('ROM_MALFORMED');
    expect(code(() => parseIntelHex(':0300000001FC0000\n:0300000001FC0000\n:00000001FF\n', 'x.hex', 18))).toBe('ROM_MALFORMED');
    expect(code(() => parseIntelHex(':03000000040000F9\n:00000001FF\n', 'x.hex', 18))).toBe('ROM_MALFORMED'); // 2^18
    expect(code(() => parseIntelHex(':0300000001FC0000\n', 'x.hex', 18))).toBe('ROM_MALFORMED');
    // An extended address record of one byte (:01000004 00 FB), an end record with a data byte (:01000001 00 FE).
    expect(code(() => parseIntelHex(':0100000400FB\n:0300000001FC0000\n:00000001FF\n', 'x.hex', 18))).toBe('ROM_MALFORMED');
    expect(code(() => parseIntelHex(':0300000001FC0000\n:0100000100FE\n', 'x.hex', 18))).toBe('ROM_MALFORMED');
  });
});

describe('.mif', () => {
  it('two 18-bit words: the header, five hex digits per word, END;', () => {
    expect(formatMif(Uint32Array.of(0x1fc00, 3), 18, 'two words')).toBe('-- two words\nWIDTH=18;\nDEPTH=2;\nADDRESS_RADIX=HEX;\nDATA_RADIX=HEX;\nCONTENT BEGIN\n\t0 : 1fc00;\n\t1 : 00003;\nEND;\n');
  });
  it('read: a range, unsigned data radix, comments; refused: an address never written, a value too wide, twice', () => {
    const text = 'WIDTH=8;\nDEPTH=4;\nADDRESS_RADIX=HEX;\nDATA_RADIX=UNS;\nCONTENT BEGIN\n[0..2] : 255; -- three\n3 : 7;\nEND;\n';
    expect(parseMif(text, 'x.mif')).toEqual({ width: 8, words: Uint32Array.of(255, 255, 255, 7) });
    expect(code(() => parseMif(text.replace('3 : 7;\n', ''), 'x.mif'))).toBe('ROM_MALFORMED');
    expect(code(() => parseMif(text.replace('3 : 7', '3 : 256'), 'x.mif'))).toBe('ROM_MALFORMED');
    expect(code(() => parseMif(text.replace('3 : 7', '2 : 7'), 'x.mif'))).toBe('ROM_MALFORMED');
    // Digits outside the radix, a range that runs backwards, a depth in hex or past the limit.
    for (const bent of [text.replace('3 : 7', '3 : 1A'), text.replace('[0..2]', '[2..0]'), text.replace('DEPTH=4', 'DEPTH=0X4'), text.replace('DEPTH=4', 'DEPTH=99999999999')]) {
      expect(code(() => parseMif(bent, 'x.mif')), bent.split('\n').find((l) => /1A|2\.\.0|0X4|9999/.test(l))).toBe('ROM_MALFORMED');
    }
  });
});

describe('simrun emit --rom-format', () => {
  it('tiny, memh,mif,hex: every layer\'s weight and bias image reads back to the .memh words; design.json lists them as romExports', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rowsim-rom-')), 'd');
    const r = simrun(['emit', '--config', 'tiny', '--rom-format', 'memh,mif,hex', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const d = loadDesign(out);
    expect(d.manifest.romExports).toHaveLength(4 * 2 * 2);
    for (const memh of d.manifest.roms) {
      const words = readFileSync(join(out, memh), 'utf8').trim().split('\n').map((x) => parseInt(x, 16));
      const width = memh.startsWith('rom/w') ? 18 : 32;
      const base = memh.replace(/\.memh$/, '');
      expect(Array.from(parseIntelHex(readFileSync(join(out, `${base}.hex`), 'utf8'), base, width)), `${base}.hex`).toEqual(words);
      const mif = parseMif(readFileSync(join(out, `${base}.mif`), 'utf8'), base);
      expect(mif.width).toBe(width);
      expect(Array.from(mif.words), `${base}.mif`).toEqual(words);
    }
    // A second emit into the folder without the extra formats removes them (the folder holds what that emit wrote).
    expect(simrun(['emit', '--config', 'tiny', '--out', out]).code).toBe(0);
    expect(loadDesign(out).manifest.romExports).toBeUndefined();
    expect(() => readFileSync(join(out, 'rom/w1.mif'))).toThrow();
  });
  it('--rom-format mif,bogus and mif,mif: one line naming the option, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowsim-rom-'));
    for (const f of ['mif,bogus', 'mif,mif']) {
      const r = simrun(['emit', '--config', 'tiny', '--rom-format', f, '--out', join(dir, 'x')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--rom-format/);
    }
    expect(existsSync(join(dir, 'x', 'design.json'))).toBe(false);
  });
});
