// Hard cut-out cases with exact ground truth, drawn here pixel by pixel (4×4
// samples a pixel, so edges are anti-aliased with known coverage): an outline a
// few levels from a dark or a light backdrop, noisy backdrops (σ 5-6 levels),
// 1-2 px lines, and a ring the backdrop shows through. The image is
// α·F + (1−α)·B (+ noise); the truth is F with α, the backdrop B alone.
import type { Rgba } from '../../gpu-worker/image/io.js';

type Rgb = readonly [number, number, number];
/** Signed distance to a shape (negative inside), in pixels. */
type Sdf = (x: number, y: number) => number;

interface Part {
  sdf: Sdf;
  fill: Rgb;
  /** An outline this wide (px) just inside the edge, in this colour. */
  outline?: { width: number; colour: Rgb };
}

export interface HardCase {
  name: string;
  image: Rgba;
  truth: Rgba;
  backdrop: Rgba;
  /** bg_remove inputs besides the defaults this case needs (the ring's hole: removeHoles). */
  options: Record<string, unknown>;
}

const circle =
  (cx: number, cy: number, r: number): Sdf =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const ellipse =
  (cx: number, cy: number, rx: number, ry: number): Sdf =>
  (x, y) =>
    (Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry);
/** A line from (x0, y0) to (x1, y1), `width` px wide, square ends. */
const line =
  (x0: number, y0: number, x1: number, y1: number, width: number): Sdf =>
  (x, y) => {
    const [dx, dy] = [x1 - x0, y1 - y0];
    const len = Math.hypot(dx, dy);
    const t = ((x - x0) * dx + (y - y0) * dy) / len;
    const across = Math.abs((x - x0) * dy - (y - y0) * dx) / len;
    return Math.max(across - width / 2, -t, t - len);
  };
const ring =
  (cx: number, cy: number, r0: number, r1: number): Sdf =>
  (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    return Math.max(d - r1, r0 - d);
  };

/** The centre of the pixel row or column at v. */
const px = (v: number) => Math.floor(v) + 0.5;

/** A small LCG, so every run draws the same noise. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function draw(w: number, h: number, parts: Part[], backdrop: (x: number, y: number) => Rgb, sigma: number, seed: number) {
  const image = Buffer.alloc(w * h * 4);
  const truth = Buffer.alloc(w * h * 4);
  const back = Buffer.alloc(w * h * 4);
  const rnd = rng(seed);
  // Roughly gaussian: the sum of four uniforms, scaled to σ.
  const noise = () => (rnd() + rnd() + rnd() + rnd() - 2) * sigma * Math.sqrt(3);
  const S = 4;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const f = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < S; sy++)
        for (let sx = 0; sx < S; sx++) {
          const [px, py] = [x + (sx + 0.5) / S, y + (sy + 0.5) / S];
          // The last part drawn that covers the sample wins (parts are drawn in order).
          let colour: Rgb | null = null;
          for (const p of parts) {
            const d = p.sdf(px, py);
            if (d <= 0) colour = p.outline && d > -p.outline.width ? p.outline.colour : p.fill;
          }
          if (!colour) continue;
          covered++;
          for (let c = 0; c < 3; c++) f[c]! += colour[c]!;
        }
      const a = covered / (S * S);
      const b = backdrop(x + 0.5, y + 0.5);
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const fc = covered ? f[c]! / covered : 0;
        const v = a * fc + (1 - a) * b[c]! + (sigma > 0 ? noise() : 0);
        image[o + c] = Math.max(0, Math.min(255, Math.round(v)));
        truth[o + c] = Math.round(fc);
        back[o + c] = Math.round(b[c]!);
      }
      image[o + 3] = 255;
      truth[o + 3] = Math.round(a * 255);
      back[o + 3] = 255;
    }
  return {
    image: { width: w, height: h, data: image },
    truth: { width: w, height: h, data: truth },
    backdrop: { width: w, height: h, data: back },
  };
}

const flat = (c: Rgb) => () => c;
const vertical = (top: Rgb, bottom: Rgb, h: number) => (_x: number, y: number) =>
  top.map((t, i) => t + ((bottom[i]! - t) * y) / h) as unknown as Rgb;

/** A character-ish body: head, torso and an arm, each with an outline. */
function figure(s: number, fill: Rgb, outline: Rgb, width = 3): Part[] {
  const o = { width, colour: outline };
  return [
    { sdf: ellipse(s * 0.5, s * 0.62, s * 0.22, s * 0.28), fill, outline: o },
    { sdf: circle(s * 0.5, s * 0.27, s * 0.15), fill, outline: o },
    { sdf: line(s * 0.3, s * 0.55, s * 0.14, s * 0.8, s * 0.07), fill, outline: o },
  ];
}

