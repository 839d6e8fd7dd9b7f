// pack_atlas on real PNGs made with sharp: layout invariants (no overlaps,
// inside the page, padding and extrude, every frame's pixels equal the trimmed
// source), stable multipack, dedupe, rotation, every data format read back by
// an independent reader, and bad input refused with the field named.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import sharp from 'sharp';
import YAML from 'yaml';
import type { AtlasLayout, FrameLayout } from '../../../gpu-worker/atlas/layout.js';
import { alphaBounds } from '../../../gpu-worker/atlas/layout.js';
import { localContext } from '../../../gpu-worker/context.js';
import { decodeRgba, type Rgba } from '../../../gpu-worker/image/io.js';
import { runJob } from '../../../gpu-worker/processors/index.js';
import { parseTres, rect2, type TresValue } from '../../helpers/godot-tres.js';
import { randomSprites, writeSprites } from '../../helpers/atlas-sprites.js';
import { atlasSchemas } from '../../helpers/atlas-schemas.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-atlas-'));
const root = path.join(dataDir, 'projects/art');
const ctx = (jobId: string) => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
const read = (rel: string) => fs.readFileSync(path.join(root, rel));
const readJson = (rel: string) => JSON.parse(read(rel).toString('utf8'));
const allFormats = ['texturepacker-hash', 'texturepacker-array', 'phaser-multiatlas', 'godot-tres', 'paper2d', 'unity', 'custom'];
const sources = new Map<string, Rgba>();

async function loadSource(rel: string): Promise<Rgba> {
  let img = sources.get(rel);
  if (!img) sources.set(rel, (img = await decodeRgba(read(rel), 'x', rel)));
  return img;
}

/** Pixel (x, y) of a frame's trimmed source as stored in the page, honouring rotation (90° clockwise). */
function pagePos(f: FrameLayout, sx: number, sy: number): [number, number] {
  return f.rotated ? [f.x + (f.h - 1 - sy), f.y + sx] : [f.x + sx, f.y + sy];
}

