// Atlases for engines that cannot run here (Godot, Unity, Unreal Paper2D), checked by strict readers
// written from each engine's documented semantics: pack_atlas and export build the atlases from trimmed
// sprites (transparent margins, duplicates, per-frame pivots, padding, extrude, pot, several pages,
// rotation where the format allows it), the readers parse the data files, and every sprite is rebuilt
// from the page PNG with nothing but what the reader understood and compared pixel for pixel with its
// source. An edit of one region by 1 px is reported with the sprite named.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localContext } from '../../../gpu-worker/context.js';
import { runJob } from '../../../gpu-worker/processors/index.js';
import { readPng } from '../../helpers/atlas-regions.js';
import { randomSprites, writeSprites } from '../../helpers/atlas-sprites.js';
import { atlasFolder, checkGodot, checkPaper2d, checkUnity, type SourceSprite } from '../../helpers/engine-atlas-checks.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-readers-'));
const root = path.join(dataDir, 'projects/art');
const ctx = (jobId: string) => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
/** Pivots with corners and off-grid points: a trimmed sprite's pivot moves inside its rect. */
const pivots = [
  { x: 0.5, y: 0.5 },
  { x: 1, y: 1 },
  { x: 0, y: 0 },
  { x: 1, y: 0 },
  { x: 0, y: 1 },
  { x: 0.25, y: 0.75 },
  { x: 0.37, y: 0.11 },
];

interface Input {
  frames: { path: string; pivot: { x: number; y: number } }[];
  sources: Map<string, SourceSprite>;
  names: string[];
}

/** Sprites written as PNGs with a pivot each; names survive every profile's naming (no separators). */
async function input(dir: string, sprites: { name: string; image: { width: number; height: number; data: Buffer } }[]): Promise<Input> {
  const paths = await writeSprites(root, dir, sprites);
  const frames = paths.map((p, i) => ({ path: p, pivot: pivots[i % pivots.length]! }));
  const sources = new Map<string, SourceSprite>();
  for (const f of frames)
    sources.set(path.basename(f.path, '.png'), { image: await readPng(fs.readFileSync(path.join(root, f.path))), pivot: f.pivot });
  return { frames, sources, names: [...sources.keys()] };
}

let main: Input;
let thin: Input;

