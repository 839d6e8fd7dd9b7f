// The classic matte's last step: the cut-out's RGBA from the final alpha.
// Solid subject pixels away from the edges are copied as they are (a word at a
// time); only the listed pixels (the edges, or the filters' band) take the
// per-pixel rule: the source colour where trusted, the nearest solid colour where
// the pixel is mostly backdrop or only feathering reached it, the unmixed
// estimate where it is mostly subject.
import { featherRadius } from './alpha-filters.js';
import { backdropAt, LITTLE_ENDIAN, type Backdrop } from './backdrop.js';
import type { Rgba } from './io.js';
import { bandAround, SOLID } from './regions.js';

/**
 * The pixels erode + feather can change when alpha is constant away from the edges (opaque subject):
 * within erode + feather radius + 2 of an edge pixel. null (every pixel) when the subject is not opaque.
 */
export function alphaFilterBand(
  opaque: boolean,
  edges: Int32Array,
  w: number,
  h: number,
  opts: { erode: number; feather: number },
): Int32Array | null {
  return opaque ? bandAround(edges, w, h, opts.erode + featherRadius(opts.feather) + 2) : null;
}

export interface Maps {
  cls: Uint8Array;
  /** Alpha before the filters (0-1). */
  alpha: Float32Array;
  /** Nearest solid pixel, −1 beyond reach. */
  near: Int32Array;
  /** Alpha after the filters. */
  final: Float32Array;
  /** The pixels that take the per-pixel rule; null = all. */
  band: Int32Array | null;
}

/** Copy the solid pixels with alpha > 0 as they are: a word per pixel, four class bytes at a time, where aligned. */
function copySolid(data: Buffer, cls: Uint8Array, out: Buffer): void {
  const n = cls.length;
  if (!LITTLE_ENDIAN || data.byteOffset % 4 !== 0 || out.byteOffset % 4 !== 0 || cls.byteOffset % 4 !== 0) {
    for (let i = 0; i < n; i++) if (cls[i] === SOLID && data[i * 4 + 3] !== 0) data.copy(out, i * 4, i * 4, i * 4 + 4);
    return;
  }
  const src = new Uint32Array(data.buffer, data.byteOffset, n);
  const dst = new Uint32Array(out.buffer, out.byteOffset, n);
  const cls4 = new Uint32Array(cls.buffer, cls.byteOffset, n >> 2);
  // Little-endian RGBA: alpha is the top byte; a solid pixel that was transparent stays all zero.
  const put = (j: number) => {
    const v = src[j]!;
    if (v >>> 24) dst[j] = v;
  };
  for (let k = 0; k < cls4.length; k++) {
    const c = cls4[k]!;
    if (c === 0) continue;
    const i = k << 2;
    for (let j = i; j < i + 4; j++) if (cls[j] === SOLID) put(j);
  }
  for (let j = cls4.length << 2; j < n; j++) if (cls[j] === SOLID) put(j);
}

export function composeMatte(img: Rgba, bd: Backdrop, m: Maps): Buffer {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const out = Buffer.alloc(n * 4);
  const { cls, alpha, near, final, band } = m;
  if (band) copySolid(data, cls, out);
  const bg = new Float32Array(3);
  const count = band ? band.length : n;
  for (let k = 0; k < count; k++) {
    const i = band ? band[k]! : k;
    const o = i * 4;
    const al = Math.round(Math.min(1, Math.max(0, final[i]!)) * 255);
    if (al === 0) {
      out.writeUInt32LE(0, o);
      continue;
    }
    const src = near[i]!;
    const a0 = alpha[i]!;
    if (cls[i] === SOLID || src < 0) for (let ch = 0; ch < 3; ch++) out[o + ch] = data[o + ch]!;
    else if (a0 >= 0.6) {
      backdropAt(bd, i, bg);
      for (let ch = 0; ch < 3; ch++) {
        const c = Math.fround(Math.min(1, Math.max(0, (data[o + ch]! / 255 - (1 - a0) * bg[ch]!) / a0)));
        out[o + ch] = Math.round(c * 255);
      }
    } else for (let ch = 0; ch < 3; ch++) out[o + ch] = data[src * 4 + ch]!;
    out[o + 3] = al;
  }
  return out;
}
