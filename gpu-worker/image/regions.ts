// The classic matte's regions on flat typed arrays, no recursion and no
// per-pixel objects: the flood from the border through background-like pixels
// (an explicit queue), the 3×3 classification into far background / edge /
// solid subject, and capped breadth-first spreads from a seed list.

/** What each pixel is once the background is known (FAR_BG 0 and SOLID 1 double as their alpha). */
export const FAR_BG = 0;
/** Subject with no background pixel among its 8 neighbours: its colours are trusted as they are. */
export const SOLID = 1;
/** Background with a subject pixel among its 8 neighbours. */
export const EDGE_BG = 2;
/** Subject with a background pixel among its 8 neighbours. */
export const EDGE_FG = 3;

/**
 * Background = like the backdrop (squared distance under t2) AND 4-connected to the border;
 * with removeHoles every backdrop-like pixel is background. 1 = background. A scanline fill
 * with an explicit stack of seeds: each run is marked whole, then the rows above and below are
 * scanned once along it, so each pixel is tested a few times at most.
 */
export function floodFromBorder(dist: Float32Array, w: number, h: number, t2: number, removeHoles: boolean): Uint8Array {
  const n = w * h;
  const isBg = new Uint8Array(n);
  if (removeHoles) {
    for (let i = 0; i < n; i++) if (dist[i]! < t2) isBg[i] = 1;
    return isBg;
  }
  let stack = new Int32Array(Math.max(1024, 2 * (w + h)));
  let top = 0;
  const grow = (need: number) => {
    const grown = new Int32Array(Math.max(stack.length * 2, need));
    grown.set(stack.subarray(0, top));
    return grown;
  };
  // Seeds: every open pixel of the first and last rows and columns.
  for (let x = 0; x < w; x++) ((stack[top++] = x), (stack[top++] = (h - 1) * w + x));
  for (let y = 1; y < h - 1; y++) ((stack[top++] = y * w), (stack[top++] = y * w + w - 1));
  while (top > 0) {
    const i = stack[--top]!;
    if (isBg[i] || !(dist[i]! < t2)) continue;
    const x = i % w;
    const row = i - x;
    let xl = x;
    while (xl > 0 && !isBg[row + xl - 1] && dist[row + xl - 1]! < t2) xl--;
    let xr = x;
    while (xr < w - 1 && !isBg[row + xr + 1] && dist[row + xr + 1]! < t2) xr++;
    isBg.fill(1, row + xl, row + xr + 1);
    // The rows above and below along the run: push the start of each open run there.
    if (top + xr - xl + 2 > stack.length) stack = grow(top + xr - xl + 2);
    for (let other = row - w; other <= row + w; other += 2 * w) {
      if (other < 0 || other >= n) continue;
      let inRun = false;
      for (let j = other + xl, end = other + xr; j <= end; j++) {
        const open = !isBg[j] && dist[j]! < t2;
        if (open && !inRun) stack[top++] = j;
        inRun = open;
      }
      if (top + xr - xl + 2 > stack.length) stack = grow(top + xr - xl + 2);
    }
  }
  return isBg;
}

export interface Classes {
  /** FAR_BG, EDGE_BG, EDGE_FG or SOLID per pixel. */
  cls: Uint8Array;
  /** The EDGE_BG and EDGE_FG pixels, in index order. */
  edges: Int32Array;
}

/** One pixel's class from the column sums at x−1, x, x+1 (clamped), an edge appended; the new edge count. */
function classifyPixel(
  isBg: Uint8Array,
  or: Uint8Array,
  and: Uint8Array,
  cls: Uint8Array,
  edges: Int32Array,
  ne: number,
  row: number,
  x: number,
): number {
  const i = row + x;
  const l = x > 0 ? x - 1 : x;
  const r = x < or.length - 1 ? x + 1 : x;
  if (isBg[i]) {
    if (and[l]! & and[x]! & and[r]!) return ne;
    cls[i] = EDGE_BG;
  } else {
    if (!(or[l]! | or[x]! | or[r]!)) {
      cls[i] = SOLID;
      return ne;
    }
    cls[i] = EDGE_FG;
  }
  edges[ne] = i;
  return ne + 1;
}

