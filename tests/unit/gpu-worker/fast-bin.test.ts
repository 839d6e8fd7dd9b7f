// The faster free-list prune and node search installed into maxrects-packer gives exactly the
// library's own packing: same bins, same sizes, same rectangles, same order; and it is installed
// only on the maxrects-packer version it was written for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaxRectsBin, MaxRectsPacker, PACKING_LOGIC } from 'maxrects-packer';
import { checkFastBinVersion, FAST_BIN_FOR, installedMaxrectsVersion, installFastBin } from '../../../gpu-worker/atlas/fast-bin.js';

/** Deterministic sizes 4..260 (a small LCG), many shapes and some repeats. */
function sizes(n: number, seed: number): { w: number; h: number }[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, () => ({ w: 4 + Math.floor(next() * 256), h: 4 + Math.floor(next() * (next() < 0.2 ? 32 : 256)) }));
}

function pack(
  fast: boolean,
  items: { w: number; h: number }[],
  o: { size: number; padding: number; pot: boolean; square: boolean; rotation: boolean; logic: PACKING_LOGIC; smart: boolean },
) {
  installFastBin(fast);
  try {
    const p = new MaxRectsPacker(o.size, o.size, o.padding, {
      smart: o.smart,
      pot: o.pot,
      square: o.square,
      allowRotation: o.rotation,
      border: 0,
      logic: o.logic,
    });
    items.forEach((it, i) => p.add(it.w, it.h, { key: i }));
    return p.bins.map((b) => ({
      w: b.width,
      h: b.height,
      rects: b.rects.map((r) => [(r.data as { key: number }).key, r.x, r.y, r.width, r.height, Boolean(r.rot)]),
    }));
  } finally {
    installFastBin(true);
  }
}

describe('maxrects fast bin', () => {
  it('GIVEN random rectangle sets and every option mix THEN the fast bin packs exactly like the library', () => {
    let cases = 0;
    for (const seed of [1, 2, 3, 4]) {
      const items = sizes(seed === 4 ? 400 : 150, seed);
      for (const logic of [PACKING_LOGIC.MAX_AREA, PACKING_LOGIC.MAX_EDGE])
        for (const [padding, pot, square, rotation, smart] of [
          [0, false, false, false, true],
          [2, false, false, false, true],
          [1, true, false, true, true],
          [0, false, true, false, true],
          [3, false, false, true, false],
        ] as const) {
          const o = { size: 1024, padding, pot, square, rotation, logic, smart };
          const ours = pack(true, items, o);
          const theirs = pack(false, items, o);
          assert.ok(theirs.length > 1, 'the sets are large enough to need several bins');
          assert.deepEqual(ours, theirs, `seed ${seed}, ${JSON.stringify(o)}`);
          cases++;
        }
    }
    assert.equal(cases, 40);
  });
});

describe('maxrects fast bin version guard', () => {
  it('GIVEN the installed maxrects-packer THEN it is the version the patch was written for', () => {
    assert.equal(installedMaxrectsVersion(), FAST_BIN_FOR);
    assert.doesNotThrow(() => checkFastBinVersion(FAST_BIN_FOR));
  });

  it('GIVEN any other version THEN installing fails loudly, naming the fix, and the library methods stay', () => {
    for (const other of ['2.7.4', '2.8.0', '3.0.0', '2.7.3-beta.1', undefined]) {
      assert.throws(
        () => checkFastBinVersion(other),
        (err: Error) =>
          err.name === 'DependencyVersionError' &&
          err.message.includes(`pin maxrects-packer to ${FAST_BIN_FOR}`) &&
          err.message.includes('update fast-bin.ts') &&
          err.message.includes(other ?? 'version unknown'),
        String(other),
      );
    }
    installFastBin(false);
    const before = MaxRectsBin.prototype as unknown as Record<string, unknown>;
    const own = before.findNode;
    try {
      assert.throws(() => installFastBin(true, '2.7.4'), { name: 'DependencyVersionError' });
      assert.equal(before.findNode, own, 'nothing patched on a refused version');
    } finally {
      installFastBin(true);
    }
  });
});
