// The backdrop behind a sprite, estimated from the image border: a quadratic
// surface per channel (sRGB for unmixing edges, Oklab for distances), fitted
// robustly so a subject touching the border is dropped; then every pixel's
// perceptual distance to it in one pass, and the "auto" threshold from the
// spread of the border's own distances (noise, dithering, a poor fit).
import type { Rgba } from './io.js';
import { OklabCache } from './oklab.js';

const TERMS = 6;
type Coef = Float64Array;

export interface Backdrop {
  width: number;
  height: number;
  /** Surfaces c0 + c1·u + c2·v + c3·uv + c4·u² + c5·v² (u, v in −0.5…0.5) for sRGB 0-1 R, G, B. */
  srgb: [Coef, Coef, Coef];
  /** The same for Oklab L, a, b. */
  oklab: [Coef, Coef, Coef];
  /** Pixel indices of the border band the fit saw, and which of them it kept as backdrop. */
  band: Int32Array;
  kept: Uint8Array;
}

/** Quadratic surface at (u, v). */
export const surface = (c: Coef, u: number, v: number) => c[0]! + c[1]! * u + c[2]! * v + c[3]! * u * v + c[4]! * u * u + c[5]! * v * v;

/** Solve the 6×6 normal equations (Gaussian elimination with pivoting); singular → constant fit. */
function solve(a: Float64Array, b: Float64Array): Coef {
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

/**
 * Least-squares fit of one surface per channel of `values` (3 per sample) over the samples in `keep`:
 * the normal equations' sums in locals (21 distinct ones, the matrix is symmetric), then solved.
 */
function fit3(us: Float32Array, vs: Float32Array, values: Float32Array, keep: Uint8Array): [Coef, Coef, Coef] {
  let [s0, s1, s2, s3, s4, s5] = [0, 0, 0, 0, 0, 0];
  let [s11, s12, s13, s14, s15, s22, s23, s24, s25] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  let [s33, s34, s35, s44, s45, s55] = [0, 0, 0, 0, 0, 0];
  const b = new Float64Array(18);
  for (let s = 0; s < us.length; s++) {
    if (!keep[s]) continue;
    const u = us[s]!;
    const v = vs[s]!;
    const uv = u * v;
    const uu = u * u;
    const vv = v * v;
    s0++;
    s1 += u;
    s2 += v;
    s3 += uv;
    s4 += uu;
    s5 += vv;
    s11 += uu;
    s12 += uv;
    s13 += uu * v;
    s14 += uu * u;
    s15 += u * vv;
    s22 += vv;
    s23 += u * vv;
    s24 += uu * v;
    s25 += vv * v;
    s33 += uu * vv;
    s34 += uu * uv;
    s35 += uv * vv;
    s44 += uu * uu;
    s45 += uu * vv;
    s55 += vv * vv;
    for (let ch = 0; ch < 3; ch++) {
      const c = values[s * 3 + ch]!;
      const o = ch * 6;
      b[o]! += c;
      b[o + 1]! += u * c;
      b[o + 2]! += v * c;
      b[o + 3]! += uv * c;
      b[o + 4]! += uu * c;
      b[o + 5]! += vv * c;
    }
  }
  // prettier-ignore
  const ata = Float64Array.of(
    s0, s1, s2, s3, s4, s5,
    s1, s11, s12, s13, s14, s15,
    s2, s12, s22, s23, s24, s25,
    s3, s13, s23, s33, s34, s35,
    s4, s14, s24, s34, s44, s45,
    s5, s15, s25, s35, s45, s55,
  );
  return [solve(ata, b.subarray(0, 6)), solve(ata, b.subarray(6, 12)), solve(ata, b.subarray(12, 18))];
}

/** The k-th smallest of `a` (what sort()[k] gives), by quickselect; reorders `a`. */
function nth(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The border band's pixel indices, row by row: `band` pixels deep on each side. */
function borderBand(w: number, h: number, band: number): Int32Array {
  const out = new Int32Array(w * h - Math.max(0, w - 2 * band) * Math.max(0, h - 2 * band));
  let k = 0;
  for (let y = 0; y < h; y++) {
    const inner = y >= band && y < h - band;
    for (let x = 0; x < w; x++) {
      if (inner && x === band && w - band > band) x = w - band;
      out[k++] = y * w + x;
    }
  }
  return out;
}

/** Fit the backdrop to a border band, dropping outliers (a subject touching the border) in four rounds at most. */
export function estimateBackdrop(img: Rgba, lab: OklabCache): Backdrop {
  const { width: w, height: h, data } = img;
  const idx = borderBand(w, h, Math.max(1, Math.min(3, Math.floor(Math.min(w, h) / 16))));
  const m = idx.length;
  const us = new Float32Array(m);
  const vs = new Float32Array(m);
  const srgb = new Float32Array(m * 3);
  const labs = new Float32Array(m * 3);
  for (let s = 0; s < m; s++) {
    const i = idx[s]!;
    const x = i % w;
    us[s] = x / w - 0.5;
    vs[s] = (i - x) / w / h - 0.5;
    const o = i * 4;
    for (let ch = 0; ch < 3; ch++) srgb[s * 3 + ch] = data[o + ch]! / 255;
    const sl = lab.slot(data[o]!, data[o + 1]!, data[o + 2]!) * 3;
    for (let ch = 0; ch < 3; ch++) labs[s * 3 + ch] = lab.vals[sl + ch]!;
  }
  const keep = new Uint8Array(m).fill(1);
  let kept = m;
  let coef = fit3(us, vs, srgb, keep);
  const res = new Float32Array(m);
  for (let round = 0; round < 4; round++) {
    for (let s = 0; s < m; s++) {
      let sum = 0;
      for (let ch = 0; ch < 3; ch++) sum += Math.abs(srgb[s * 3 + ch]! - surface(coef[ch]!, us[s]!, vs[s]!));
      res[s] = sum / 3;
    }
    const median = nth(Float32Array.from(res), m >> 1);
    const cut = Math.max(0.03, median * 4);
    let next = 0;
    for (let s = 0; s < m; s++) next += res[s]! <= cut ? 1 : 0;
    if (next < m * 0.2 || next === kept) break;
    for (let s = 0; s < m; s++) keep[s] = res[s]! <= cut ? 1 : 0;
    kept = next;
    coef = fit3(us, vs, srgb, keep);
  }
  return { width: w, height: h, srgb: coef, oklab: fit3(us, vs, labs, keep), band: idx, kept: keep };
}

/** The backdrop's sRGB colour (0-1, clamped, float32 like the maps it is compared with) at pixel i, into out[0..2]. */
export function backdropAt(bd: Backdrop, i: number, out: Float32Array): void {
  const x = i % bd.width;
  const u = x / bd.width - 0.5;
  const v = (i - x) / bd.width / bd.height - 0.5;
  for (let ch = 0; ch < 3; ch++) out[ch] = Math.min(1, Math.max(0, surface(bd.srgb[ch]!, u, v)));
}

/** Whether a Uint32Array over RGBA bytes reads r as the low byte (every platform Node runs on today). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** RGBA bytes as one word a pixel, r | g << 8 | b << 16 | a << 24: a view where the memory allows, else a copy. */
export function pixelWords(data: Uint8Array): Uint32Array {
  const n = data.length >> 2;
  if (LITTLE_ENDIAN && data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, n);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = (data[i * 4]! | (data[i * 4 + 1]! << 8) | (data[i * 4 + 2]! << 16) | (data[i * 4 + 3]! << 24)) >>> 0;
  return out;
}

/**
 * Squared Oklab distance of every pixel to the backdrop; 0 where the pixel was already transparent
 * (background whatever its colour). One pass: each row's surfaces become quadratics in u.
 */
export function distanceMap(img: Rgba, bd: Backdrop, lab: OklabCache): Float32Array {
  const { width: w, height: h, data } = img;
  const dist = new Float32Array(w * h);
  const px = pixelWords(data);
  const vals = lab.vals;
  const [cl, ca, cb] = bd.oklab;
  const us = new Float64Array(w);
  for (let x = 0; x < w; x++) us[x] = x / w - 0.5;
  for (let y = 0; y < h; y++) {
    const v = y / h - 0.5;
    // c0 + c2·v + c5·v² + (c1 + c3·v)·u + c4·u²
    const lA = cl[0]! + cl[2]! * v + cl[5]! * v * v;
    const lB = cl[1]! + cl[3]! * v;
    const aA = ca[0]! + ca[2]! * v + ca[5]! * v * v;
    const aB = ca[1]! + ca[3]! * v;
    const bA = cb[0]! + cb[2]! * v + cb[5]! * v * v;
    const bB = cb[1]! + cb[3]! * v;
    const [lC, aC, bC] = [cl[4]!, ca[4]!, cb[4]!];
    const row = y * w;
    let lastKey = -1;
    let s = 0;
    for (let x = 0; x < w; x++) {
      const p = px[row + x]!;
      if (p >>> 24 < 8) continue;
      const key = p & 0xffffff;
      if (key !== lastKey) {
        s = lab.slot(p & 255, (p >>> 8) & 255, (p >>> 16) & 255) * 3;
        lastKey = key;
      }
      const u = us[x]!;
      const dl = vals[s]! - (lA + u * (lB + lC * u));
      const da = vals[s + 1]! - (aA + u * (aB + aC * u));
      const db = vals[s + 2]! - (bA + u * (bB + bC * u));
      dist[row + x] = dl * dl + da * da + db * db;
    }
  }
  return dist;
}

/** The cut for `threshold: "auto"`: just above the backdrop's own spread along the border. */
export const AUTO = { quantile: 0.99, scale: 1.9, offset: 0.004, min: 0.012, max: 0.1 } as const;

/** p99 of the kept border pixels' distance to the backdrop ×1.9 + 0.004, clamped to [0.012, 0.1]. */
export function autoThreshold(dist: Float32Array, bd: Backdrop): number {
  const ds = new Float32Array(bd.band.length);
  let k = 0;
  for (let s = 0; s < bd.band.length; s++) if (bd.kept[s]) ds[k++] = dist[bd.band[s]!]!;
  if (k === 0) return AUTO.max;
  const q = Math.sqrt(nth(ds.subarray(0, k), Math.min(k - 1, Math.floor(AUTO.quantile * k))));
  return Math.min(AUTO.max, Math.max(AUTO.min, q * AUTO.scale + AUTO.offset));
}
