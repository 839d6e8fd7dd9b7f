// Image I/O through sharp: decode any supported file to straight-alpha RGBA
// bytes, encode RGBA bytes to PNG. A file sharp cannot read is bad input.
import sharp from 'sharp';
import { JobInputError } from '../errors.js';

export interface Rgba {
  width: number;
  height: number;
  /** width × height × 4 bytes, straight (not premultiplied) alpha. */
  data: Buffer;
}

export async function decodeRgba(bytes: Buffer, field: string, name: string): Promise<Rgba> {
  try {
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 4) throw new Error(`expected 4 channels, got ${info.channels}`);
    return { width: info.width, height: info.height, data };
  } catch (err) {
    throw new JobInputError(field, `"${name}" is not a readable image (${(err as Error).message}); re-export it as PNG`, { cause: err });
  }
}

export function rawInput(img: Rgba) {
  return { raw: { width: img.width, height: img.height, channels: 4 as const } };
}

/**
 * PNG bytes; compressionLevel 6 is sharp's default and ~2x faster than 9 for a few % size.
 * `adaptiveFiltering` picks a row filter per row (sharp's default: none).
 */
export async function encodePng(img: Rgba, compressionLevel = 6, adaptiveFiltering = false): Promise<Buffer> {
  return sharp(img.data, rawInput(img)).png({ compressionLevel, adaptiveFiltering }).toBuffer();
}

/**
 * Should this image be PNG-encoded with adaptive row filters? On smooth art (gradients, painted
 * shading) they make the file many times smaller and deflate faster (a 1819×1783 atlas of gradient
 * sprites: 9.05 MB in 337 ms without, 0.13 MB in 186 ms with); on other art (the procedural
 * sprites) they save nothing and cost 3-10x the time. So: a strip of rows sampled across the image
 * is encoded both ways (~20 ms for a 2048-wide page), and filters win only when they save a tenth.
 */
export async function adaptiveFilteringPays(img: Rgba): Promise<boolean> {
  return (await filterTrial(img)).pays;
}

/** PNG bytes with the row filtering that suits the image (adaptiveFilteringPays); a small image's trial is its result. */
export async function encodePngChoosingFilter(img: Rgba): Promise<Buffer> {
  const t = await filterTrial(img);
  if (t.whole) return t.pays ? t.filtered : t.plain;
  return encodePng(img, 6, t.pays);
}

async function filterTrial(img: Rgba): Promise<{ pays: boolean; whole: boolean; plain: Buffer; filtered: Buffer }> {
  const bands = 8;
  const rowsPerBand = 8;
  const stride = img.width * 4;
  let sample = img;
  if (img.height > 4 * bands * rowsPerBand) {
    sample = { width: img.width, height: bands * rowsPerBand, data: Buffer.alloc(bands * rowsPerBand * stride) };
    for (let b = 0; b < bands; b++) {
      const from = Math.floor(((b + 0.5) * img.height) / bands) - rowsPerBand / 2;
      img.data.copy(sample.data, b * rowsPerBand * stride, from * stride, (from + rowsPerBand) * stride);
    }
  }
  const [plain, filtered] = await Promise.all([encodePng(sample, 6, false), encodePng(sample, 6, true)]);
  return { pays: filtered.length < 0.9 * plain.length, whole: sample === img, plain, filtered };
}

export function blankRgba(width: number, height: number, rgba: [number, number, number, number] = [0, 0, 0, 0]): Rgba {
  const data = Buffer.alloc(width * height * 4);
  if (rgba.some((v) => v !== 0)) for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** Copy a w×h block of `src` at (sx, sy) into `dst` at (dx, dy). */
export function blit(src: Rgba, sx: number, sy: number, w: number, h: number, dst: Rgba, dx: number, dy: number): void {
  for (let y = 0; y < h; y++) {
    const from = ((sy + y) * src.width + sx) * 4;
    src.data.copy(dst.data, ((dy + y) * dst.width + dx) * 4, from, from + w * 4);
  }
}

/** Bounding box of the pixels with alpha > 0, or null when there are none. Scans in from the edges. */
export function alphaBox(img: Rgba): { x: number; y: number; w: number; h: number } | null {
  const { width: w, height: h, data } = img;
  const stride = w * 4;
  // Walks alpha bytes by offset: top and bottom rows whole, then each row in between only up to the
  // edges found so far (a closure per pixel made trimming 300 sprites take 15 ms, this ~8.5).
  const rowHas = (y: number) => {
    for (let o = y * stride + 3, end = o + stride; o < end; o += 4) if (data[o] !== 0) return true;
    return false;
  };
  let top = 0;
  while (top < h && !rowHas(top)) top++;
  if (top === h) return null;
  let bottom = h - 1;
  while (bottom > top && !rowHas(bottom)) bottom--;
  let left = w;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    const row = y * stride + 3;
    for (let x = 0; x < left; x++)
      if (data[row + x * 4] !== 0) {
        left = x;
        break;
      }
    for (let x = w - 1; x > right; x--)
      if (data[row + x * 4] !== 0) {
        right = x;
        break;
      }
  }
  return { x: left, y: top, w: right - left + 1, h: bottom - top + 1 };
}
