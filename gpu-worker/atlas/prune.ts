// A faster MaxRectsBin.pruneFreeList for maxrects-packer 2.7.3, same result.
// Packing 300 sprites spent ~70% of its time there: after every placement the
// library compares every pair of free rectangles (~130 of them: ~9,000 pairs)
// and splices the array on each removal. But after a prune no two survivors
// contain one another, and a placement only appends a few new rectangles (and
// growing the bin stretches some, which then count as new). So only
// pairs with a new or changed rectangle can remove anything: this checks those
// alone, in the library's order (walking surviving indices in order is what its
// splice-and-step-back loop does), and compacts once. Same survivors, same
// order. tests/unit/gpu-worker/atlas.test.ts packs with both and compares.
import { MaxRectsBin } from 'maxrects-packer';

/** On each survivor: the box it had when it was last pruned. */
const checked = Symbol('prunedBox');
/** The parts of the library's Rectangle this reads. */
interface FreeRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  [checked]?: { x: number; y: number; w: number; h: number };
}

let cap = 0;
let x0 = new Float64Array(0);
let y0 = new Float64Array(0);
let x1 = new Float64Array(0);
let y1 = new Float64Array(0);
let fresh = new Uint8Array(0);
let gone = new Uint8Array(0);
let freshIdx = new Int32Array(0);

function ensure(n: number): void {
  if (n <= cap) return;
  cap = Math.max(n, cap * 2, 256);
  [x0, y0, x1, y1] = [new Float64Array(cap), new Float64Array(cap), new Float64Array(cap), new Float64Array(cap)];
  [fresh, gone] = [new Uint8Array(cap), new Uint8Array(cap)];
  freshIdx = new Int32Array(cap);
}

export function pruneFreeList(this: { freeRects: FreeRect[] }): void {
  const list = this.freeRects;
  const n = list.length;
  ensure(n);
  let nFresh = 0;
  for (let i = 0; i < n; i++) {
    const r = list[i]!;
    x0[i] = r.x;
    y0[i] = r.y;
    x1[i] = r.x + r.width;
    y1[i] = r.y + r.height;
    gone[i] = 0;
    const was = r[checked];
    const isFresh = !was || was.x !== r.x || was.y !== r.y || was.w !== r.width || was.h !== r.height;
    fresh[i] = isFresh ? 1 : 0;
    if (isFresh) freshIdx[nFresh++] = i;
  }
  // Does the rectangle at `a` contain the one at `b`?
  const contains = (a: number, b: number) => x0[b]! >= x0[a]! && y0[b]! >= y0[a]! && x1[b]! <= x1[a]! && y1[b]! <= y1[a]!;
  for (let i = 0; i < n; i++) {
    if (gone[i]) continue;
    if (fresh[i]) {
      // A new rectangle: against every later one.
      for (let j = i + 1; j < n; j++) {
        if (gone[j]) continue;
        if (contains(j, i)) {
          gone[i] = 1;
          break;
        }
        if (contains(i, j)) gone[j] = 1;
      }
    } else {
      // An old one: only the new ones after it can change anything.
      for (let k = 0; k < nFresh; k++) {
        const j = freshIdx[k]!;
        if (j <= i || gone[j]) continue;
        if (contains(j, i)) {
          gone[i] = 1;
          break;
        }
        if (contains(i, j)) gone[j] = 1;
      }
    }
  }
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (gone[i]) continue;
    const r = list[i]!;
    const was = r[checked];
    if (was) {
      was.x = r.x;
      was.y = r.y;
      was.w = r.width;
      was.h = r.height;
    } else r[checked] = { x: r.x, y: r.y, w: r.width, h: r.height };
    list[k++] = r;
  }
  list.length = k;
}

const proto = MaxRectsBin.prototype as unknown as { pruneFreeList(): void };
/** The library's own method, kept for the equivalence test. */
export const libraryPruneFreeList = proto.pruneFreeList;

/** Install the faster prune (idempotent). */
export function installFastPrune(): void {
  proto.pruneFreeList = pruneFreeList as unknown as () => void;
}
