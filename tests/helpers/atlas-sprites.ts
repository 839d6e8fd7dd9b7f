// Random sprites for atlas tests and the bench: RGBA with transparent margins,
// a gradient fill (so every pixel position is told apart) and a hard edge.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Rgba } from '../../gpu-worker/image/io.js';

export function randomSprites(
  n: number,
  seed: number,
  size: { min: number; max: number; thin?: boolean },
): { name: string; image: Rgba }[] {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  const span = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  return Array.from({ length: n }, (_, k) => {
    let w = span(size.min, size.max);
    let h = span(size.min, size.max);
    if (size.thin)
      [w, h] = rnd() < 0.5 ? [span(size.min, 24), span(size.max / 2, size.max)] : [span(size.max / 2, size.max), span(size.min, 24)];
    const data = Buffer.alloc(w * h * 4);
    const m = [span(0, Math.floor(w / 6)), span(0, Math.floor(h / 6)), span(0, Math.floor(w / 6)), span(0, Math.floor(h / 6))];
    const [r, g, b] = [span(30, 255), span(30, 255), span(30, 255)];
    for (let yy = m[1]!; yy < h - m[3]!; yy++)
      for (let xx = m[0]!; xx < w - m[2]!; xx++) {
        const o = (yy * w + xx) * 4;
        data[o] = (r + xx * 3) & 255;
        data[o + 1] = (g + yy * 5) & 255;
        data[o + 2] = (b + k) & 255;
        data[o + 3] = 255 - ((xx + yy) % 7) * 10;
      }
    return { name: `s${String(k).padStart(3, '0')}`, image: { width: w, height: h, data } };
  });
}

/** Write sprites as PNGs under root/dir; returns their project-relative paths. */
export async function writeSprites(root: string, dir: string, sprites: { name: string; image: Rgba }[]): Promise<string[]> {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  return Promise.all(
    sprites.map(async (s) => {
      const rel = `${dir}/${s.name}.png`;
      await sharp(s.image.data, { raw: { width: s.image.width, height: s.image.height, channels: 4 } })
        .png()
        .toFile(path.join(root, rel));
      return rel;
    }),
  );
}
