// The atlases Greenlight writes, read by the engines that import them: PixiJS 8 and Phaser 4 (the npm
// packages, served from node_modules to Debian's headless Chromium over loopback) load what
// pack_atlas and export wrote with their own loaders and draw every frame at 1:1 with nearest
// filtering, on WebGL (SwiftShader) and on the canvas renderer; each drawn frame must equal its source
// sprite pixel for pixel (tests/helpers/atlas-pixels.ts). The atlases hold what a game atlas holds:
// trimmed frames, rotated ones (where the format allows), several pages, duplicates sharing one
// rectangle, padding and extrusion (and none), power-of-two and square pages, per-frame pivots.
// A frame rectangle moved by one pixel in the JSON must be caught, and named.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { AtlasLayout } from '../../gpu-worker/atlas/layout.js';
import { localContext } from '../../gpu-worker/context.js';
import { formatCapabilities } from '../../gpu-worker/formats/capabilities.js';
import type { Rgba } from '../../gpu-worker/image/io.js';
import { runJob } from '../../gpu-worker/processors/index.js';
import { drawInBrowser, LIBS, startAtlasServer, type AtlasRef, type AtlasServer, type ClientJob } from '../helpers/atlas-clients.js';
import { compareFrames, describeMismatches, layoutCells, type Sheet } from '../helpers/atlas-pixels.js';
import { randomSprites, writeSprites } from '../helpers/atlas-sprites.js';
import { launchChromium } from '../helpers/chromium.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-atlas-clients-'));
const root = path.join(dataDir, 'projects/art');
const ctx = (jobId: string) => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
const readJson = (rel: string) => JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));

const sources = new Map<string, Rgba>();
let server: AtlasServer;
let browser: Browser;
let pixiSheet: Sheet;
let phaserSheet: Sheet;
let pixiLayout: AtlasLayout;
let phaserBundle: string;

/** Where an engine draws an atlas's frames: one cell per frame, at its untrimmed size. */
const sheetOf = (layout: AtlasLayout) => layoutCells(layout.frames.map((f) => ({ name: f.name, w: f.sourceSize.w, h: f.sourceSize.h })));

/** TexturePacker JSON pages (hash or array) of a packed atlas, one AtlasRef per page. */
const pages = (dir: string, layout: AtlasLayout, suffix: '.json' | '.array.json'): AtlasRef[] =>
  layout.pages.map((p) => ({
    kind: 'atlas',
    url: `${server.base}/files/${dir}/${p.image.replace(/\.png$/, suffix)}`,
    image: `${server.base}/files/${dir}/${p.image}`,
  }));

const job = (engine: ClientJob['engine'], renderer: ClientJob['renderer'], atlases: AtlasRef[], sheet: Sheet): ClientJob => ({
  engine,
  renderer,
  lib: LIBS[engine].url,
  atlases,
  ...sheet,
});

/** Draws `j` and asserts every frame found, drawn as its source, with the pivots the layout gave. */
async function assertExact(j: ClientJob, layout: AtlasLayout): Promise<void> {
  const drawn = await drawInBrowser(browser, server.base, j);
  assert.equal(drawn.renderer, j.renderer, `${j.engine} ran on ${drawn.renderer}`);
  assert.deepEqual(drawn.missing, [], `${j.engine} found every frame by name`);
  const bad = compareFrames(drawn, j.cells, sources);
  assert.equal(bad.length, 0, `${j.engine} (${j.renderer}) drew ${bad.length} frame(s) unlike their sources:\n${describeMismatches(bad)}`);
  for (const f of layout.frames) assert.deepEqual(drawn.pivots[f.name], f.pivot, `${j.engine} read ${f.name}'s pivot`);
}

/** size × size, every pixel told apart, the first row and column transparent (so it is trimmed to size − 1). */
function bigSprite(size: number, k: number): Rgba {
  const data = Buffer.alloc(size * size * 4);
  for (let y = 1; y < size; y++)
    for (let x = 1; x < size; x++)
      data.set([(x * 7 + k) & 255, (y * 11) & 255, (x + y) & 255, 255 - ((x * y) % 5) * 20], (y * size + x) * 4);
  return { width: size, height: size, data };
}

