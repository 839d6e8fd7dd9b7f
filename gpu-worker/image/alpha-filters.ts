// Erode and feather on a float alpha map, optionally only on a band of pixels:
// where alpha is constant around a pixel both filters leave it as it is, so a
// caller that knows where alpha changes (the matte's edge band, wide enough for
// the filter's reach) passes that list and the rest of the image is not touched.
// `band` null = every pixel.

/** Four-neighbour minimum, `radius` times. */
export function erodeAlpha(a: Float32Array, w: number, h: number, radius: number, band: Int32Array | null): Float32Array {
  let cur = a;
  for (let pass = 0; pass < radius; pass++) {
    const next = band ? cur.slice() : new Float32Array(w * h);
    const count = band ? band.length : w * h;
    for (let k = 0; k < count; k++) {
      const i = band ? band[k]! : k;
      const x = i % w;
      let m = cur[i]!;
      if (x > 0) m = Math.min(m, cur[i - 1]!);
      if (x < w - 1) m = Math.min(m, cur[i + 1]!);
      if (i >= w) m = Math.min(m, cur[i - w]!);
      if (i < w * (h - 1)) m = Math.min(m, cur[i + w]!);
      next[i] = m;
    }
    cur = next;
  }
  return cur;
}

/** Normalised Gaussian taps for `sigma`, radius ⌈3σ⌉. */
function kernel(sigma: number): Float32Array {
  const r = Math.ceil(sigma * 3);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** The feather's reach in pixels (its kernel radius). */
export const featherRadius = (sigma: number) => (sigma > 0 ? Math.ceil(sigma * 3) : 0);

/**
 * Separable Gaussian blur, edges clamped. On a band, each pass computes the band's values apart and
 * then writes them into one copy of `a` (the pixels off the band read as they were, which is what the
 * blur gives there).
 */
export function featherAlpha(a: Float32Array, w: number, h: number, sigma: number, band: Int32Array | null): Float32Array {
  const k = kernel(sigma);
  const r = (k.length - 1) >> 1;
  const count = band ? band.length : w * h;
  const at = (q: number) => (band ? band[q]! : q);
  const pass = new Float32Array(count);
  for (let q = 0; q < count; q++) {
    const i = at(q);
    const x = i % w;
    const row = i - x;
    let s = 0;
    for (let t = -r; t <= r; t++) s += k[t + r]! * a[row + Math.min(w - 1, Math.max(0, x + t))]!;
    pass[q] = s;
  }
  const tmp = band ? a.slice() : pass;
  if (band) for (let q = 0; q < count; q++) tmp[band[q]!] = pass[q]!;
  const out = band ? new Float32Array(count) : new Float32Array(w * h);
  for (let q = 0; q < count; q++) {
    const i = at(q);
    const x = i % w;
    const y = (i - x) / w;
    let s = 0;
    for (let t = -r; t <= r; t++) s += k[t + r]! * tmp[Math.min(h - 1, Math.max(0, y + t)) * w + x]!;
    out[q] = s;
  }
  if (!band) return out;
  for (let q = 0; q < count; q++) tmp[band[q]!] = out[q]!;
  return tmp;
}
