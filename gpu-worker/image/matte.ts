// Classic background removal on RGBA bytes (pure, no I/O), in single passes over
// flat typed arrays (no per-pixel objects, no recursion):
//  1. model the backdrop from the border (backdrop.ts): a quadratic surface per
//     channel, fitted robustly, so plain and gradient backdrops are both "the background";
//  2. every pixel's Oklab distance to it; `threshold: "auto"` sets the cut just above
//     the border's own spread (clean flat backdrops keep outlines a few levels away,
//     noisy ones still come out clean);
//  3. flood from the border through background-like pixels (regions.ts): only
//     background connected to the border goes (unless removeHoles);
//  4. edge pixels are unmixed: colour = α·F + (1−α)·B with F the nearest solid
//     subject colour (in parts too thin to have one, the purest neighbour that
//     explains the pixel) and B the backdrop gives α, and F replaces the colour so
//     no halo is left; erode and feather (alpha-filters.ts) work on α after, only
//     on the band around the edges when the subject is opaque (alpha is constant
//     elsewhere); compose.ts writes the RGBA.
import { alphaFilterBand, composeMatte } from './compose.js';
import { autoThreshold, backdropAt, distanceMap, estimateBackdrop, pixelWords } from './backdrop.js';
import { alphaBox, type Rgba } from './io.js';
import { OklabCache } from './oklab.js';
import { classify, EDGE_BG, EDGE_FG, floodFromBorder, SOLID, spreadFrom } from './regions.js';
import { erodeAlpha, featherAlpha } from './alpha-filters.js';

export interface MatteOptions {
  /** Oklab distance under which a pixel is background, or "auto": measured from the border. */
  threshold: number | 'auto';
  feather: number;
  erode: number;
  removeHoles: boolean;
}

export interface Matte {
  image: Rgba;
  /** Bounding box of the pixels with alpha > 0, or null when nothing is left. */
  trim: { x: number; y: number; w: number; h: number } | null;
  /** Background model at the four corners, for the metadata (sRGB 0-255). */
  background: number[][];
  /** The threshold the cut used ("auto" resolved); null where the method has none. */
  thresholdUsed: number | null;
}

/** Solid pixels with a non-solid (hence EDGE_FG) neighbour, in index order: the seeds of the nearest-colour spread. */
function solidRim(cls: Uint8Array, edges: Int32Array, w: number, h: number): Int32Array {
  const mark = new Uint8Array(w * h);
  const rim: number[] = [];
  for (const i of edges) {
    if (cls[i] !== EDGE_FG) continue;
    const x = i % w;
    const y = (i - x) / w;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++)
      for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
        const j = ny * w + nx;
        if (cls[j] === SOLID && !mark[j]) ((mark[j] = 1), rim.push(j));
      }
  }
  return Int32Array.from(rim).sort();
}

const chessboard = (a: number, b: number, w: number) =>
  Math.max(Math.abs((a % w) - (b % w)), Math.abs(Math.floor(a / w) - Math.floor(b / w)));

/**
 * For a pixel of a part too thin to have solid pixels: the subject pixel in the 3×3 around it (itself
 * included) that explains its colour C as a mix α·F + (1−α)·B with the purest F (farthest from the
 * backdrop B) — a neighbour of another colour (a crossing line) does not explain it, so it keeps its own.
 */
function thinPartSource(data: Uint8Array, cls: Uint8Array, bg: Float32Array, i: number, w: number, h: number): number {
  const x = i % w;
  const y = (i - x) / w;
  const [c0, c1, c2] = [data[i * 4]! / 255 - bg[0]!, data[i * 4 + 1]! / 255 - bg[1]!, data[i * 4 + 2]! / 255 - bg[2]!];
  const cc = c0 * c0 + c1 * c1 + c2 * c2;
  let best = i;
  let bestD = -1;
  for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++)
    for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
      const j = ny * w + nx;
      // Subject pixels with a colour (a transparent pixel's colour means nothing).
      if (j !== i && ((cls[j] !== EDGE_FG && cls[j] !== SOLID) || data[j * 4 + 3]! < 8)) continue;
      const [d0, d1, d2] = [data[j * 4]! / 255 - bg[0]!, data[j * 4 + 1]! / 255 - bg[1]!, data[j * 4 + 2]! / 255 - bg[2]!];
      const dd = d0 * d0 + d1 * d1 + d2 * d2;
      if (dd <= bestD) continue;
      const a = dd > 0 ? (c0 * d0 + c1 * d1 + c2 * d2) / dd : 1;
      // What the mix leaves unexplained, against a little slack for noise and quantisation.
      const r = (c0 - a * d0) ** 2 + (c1 - a * d1) ** 2 + (c2 - a * d2) ** 2;
      if (a >= 0 && a <= 1.05 && r <= 0.03 ** 2 + 0.05 * cc) [best, bestD] = [j, dd];
    }
  return best;
}

