// Frames as an engine drew them against the sprites they were packed from. Each frame gets a cell
// (its untrimmed size plus a transparent border, so a frame that spills past its box is caught too);
// a drawn cell must equal the source pixel for pixel: alpha exactly, colour exactly where opaque and
// within ±1 where semi-transparent (the page and the renderers hold colour premultiplied by alpha, so
// a translucent colour comes back rounded), colour ignored where fully transparent.
import type { Rgba } from '../../gpu-worker/image/io.js';
import type { Cell } from './atlas-clients.js';

/** Transparent border around each cell, in pixels. */
export const CELL_BORDER = 2;

export interface Sheet {
  cells: Cell[];
  width: number;
  height: number;
}

/** Shelves of cells no wider than `maxWidth` (tallest first, so the sheet stays small), each frame at its untrimmed size. */
export function layoutCells(frames: { name: string; w: number; h: number }[], maxWidth = 1100): Sheet {
  const cells: Cell[] = [];
  let [x, y, rowH, width] = [0, 0, 0, 0];
  for (const f of [...frames].sort((a, b) => b.h - a.h || a.name.localeCompare(b.name))) {
    const [cw, ch] = [f.w + 2 * CELL_BORDER, f.h + 2 * CELL_BORDER];
    if (x > 0 && x + cw > maxWidth) [x, y, rowH] = [0, y + rowH, 0];
    cells.push({ name: f.name, x: x + CELL_BORDER, y: y + CELL_BORDER });
    [x, rowH, width] = [x + cw, Math.max(rowH, ch), Math.max(width, x + cw)];
  }
  return { cells, width, height: y + rowH };
}

export interface FrameMismatch {
  name: string;
  /** Pixels that differ. */
  pixels: number;
  /** The first one, in the frame's untrimmed coordinates (negative or past the size: the border). */
  first: { x: number; y: number; drawn: number[]; source: number[] };
}

function matches(drawn: ArrayLike<number>, source: ArrayLike<number>): boolean {
  if (drawn[3] !== source[3]) return false;
  if (source[3] === 0) return true;
  const slack = source[3] === 255 ? 0 : 1;
  for (let c = 0; c < 3; c++) if (Math.abs(drawn[c]! - source[c]!) > slack) return false;
  return true;
}

/** Every frame whose cell in `drawn` (RGBA, `width` wide) is not its source sprite. */
export function compareFrames(drawn: { data: Buffer; width: number }, cells: Cell[], sources: Map<string, Rgba>): FrameMismatch[] {
  const out: FrameMismatch[] = [];
  const clear = [0, 0, 0, 0];
  for (const c of cells) {
    const src = sources.get(c.name);
    if (!src) throw new Error(`no source sprite for frame ${c.name}`);
    let bad: FrameMismatch | undefined;
    for (let y = -CELL_BORDER; y < src.height + CELL_BORDER; y++)
      for (let x = -CELL_BORDER; x < src.width + CELL_BORDER; x++) {
        const inside = x >= 0 && y >= 0 && x < src.width && y < src.height;
        const o = (y * src.width + x) * 4;
        const want = inside ? Array.from(src.data.subarray(o, o + 4)) : clear;
        const d = ((c.y + y) * drawn.width + c.x + x) * 4;
        const got = drawn.data.subarray(d, d + 4);
        if (matches(got, want)) continue;
        if (bad) bad.pixels++;
        else bad = { name: c.name, pixels: 1, first: { x, y, drawn: Array.from(got), source: want } };
      }
    if (bad) out.push(bad);
  }
  return out;
}

/** A readable line per mismatching frame, for assertion messages. */
export function describeMismatches(ms: FrameMismatch[]): string {
  return ms
    .map((m) => `${m.name}: ${m.pixels} px differ, first at (${m.first.x}, ${m.first.y}): drawn ${m.first.drawn} source ${m.first.source}`)
    .join('\n');
}
