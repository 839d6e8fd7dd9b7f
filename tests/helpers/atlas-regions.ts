// What an engine draws for one sprite, as its strict reader (godot-tres.ts, unity-meta.ts, paper2d.ts)
// understood the data file: a rectangle in a page, maybe turned, placed at an offset in the untrimmed
// source. rebuildSprite redraws the untrimmed source from the page PNG with nothing but that, so a test can
// compare it pixel for pixel with the sprite that went in — independent of the writers' own layout.
import sharp from 'sharp';

export interface Image {
  width: number;
  height: number;
  data: Buffer;
}

export interface EngineRegion {
  /** The sprite's name as the engine shows it. */
  name: string;
  /** The page image the data file points at, as written there (file name or res:// path). */
  image: string;
  /** Top-left of the sprite's pixels in the page, y down. */
  x: number;
  y: number;
  /** The sprite's upright (trimmed) size. In the page it covers h × w when rotated. */
  w: number;
  h: number;
  /** Stored turned 90° clockwise: the sprite's top row is the page rectangle's right column. */
  rotated: boolean;
  /** Where the upright rectangle sits in the untrimmed source, y down. */
  offset: { x: number; y: number };
  /** The untrimmed source size the engine reconstructs. */
  sourceSize: { w: number; h: number };
}

export async function readPng(bytes: Buffer): Promise<Image> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The untrimmed sprite as the engine would draw it; throws (naming the sprite) when the region leaves the page. */
export function rebuildSprite(page: Image, r: EngineRegion): Image {
  const [pw, ph] = r.rotated ? [r.h, r.w] : [r.w, r.h];
  const inside = [r.x, r.y, r.w, r.h].every(Number.isInteger) && r.x >= 0 && r.y >= 0;
  if (!inside || r.x + pw > page.width || r.y + ph > page.height)
    throw new Error(`${r.name}: region ${r.x},${r.y} ${pw}×${ph} is not whole pixels inside the ${page.width}×${page.height} page`);
  if (!Number.isInteger(r.offset.x) || !Number.isInteger(r.offset.y))
    throw new Error(`${r.name}: placed at ${r.offset.x},${r.offset.y} in its source, between pixels`);
  if (r.offset.x < 0 || r.offset.y < 0 || r.offset.x + r.w > r.sourceSize.w || r.offset.y + r.h > r.sourceSize.h)
    throw new Error(`${r.name}: ${r.w}×${r.h} at ${r.offset.x},${r.offset.y} does not fit its ${r.sourceSize.w}×${r.sourceSize.h} source`);
  const out = Buffer.alloc(r.sourceSize.w * r.sourceSize.h * 4);
  for (let sy = 0; sy < r.h; sy++)
    for (let sx = 0; sx < r.w; sx++) {
      const [px, py] = r.rotated ? [r.x + r.h - 1 - sy, r.y + sx] : [r.x + sx, r.y + sy];
      page.data.copy(
        out,
        ((r.offset.y + sy) * r.sourceSize.w + r.offset.x + sx) * 4,
        (py * page.width + px) * 4,
        (py * page.width + px) * 4 + 4,
      );
    }
  return { width: r.sourceSize.w, height: r.sourceSize.h, data: out };
}

/** The first difference between two images, in words, or undefined when they are equal. */
export function imageDiff(got: Image, want: Image): string | undefined {
  if (got.width !== want.width || got.height !== want.height) return `size ${got.width}×${got.height}, want ${want.width}×${want.height}`;
  for (let i = 0; i < want.data.length; i += 4)
    if (got.data.readUInt32BE(i) !== want.data.readUInt32BE(i)) {
      const p = i / 4;
      const hex = (b: Buffer) => b.readUInt32BE(i).toString(16).padStart(8, '0');
      return `pixel (${p % want.width},${Math.floor(p / want.width)}) is #${hex(got.data)}, want #${hex(want.data)}`;
    }
  return undefined;
}

/**
 * Every sprite rebuilt from its page and compared with its source; one line per problem, each naming the
 * sprite. `pageOf` maps the data file's image reference to the decoded page; sprites missing from the
 * regions, or regions for sprites that were never given, are problems too.
 */
export function checkRegions(regions: EngineRegion[], pageOf: (image: string) => Image | undefined, sources: Map<string, Image>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of regions) {
    if (seen.has(r.name)) problems.push(`${r.name}: listed twice`);
    seen.add(r.name);
    const want = sources.get(r.name);
    const page = pageOf(r.image);
    if (!want) problems.push(`${r.name}: not one of the sprites packed`);
    else if (!page) problems.push(`${r.name}: page "${r.image}" does not exist`);
    else
      try {
        const diff = imageDiff(rebuildSprite(page, r), want);
        if (diff) problems.push(`${r.name}: ${diff}`);
      } catch (err) {
        problems.push((err as Error).message);
      }
  }
  for (const name of sources.keys()) if (!seen.has(name)) problems.push(`${name}: missing from the data`);
  return problems;
}
