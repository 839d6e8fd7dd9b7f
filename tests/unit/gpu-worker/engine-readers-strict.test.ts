// The strict engine readers (tests/helpers/godot-atlas.ts, unity-meta.ts, paper2d.ts) refuse what the
// engine would read differently, naming the file, key or sprite: each case edits one thing in a file our
// writers produce for a small hand-made layout. Without this a lenient reader could pass anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AtlasLayout, FrameLayout } from '../../../gpu-worker/atlas/layout.js';
import { godotTres } from '../../../gpu-worker/formats/godot.js';
import { paper2d } from '../../../gpu-worker/formats/texturepacker.js';
import { unityMeta } from '../../../gpu-worker/formats/unity.js';
import { checkRegions, rebuildSprite, type EngineRegion } from '../../helpers/atlas-regions.js';
import { readAtlasTexture, readSpriteFrames } from '../../helpers/godot-atlas.js';
import { readPaper2d } from '../../helpers/paper2d.js';
import { readUnityMeta } from '../../helpers/unity-meta.js';

const frame = (name: string, x: number, extra: Partial<FrameLayout> = {}): FrameLayout => ({
  name,
  source: `files/${name}.png`,
  page: 0,
  x,
  y: 2,
  w: 10,
  h: 12,
  rotated: false,
  trimmed: true,
  sourceSize: { w: 16, h: 20 },
  spriteSourceSize: { x: 3, y: 5, w: 10, h: 12 },
  pivot: { x: 1, y: 1 },
  ...extra,
});
const layout: AtlasLayout = {
  atlasId: 'tiny',
  pages: [{ image: 'atlas-0.png', width: 64, height: 32 }],
  frames: [frame('hero', 2), frame('coin', 20)],
  animations: [{ name: 'spin', frames: ['coin', 'hero'], fps: 8, loop: true }],
  options: {
    maxSize: 1024,
    padding: 2,
    extrude: 0,
    trim: true,
    rotation: false,
    pot: false,
    square: false,
    multipack: true,
    dedupe: true,
    order: 'input',
  },
  occupancy: 0.5,
};
const page = { width: 64, height: 32 };
const file = (files: { name: string; content: string }[], name: string) => files.find((f) => f.name === name)!.content;
const refused = (read: () => unknown, message: RegExp, what: string) =>
  assert.throws(read, (e: Error) => (assert.match(e.message, message, what), true), what);