async function checkInvariants(layout: AtlasLayout, dir: string): Promise<void> {
  const e = layout.options.extrude;
  const pad = layout.options.padding;
  const pages = await Promise.all(layout.pages.map(async (p) => decodeRgba(read(`${dir}/${p.image}`), 'x', p.image)));
  layout.pages.forEach((p, i) => assert.deepEqual([pages[i]!.width, pages[i]!.height], [p.width, p.height], 'page PNG size = metadata'));
  const placed = layout.frames.filter((f) => !f.duplicateOf);
  const boxes = placed.map((f) => {
    const w = (f.rotated ? f.h : f.w) + 2 * e;
    const h = (f.rotated ? f.w : f.h) + 2 * e;
    return { f, x0: f.x - e, y0: f.y - e, x1: f.x - e + w, y1: f.y - e + h };
  });
  for (const b of boxes) {
    const page = layout.pages[b.f.page]!;
    assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= page.width && b.y1 <= page.height, `${b.f.name} inside page ${b.f.page}`);
    assert.ok(
      page.width <= layout.options.maxSize && page.height <= layout.options.maxSize,
      `page ${b.f.page} is ${page.width}x${page.height}`,
    );
  }
  // Pages are no larger than what they hold (then rounded up to a power of two, then squared, when asked).
  layout.pages.forEach((page, i) => {
    const on = boxes.filter((b) => b.f.page === i);
    let [w, h] = [Math.max(...on.map((b) => b.x1)), Math.max(...on.map((b) => b.y1))];
    if (layout.options.pot) [w, h] = [2 ** Math.ceil(Math.log2(w)), 2 ** Math.ceil(Math.log2(h))];
    if (layout.options.square) w = h = Math.max(w, h);
    assert.deepEqual([page.width, page.height], [w, h], `page ${i} is as small as its frames allow`);
  });
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.f.page !== b.f.page) continue;
      const apart = a.x1 + pad <= b.x0 || b.x1 + pad <= a.x0 || a.y1 + pad <= b.y0 || b.y1 + pad <= a.y0;
      assert.ok(apart, `${a.f.name} and ${b.f.name} overlap or are closer than padding ${pad}`);
    }
  for (const f of layout.frames) {
    const src = await loadSource(f.source);
    assert.deepEqual(
      f.spriteSourceSize,
      layout.options.trim ? alphaBounds(src) : { x: 0, y: 0, w: src.width, h: src.height },
      `${f.name} trim rectangle`,
    );
    assert.deepEqual(f.sourceSize, { w: src.width, h: src.height });
    const page = pages[f.page]!;
    const s = f.spriteSourceSize;
    for (let sy = 0; sy < s.h; sy++)
      for (let sx = 0; sx < s.w; sx++) {
        const [px, py] = pagePos(f, sx, sy);
        const a = ((s.y + sy) * src.width + s.x + sx) * 4;
        const b = (py * page.width + px) * 4;
        if (src.data.readUInt32BE(a) !== page.data.readUInt32BE(b)) assert.fail(`${f.name}: pixel (${sx},${sy}) differs in the atlas`);
      }
    if (f.duplicateOf) continue;
    // Extrude: the ring around the frame repeats its nearest edge pixel.
    const w = f.rotated ? f.h : f.w;
    const h = f.rotated ? f.w : f.h;
    const at = (x: number, y: number) => page.data.readUInt32BE((y * page.width + x) * 4);
    const same = (a: number, b: number, what: string) => a === b || assert.fail(`${f.name}: ${what} extrude pixel differs from the edge`);
    for (let k = 1; k <= e; k++) {
      for (let y = 0; y < h; y++) {
        same(at(f.x - k, f.y + y), at(f.x, f.y + y), 'left');
        same(at(f.x + w - 1 + k, f.y + y), at(f.x + w - 1, f.y + y), 'right');
      }
      for (let x = -e; x < w + e; x++) {
        same(at(f.x + x, f.y - k), at(f.x + Math.min(w - 1, Math.max(0, x)), f.y), 'top');
        same(at(f.x + x, f.y + h - 1 + k), at(f.x + Math.min(w - 1, Math.max(0, x)), f.y + h - 1), 'bottom');
      }
    }
  }
}

let frames: string[] = [];

