// Atlas pages choose PNG row filtering by their pixels: adaptive filters where
// they make the file a tenth smaller or more (smooth gradients: far smaller),
// none where they do not (the procedural sprites: filters cost time, save
// nothing). Either way the PNG decodes to exactly the pixels given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptiveFilteringPays, decodeRgba, encodePng, type Rgba } from '../../../gpu-worker/image/io.js';
import { sample } from '../../helpers/sprites.js';

function image(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Rgba {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

describe('PNG row filtering for atlas pages', () => {
  const smooth = image(900, 700, (x, y) => [(x * 3 + y) & 255, (y * 5) & 255, (x + 2 * y) & 255, 255 - ((x + y) % 7) * 10]);
  it('GIVEN smooth gradients THEN adaptive filtering is chosen, and it does shrink the file by more than a tenth', async () => {
    assert.equal(await adaptiveFilteringPays(smooth), true);
    const [plain, filtered] = [await encodePng(smooth, 6, false), await encodePng(smooth, 6, true)];
    assert.ok(filtered.length < 0.9 * plain.length, `${filtered.length} vs ${plain.length} bytes`);
    assert.deepEqual((await decodeRgba(filtered, 'x', 'smooth')).data, smooth.data);
  });

  it('GIVEN a procedural sprite (shaded shapes on a plain backdrop) THEN no filtering is chosen, and filters would not have saved a tenth', async () => {
    const sprite = (await sample(0, 'plain', 768)).image;
    assert.equal(await adaptiveFilteringPays(sprite), false);
    const [plain, filtered] = [await encodePng(sprite, 6, false), await encodePng(sprite, 6, true)];
    assert.ok(filtered.length >= 0.9 * plain.length, `${filtered.length} vs ${plain.length} bytes`);
    assert.deepEqual((await decodeRgba(plain, 'x', 'sprite')).data, sprite.data);
  });
});
