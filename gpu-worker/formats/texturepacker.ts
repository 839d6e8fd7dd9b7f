// TexturePacker-style JSON, the lingua franca of 2D engines: "hash" (PixiJS,
// Phaser) and "array" (Phaser), Phaser's multiatlas, and the JSON Unreal's
// Paper2D sprite-sheet importer reads. One data file per page for hash, array
// and Paper2D; one multiatlas file for all pages.
import type { AtlasLayout, FrameLayout } from '../atlas/layout.js';
import { APP, json, type FormatWriter } from './types.js';

function frameEntry(f: FrameLayout) {
  return {
    frame: { x: f.x, y: f.y, w: f.w, h: f.h },
    rotated: f.rotated,
    trimmed: f.trimmed,
    spriteSourceSize: f.spriteSourceSize,
    sourceSize: f.sourceSize,
    pivot: f.pivot,
    // PixiJS's Spritesheet reads a frame's default anchor from `anchor` and ignores `pivot`; Phaser reads
    // either. The same point, under both names (tests/integration/atlas-real-clients.test.ts).
    anchor: f.pivot,
  };
}

function meta(layout: AtlasLayout, page: number, app = APP) {
  const p = layout.pages[page]!;
  return { app, version: '1.0', image: p.image, format: 'RGBA8888', size: { w: p.width, h: p.height }, scale: '1' };
}

const animationsOf = (layout: AtlasLayout, page: number) => {
  const on = new Set(layout.frames.filter((f) => f.page === page).map((f) => f.name));
  const out: Record<string, string[]> = {};
  for (const a of layout.animations) if (a.frames.every((n) => on.has(n))) out[a.name] = a.frames;
  return out;
};

const dataName = (layout: AtlasLayout, page: number, suffix: string) => layout.pages[page]!.image.replace(/\.png$/, suffix);

export const texturePackerHash: FormatWriter = (layout) =>
  layout.pages.map((_, page) => ({
    name: dataName(layout, page, '.json'),
    content: json({
      frames: Object.fromEntries(layout.frames.filter((f) => f.page === page).map((f) => [f.name, frameEntry(f)])),
      animations: animationsOf(layout, page),
      meta: meta(layout, page),
    }),
  }));

export const texturePackerArray: FormatWriter = (layout) =>
  layout.pages.map((_, page) => ({
    name: dataName(layout, page, '.array.json'),
    content: json({
      frames: layout.frames.filter((f) => f.page === page).map((f) => ({ filename: f.name, ...frameEntry(f) })),
      animations: animationsOf(layout, page),
      meta: meta(layout, page),
    }),
  }));

/** Phaser 3 `load.multiatlas`: every page in one file. */
export const phaserMultiatlas: FormatWriter = (layout) => [
  {
    name: 'atlas.multiatlas.json',
    content: json({
      textures: layout.pages.map((p, page) => ({
        image: p.image,
        format: 'RGBA8888',
        size: { w: p.width, h: p.height },
        scale: 1,
        frames: layout.frames.filter((f) => f.page === page).map((f) => ({ filename: f.name, ...frameEntry(f) })),
      })),
      meta: {
        app: APP,
        version: '1.0',
        animations: Object.fromEntries(layout.animations.map((a) => [a.name, { frames: a.frames, fps: a.fps, loop: a.loop }])),
      },
    }),
  },
];

/**
 * Unreal Paper2D's importer (PaperJsonSpriteSheetImporter) reads TexturePacker's hash layout and
 * recognises the file by meta.app naming TexturePacker, so that is what meta.app says here.
 */
export const paper2d: FormatWriter = (layout) =>
  layout.pages.map((_, page) => ({
    name: dataName(layout, page, '.paper2d.json'),
    content: json({
      // TexturePacker's own Paper2D keys only: `anchor` is PixiJS's, and Paper2D reads `pivot`.
      frames: Object.fromEntries(
        layout.frames.filter((f) => f.page === page).map((f) => [f.name, (({ anchor: _a, ...rest }) => rest)(frameEntry(f))]),
      ),
      meta: { ...meta(layout, page, 'http://www.codeandweb.com/texturepacker'), target: 'paper2d', generator: APP },
    }),
  }));