/** Is every pixel's alpha 255? (The AND of all pixel words keeps alpha 255 only if every pixel has it.) */
function isOpaque(data: Uint8Array): boolean {
  const px = pixelWords(data);
  let all = 0xffffffff;
  for (let i = 0; i < px.length; i++) all &= px[i]!;
  return all >>> 24 === 255;
}

export function removeBackground(img: Rgba, opts: MatteOptions): Matte {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const lab = new OklabCache();
  const bd = estimateBackdrop(img, lab);
  const dist = distanceMap(img, bd, lab);
  const threshold = opts.threshold === 'auto' ? autoThreshold(dist, bd) : opts.threshold;
  const isBg = floodFromBorder(dist, w, h, threshold * threshold, opts.removeHoles);
  const { cls, edges } = classify(isBg, w, h);

  // Alpha before the filters: the source's on solid pixels, unmixed on edges (below), 0 elsewhere.
  // An opaque image (the usual sprite) takes it from the classes at once (SOLID = 1, FAR_BG = 0).
  const alpha = new Float32Array(n);
  const opaque = isOpaque(data);
  if (opaque) alpha.set(cls);
  else for (let i = 0; i < n; i++) if (cls[i] === SOLID) alpha[i] = data[i * 4 + 3]! / 255;
  // The nearest solid pixel of each pixel near the subject (−1 on solid pixels and beyond reach).
  const near = new Int32Array(n).fill(-1);
  const reach = Math.ceil(opts.erode + opts.feather * 3) + 3;
  spreadFrom(solidRim(cls, edges, w, h), w, h, reach, near, cls);

  const bg = new Float32Array(3);
  for (const i of edges) {
    // Unmix the edge: C = αF + (1−α)B, α = ⟨C−B, F−B⟩ / |F−B|².
    const o = i * 4;
    // Parts too thin to have a solid pixel of their own (1-2 px lines; the nearest solid one is farther
    // than an ordinary edge's, and likely of another part): F comes from the pixels around.
    backdropAt(bd, i, bg);
    if (near[i]! < 0 || chessboard(near[i]!, i, w) > 2) near[i] = thinPartSource(data, cls, bg, i, w, h);
    const fRef = near[i]! * 4;
    let num = 0;
    let den = 0;
    for (let ch = 0; ch < 3; ch++) {
      const b = bg[ch]!;
      const fc = data[fRef + ch]! / 255 - b;
      num += (data[o + ch]! / 255 - b) * fc;
      den += fc * fc;
    }
    const a = den > 0.0025 ? Math.min(1, Math.max(0, num / den)) : cls[i] === EDGE_BG ? 0 : 1;
    alpha[i] = a * (data[o + 3]! / 255);
  }

  const filtered = opts.erode > 0 || opts.feather > 0;
  // Where the filters may change alpha: the edge band if the subject is opaque, else everywhere (null).
  const band = filtered ? alphaFilterBand(opaque, edges, w, h, opts) : edges;
  let a = opts.erode > 0 ? erodeAlpha(alpha, w, h, opts.erode, band) : alpha;
  if (opts.feather > 0) a = featherAlpha(a, w, h, opts.feather, band);

  const image = { width: w, height: h, data: composeMatte(img, bd, { cls, alpha, near, final: a, band }) };
  const corner = (x: number, y: number) => {
    backdropAt(bd, y * w + x, bg);
    return [0, 1, 2].map((ch) => Math.round(bg[ch]! * 255));
  };
  return {
    image,
    trim: alphaBox(image),
    background: [corner(0, 0), corner(w - 1, 0), corner(0, h - 1), corner(w - 1, h - 1)],
    thresholdUsed: threshold,
  };
}
