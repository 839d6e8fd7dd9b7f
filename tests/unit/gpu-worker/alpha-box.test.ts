// The trim rectangle (alphaBox) scans in from the edges; here it must equal the
// bounding box a plain scan of every pixel finds, on images built to catch
// off-by-one edges: empty, one pixel, single rows and columns, pixels in corners.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alphaBox, type Rgba } from '../../../gpu-worker/image/io.js';

function everyPixel(img: Rgba): { x: number; y: number; w: number; h: number } | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (img.data[(y * img.width + x) * 4 + 3] !== 0)
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

describe('alphaBox', () => {
  it('GIVEN 2,000 random sparse images THEN the edge scan finds the same box as looking at every pixel', () => {
    let s = 7;
    const rnd = (n: number) => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) % n;
    let empty = 0;
    for (let k = 0; k < 2000; k++) {
      const [w, h] = [1 + rnd(24), 1 + rnd(24)];
      const img: Rgba = { width: w, height: h, data: Buffer.alloc(w * h * 4) };
      for (let n = rnd(4); n > 0; n--) {
        const o = (rnd(h) * w + rnd(w)) * 4;
        img.data[o] = 200; // colour alone does not count
        img.data[o + 3] = rnd(3) === 0 ? 0 : 1 + rnd(255);
      }
      const want = everyPixel(img);
      if (!want) empty++;
      assert.deepEqual(alphaBox(img), want, `image ${k} (${w}×${h})`);
    }
    assert.ok(empty > 100 && empty < 1900, 'both empty and non-empty images were drawn');
  });
});
