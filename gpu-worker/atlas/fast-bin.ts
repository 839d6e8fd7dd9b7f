// Faster MaxRectsBin internals for maxrects-packer 2.7.3, same result.
// Packing 300 sprites spent ~70% of its time in pruneFreeList: after every
// placement the library compares every pair of free rectangles (~130 of them:
// ~9,000 pairs) and splices the array on each removal. But after a prune no two
// survivors contain one another, and until the next one a placement only
// appends new rectangles (removals keep the order, so the old ones are a
// prefix); the only change to existing ones is a bin growing (expandFreeRects),
// which stretches those at its right or bottom edge: they count as new. So only
// pairs with a rectangle added or stretched since the last prune can remove
// anything. Better still, when the bin did not grow, every new rectangle is a
// piece of a survivor that the placed node split: were an old survivor inside a
// new piece, it would be inside that survivor too, which the last prune rules
// out. So an old rectangle is never removed by a new one then: each new one is
// only tested against the old ones (is it inside one?) and the other new ones.
// The pairs are walked in the library's order (walking surviving indices in
// order is what its splice-and-step-back loop does) and the list compacted
// once: same survivors, same order.
// findNode walks the free list with for…in (string keys) and allocates a
// Rectangle at each better score: here an indexed loop, one allocation.
// tests/unit/gpu-worker/fast-bin.test.ts packs with both and compares.
// The patch replaces private methods, so it is installed only on the exact
// version it was written for: any other version stops start-up (a silent
// fallback would hide that the packing, or its speed, changed).
import { createRequire } from 'node:module';
import { MaxRectsBin, PACKING_LOGIC, Rectangle } from 'maxrects-packer';
import { DependencyVersionError } from '../errors.js';

/** The maxrects-packer version whose internals this file reproduces. */
export const FAST_BIN_FOR = '2.7.3';

/** Throws unless `installed` is the version the patch was written for. */
export function checkFastBinVersion(installed: string | undefined): void {
  if (installed === FAST_BIN_FOR) return;
  throw new DependencyVersionError(
    'maxrects-packer',
    `maxrects-packer ${installed ?? '(version unknown)'} is installed but gpu-worker/atlas/fast-bin.ts patches the internals of ${FAST_BIN_FOR}: pin maxrects-packer to ${FAST_BIN_FOR} in package.json or update fast-bin.ts (and its equivalence test) for ${installed ?? 'that version'}`,
  );
}

/** The installed maxrects-packer version, from its package.json (the package has no exports map). */
export function installedMaxrectsVersion(): string | undefined {
  const pkg: unknown = createRequire(import.meta.url)('maxrects-packer/package.json');
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : undefined;
}