/** Each pixel's class from the 3×3 neighbourhood of `isBg` (rows and runs that are all one kind go at once). */
export function classify(isBg: Uint8Array, w: number, h: number): Classes {
  const n = w * h;
  const cls = new Uint8Array(n);
  const edges = new Int32Array(n);
  let ne = 0;
  // Where rows are whole words (width a multiple of 4), four pixels go at once (bytes are 0 or 1).
  const words = w % 4 === 0 && isBg.byteOffset % 4 === 0 ? w >> 2 : 0;
  const bg4 = words ? new Uint32Array(isBg.buffer, isBg.byteOffset, n >> 2) : null;
  const cls4 = words ? new Uint32Array(cls.buffer, 0, n >> 2) : null;
  const rowBg = new Int32Array(h);
  for (let y = 0; y < h; y++) {
    let c = 0;
    if (bg4) for (let k = y * words, end = k + words; k < end; k++) c += Math.imul(bg4[k]!, 0x01010101) >>> 24;
    else for (let i = y * w, end = i + w; i < end; i++) c += isBg[i]!;
    rowBg[y] = c;
  }
  // Per column of the 3-row window: any background (or), all background (and).
  const or = new Uint8Array(w);
  const and = new Uint8Array(w);
  const or4 = new Uint32Array(or.buffer, 0, words);
  const and4 = new Uint32Array(and.buffer, 0, words);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - 1);
    const y2 = Math.min(h - 1, y + 1);
    const [b0, b1, b2] = [rowBg[y0]!, rowBg[y]!, rowBg[y2]!];
    const r1 = y * w;
    if (b0 === w && b1 === w && b2 === w) continue;
    if (b0 === 0 && b1 === 0 && b2 === 0) {
      cls.fill(SOLID, r1, r1 + w);
      continue;
    }
    if (bg4 && cls4) {
      const [k0, k1, k2] = [y0 * words, y * words, y2 * words];
      for (let k = 0; k < words; k++) {
        const [p, q, r] = [bg4[k0 + k]!, bg4[k1 + k]!, bg4[k2 + k]!];
        or4[k] = p | q | r;
        and4[k] = p & q & r;
      }
      // Four far or four solid pixels when their columns and the one each side agree.
      for (let k = 0; k < words; k++) {
        const x = k << 2;
        const l = x > 0 ? x - 1 : 0;
        const r = x + 4 < w ? x + 4 : w - 1;
        if (or4[k] === 0 && or[l] === 0 && or[r] === 0) cls4[k1 + k] = SOLID * 0x01010101;
        else if (and4[k] !== 0x01010101 || !and[l] || !and[r])
          for (let j = x; j < x + 4; j++) ne = classifyPixel(isBg, or, and, cls, edges, ne, r1, j);
      }
      continue;
    }
    for (let x = 0; x < w; x++) {
      const [p, q, r] = [isBg[y0 * w + x]!, isBg[r1 + x]!, isBg[y2 * w + x]!];
      or[x] = p | q | r;
      and[x] = p & q & r;
    }
    for (let x = 0; x < w; x++) ne = classifyPixel(isBg, or, and, cls, edges, ne, r1, x);
  }
  return { cls, edges: edges.subarray(0, ne) };
}

/**
 * Multi-source BFS (8-connected, chessboard distance) from `seeds` (taken in the order given) up to `cap`:
 * for every reached pixel the index of a nearest seed in `src`, which must come in filled with −1.
 * SOLID pixels of `cls` are not entered (they are their own source).
 */
export function spreadFrom(seeds: Int32Array, w: number, h: number, cap: number, src: Int32Array, cls: Uint8Array): void {
  const dist = new Uint16Array(w * h);
  const queue = new Int32Array(w * h);
  let tail = 0;
  for (const i of seeds) {
    src[i] = i;
    queue[tail++] = i;
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const d = dist[i]! + 1;
    if (d > cap) continue;
    const x = i % w;
    const y = (i - x) / w;
    const s = src[i]!;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++)
      for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
        const j = ny * w + nx;
        if (src[j] === -1 && cls[j] !== SOLID) {
          src[j] = s;
          dist[j] = d;
          queue[tail++] = j;
        }
      }
  }
}

/** The pixels within chessboard distance `cap` of `seeds` (seeds included), layer by layer. */
export function bandAround(seeds: Int32Array, w: number, h: number, cap: number): Int32Array {
  const seen = new Uint8Array(w * h);
  const queue = new Int32Array(w * h);
  let tail = 0;
  for (const i of seeds) if (!seen[i]) ((seen[i] = 1), (queue[tail++] = i));
  let head = 0;
  for (let d = 1; d <= cap; d++) {
    const layerEnd = tail;
    for (; head < layerEnd; head++) {
      const i = queue[head]!;
      const x = i % w;
      const y = (i - x) / w;
      for (let ny = Math.max(0, y - 1); ny <= Math.min(h - 1, y + 1); ny++)
        for (let nx = Math.max(0, x - 1); nx <= Math.min(w - 1, x + 1); nx++) {
          const j = ny * w + nx;
          if (!seen[j]) ((seen[j] = 1), (queue[tail++] = j));
        }
    }
  }
  return queue.subarray(0, tail);
}
