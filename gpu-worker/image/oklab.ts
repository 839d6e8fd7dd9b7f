// sRGB bytes → Oklab (perceptual), for the classic matte's colour distances:
// a linearisation table, a tabled cube root, and a memo of the colours seen
// (sprites have few distinct colours, so most lookups hit).

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

/** Oklab of sRGB bytes, memoised in a 65,536-slot table (a miss overwrites its slot). */
export class OklabCache {
  private readonly keys = new Int32Array(1 << 16).fill(-1);
  /** L, a, b of slot s at vals[3s..3s+2]. */
  readonly vals = new Float32Array((1 << 16) * 3);
  /** The slot holding the Oklab of (r, g, b), filled on a miss: read vals[3·slot…]. */
  slot(r: number, g: number, b: number): number {
    const key = (r << 16) | (g << 8) | b;
    const slot = Math.imul(key, 2654435761) >>> 16;
    if (this.keys[slot] !== key) {
      oklab(SRGB_TO_LINEAR[r]!, SRGB_TO_LINEAR[g]!, SRGB_TO_LINEAR[b]!, this.vals, slot * 3);
      this.keys[slot] = key;
    }
    return slot;
  }
}