/** On a bin: the free rectangles that survived its last prune, in order. */
const survivors = Symbol('prunedFreeRects');
/** On a bin: free rectangles its growth stretched since the last prune. */
const stretched = Symbol('stretchedFreeRects');
interface FreeRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
interface BinState {
  freeRects: FreeRect[];
  width: number;
  height: number;
  padding: number;
  border: number;
  [survivors]?: FreeRect[];
  [stretched]?: Set<FreeRect>;
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

/** Does the rectangle at index `a` contain the one at `b`? */
function contains(a: number, b: number): boolean {
  return x0[b]! >= x0[a]! && y0[b]! >= y0[a]! && x1[b]! <= x1[a]! && y1[b]! <= y1[a]!;
}

export function pruneFreeList(this: BinState): void {
  const list = this.freeRects;
  const n = list.length;
  const before = (this[survivors] ??= []);
  ensure(n);
  // The old ones: the longest prefix that is, in order, a subsequence of the last survivors.
  let p = 0;
  let boundary = 0;
  while (boundary < n) {
    while (p < before.length && before[p] !== list[boundary]) p++;
    if (p === before.length) break;
    boundary++;
    p++;
  }
  const grown = this[stretched];
  let nFresh = 0;
  for (let i = 0; i < n; i++) {
    const r = list[i]!;
    x0[i] = r.x;
    y0[i] = r.y;
    x1[i] = r.x + r.width;
    y1[i] = r.y + r.height;
    gone[i] = 0;
    const isFresh = i >= boundary || (grown !== undefined && grown.has(r));
    fresh[i] = isFresh ? 1 : 0;
    if (isFresh) freshIdx[nFresh++] = i;
  }
  this[stretched] = undefined;
  if (nFresh === 0) return;
  if (grown === undefined) {
    // No growth: old ones only remove new ones; new ones among themselves in the library's order.
    for (let k = 0; k < nFresh; k++) {
      const j = freshIdx[k]!;
      for (let i = 0; i < boundary; i++)
        if (contains(i, j)) {
          gone[j] = 1;
          break;
        }
    }
    for (let a = 0; a < nFresh; a++) {
      const i = freshIdx[a]!;
      if (gone[i]) continue;
      for (let b = a + 1; b < nFresh; b++) {
        const j = freshIdx[b]!;
        if (gone[j]) continue;
        if (contains(j, i)) {
          gone[i] = 1;
          break;
        }
        if (contains(i, j)) gone[j] = 1;
      }
    }
  } else
    for (let i = 0; i < n; i++) {
      if (gone[i]) continue;
      if (fresh[i]) {
        // A new or stretched rectangle: against every later one.
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
  for (let i = 0; i < n; i++) if (!gone[i]) list[k++] = list[i]!;
  list.length = k;
  before.length = 0;
  for (let i = 0; i < k; i++) before.push(list[i]!);
}

interface FindState {
  freeRects: FreeRect[];
  options: { logic?: PACKING_LOGIC };
}

/** The library's findNode (lowest score wins, the first on a tie; the unturned fit before the turned one), indexed. */
export function findNode(this: FindState, width: number, height: number, allowRotation: boolean): Rectangle | undefined {
  const free = this.freeRects;
  const byArea = this.options.logic === PACKING_LOGIC.MAX_AREA;
  let score = Number.MAX_VALUE;
  let best = -1;
  let turned = false;
  const turns = allowRotation ? 2 : 1;
  for (let i = 0; i < free.length; i++) {
    const r = free[i]!;
    for (let t = 0; t < turns; t++) {
      const w = t === 0 ? width : height;
      const h = t === 0 ? height : width;
      if (r.width < w || r.height < h) continue;
      const fit = byArea ? r.width * r.height - w * h : Math.min(r.width - w, r.height - h);
      if (fit < score) {
        best = i;
        turned = t === 1;
        score = fit;
      }
    }
  }
  if (best < 0) return undefined;
  const r = free[best]!;
  return turned ? new Rectangle(height, width, r.x, r.y, true) : new Rectangle(width, height, r.x, r.y);
}

const proto = MaxRectsBin.prototype as unknown as {
  pruneFreeList(): void;
  expandFreeRects(width: number, height: number): void;
  findNode(width: number, height: number, allowRotation: boolean): Rectangle | undefined;
};
/** The library's own methods. */
export const libraryPruneFreeList = proto.pruneFreeList;
export const libraryExpandFreeRects = proto.expandFreeRects;
export const libraryFindNode = proto.findNode;

/** Growing a bin stretches the free rectangles at its edges in place (the library's own test, below): they count as new at the next prune. */
function expandFreeRects(this: BinState, width: number, height: number): void {
  const grown = (this[stretched] ??= new Set());
  for (const r of this.freeRects)
    if (
      r.x + r.width >= Math.min(this.width + this.padding - this.border, width) ||
      r.y + r.height >= Math.min(this.height + this.padding - this.border, height)
    )
      grown.add(r);
  libraryExpandFreeRects.call(this, width, height);
}

/**
 * Install the faster methods (idempotent); `false` puts the library's own back (the equivalence test).
 * Throws DependencyVersionError when the installed maxrects-packer is not FAST_BIN_FOR.
 */
export function installFastBin(on = true, installed = installedMaxrectsVersion()): void {
  if (on) checkFastBinVersion(installed);
  proto.pruneFreeList = on ? (pruneFreeList as unknown as () => void) : libraryPruneFreeList;
  proto.expandFreeRects = on ? (expandFreeRects as unknown as (width: number, height: number) => void) : libraryExpandFreeRects;
  proto.findNode = on ? (findNode as unknown as typeof proto.findNode) : libraryFindNode;
}
