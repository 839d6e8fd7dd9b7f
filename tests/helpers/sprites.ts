// Test images made with sharp: procedural sprites with their ground truth, and
// the measures the cut-out is held to (mask IoU, background contamination in
// the outer edge ring).
import sharp from 'sharp';
import { renderScene, scene, type Scene } from '../../gpu-worker/providers/procedural.js';
import type { Rgba } from '../../gpu-worker/image/io.js';

export interface Sample {
  scene: Scene;
  /** The composed image (subject over backdrop), RGBA. */
  image: Rgba;
  /** The subject alone on transparency: its alpha is the true mask, its colour the true colour. */
  truth: Rgba;
  /** The backdrop alone, RGBA. */
  backdrop: Rgba;
}

const raw = async (png: Buffer): Promise<Rgba> => {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
};

export async function sample(index: number, background: 'plain' | 'gradient', size = 256, seed = 11): Promise<Sample> {
  const sc = scene('', seed, index, size, size, background);
  const { image, truth } = await renderScene(sc);
  const backdropPng = await sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">${sc.backdrop}</svg>`),
  )
    .png()
    .toBuffer();
  return { scene: sc, image: await raw(image), truth: await raw(truth), backdrop: await raw(backdropPng) };
}

/** Intersection over union of alpha ≥ 128 in `out` and in `truth`. */
export function maskIoU(out: Rgba, truth: Rgba): number {
  let inter = 0;
  let union = 0;
  for (let p = 3; p < out.data.length; p += 4) {
    const a = out.data[p]! >= 128;
    const b = truth.data[p]! >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * Mean share of background colour mixed into the visible pixels of the outer edge ring (true alpha
 * partial, or opaque within 2 px of the outside): ⟨out − F, B − F⟩ / |B − F|² with F the true subject
 * colour and B the backdrop there. 0 = clean edge, 1 = pure background (a halo).
 */
export function edgeContamination(out: Rgba, s: Sample): number {
  const { width: w, height: h } = out;
  const T = s.truth.data;
  let sum = 0;
  let n = 0;
  for (let p = 0; p < w * h; p++) {
    const ta = T[p * 4 + 3]!;
    if (ta === 0 || out.data[p * 4 + 3]! === 0) continue;
    let edge = ta < 255;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -2; dy <= 2 && !edge; dy++)
      for (let dx = -2; dx <= 2 && !edge; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < w && ny < h && T[(ny * w + nx) * 4 + 3] === 0) edge = true;
      }
    if (!edge) continue;
    let num = 0;
    let den = 0;
    for (let ch = 0; ch < 3; ch++) {
      const f = T[p * 4 + ch]! / 255;
      const b = s.backdrop.data[p * 4 + ch]! / 255;
      num += (out.data[p * 4 + ch]! / 255 - f) * (b - f);
      den += (b - f) ** 2;
    }
    if (den < 0.01) continue;
    sum += Math.min(1, Math.max(0, num / den));
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** The naive cut-out many tools ship: hard threshold on RGB distance to the corner colour, colours untouched. */
export function naiveCut(img: Rgba, threshold = 40): Rgba {
  const out = Buffer.from(img.data);
  const [r, g, b] = [img.data[0]!, img.data[1]!, img.data[2]!];
  for (let p = 0; p < out.length; p += 4) {
    const d = Math.hypot(out[p]! - r, out[p + 1]! - g, out[p + 2]! - b);
    if (d < threshold) out[p + 3] = 0;
  }
  return { ...img, data: out };
}

export const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  return { n: s.length, min: s[0]!, p10: q(0.1), median: q(0.5), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s[s.length - 1]! };
};

/** A red square on white, 48 px: something bg_remove can cut out. */
export const redSquarePng = () =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" fill="#fff"/><rect x="12" y="12" width="24" height="24" fill="#c02020"/></svg>',
    ),
  )
    .png()
    .toBuffer();
