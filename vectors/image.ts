// Image → stimulus: sharp decode, centre-crop to the input aspect, cubic resize, /255, normalize; float32 H×W×3, never subnormal.
import sharp from 'sharp';
import { SimrunError } from '../core/errors.js';
import { readUserFile } from '../core/files.js';
import { parseMemh } from '../core/memh.js';
import type { NetworkSpec } from '../core/spec.js';

/** A frame ready to stream: HWC float32, plus any warnings (e.g. upscaling). */
export interface Stimulus {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly source: string;
  readonly warnings: readonly string[];
}

/** The image formats rowsim takes (sharp's names). */
const SUPPORTED = new Set(['png', 'jpeg', 'tiff', 'webp']);

/** Loads `path` as a frame for `net` (an image file, or an input.memh in the IE120R layout). */
export async function loadStimulus(path: string, net: NetworkSpec): Promise<Stimulus> {
  // Read once here (permission and missing-file errors named exactly); sharp then decodes the bytes.
  const bytes = readUserFile(path, 'image', 'IMAGE_UNREADABLE', 'check the --image path and its permissions');
  if (path.endsWith('.memh')) return loadMemhStimulus(path, bytes.toString('utf8'), net);
  const { height: H, width: W } = net.input;
  if (bytes.length === 0) throw new SimrunError('IMAGE_UNREADABLE', `image '${path}' is empty (0 bytes); re-export the image`);
  let img: sharp.Sharp;
  let meta: sharp.Metadata;
  try {
    img = sharp(bytes, { failOn: 'truncated', limitInputPixels: 1 << 28 });
    meta = await img.metadata();
  } catch (e) {
    const msg = (e as Error).message;
    if (/unsupported image format/i.test(msg)) {
      throw new SimrunError('IMAGE_UNSUPPORTED', `image '${path}' is not in a supported format; use PNG, JPEG, TIFF or WebP`);
    }
    throw new SimrunError('IMAGE_UNREADABLE', `image '${path}' cannot be read (${msg.split('\n')[0]}); re-export the image`);
  }
  // sharp reads more formats than rowsim documents (GIF, SVG, AVIF…): only the documented ones are taken.
  if (!SUPPORTED.has(meta.format ?? '')) {
    throw new SimrunError('IMAGE_UNSUPPORTED', `image '${path}' is ${String(meta.format ?? 'of an unknown format').toUpperCase()}, which rowsim does not take; use PNG, JPEG, TIFF or WebP`);
  }
  const warnings: string[] = [];
  const srcW = meta.autoOrient?.width ?? meta.width ?? 0;
  const srcH = meta.autoOrient?.height ?? meta.height ?? 0;
  if (!srcW || !srcH) throw new SimrunError('IMAGE_UNREADABLE', `image '${path}' has no size; re-export the image`);
  // Centre crop to the input's aspect ratio (W/H), keeping as many pixels as possible.
  let cw = srcW;
  let ch = srcH;
  if (srcW * H > srcH * W) cw = Math.max(1, Math.round((srcH * W) / H));
  else ch = Math.max(1, Math.round((srcW * H) / W));
  const left = Math.floor((srcW - cw) / 2);
  const top = Math.floor((srcH - ch) / 2);
  if (cw < W || ch < H) warnings.push(`image '${path}' is ${srcW}x${srcH}; upscaling its ${cw}x${ch} centre to ${W}x${H}`);
  let raw: Buffer;
  try {
    img = img.autoOrient().extract({ left, top, width: cw, height: ch }).resize(W, H, { kernel: 'cubic', fit: 'fill' });
    raw = await img.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer();
  } catch (e) {
    throw new SimrunError('IMAGE_UNREADABLE', `image '${path}' cannot be decoded (${(e as Error).message.split('\n')[0]}); the file may be truncated or corrupt`);
  }
  if (raw.length !== H * W * 3) throw new SimrunError('IMAGE_UNREADABLE', `image '${path}' decoded to ${raw.length} bytes, expected ${H * W * 3}; re-export it as RGB`);
  const data = new Float32Array(H * W * 3);
  const { mean, std } = net.normalize;
  for (let i = 0; i < data.length; i++) {
    const c = i % 3;
    const v = Math.fround((raw[i]! / 255 - mean[c]!) / std[c]!);
    if (!Number.isFinite(v)) {
      throw new SimrunError('STIMULUS_NOT_FINITE', `image '${path}': normalizing channel ${c} with mean ${mean[c]} and std ${std[c]} gives ${v} (pixel ${Math.floor(i / 3)}); stimulus must be finite in binary32 — fix normalize.mean/std in the spec`);
    }
    data[i] = Math.abs(v) < 2 ** -126 ? v * 0 : v;
  }
  return { data, height: H, width: W, source: path, warnings };
}

/** input.memh: one line per pixel, three binary32 words, channel 2 first; must be finite. */
function loadMemhStimulus(path: string, text: string, net: NetworkSpec): Stimulus {
  const { height: H, width: W } = net.input;
  const words = parseMemh(text, path, 3, 'highFirst', H * W);
  const data = new Float32Array(words.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new SimrunError('STIMULUS_NOT_FINITE', `${path}:${Math.floor(i / 3) + 1}: channel ${i % 3} is ${v}; stimulus must be finite`);
    }
    if (Math.abs(v) < 2 ** -126 && v !== 0) data[i] = v * 0;
  }
  return { data, height: H, width: W, source: path, warnings: [] };
}