describe('strict engine readers', () => {
  it('GIVEN a Godot AtlasTexture or SpriteFrames with one thing wrong THEN the reader refuses it and says what', () => {
    const files = godotTres(layout, {});
    const tres = file(files, 'frames/hero.tres');
    const t = readAtlasTexture(tres, 'hero.tres');
    assert.deepEqual([t.atlas, t.region, t.margin, t.filterClip], ['res://atlases/tiny/atlas-0.png', [2, 2, 10, 12], [3, 5, 6, 8], true]);
    const cases: [string, string, RegExp][] = [
      ['format=3', 'format=2', /format=2: Godot 4 text resources are format=3/],
      ['type="AtlasTexture"', 'type="Texture2D"', /resource type is "Texture2D", want "AtlasTexture"/],
      ['load_steps=2', 'load_steps=3', /load_steps=3, want 2/],
      ['filter_clip = true', 'filter_clip = true\nfoo = 1', /\[resource\]: unknown key "foo"/],
      ['filter_clip = true', 'filter_clip = 1', /filter_clip is 1, not a bool/],
      ['filter_clip = true', 'filter_clip = true\nregion = Rect2(0, 0, 1, 1)', /region given twice/],
      ['region = Rect2(2, 2, 10, 12)\n', '', /no region/],
      ['region = Rect2(2, 2, 10, 12)', 'region = Rect2(2, 2, 0, 12)', /has no area/],
      ['region = Rect2(2, 2, 10, 12)', 'region = Rect2i(2, 2, 10, 12)', /region is not a Rect2/],
      ['margin = Rect2(3, 5, 6, 8)', 'margin = Rect2(7, 5, 6, 8)', /offset larger than the margin size/],
      ['atlas = ExtResource("1_page")', 'atlas = ExtResource("2_page")', /"2_page", which is not declared/],
      ['[ext_resource type="Texture2D"', '[ext_resource type="Image"', /ext_resource type "Image"/],
      ['path="res://', 'path="user://', /is not a res:\/\/ path/],
      ['[resource]', '[node name="x"]\n\n[resource]', /unknown section \[node\]/],
    ];
    for (const [from, to, message] of cases) {
      assert.ok(tres.includes(from), from);
      refused(() => readAtlasTexture(tres.replace(from, to), 'hero.tres'), message, `${from} → ${to}`);
    }
    const sf = file(files, 'tiny.sprite_frames.tres');
    const anims = readSpriteFrames(sf, 'sf.tres');
    assert.deepEqual(
      anims.map((a) => [a.name, a.speed, a.loop, a.frames.map((f) => f.texture.region[0])]),
      [['spin', 8, true, [20, 2]]],
    );
    for (const [from, to, message] of [
      ['"loop": true', '"loop": true,\n"foo": 1', /unknown key "foo"/],
      ['"name": &"spin"', '"name": "spin"', /name is not a StringName/],
      ['SubResource("AtlasTexture_0")\n}]', 'SubResource("AtlasTexture_7")\n}]', /SubResource "AtlasTexture_7" is not declared/],
      ['[gd_resource type="SpriteFrames"', '[gd_resource type="AtlasTexture"', /want "SpriteFrames"/],
    ] as const) {
      assert.ok(sf.includes(from), from);
      refused(() => readSpriteFrames(sf.replace(from, to), 'sf.tres'), message, `${from} → ${to}`);
    }
  });

  it("GIVEN a Unity .meta with one thing wrong THEN the reader refuses it; the pivot is the alignment's unless Custom", () => {
    const meta = file(unityMeta(layout, {}), 'atlas-0.png.meta');
    const read = readUnityMeta(meta, 'm', page);
    assert.deepEqual(read.maxTextureSize, 2048);
    const hero = read.sprites.find((s) => s.name === 'hero')!;
    assert.deepEqual(hero.rect, { x: 2, y: 32 - 2 - 12, width: 10, height: 12 });
    // Pivot (1, 1) of the 16×20 source, y down, relative to the 10×12 rect at (3, 5), y up.
    assert.ok(Math.abs(hero.pivot.x - 1.3) < 1e-6 && Math.abs(hero.pivot.y + 0.25) < 1e-6, JSON.stringify(hero.pivot));
    const named = readUnityMeta(meta.replace('alignment: 9', 'alignment: 7'), 'm', page).sprites[0]!;
    assert.deepEqual(named.pivot, { x: 0.5, y: 0 }, 'BottomCenter ignores the written pivot');
    const cases: [string | RegExp, string, RegExp][] = [
      ['spriteMode: 2', 'spriteMode: 1', /spriteMode 1: a sprite sheet is Multiple \(2\)/],
      ['textureType: 8', 'textureType: 0', /textureType 0/],
      ['fileFormatVersion: 2', 'fileFormatVersion: 1', /fileFormatVersion 1, want 2/],
      ['maxTextureSize: 2048', 'maxTextureSize: 2000', /maxTextureSize 2000 is not one of Unity's sizes/],
      ['maxTextureSize: 2048', 'maxTextureSize: 32', /below the 64×32 page: Unity would scale it down/],
      ['  userData: ', '  userData: \n  frobnicate: 1', /TextureImporter: unknown key "frobnicate"/],
      ['      alignment: 9\n', '      alignment: 9\n      flipX: 1\n', /sprites\[0\]: unknown key "flipX"/],
      [/ {6}rect:\n( {8}.*\n){5}/, '', /sprites\[0\]: missing key "rect"/],
      ['alignment: 9', 'alignment: 10', /alignment 10 is not a SpriteAlignment/],
      ['        x: 20', '        x: 60', /coin: rect 60,18 10×12 leaves the 64×32 texture/],
      ["name: 'coin'", "name: 'hero'", /name hero is used by two sprites/],
      ['border: {x: 0, y: 0, z: 0, w: 0}', 'border: {x: 6, y: 0, z: 6, w: 0}', /border .* does not fit/],
    ];
    for (const [from, to, message] of cases) {
      assert.ok(typeof from === 'string' ? meta.includes(from) : from.test(meta), String(from));
      refused(() => readUnityMeta(meta.replace(from, to), 'm', page), message, `${from} → ${to}`);
    }
  });

  it('GIVEN a Paper2D sheet with one thing wrong THEN the reader refuses it, names compared as FNames', () => {
    const text = file(paper2d(layout, {}), 'atlas-0.paper2d.json');
    const sheet = readPaper2d(text, 'p');
    assert.deepEqual(sheet.frames[0], {
      ...{ name: 'hero', image: 'atlas-0.png', x: 2, y: 2, w: 10, h: 12, rotated: false },
      ...{ offset: { x: 3, y: 5 }, sourceSize: { w: 16, h: 20 }, pivot: { x: 1, y: 1 } },
    });
    // The parsed JSON is edited in place, one path per case: `any` keeps each edit a one-liner.
    type Doc = Record<string, any>;
    const edit = (fn: (doc: Doc) => void) => {
      const doc = JSON.parse(text);
      fn(doc);
      return JSON.stringify(doc);
    };
    const cases: [(doc: Doc) => void, RegExp][] = [
      [(d) => (d.meta.app = 'Greenlight'), /meta.app "Greenlight" does not name TexturePacker/],
      [(d) => delete d.meta.image, /missing key "image"/],
      [(d) => (d.frames.hero.offset = { x: 0, y: 0 }), /frames\["hero"\]: unknown key "offset"/],
      [(d) => delete d.frames.hero.sourceSize, /hero"\]: trimmed without spriteSourceSize and sourceSize/],
      [(d) => (d.frames.hero.frame.w = 10.5), /hero"\]\.frame\.w: 10.5 is not an integer/],
      [(d) => (d.frames.hero.spriteSourceSize.w = 11), /spriteSourceSize 11×12 differs from the frame's 10×12/],
      [(d) => (d.frames.hero.rotated = 'no'), /rotated and trimmed must be booleans/],
      [(d) => (d.frames.Hero = d.frames.coin), /frames "hero" and "Hero" are one FName/],
      [(d) => (d.frames = Object.values(d.frames)), /frames is not a hash/],
      [(d) => (d.animations = {}), /unknown key "animations"/],
    ];
    for (const [fn, message] of cases) refused(() => readPaper2d(edit(fn), 'p'), message, String(fn));
    // Not trimmed: Paper2D ignores spriteSourceSize and takes the frame as the whole source.
    const untrimmed = readPaper2d(
      edit((d) => (d.frames.hero.trimmed = false)),
      'p',
    ).frames[0]!;
    assert.deepEqual(
      [untrimmed.offset, untrimmed.sourceSize],
      [
        { x: 0, y: 0 },
        { w: 10, h: 12 },
      ],
    );
  });

  it('GIVEN a sprite stored turned THEN rebuilding follows the clockwise convention; missing, extra and off-page regions are named', () => {
    // Sprite 2×3 with rows [a b] [c d] [e f]; turned 90° clockwise it is stored 3×2 as [e c a] [f d b].
    const px = (...v: number[]) => Buffer.from(v.flatMap((n) => [n, n, n, 255]));
    const sprite = { width: 2, height: 3, data: px(1, 2, 3, 4, 5, 6) };
    const page = { width: 4, height: 2, data: px(9, 5, 3, 1, 9, 6, 4, 2) };
    const r: EngineRegion = {
      name: 'a',
      image: 'p',
      x: 1,
      y: 0,
      w: 2,
      h: 3,
      rotated: true,
      offset: { x: 0, y: 0 },
      sourceSize: { w: 2, h: 3 },
    };
    assert.deepEqual(rebuildSprite(page, r), sprite);
    const sources = new Map([
      ['a', sprite],
      ['b', sprite],
    ]);
    assert.deepEqual(
      checkRegions([r, { ...r, name: 'c' }, { ...r, name: 'a', x: 2 }], () => page, sources),
      [
        'c: not one of the sprites packed',
        'a: listed twice',
        'a: region 2,0 3×2 is not whole pixels inside the 4×2 page',
        'b: missing from the data',
      ],
    );
    assert.deepEqual(
      checkRegions([{ ...r, rotated: false, w: 3, h: 2, sourceSize: { w: 3, h: 2 } }], () => page, new Map([['a', sprite]])),
      ['a: size 3×2, want 2×3'],
    );
  });
});
