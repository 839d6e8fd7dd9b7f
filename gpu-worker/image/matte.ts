// Classic background removal on RGBA bytes (pure, no I/O):
//  1. model the background from the border: a quadratic surface per sRGB channel,
//     fitted robustly (pixels of a subject touching the border are dropped), so
//     plain and gradient backdrops are both "the background";
//  2. distance of every pixel to the background in Oklab (perceptual);
//  3. flood fill from the border through background-like pixels: only background
//     connected to the border goes, so background-coloured regions enclosed by
//     the subject stay (unless removeHoles);
//  4. edge pixels are unmixed: colour = α·F + (1−α)·B with F the nearest solid
//     subject colour and B the background model gives α, and F replaces the
//     colour so no background halo is left; erode and feather work on α after.
import { alphaBox, type Rgba } from './io.js';

export interface MatteOptions {
  threshold: number;
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
}

const SRGB_TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  SRGB_TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

// Cube root by table and linear interpolation: ~1e-3 worst error above 2/4096 (far below any
// useful threshold), exact below; Math.cbrt was half of the whole run on gradient backdrops.
const CBRT_N = 4096;
const CBRT = new Float32Array(CBRT_N + 2);
for (let i = 0; i <= CBRT_N + 1; i++) CBRT[i] = Math.cbrt(i / CBRT_N);
function cbrt(x: number): number {
  if (x < 2 / CBRT_N) return Math.cbrt(x);
  const t = x * CBRT_N;
  const k = t | 0;
  if (k >= CBRT_N) return Math.cbrt(x);
  const a = CBRT[k]!;
  return a + (CBRT[k + 1]! - a) * (t - k);
}

/** Oklab of linear RGB into out[o..o+2]. */
function oklab(r: number, g: number, b: number, out: Float32Array, o: number): void {
  const l = cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  out[o] = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  out[o + 1] = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  out[o + 2] = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}

const TERMS = 6;
/** Quadratic surface c0 + c1·u + c2·v + c3·uv + c4·u² + c5·v² at (u, v). */
const surface = (c: Float64Array, u: number, v: number) => c[0]! + c[1]! * u + c[2]! * v + c[3]! * u * v + c[4]! * u * u + c[5]! * v * v;

/** Solve the 6×6 normal equations (Gaussian elimination with pivoting); singular → constant fit. */
function solve(a: Float64Array, b: Float64Array): Float64Array {
  const n = TERMS;
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (Math.abs(m[p * n + c]!) < 1e-12) {
      const out = new Float64Array(n);
      out[0] = a[0]! > 0 ? b[0]! / a[0]! : 0;
      return out;
    }
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c]! / m[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = 0; c < n; c++) x[c]! /= m[c * n + c]!;
  return x;
}

/** Least-squares fit of one surface per channel of `values` (k channels per sample) over the samples in `keep`. */
function fitSurfaces(us: Float32Array, vs: Float32Array, values: Float32Array, k: number, keep: Uint8Array): Float64Array[] {
  const ata = new Float64Array(TERMS * TERMS);
  const atb = Array.from({ length: k }, () => new Float64Array(TERMS));
  const phi = new Float64Array(TERMS);
  for (let s = 0; s < us.length; s++) {
    if (!keep[s]) continue;
    const u = us[s]!;
    const v = vs[s]!;
    phi[0] = 1;
    phi[1] = u;
    phi[2] = v;
    phi[3] = u * v;
    phi[4] = u * u;
    phi[5] = v * v;
    for (let r = 0; r < TERMS; r++) {
      for (let c = 0; c < TERMS; c++) ata[r * TERMS + c]! += phi[r]! * phi[c]!;
      for (let ch = 0; ch < k; ch++) atb[ch]![r]! += phi[r]! * values[s * k + ch]!;
    }
  }
  return atb.map((b) => solve(ata, b));
}

/**
 * Fit the background surfaces to a border band, dropping outliers (a subject touching the border):
 * three in sRGB 0-1 (for unmixing edges) and three in Oklab (for distances).
 */
