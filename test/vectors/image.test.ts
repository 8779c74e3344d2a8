// Image input through sharp: formats, colour types and bit depths all become normalized float32 H×W×3; bad files are clear errors.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../core/spec.js';
import { loadStimulus } from '../../vectors/image.js';

const dir = mkdtempSync(join(tmpdir(), 'rowsim-img-'));
const net = loadSpec('tiny');

/** A 32×24 test card with a known colour in the centre. */
function card(channels: 1 | 3 | 4): Buffer {
  const b = Buffer.alloc(32 * 24 * channels);
  for (let y = 0; y < 24; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < channels; c++) b[(y * 32 + x) * channels + c] = c === 3 ? 255 : (x * 8 + c * 40) & 255;
  return b;
}

describe('image formats', () => {
  const variants: [string, () => Promise<Buffer>][] = [
    ['png rgb', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).png().toBuffer()],
    ['png gray', () => sharp(card(1), { raw: { width: 32, height: 24, channels: 1 } }).png().toBuffer()],
    ['png rgba', () => sharp(card(4), { raw: { width: 32, height: 24, channels: 4 } }).png().toBuffer()],
    ['png palette', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).png({ palette: true }).toBuffer()],
    ['png 16-bit', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).toColourspace('rgb16').png().toBuffer()],
    ['jpeg', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).jpeg({ quality: 95 }).toBuffer()],
    ['tiff', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).tiff().toBuffer()],
    ['webp', () => sharp(card(3), { raw: { width: 32, height: 24, channels: 3 } }).webp({ lossless: true }).toBuffer()],
  ];
  for (const [name, make] of variants) {
    it(`${name} 32x24 → 16x16x3 normalized float32`, async () => {
      const p = join(dir, name.replace(/\W+/g, '_') + '.img');
      writeFileSync(p, await make());
      const s = await loadStimulus(p, net);
      expect(s.data.length).toBe(16 * 16 * 3);
      let min = Infinity, max = -Infinity;
      for (const v of s.data) { min = Math.min(min, v); max = Math.max(max, v); }
      // (0/255 − 0.485)/0.229 ≈ −2.118 and (1 − 0.406)/0.225 ≈ 2.64 bound every normalized value.
      expect(min).toBeGreaterThanOrEqual(-2.12);
      expect(max).toBeLessThanOrEqual(2.641);
      expect(max - min).toBeGreaterThan(1);
    });
  }

  it('normalizes exactly: a flat (255, 0, 128) image gives ((v/255 − mean)/std) per channel', async () => {
    const p = join(dir, 'flat.png');
    await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 255, g: 0, b: 128 } } }).png().toFile(p);
    const s = await loadStimulus(p, net);
    expect(s.data[0]).toBe(Math.fround((1 - 0.485) / 0.229));
    expect(s.data[1]).toBe(Math.fround((0 - 0.456) / 0.224));
    expect(s.data[2]).toBe(Math.fround((128 / 255 - 0.406) / 0.225));
    expect(s.warnings).toEqual([]);
  });

  it('centre-crops to the aspect ratio: a 48x16 image with a red middle third becomes all red', async () => {
    const raw = Buffer.alloc(48 * 16 * 3);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 48; x++) raw[(y * 48 + x) * 3] = x >= 16 && x < 32 ? 255 : 0;
    const p = join(dir, 'wide.png');
    await sharp(raw, { raw: { width: 48, height: 16, channels: 3 } }).png().toFile(p);
    const s = await loadStimulus(p, net);
    for (let i = 0; i < 16 * 16; i++) expect(s.data[i * 3]).toBe(Math.fround((1 - 0.485) / 0.229));
  });

  it('upscaling warns (8x8 image into 16x16)', async () => {
    const p = join(dir, 'small.png');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(p);
    expect((await loadStimulus(p, net)).warnings[0]).toMatch(/upscaling/);
  });
});

describe('bad images', () => {
  it('missing file: IMAGE_UNREADABLE naming the path', async () => {
    await expect(loadStimulus(join(dir, 'nope.png'), net)).rejects.toThrow(/image '.*nope\.png' does not exist/);
  });
  it('unsupported format (a text file): IMAGE_UNSUPPORTED', async () => {
    const p = join(dir, 'text.png');
    writeFileSync(p, 'hello, not an image');
    await expect(loadStimulus(p, net)).rejects.toThrow(/not in a supported format; use PNG, JPEG, TIFF or WebP/);
  });
  it('truncated PNG: IMAGE_UNREADABLE', async () => {
    const full = readFileSync('examples/coffee.png');
    const p = join(dir, 'trunc.png');
    writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
    await expect(loadStimulus(p, net)).rejects.toThrow(/image '.*trunc\.png' cannot be (read|decoded)/);
  });
  it('NaN in input.memh: STIMULUS_NOT_FINITE naming file:line', async () => {
    const lines = Array.from({ length: 256 }, (_, i) => (i === 37 ? '3f800000' + '7fc00000' + '00000000' : '3f8000003f8000003f800000'));
    const p = join(dir, 'input.memh');
    writeFileSync(p, lines.join('\n') + '\n');
    await expect(loadStimulus(p, net)).rejects.toThrow(/input\.memh:38: channel 1 is NaN; stimulus must be finite/);
  });
});