describe('engine readers: Godot, Unity and Paper2D atlases rebuilt sprite by sprite', () => {
  before(async () => {
    const sprites = randomSprites(90, 21, { min: 40, max: 200 });
    const opaque = { name: 'opaque', image: { width: 9, height: 5, data: Buffer.alloc(9 * 5 * 4, 0xc8) } };
    const blank = { name: 'blank', image: { width: 6, height: 4, data: Buffer.alloc(6 * 4 * 4) } };
    // dupc: sprite 2's pixels with other margins, so one rectangle serves two trims and source sizes.
    const s2 = sprites[2]!.image;
    const moved = { width: s2.width + 7, height: s2.height + 3, data: Buffer.alloc((s2.width + 7) * (s2.height + 3) * 4) };
    for (let y = 0; y < s2.height; y++) s2.data.copy(moved.data, ((y + 1) * moved.width + 5) * 4, y * s2.width * 4, (y + 1) * s2.width * 4);
    const dups = [
      { name: 'dupa', image: sprites[0]!.image },
      { name: 'dupb', image: sprites[1]!.image },
      { name: 'dupc', image: moved },
    ];
    main = await input('files/main', [...sprites, opaque, blank, ...dups]);
    thin = await input(
      'files/thin',
      randomSprites(40, 5, { min: 8, max: 200, thin: true }).map((s) => ({ ...s, name: s.name.replace('s', 't') })),
    );
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('GIVEN godot-tres, unity and paper2d packed together (rotation asked for) THEN every region of every reader rebuilds its sprite', async () => {
    const out = await runJob(
      'pack_atlas',
      {
        atlasId: 'ga',
        frames: main.frames,
        formats: ['godot-tres', 'unity', 'paper2d'],
        rotation: true,
        padding: 2,
        extrude: 2,
        pot: true,
        maxSize: 1024,
        animations: [
          { name: 'all', frames: main.names },
          { name: 'walk', frames: ['s003', 'dupa', 's001'] },
        ],
      },
      ctx('p-ga'),
    );
    const pages = out.pages as string[];
    assert.ok(pages.length >= 2, `several pages (${pages.length})`);
    assert.match((out.warnings as string[])[0]!, /rotation was turned off/);
    const a = await atlasFolder(path.join(root, 'atlases/ga'));
    for (const [name, p] of a.pages)
      assert.ok(Number.isInteger(Math.log2(p.width)) && Number.isInteger(Math.log2(p.height)), `${name} pot`);
    assert.deepEqual(checkGodot(a, 'res://atlases/ga/', main.sources, { name: 'all', frames: main.names }), []);
    assert.deepEqual(checkUnity(a, main.sources), []);
    const paper = checkPaper2d(a, main.sources);
    assert.deepEqual(paper.problems, []);
    assert.ok(
      paper.regions.every((r) => !r.rotated),
      'packed with Godot and Unity: nothing rotated',
    );
    const at = (name: string) => paper.regions.find((r) => r.name === name)!;
    for (const [copy, of] of [
      ['dupa', 's000'],
      ['dupb', 's001'],
      ['dupc', 's002'],
    ] as const)
      assert.deepEqual([at(copy).image, at(copy).x, at(copy).y], [at(of).image, at(of).x, at(of).y], `${copy} shares ${of}'s rectangle`);
    assert.notDeepEqual(at('dupc').offset, at('s002').offset);
  });

  it('GIVEN paper2d alone with rotation THEN rotated frames rebuild too, from pack_atlas and from the unreal export', async () => {
    await runJob(
      'pack_atlas',
      { atlasId: 'pb', frames: thin.frames, formats: ['paper2d'], rotation: true, padding: 1, extrude: 1, square: true, maxSize: 1024 },
      ctx('p-pb'),
    );
    const packed = checkPaper2d(await atlasFolder(path.join(root, 'atlases/pb')), thin.sources);
    assert.deepEqual(packed.problems, []);
    const rotated = packed.regions.filter((r) => r.rotated).length;
    assert.ok(rotated > 0, 'the packer rotated some frames');
    const x = await runJob('export', { exportId: 'x-pb', atlasIds: ['pb'], profileId: 'unreal' }, ctx('x-pb'));
    const exported = checkPaper2d(await atlasFolder(path.join(root, x.bundleDir as string, 'Content/Greenlight/pb')), thin.sources);
    assert.deepEqual(exported.problems, []);
    assert.equal(exported.regions.filter((r) => r.rotated).length, rotated);
  });

  it('GIVEN the unity, godot and unreal export profiles THEN the bundles rebuild every sprite', async () => {
    const dirs = { unity: 'Assets/Greenlight/ga', godot: 'greenlight/ga', unreal: 'Content/Greenlight/ga' };
    for (const [profileId, dir] of Object.entries(dirs)) {
      const x = await runJob('export', { exportId: `x-${profileId}`, atlasIds: ['ga'], profileId }, ctx(`x-${profileId}`));
      const a = await atlasFolder(path.join(root, x.bundleDir as string, dir));
      const problems =
        profileId === 'unity'
          ? checkUnity(a, main.sources)
          : profileId === 'godot'
            ? checkGodot(a, `res://${dir}/`, main.sources, { name: 'all', frames: main.names })
            : checkPaper2d(a, main.sources).problems;
      assert.deepEqual(problems, [], profileId);
    }
  });

  it('GIVEN a page wider than 2048 THEN Unity keeps it unscaled (maxTextureSize a Unity size at least the page)', async () => {
    const data = Buffer.alloc(2100 * 6 * 4);
    for (let i = 4 * 2100; i < data.length - 4 * 2100; i += 4) data.writeUInt32BE(0x10203040 + (i % 977), i);
    const wide = await input('files/wide', [
      { name: 'wide', image: { width: 2100, height: 6, data } },
      ...randomSprites(3, 2, { min: 10, max: 30 }),
    ]);
    await runJob(
      'pack_atlas',
      { atlasId: 'wu', frames: wide.frames, formats: ['unity', 'godot-tres', 'paper2d'], maxSize: 4096 },
      ctx('p-wu'),
    );
    const a = await atlasFolder(path.join(root, 'atlases/wu'));
    assert.ok([...a.pages.values()].some((p) => p.width > 2048));
    assert.deepEqual(checkUnity(a, wide.sources), []);
    assert.deepEqual(checkGodot(a, 'res://atlases/wu/', wide.sources, { name: 'default', frames: wide.names }), []);
    assert.deepEqual(checkPaper2d(a, wide.sources).problems, []);
  });

  it('GIVEN frames only case tells apart THEN export refuses the profiles whose engine cannot (unreal), naming both', async () => {
    const two = main.frames.slice(0, 2).map((f, i) => ({ ...f, name: ['Coin', 'coin'][i]! }));
    await runJob('pack_atlas', { atlasId: 'cc', frames: two, formats: ['texturepacker-hash'] }, ctx('p-cc'));
    await assert.rejects(
      runJob('export', { exportId: 'x-cc', atlasIds: ['cc'], profileId: 'unreal' }, ctx('x-cc')),
      (e: Error & { field?: string }) => {
        assert.equal(e.name, 'JobInputError');
        assert.equal(e.field, 'atlasIds.0');
        assert.match(e.message, /profile "unreal": Unreal Paper2D \(paper2d\) cannot tell frames "Coin" and "coin" apart/);
        return true;
      },
    );
    // Godot's profile names frames snake_case, so the same two already clash in its renaming.
    await assert.rejects(runJob('export', { exportId: 'x-cg', atlasIds: ['cc'], profileId: 'godot' }, ctx('x-cg')), /both become "coin"/);
  });

  it('GIVEN one region moved by 1 px in any format THEN the check names that sprite', async () => {
    const dir = path.join(root, 'atlases/ga');
    const text = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
    const godot = text('frames/s005.tres').replace(/region = Rect2\((\d+),/, (_, x: string) => `region = Rect2(${Number(x) + 1},`);
    const pg = await atlasFolder(dir, { 'frames/s005.tres': godot });
    assert.deepEqual(
      checkGodot(pg, 'res://atlases/ga/', main.sources, { name: 'all', frames: main.names }).map((p) => p.split(':')[0]),
      ['s005'],
    );
    const meta = Object.fromEntries(
      [...pg.pages.keys()].map((p) => [
        `${p}.meta`,
        text(`${p}.meta`).replace(
          /(name: 's007'\n\s+rect:\n\s+serializedVersion: 2\n\s+x: \d+\n\s+y: )(\d+)/,
          (_, head: string, y: string) => head + (Number(y) + 1),
        ),
      ]),
    );
    assert.ok(
      Object.entries(meta).some(([k, v]) => v !== text(k)),
      'the s007 rect was edited',
    );
    assert.deepEqual(
      checkUnity(await atlasFolder(dir, meta), main.sources).map((p) => p.split(':')[0]),
      ['s007'],
    );
    const sheets = Object.fromEntries(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.paper2d.json'))
        .map((f) => {
          const doc = JSON.parse(text(f));
          if (doc.frames.s009) doc.frames.s009.frame.x += 1;
          return [f, JSON.stringify(doc)];
        }),
    );
    assert.deepEqual(
      checkPaper2d(await atlasFolder(dir, sheets), main.sources).problems.map((p) => p.split(':')[0]),
      ['s009'],
    );
  });
});