/** The cases, `size` px square. */
export function hardCases(size = 192): HardCase[] {
  const s = size;
  const make = (name: string, parts: Part[], backdrop: (x: number, y: number) => Rgb, sigma = 0, options = {}, seed = 7) => ({
    name,
    options,
    ...draw(s, s, parts, backdrop, sigma, seed),
  });
  return [
    // An outline 6 levels above the backdrop, round a dark body.
    make('dark outline on a dark backdrop', figure(s, [70, 48, 40], [26, 26, 30]), flat([20, 20, 24])),
    make('light outline on a light backdrop', figure(s, [236, 200, 170], [232, 232, 226]), flat([240, 240, 234])),
    make('noisy plain backdrop, σ 5', figure(s, [170, 60, 50], [60, 30, 30], 2), flat([120, 150, 190]), 5, {}, 11),
    make(
      'noisy gradient backdrop, σ 6',
      figure(s, [230, 190, 60], [90, 60, 20], 2),
      vertical([70, 110, 170], [150, 190, 230], s),
      6,
      {},
      12,
    ),
    make(
      'thin parts: 1-2 px lines',
      [
        { sdf: circle(s * 0.5, s * 0.5, s * 0.12), fill: [200, 60, 40] },
        { sdf: line(s * 0.5, s * 0.5, s * 0.5, s * 0.08, 2), fill: [40, 40, 50] },
        // Straight 1 px lines lie on the pixel grid (one straddling two rows at half coverage each could
        // as well be a 2 px line of the mixed colour); the diagonal is anti-aliased.
        { sdf: line(s * 0.5, px(s * 0.5), s * 0.92, px(s * 0.5), 1), fill: [40, 40, 50] },
        { sdf: line(s * 0.5, s * 0.5, s * 0.15, s * 0.85, 2), fill: [40, 40, 50] },
        { sdf: line(s * 0.2, px(s * 0.2), s * 0.8, px(s * 0.2), 1), fill: [30, 90, 160] },
      ],
      flat([235, 235, 225]),
    ),
    make(
      'holes: the backdrop through a ring',
      [
        { sdf: ring(s * 0.5, s * 0.5, s * 0.2, s * 0.38), fill: [60, 140, 70], outline: { width: 2, colour: [30, 60, 30] } },
        { sdf: circle(s * 0.5, s * 0.5, s * 0.08), fill: [200, 170, 60] },
      ],
      flat([200, 205, 215]),
      2,
      { removeHoles: true },
      13,
    ),
  ];
}

/**
 * Mean RGB error (levels, 0-255) on the edge pixels both show: true alpha partial, or opaque within
 * 2 px of the true outside; the cut-out's colour against the true subject colour there.
 */
export function edgeColourError(out: Rgba, truth: Rgba): number {
  const { width: w, height: h } = out;
  const T = truth.data;
  let sum = 0;
  let n = 0;
  for (let p = 0; p < w * h; p++) {
    if (T[p * 4 + 3] === 0 || out.data[p * 4 + 3] === 0) continue;
    let edge = T[p * 4 + 3]! < 255;
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -2; dy <= 2 && !edge; dy++)
      for (let dx = -2; dx <= 2 && !edge; dx++) {
        const [nx, ny] = [x + dx, y + dy];
        if (nx >= 0 && ny >= 0 && nx < w && ny < h && T[(ny * w + nx) * 4 + 3] === 0) edge = true;
      }
    if (!edge) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(out.data[p * 4 + c]! - T[p * 4 + c]!);
    n += 3;
  }
  return n === 0 ? 0 : sum / n;
}