function fitBackground(img: Rgba, lab: OklabCache): { srgb: Float64Array[]; oklab: Float64Array[] } {
  const { width: w, height: h, data } = img;
  const band = Math.max(1, Math.min(3, Math.floor(Math.min(w, h) / 16)));
  const idx: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < band || y < band || x >= w - band || y >= h - band) idx.push(y * w + x);
  const m = idx.length;
  const us = new Float32Array(m);
  const vs = new Float32Array(m);
  const srgb = new Float32Array(m * 3);
  const labs = new Float32Array(m * 3);
  const tmp = new Float32Array(3);
  idx.forEach((i, s) => {
    us[s] = (i % w) / w - 0.5;
    vs[s] = Math.floor(i / w) / h - 0.5;
    for (let ch = 0; ch < 3; ch++) srgb[s * 3 + ch] = data[i * 4 + ch]! / 255;
    lab.of(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, tmp);
    labs.set(tmp, s * 3);
  });
  const keep = new Uint8Array(m).fill(1);
  let kept = m;
  let coef = fitSurfaces(us, vs, srgb, 3, keep);
  const res = new Float32Array(m);
  for (let round = 0; round < 4; round++) {
    for (let s = 0; s < m; s++) {
      let sum = 0;
      for (let ch = 0; ch < 3; ch++) sum += Math.abs(srgb[s * 3 + ch]! - surface(coef[ch]!, us[s]!, vs[s]!));
      res[s] = sum / 3;
    }
    const median = Float32Array.from(res).sort()[m >> 1]!;
    const cut = Math.max(0.03, median * 4);
    let next = 0;
    for (let s = 0; s < m; s++) next += res[s]! <= cut ? 1 : 0;
    if (next < m * 0.2 || next === kept) break;
    for (let s = 0; s < m; s++) keep[s] = res[s]! <= cut ? 1 : 0;
    kept = next;
    coef = fitSurfaces(us, vs, srgb, 3, keep);
  }
  return { srgb: coef, oklab: fitSurfaces(us, vs, labs, 3, keep) };
}

/** Oklab of sRGB bytes, memoised: sprites have few distinct colours, so most lookups hit. */
class OklabCache {
  private readonly keys = new Int32Array(1 << 16).fill(-1);
  private readonly vals = new Float32Array((1 << 16) * 3);
  of(r: number, g: number, b: number, out: Float32Array): void {
    const key = (r << 16) | (g << 8) | b;
    const slot = Math.imul(key, 2654435761) >>> 16;
    if (this.keys[slot] !== key) {
      oklab(SRGB_TO_LINEAR[r]!, SRGB_TO_LINEAR[g]!, SRGB_TO_LINEAR[b]!, this.vals, slot * 3);
      this.keys[slot] = key;
    }
    out[0] = this.vals[slot * 3]!;
    out[1] = this.vals[slot * 3 + 1]!;
    out[2] = this.vals[slot * 3 + 2]!;
  }
}

/**
 * Multi-source BFS (8-connected, chessboard distance) from every pixel where `seed` is 1, up to `cap`:
 * each reached pixel's distance and the index of a nearest seed pixel (−1 and 65535 where not reached).
 */
function spread(seed: Uint8Array, w: number, h: number, cap: number): { dist: Uint16Array; src: Int32Array } {
  const n = w * h;
  const src = new Int32Array(n).fill(-1);
  const dist = new Uint16Array(n).fill(65535);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < n; i++)
    if (seed[i]) {
      src[i] = i;
      dist[i] = 0;
      queue[tail++] = i;
    }
  while (head < tail) {
    const i = queue[head++]!;
    const d = dist[i]! + 1;
    if (d > cap) continue;
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (dist[j]! > d) {
          dist[j] = d;
          src[j] = src[i]!;
          queue[tail++] = j;
        }
      }
  }
  return { dist, src };
}

function gaussianBlur(a: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.ceil(sigma * 3);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * a[y * w + Math.min(w - 1, Math.max(0, x + i))]!;
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = s;
    }
  return out;
}

function erodeAlpha(a: Float32Array, w: number, h: number, radius: number): Float32Array {
  let cur = a;
  for (let pass = 0; pass < radius; pass++) {
    const next = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let m = cur[y * w + x]!;
        if (x > 0) m = Math.min(m, cur[y * w + x - 1]!);
        if (x < w - 1) m = Math.min(m, cur[y * w + x + 1]!);
        if (y > 0) m = Math.min(m, cur[(y - 1) * w + x]!);
        if (y < h - 1) m = Math.min(m, cur[(y + 1) * w + x]!);
        next[y * w + x] = m;
      }
    cur = next;
  }
  return cur;
}

