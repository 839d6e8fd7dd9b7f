// Contact sheets and comparison grids: cells of thumbnails with labels drawn by
// the bitmap font, laid out in rows, encoded as one PNG.
import sharp from 'sharp';
import { drawText, GLYPH_H, textWidth } from './font.js';
import { blankRgba, blit, encodePng, type Rgba } from './io.js';

export interface SheetCell {
  png: Buffer;
  /** One or more lines ("\n"), each cut to the cell's width. */
  label: string;
}

const BG: [number, number, number, number] = [32, 34, 40, 255];
const INK: [number, number, number, number] = [235, 235, 235, 255];

/** Cells of `cell`×`cell` px (image letter-boxed), `columns` per row, a label strip under each; optional row/column headers. */
export async function contactSheet(cells: SheetCell[], options: { cell?: number; columns?: number; title?: string } = {}): Promise<Buffer> {
  const cell = options.cell ?? 256;
  const columns = Math.max(1, Math.min(options.columns ?? Math.ceil(Math.sqrt(cells.length)), cells.length));
  const rows = Math.ceil(cells.length / columns);
  const scale = cell >= 192 ? 2 : 1;
  const lineH = GLYPH_H * scale + 4;
  const lines = Math.max(1, ...cells.map((c) => c.label.split('\n').length));
  const labelH = lines * lineH + 4;
  const gap = 8;
  const titleH = options.title ? GLYPH_H * 2 + 12 : 0;
  const sheet = blankRgba(columns * (cell + gap) + gap, titleH + rows * (cell + labelH + gap) + gap, BG);
  if (options.title) drawText(sheet, options.title, gap, 6, 2, INK);
  const thumbs = await Promise.all(
    cells.map(async (c) => {
      const { data, info } = await sharp(c.png)
        .flatten({ background: '#3a3d46' })
        .resize(cell, cell, { fit: 'contain', background: '#3a3d46' })
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data } satisfies Rgba;
    }),
  );
  thumbs.forEach((t, i) => {
    const x = gap + (i % columns) * (cell + gap);
    const y = titleH + gap + Math.floor(i / columns) * (cell + labelH + gap);
    blit(t, 0, 0, t.width, t.height, sheet, x, y);
    cells[i]!.label.split('\n').forEach((text, l) => {
      const label = fit(text, cell, scale);
      drawText(sheet, label, x + Math.max(0, (cell - textWidth(label, scale)) >> 1), y + cell + 4 + l * lineH, scale, INK);
    });
  });
  return encodePng(sheet);
}

function fit(label: string, width: number, scale: number): string {
  let s = label;
  while (s.length > 1 && textWidth(s, scale) > width) s = s.slice(0, -1);
  return s;
}
