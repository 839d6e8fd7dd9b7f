// What the test asks an engine in the page to draw and what comes back (shared by Node and the
// page), and the read-back of a drawn canvas. Runs in the browser: no Node imports.

/** One atlas data file as the engine loads it. */
export interface AtlasRef {
  /** `multiatlas`: Phaser's one-file multiatlas; `atlas`: a TexturePacker JSON (hash or array) for one page. */
  kind: 'multiatlas' | 'atlas';
  /** URL of the JSON. */
  url: string;
  /** `atlas`: URL of the page image; `multiatlas`: the folder its images are in (ending in "/"). */
  image: string;
}

/** Where one frame is drawn: its untrimmed top-left in the canvas. */
export interface Cell {
  name: string;
  x: number;
  y: number;
}

export interface ClientJob {
  engine: 'pixi' | 'phaser';
  renderer: 'webgl' | 'canvas';
  /** URL of the engine's ES module build. */
  lib: string;
  atlases: AtlasRef[];
  cells: Cell[];
  width: number;
  height: number;
}

export interface ClientResult {
  /** The renderer the engine ended up with, as it names it. */
  renderer: string;
  width: number;
  height: number;
  /** The canvas, RGBA (not premultiplied), base64. */
  rgba: string;
  /** Frames the engine did not find by name. */
  missing: string[];
  /** The per-frame pivot / anchor the engine read from the data (null: none). */
  pivots: Record<string, { x: number; y: number } | null>;
}

/** The drawn canvas as RGBA bytes, base64 (copied through a 2D canvas: the same path for WebGL and canvas renderers). */
export function readCanvas(source: HTMLCanvasElement, width: number, height: number): string {
  const copy = document.createElement('canvas');
  copy.width = width;
  copy.height = height;
  const g = copy.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(source, 0, 0);
  const bytes = g.getImageData(0, 0, width, height).data;
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
