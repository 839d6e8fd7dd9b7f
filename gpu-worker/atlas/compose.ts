// Draw an atlas layout's pages: each unique frame's trimmed pixels at its place
// (turned 90° clockwise when rotated), its edge pixels repeated `extrude` px
// outward so filtering never samples a neighbour; then PNG-encoded by sharp.
import { blankRgba, encodePngChoosingFilter, type Rgba } from '../image/io.js';
import type { AtlasLayout } from './layout.js';

/** The trimmed block of `img`, turned 90° clockwise when `rotate`. */
function cut(img: Rgba, r: { x: number; y: number; w: number; h: number }, rotate: boolean): Rgba {
  if (!rotate) {
    const out = blankRgba(r.w, r.h);
    for (let y = 0; y < r.h; y++)
      img.data.copy(out.data, y * r.w * 4, ((r.y + y) * img.width + r.x) * 4, ((r.y + y) * img.width + r.x + r.w) * 4);
    return out;
  }
  // Clockwise: source (sx, sy) → dest (h − 1 − sy, sx) in a h × w block.
  const out = blankRgba(r.h, r.w);
  for (let sy = 0; sy < r.h; sy++)
    for (let sx = 0; sx < r.w; sx++)
      img.data.copy(
        out.data,
        (sx * r.h + (r.h - 1 - sy)) * 4,
        ((r.y + sy) * img.width + r.x + sx) * 4,
        ((r.y + sy) * img.width + r.x + sx + 1) * 4,
      );
  return out;
}

function place(page: Rgba, block: Rgba, x: number, y: number, e: number): void {
  const row = (py: number, from: number) =>
    page.data.copy(
      page.data,
      (py * page.width + x - e) * 4,
      (from * page.width + x - e) * 4,
      (from * page.width + x + block.width + e) * 4,
    );
  for (let by = 0; by < block.height; by++) {
    const py = y + by;
    block.data.copy(page.data, (py * page.width + x) * 4, by * block.width * 4, (by + 1) * block.width * 4);
    for (let k = 1; k <= e; k++) {
      page.data.copy(page.data, (py * page.width + x - k) * 4, (py * page.width + x) * 4, (py * page.width + x + 1) * 4);
      page.data.copy(
        page.data,
        (py * page.width + x + block.width - 1 + k) * 4,
        (py * page.width + x + block.width - 1) * 4,
        (py * page.width + x + block.width) * 4,
      );
    }
  }
  for (let k = 1; k <= e; k++) {
    row(y - k, y);
    row(y + block.height - 1 + k, y + block.height - 1);
  }
}

export interface PageImage {
  image: string;
  rgba: Rgba;
}

/** Raw pages; `sources` maps a frame's source path to its decoded image. */
export function composePages(layout: AtlasLayout, sources: Map<string, Rgba>): PageImage[] {
  const pages = layout.pages.map((p) => ({ image: p.image, rgba: blankRgba(p.width, p.height) }));
  for (const f of layout.frames) {
    if (f.duplicateOf !== undefined) continue;
    const img = sources.get(f.source);
    if (!img) throw new Error(`no pixels for frame ${f.name} (${f.source})`);
    const block = cut(img, f.spriteSourceSize, f.rotated);
    place(pages[f.page]!.rgba, block, f.x, f.y, layout.options.extrude);
  }
  return pages;
}

/** PNG pages, each with the row filtering that suits its pixels. */
export async function encodePages(pages: PageImage[]): Promise<{ image: string; png: Buffer }[]> {
  return Promise.all(pages.map(async (p) => ({ image: p.image, png: await encodePngChoosingFilter(p.rgba) })));
}