export function removeBackground(img: Rgba, opts: MatteOptions): Matte {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const lab = new OklabCache();
  const fit = fitBackground(img, lab);
  // The background model per pixel (sRGB 0-1), and each pixel's squared perceptual distance to it.
  const bg = new Float32Array(n * 3);
  const dist = new Float32Array(n);
  const p = new Float32Array(3);
  const [r0, g0, b0] = fit.srgb as [Float64Array, Float64Array, Float64Array];
  const [l0, a0, bb0] = fit.oklab as [Float64Array, Float64Array, Float64Array];
  for (let y = 0; y < h; y++) {
    const v = y / h - 0.5;
    for (let x = 0; x < w; x++) {
      const u = x / w - 0.5;
      const i = y * w + x;
      bg[i * 3] = Math.min(1, Math.max(0, surface(r0, u, v)));
      bg[i * 3 + 1] = Math.min(1, Math.max(0, surface(g0, u, v)));
      bg[i * 3 + 2] = Math.min(1, Math.max(0, surface(b0, u, v)));
      // A pixel that was already transparent is background whatever its colour.
      if (data[i * 4 + 3]! < 8) continue;
      lab.of(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!, p);
      const dl = p[0]! - surface(l0, u, v);
      const da = p[1]! - surface(a0, u, v);
      const db = p[2]! - surface(bb0, u, v);
      dist[i] = dl * dl + da * da + db * db;
    }
  }
  // Background = like the background AND connected to the border (4-connected flood fill).
  const t2 = opts.threshold * opts.threshold;
  const isBg = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const push = (i: number) => {
    if (!isBg[i] && dist[i]! < t2) {
      isBg[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const x = i % w;
    if (x > 0) push(i - 1);
    if (x < w - 1) push(i + 1);
    if (i >= w) push(i - w);
    if (i < n - w) push(i + w);
  }
  if (opts.removeHoles) for (let i = 0; i < n; i++) if (dist[i]! < t2) isBg[i] = 1;

  const isFg = new Uint8Array(n);
  for (let i = 0; i < n; i++) isFg[i] = isBg[i] ? 0 : 1;
  const fromBg = spread(isBg, w, h, 3).dist;
  const fromFg = spread(isFg, w, h, 2).dist;
  // Solid subject: at least two pixels in from the background. Its colours are trusted as they are.
  const solid = new Uint8Array(n);
  for (let i = 0; i < n; i++) solid[i] = isFg[i] && fromBg[i]! >= 2 ? 1 : 0;
  const reach = Math.ceil(opts.erode + opts.feather * 3) + 3;
  const near = spread(solid, w, h, reach).src;

  const alpha = new Float32Array(n);
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const src = near[i]!;
    const fRef = src >= 0 ? src * 4 : o;
    const srcAlpha = data[o + 3]! / 255;
    if (solid[i]) alpha[i] = srcAlpha;
    else if ((isFg[i] && fromBg[i] === 1) || (isBg[i] && fromFg[i] === 1)) {
      // Unmix the edge: C = αF + (1−α)B, α = ⟨C−B, F−B⟩ / |F−B|².
      let num = 0;
      let den = 0;
      for (let ch = 0; ch < 3; ch++) {
        const b = bg[i * 3 + ch]!;
        const fc = data[fRef + ch]! / 255 - b;
        num += (data[o + ch]! / 255 - b) * fc;
        den += fc * fc;
      }
      const a = den > 0.0025 ? Math.min(1, Math.max(0, num / den)) : isFg[i] ? 1 : 0;
      alpha[i] = a * srcAlpha;
    }
    // Colour: trusted where solid; elsewhere the nearest solid colour (decontaminated), or the
    // unmixed estimate where the pixel is mostly subject and the estimate is sound.
    for (let ch = 0; ch < 3; ch++) {
      const c = data[o + ch]! / 255;
      if (solid[i] || src < 0) rgb[i * 3 + ch] = c;
      else {
        const a = alpha[i]!;
        const fc = data[fRef + ch]! / 255;
        rgb[i * 3 + ch] = a >= 0.6 ? Math.min(1, Math.max(0, (c - (1 - a) * bg[i * 3 + ch]!) / a)) : fc;
      }
    }
  }
  let a = opts.erode > 0 ? erodeAlpha(alpha, w, h, opts.erode) : alpha;
  if (opts.feather > 0) a = gaussianBlur(a, w, h, opts.feather);

  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const al = Math.round(Math.min(1, Math.max(0, a[i]!)) * 255);
    if (al === 0) continue;
    // Pixels that feathering reached beyond the known colours take the nearest solid colour.
    const src = near[i]!;
    const useNear = !solid[i] && alpha[i] === 0 && src >= 0;
    for (let ch = 0; ch < 3; ch++) out[i * 4 + ch] = Math.round((useNear ? data[src * 4 + ch]! / 255 : rgb[i * 3 + ch]!) * 255);
    out[i * 4 + 3] = al;
  }
  const image = { width: w, height: h, data: out };
  const corner = (x: number, y: number) => [0, 1, 2].map((ch) => Math.round(bg[(y * w + x) * 3 + ch]! * 255));
  return {
    image,
    trim: alphaBox(image),
    background: [corner(0, 0), corner(w - 1, 0), corner(0, h - 1), corner(w - 1, h - 1)],
  };
}