describe('atlases drawn by PixiJS 8 and Phaser 4 in Chromium', () => {
  before(async () => {
    const small = randomSprites(30, 11, { min: 6, max: 90 });
    const thin = randomSprites(10, 12, { min: 6, max: 160, thin: true }).map((s, k) => ({ ...s, name: `thin${k}` }));
    // Two sprites that cannot share a 1024 page (515 px each once trimmed): every atlas has several pages.
    const big = [0, 1].map((k) => ({ name: `big${k}`, image: bigSprite(516, k) }));
    const dups = [
      { name: 'dup-a', image: small[3]!.image },
      { name: 'dup-b', image: thin[1]!.image },
    ];
    const all = [...small, ...thin, ...big, ...dups];
    for (const s of all) sources.set(s.name, s.image);
    const paths = await writeSprites(root, 'files/sprites', all);
    const frames = paths.map((p, i) =>
      i === 0 ? { path: p, pivot: { x: 0.25, y: 1 } } : i === 1 ? { path: p, pivot: { x: 0, y: 0 } } : p,
    );
    await runJob(
      'pack_atlas',
      {
        atlasId: 'pixi',
        frames,
        maxSize: 1024,
        rotation: true,
        padding: 2,
        extrude: 1,
        pot: true,
        formats: ['texturepacker-hash'],
      },
      ctx('pack-pixi'),
    );
    await runJob(
      'pack_atlas',
      {
        atlasId: 'phaser',
        frames,
        maxSize: 1024,
        padding: 0,
        extrude: 0,
        square: true,
        formats: ['phaser-multiatlas', 'texturepacker-hash', 'texturepacker-array'],
      },
      ctx('pack-phaser'),
    );
    const exported = await runJob('export', { exportId: 'phaser-export', atlasIds: ['phaser'], profileId: 'phaser' }, ctx('export-phaser'));
    phaserBundle = `${exported.bundleDir as string}/assets/atlases/phaser`;
    pixiLayout = readJson('atlases/pixi/atlas.greenlight.json');
    pixiSheet = sheetOf(pixiLayout);
    phaserSheet = sheetOf(readJson('atlases/phaser/atlas.greenlight.json'));
    assert.ok(
      pixiLayout.frames.some((f) => f.rotated),
      'the Pixi atlas has rotated frames',
    );
    assert.ok(
      pixiLayout.frames.some((f) => f.duplicateOf),
      'the Pixi atlas has duplicates',
    );
    assert.ok(
      pixiLayout.frames.some((f) => f.trimmed),
      'the Pixi atlas has trimmed frames',
    );
    assert.ok(pixiLayout.pages.length > 1, 'the Pixi atlas has several pages');
    server = await startAtlasServer(root);
    browser = await launchChromium({ webgl: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  for (const renderer of ['webgl', 'canvas'] as const)
    it(`GIVEN TexturePacker hash pages THEN PixiJS (${renderer}) draws every frame as its source, anchors = pivots`, async () => {
      await assertExact(job('pixi', renderer, pages('atlases/pixi', pixiLayout, '.json'), pixiSheet), pixiLayout);
    });

  for (const renderer of ['webgl', 'canvas'] as const)
    it(`GIVEN the phaser export's multiatlas THEN Phaser (${renderer}) draws every frame as its source, pivots read`, async () => {
      const multi = {
        kind: 'multiatlas',
        url: `${server.base}/files/${phaserBundle}/atlas.multiatlas.json`,
        image: `${server.base}/files/${phaserBundle}/`,
      } as const;
      await assertExact(job('phaser', renderer, [multi], phaserSheet), readJson('atlases/phaser/atlas.greenlight.json'));
    });

  it('GIVEN TexturePacker hash and array pages THEN Phaser (webgl) draws every frame of each as its source', async () => {
    const layout: AtlasLayout = readJson('atlases/phaser/atlas.greenlight.json');
    for (const suffix of ['.json', '.array.json'] as const)
      await assertExact(job('phaser', 'webgl', pages('atlases/phaser', layout, suffix), phaserSheet), layout);
  });

  it('GIVEN TexturePacker array pages THEN PixiJS finds no frame by name (it keys them 0, 1, …), so the array format claims Phaser, not PixiJS', async () => {
    const layout: AtlasLayout = readJson('atlases/phaser/atlas.greenlight.json');
    const drawn = await drawInBrowser(
      browser,
      server.base,
      job('pixi', 'webgl', pages('atlases/phaser', layout, '.array.json'), phaserSheet),
    );
    assert.deepEqual(drawn.missing.sort(), layout.frames.map((f) => f.name).sort());
    assert.match(formatCapabilities['texturepacker-array'].reader, /Phaser/);
    assert.doesNotMatch(formatCapabilities['texturepacker-array'].reader, /Pixi/);
  });

  it('GIVEN rotated frames THEN Phaser draws each of them turned and the others as their sources: why Phaser formats turn rotation off', async () => {
    const drawn = await drawInBrowser(browser, server.base, job('phaser', 'webgl', pages('atlases/pixi', pixiLayout, '.json'), pixiSheet));
    assert.deepEqual(drawn.missing, []);
    const turned = compareFrames(drawn, pixiSheet.cells, sources).map((m) => m.name);
    assert.deepEqual(
      turned.sort(),
      pixiLayout.frames
        .filter((f) => f.rotated)
        .map((f) => f.name)
        .sort(),
      'the frames Phaser draws wrong are exactly the rotated ones (if it now draws them upright, formats/capabilities.ts may let Phaser formats rotate)',
    );
    for (const f of ['phaser-multiatlas', 'texturepacker-array'] as const) assert.equal(formatCapabilities[f].rotation, false, f);
  });

  it('GIVEN one frame rectangle moved by 1 px in the JSON THEN that frame, and only that one, is reported', async () => {
    const target = pixiLayout.frames.find((f) => f.rotated && f.trimmed && !f.duplicateOf && f.page === 0)!;
    const file = 'atlases/pixi/atlas-0.json';
    const data = readJson(file);
    data.frames[target.name].frame.x += 1;
    server.overrides.set(file, Buffer.from(JSON.stringify(data)));
    try {
      const j = job('pixi', 'webgl', pages('atlases/pixi', pixiLayout, '.json'), pixiSheet);
      const bad = compareFrames(await drawInBrowser(browser, server.base, j), j.cells, sources);
      assert.deepEqual(
        bad.map((m) => m.name),
        [target.name],
        describeMismatches(bad),
      );
    } finally {
      server.overrides.delete(file);
    }
    const multi = `${phaserBundle}/atlas.multiatlas.json`;
    const m = readJson(multi);
    const entry = m.textures[0].frames.find((f: { trimmed: boolean }) => f.trimmed);
    entry.frame.w -= 1;
    server.overrides.set(multi, Buffer.from(JSON.stringify(m)));
    try {
      const j = job(
        'phaser',
        'webgl',
        [{ kind: 'multiatlas', url: `${server.base}/files/${multi}`, image: `${server.base}/files/${phaserBundle}/` }],
        phaserSheet,
      );
      const bad = compareFrames(await drawInBrowser(browser, server.base, j), j.cells, sources);
      assert.deepEqual(
        bad.map((x) => x.name),
        [entry.filename],
        describeMismatches(bad),
      );
    } finally {
      server.overrides.delete(multi);
    }
  });
});