describe('pack_atlas', () => {
  before(async () => {
    frames = await writeSprites(root, 'files/sprites', randomSprites(60, 7, { min: 12, max: 120 }));
    // Two exact copies under other names: dedupe must map them onto their originals.
    fs.copyFileSync(path.join(root, frames[0]!), path.join(root, 'files/sprites/copy-a.png'));
    fs.copyFileSync(path.join(root, frames[1]!), path.join(root, 'files/sprites/copy-b.png'));
    frames.push('files/sprites/copy-a.png', 'files/sprites/copy-b.png');
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('GIVEN 62 sprites with 2 duplicates THEN the atlas keeps every invariant and dedupes', async () => {
    const out = await runJob('pack_atlas', { atlasId: 'a1', frames, padding: 2, extrude: 2, formats: allFormats }, ctx('j1'));
    const layout = readJson('atlases/a1/atlas.greenlight.json') as AtlasLayout;
    assert.equal(layout.frames.length, 62);
    assert.deepEqual(
      layout.frames
        .filter((f) => f.duplicateOf)
        .map((f) => f.name)
        .sort(),
      ['copy-a', 'copy-b'],
    );
    const dup = layout.frames.find((f) => f.name === 'copy-a')!;
    const orig = layout.frames.find((f) => f.name === dup.duplicateOf)!;
    assert.deepEqual([dup.page, dup.x, dup.y], [orig.page, orig.x, orig.y]);
    assert.equal(out.frames, 62);
    await checkInvariants(layout, 'atlases/a1');
  });

  it('GIVEN every format THEN each parses back with an independent reader and its rectangles match the layout', async () => {
    const layout = readJson('atlases/a1/atlas.greenlight.json') as AtlasLayout;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const valid = (schema: object, data: unknown, what: string) => {
      const ok = ajv.validate(schema, data);
      assert.ok(ok, `${what}: ${ajv.errorsText()}`);
    };
    const rect = (f: FrameLayout) => ({ x: f.x, y: f.y, w: f.w, h: f.h });
    layout.pages.forEach((p, page) => {
      const onPage = layout.frames.filter((f) => f.page === page);
      const hash = readJson(`atlases/a1/${p.image.replace('.png', '.json')}`);
      valid(atlasSchemas.texturePackerHash, hash, 'hash');
      assert.equal(hash.meta.image, p.image);
      assert.deepEqual(hash.meta.size, { w: p.width, h: p.height });
      for (const f of onPage) assert.deepEqual(hash.frames[f.name].frame, rect(f));
      // PixiJS takes a frame's default anchor from `anchor` only, Phaser from `anchor` or `pivot`.
      for (const f of onPage) assert.deepEqual([hash.frames[f.name].pivot, hash.frames[f.name].anchor], [f.pivot, f.pivot]);
      const arr = readJson(`atlases/a1/${p.image.replace('.png', '.array.json')}`);
      valid(atlasSchemas.texturePackerArray, arr, 'array');
      assert.deepEqual(
        arr.frames.map((f: { filename: string }) => f.filename),
        onPage.map((f) => f.name),
      );
      const paper = readJson(`atlases/a1/${p.image.replace('.png', '.paper2d.json')}`);
      valid(atlasSchemas.paper2d, paper, 'paper2d');
      for (const f of onPage) assert.deepEqual(paper.frames[f.name].spriteSourceSize, f.spriteSourceSize);
      const meta = YAML.parse(read(`atlases/a1/${p.image}.meta`).toString('utf8'));
      assert.equal(meta.TextureImporter.spriteMode, 2);
      const sprites = meta.TextureImporter.spriteSheet.sprites as {
        name: string;
        rect: { x: number; y: number; width: number; height: number };
        pivot: { x: number; y: number };
      }[];
      assert.equal(sprites.length, onPage.length);
      for (const f of onPage) {
        const s = sprites.find((x) => x.name === f.name)!;
        assert.deepEqual(
          [s.rect.x, s.rect.y, s.rect.width, s.rect.height],
          [f.x, p.height - f.y - f.h, f.w, f.h],
          `${f.name} Unity rect (bottom-left origin)`,
        );
        // Unity's pivot is relative to the sprite's trimmed rect, y up: mapped back through the trim the
        // TexturePacker file states (an independent reader), it is the frame's pivot in its source.
        const tp = hash.frames[f.name] as { spriteSourceSize: { x: number; y: number }; sourceSize: { w: number; h: number } };
        const back = {
          x: (tp.spriteSourceSize.x + s.pivot.x * s.rect.width) / tp.sourceSize.w,
          y: (tp.spriteSourceSize.y + (1 - s.pivot.y) * s.rect.height) / tp.sourceSize.h,
        };
        assert.ok(
          Math.abs(back.x - f.pivot.x) < 1e-4 && Math.abs(back.y - f.pivot.y) < 1e-4,
          `${f.name}: Unity pivot ${JSON.stringify(s.pivot)}`,
        );
      }
      assert.equal(new Set(sprites.map((s) => (s as unknown as { spriteID: string }).spriteID)).size, sprites.length, 'unique sprite ids');
    });
    const multi = readJson('atlases/a1/atlas.multiatlas.json');
    valid(atlasSchemas.phaserMultiatlas, multi, 'multiatlas');
    assert.equal(multi.textures.length, layout.pages.length);
    valid(atlasSchemas.custom, layout, 'custom');
    for (const f of layout.frames) {
      const tres = parseTres(read(`atlases/a1/frames/${f.name}.tres`).toString('utf8'));
      const ext = tres.find((s) => s.tag === 'ext_resource')!;
      assert.equal(ext.attrs.path, `res://atlases/a1/${layout.pages[f.page]!.image}`);
      const res = tres.find((s) => s.tag === 'resource')!;
      assert.deepEqual(rect2(res.props.region), [f.x, f.y, f.w, f.h]);
      assert.deepEqual(rect2(res.props.margin), [f.spriteSourceSize.x, f.spriteSourceSize.y, f.sourceSize.w - f.w, f.sourceSize.h - f.h]);
    }
    const sf = parseTres(read('atlases/a1/a1.sprite_frames.tres').toString('utf8'));
    const subIds = new Set(sf.filter((s) => s.tag === 'sub_resource').map((s) => s.attrs.id));
    const anims = sf.find((s) => s.tag === 'resource')!.props.animations as { dict: [TresValue, TresValue][] }[];
    const frameRefs = anims.flatMap((a) =>
      (a.dict.find(([k]) => k === 'frames')![1] as { dict: [TresValue, TresValue][] }[]).map(
        (fr) => fr.dict.find(([k]) => k === 'texture')![1] as { ctor: string; args: string[] },
      ),
    );
    assert.equal(frameRefs.length, layout.frames.length);
    for (const r of frameRefs)
      assert.ok(r.ctor === 'SubResource' && subIds.has(r.args[0]!), `SpriteFrames references ${JSON.stringify(r)}`);
    assert.equal(sf[0]!.attrs.load_steps, sf.length - 1, 'load_steps = ext + sub resources + 1');
  });

  it('GIVEN the same frames twice THEN multipack gives the same pages and layout; multipack off refuses what does not fit', async () => {
    const many = await writeSprites(root, 'files/many', randomSprites(300, 3, { min: 16, max: 256 }));
    const a = await runJob('pack_atlas', { atlasId: 'm1', frames: many, maxSize: 1024 }, ctx('j2'));
    const b = await runJob('pack_atlas', { atlasId: 'm2', frames: [...many].reverse(), maxSize: 1024, order: 'name' }, ctx('j3'));
    const la = readJson('atlases/m1/atlas.greenlight.json') as AtlasLayout;
    const lb = readJson('atlases/m2/atlas.greenlight.json') as AtlasLayout;
    assert.ok(la.pages.length >= 2, `needs several pages (${la.pages.length})`);
    const byName = (l: AtlasLayout) => Object.fromEntries(l.frames.map((f) => [f.name, [f.page, f.x, f.y, f.rotated]]));
    assert.deepEqual(byName(la), byName(lb), 'input order does not change the layout');
    assert.deepEqual(la.pages, lb.pages);
    assert.deepEqual(
      (a.pages as string[]).map((p) => p.split('/').pop()),
      (b.pages as string[]).map((p) => p.split('/').pop()),
    );
    await checkInvariants(la, 'atlases/m1');
    await assert.rejects(
      runJob('pack_atlas', { atlasId: 'm3', frames: many, maxSize: 1024, multipack: false }, ctx('j4')),
      (err: Error & { field?: string }) => err.name === 'JobInputError' && err.field === 'multipack',
    );
  });

  it('GIVEN rotation allowed THEN rotated frames hold their pixels turned clockwise; with Godot, Phaser or Unity among the formats rotation is off', async () => {
    const thin = await writeSprites(root, 'files/thin', randomSprites(40, 5, { min: 8, max: 200, thin: true }));
    await runJob('pack_atlas', { atlasId: 'r1', frames: thin, rotation: true, maxSize: 1024, extrude: 1 }, ctx('j5'));
    const layout = readJson('atlases/r1/atlas.greenlight.json') as AtlasLayout;
    assert.ok(
      layout.frames.some((f) => f.rotated),
      'the packer rotated some frames',
    );
    await checkInvariants(layout, 'atlases/r1');
    const hash = readJson('atlases/r1/atlas-0.json');
    const rotated = layout.frames.find((f) => f.rotated && f.page === 0)!;
    assert.equal(hash.frames[rotated.name].rotated, true);
    // A rotated atlas is refused by the export profiles whose engine cannot draw it, naming the reader.
    for (const [profileId, reader] of [
      ['phaser', /Phaser cannot draw \(profile "phaser"\)/],
      ['unity', /Unity sprite sheets cannot draw \(profile "unity"\)/],
      ['godot', /Godot AtlasTexture cannot draw/],
    ] as const)
      await assert.rejects(runJob('export', { atlasIds: ['r1'], profileId }, ctx(`x-${profileId}`)), (e: Error) => {
        assert.equal(e.name, 'JobInputError');
        assert.match(e.message, reader);
        return true;
      });
    const g = await runJob(
      'pack_atlas',
      { atlasId: 'r2', frames: thin, rotation: true, maxSize: 1024, formats: ['godot-tres'] },
      ctx('j6'),
    );
    assert.ok((readJson('atlases/r2/atlas.greenlight.json') as AtlasLayout).frames.every((f) => !f.rotated));
    assert.match((g.warnings as string[])[0]!, /Godot/);
    // Phaser (multiatlas or array) and Unity cannot draw rotated frames either: asked for with them, rotation is off and said so.
    for (const [i, formats, reader] of [
      [3, ['phaser-multiatlas', 'texturepacker-hash'], /Phaser \(phaser-multiatlas\) cannot draw rotated frames/],
      [4, ['unity'], /Unity sprite sheets \(unity\) cannot draw rotated frames/],
      [5, ['texturepacker-array'], /Phaser \(texturepacker-array\) cannot draw rotated frames/],
    ] as const) {
      const out = await runJob(
        'pack_atlas',
        { atlasId: `r${i}`, frames: thin, rotation: true, maxSize: 1024, formats: [...formats] },
        ctx(`j${i + 4}`),
      );
      assert.ok(
        (readJson(`atlases/r${i}/atlas.greenlight.json`) as AtlasLayout).frames.every((f) => !f.rotated),
        formats.join(),
      );
      assert.match((out.warnings as string[])[0]!, reader);
    }
  });

  it('GIVEN bad input THEN a clear JobInputError names the field and nothing is written', async () => {
    fs.writeFileSync(path.join(root, 'files/corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really a png'));
    fs.mkdirSync(path.join(root, 'files/empty'), { recursive: true });
    const huge = await sharp({ create: { width: 1100, height: 300, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
      .png()
      .toBuffer();
    fs.writeFileSync(path.join(root, 'files/huge.png'), huge);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ frames: [frames[0], 'files/corrupt.png'] }, 'frames.1', /not a readable image/],
      [{ frames: ['../other/x.png'] }, 'frames.0', /outside the project/],
      [{ frames: ['/etc/passwd'] }, 'frames.0', /absolute/],
      [{ frames: ['files/empty'] }, 'frames', /no PNG frames/],
      [{}, 'frames', /say what to pack/],
      [{ frames: ['files/huge.png'], maxSize: 1024 }, 'frames.0', /larger than maxSize 1024/],
      [{ frames: ['files/missing.png'] }, 'frames.0', /does not exist/],
      [{ frames: [frames[0]], maxSize: 3000 }, 'maxSize', /./],
      [{ frames: [frames[0]], animations: [{ name: 'walk', frames: ['nope'] }] }, 'animations.0.frames.0', /not in the atlas/],
      // One .tres per frame: "a b" and "a_b" would both be frames/a_b.tres. Paper2D's FNames ignore case.
      [
        { frames: [frames[0], { path: frames[1], name: 'a b' }, { path: frames[2], name: 'a_b' }], formats: ['godot-tres'] },
        'frames.2',
        /Godot AtlasTexture \(godot-tres\) cannot tell frames "a b" and "a_b" apart \(both are "frames\/a_b.tres"/,
      ],
      [
        {
          frames: [
            { path: frames[0], name: 'Hero' },
            { path: frames[1], name: 'hero' },
          ],
          formats: ['texturepacker-hash', 'paper2d'],
        },
        'frames.1',
        /Unreal Paper2D \(paper2d\) cannot tell frames "Hero" and "hero" apart/,
      ],
    ];
    for (const [input, field, message] of cases) {
      await assert.rejects(runJob('pack_atlas', { atlasId: 'bad', ...input }, ctx('jbad')), (err: Error & { field?: string }) => {
        assert.equal(err.name, 'JobInputError', `${JSON.stringify(input)} → ${err.stack}`);
        assert.equal(err.field, field, err.message);
        assert.match(err.message, message);
        return true;
      });
    }
    assert.equal(fs.existsSync(path.join(root, 'atlases/bad')), false, 'nothing written');
  });
});
