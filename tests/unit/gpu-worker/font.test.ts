// The sheet labels' bitmap font: what prompts usually hold (letters, digits, the
// punctuation of "knight, side view (v2) 50%") draws as itself, never as the '?'
// an unknown character becomes — the eval sheet once labelled "KNIGHT? SIDE VIEW".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawText, GLYPH_H, GLYPH_W } from '../../../gpu-worker/image/font.js';

function glyph(ch: string): string {
  const img = { width: GLYPH_W, height: GLYPH_H, data: Buffer.alloc(GLYPH_W * GLYPH_H * 4) };
  drawText(img, ch, 0, 0, 1, [255, 255, 255, 255]);
  return Array.from({ length: GLYPH_W * GLYPH_H }, (_, i) => (img.data[i * 4] ? '1' : '0')).join('');
}

describe('label font', () => {
  it("GIVEN the characters prompts and names use THEN each has its own glyph, none drawn as '?'", () => {
    const unknown = glyph('\u00a7');
    assert.equal(unknown, glyph('?'), 'an unknown character is drawn as ?');
    const seen = new Map<string, string>();
    for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/#,()+'!=%") {
      const bits = glyph(ch);
      assert.notEqual(bits, unknown, `${JSON.stringify(ch)} is drawn as '?'`);
      assert.equal(seen.get(bits), undefined, `${JSON.stringify(ch)} looks like ${JSON.stringify(seen.get(bits))}`);
      seen.set(bits, ch);
    }
  });
});
