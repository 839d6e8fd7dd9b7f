// bg_remove's classic method on procedural sprites with known ground truth:
// mask IoU, no background halo at the edge, enclosed background-coloured
// regions kept, erode / feather, threshold "auto" and a numeric one, and the processor's files and metadata.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { localContext } from '../../../gpu-worker/context.js';
import { decodeRgba } from '../../../gpu-worker/image/io.js';
import { removeBackground } from '../../../gpu-worker/image/matte.js';
import { runJob } from '../../../gpu-worker/processors/index.js';
import { edgeContamination, maskIoU, naiveCut, sample, stats } from '../../helpers/sprites.js';

const defaults = { threshold: 'auto' as const, feather: 0, erode: 0, removeHoles: false };
const HALO_BOUND = 0.05;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-bg-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Sensor-like noise: a sum of three uniforms, ±amplitude·1.5 at most, on the colour channels. */
function addNoise(data: Buffer, amplitude: number, seed: number): void {
  let x = seed + 1;
  const rnd = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let p = 0; p < data.length; p++)
    if (p % 4 !== 3) data[p] = Math.max(0, Math.min(255, data[p]! + Math.round((rnd() + rnd() + rnd() - 1.5) * amplitude)));
}

/** A red ring on white whose middle is the backdrop's white: an enclosed background-coloured region. */
async function ring(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" fill="#ffffff"/><circle cx="64" cy="64" r="40" fill="none" stroke="#c02020" stroke-width="16"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('bg_remove (classic)', () => {
  it('GIVEN 30 procedural sprites on plain and gradient backdrops, every third with noise, THEN mean mask IoU ≥ 0.97 and the edge ring carries no background halo', async (t) => {
    const ious: number[] = [];
    const halos: number[] = [];
    const naive: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = await sample(i, i % 2 === 0 ? 'plain' : 'gradient');
      if (i % 3 === 0) addNoise(s.image.data, 8, i);
      const out = removeBackground(s.image, defaults).image;
      ious.push(maskIoU(out, s.truth));
      halos.push(edgeContamination(out, s));
      naive.push(edgeContamination(naiveCut(s.image), s));
    }
    const iou = stats(ious);
    const halo = stats(halos);
    t.diagnostic(
      `mask IoU over 30 sprites: min ${iou.min.toFixed(4)} p10 ${iou.p10.toFixed(4)} median ${iou.median.toFixed(4)} mean ${iou.mean.toFixed(4)}`,
    );
    t.diagnostic(
      `edge background contamination: mean ${halo.mean.toFixed(4)} max ${halo.max.toFixed(4)} (bound ${HALO_BOUND}; a naive hard cut: mean ${stats(naive).mean.toFixed(3)})`,
    );
    assert.ok(iou.mean >= 0.97, `mean IoU ${iou.mean}`);
    assert.ok(iou.min >= 0.9, `worst IoU ${iou.min}`);
    assert.ok(halo.mean < HALO_BOUND, `mean contamination ${halo.mean}`);
    // The measure can fail: a naive cut that keeps the mixed edge colours is over the bound.
    assert.ok(stats(naive).mean > HALO_BOUND, `naive contamination ${stats(naive).mean}`);
  });

  it('GIVEN a numeric threshold THEN it is the cut used; "auto" sits just above a clean backdrop and keeps an outline a few levels from it', async () => {
    // A dark square with an outline 6 levels above a near-black backdrop.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#141418"/><rect x="24" y="24" width="48" height="48" fill="#46302a" stroke="#1a1a1e" stroke-width="6"/></svg>`;
    const img = await decodeRgba(await sharp(Buffer.from(svg)).png().toBuffer(), 'x', 'outline');
    const opaque = (m: { image: { data: Buffer } }) => m.image.data[(48 * 96 + 22) * 4 + 3]!;
    const auto = removeBackground(img, defaults);
    assert.ok(auto.thresholdUsed! >= 0.012 && auto.thresholdUsed! < 0.02, `auto on a clean backdrop: ${auto.thresholdUsed}`);
    assert.equal(opaque(auto), 255, 'auto keeps the outline');
    const loose = removeBackground(img, { ...defaults, threshold: 0.06 });
    assert.equal(loose.thresholdUsed, 0.06);
    assert.equal(opaque(loose), 0, 'a looser numeric threshold takes the outline for backdrop, as asked');
  });

  it('GIVEN a threshold that is neither a number in range nor "auto" THEN the job is refused naming the field and what to give', async () => {
    const ctx = localContext({ dataDir, projectId: 'art', jobId: 'j-thr', settings: { gpu: false } });
    for (const threshold of ['Auto', 2, '0.05', null])
      await assert.rejects(
        runJob('bg_remove', { assetId: 'hero', threshold }, ctx),
        (err: Error) =>
          err.name === 'JobInputError' && /^threshold: give threshold a number from 0\.005 to 1 .*or "auto"/.test(err.message),
        String(threshold),
      );
  });

  it('GIVEN a region of background colour enclosed by the subject THEN it stays opaque, and removeHoles takes it out', async () => {
    const img = await decodeRgba(await ring(), 'x', 'ring');
    const centre = (64 * 128 + 64) * 4 + 3;
    const kept = removeBackground(img, defaults).image;
    assert.equal(kept.data[centre], 255, 'enclosed white stays');
    assert.equal(kept.data[(64 * 128 + 64 + 40) * 4 + 3], 255, 'the ring itself is opaque');
    assert.equal(kept.data[(5 * 128 + 5) * 4 + 3], 0, 'the outside is transparent');
    const removed = removeBackground(img, { ...defaults, removeHoles: true }).image;
    assert.equal(removed.data[centre], 0, 'removeHoles clears the enclosed white');
    assert.equal(removed.data[(64 * 128 + 64 + 40) * 4 + 3], 255);
  });

  it('GIVEN erode and feather THEN the subject shrinks and the edge softens without picking up background colour', async () => {
    const s = await sample(3, 'gradient');
    const area = (img: { data: Buffer }) => {
      let n = 0;
      for (let p = 3; p < img.data.length; p += 4) n += img.data[p]! >= 128 ? 1 : 0;
      return n;
    };
    const partial = (img: { data: Buffer }) => {
      let n = 0;
      for (let p = 3; p < img.data.length; p += 4) n += img.data[p]! > 0 && img.data[p]! < 255 ? 1 : 0;
      return n;
    };
    const base = removeBackground(s.image, defaults).image;
    const eroded = removeBackground(s.image, { ...defaults, erode: 2 }).image;
    const feathered = removeBackground(s.image, { ...defaults, feather: 2 }).image;
    assert.ok(area(eroded) < area(base) * 0.97, `erode 2: ${area(eroded)} vs ${area(base)}`);
    assert.ok(partial(feathered) > partial(base) * 2, `feather 2: ${partial(feathered)} soft pixels vs ${partial(base)}`);
    assert.ok(edgeContamination(feathered, s) < HALO_BOUND);
  });

  it('GIVEN an asset folder THEN the processor writes alpha PNGs beside the originals with trim and padding metadata', async () => {
    const ctx = localContext({ dataDir, projectId: 'art', jobId: 'j-bg', settings: { gpu: false } });
    const gen = await runJob('generate', { assetId: 'hero', count: 3, width: 128, height: 128 }, ctx);
    const progress: number[] = [];
    const out = await runJob('bg_remove', { assetId: 'hero', padding: 4 }, { ...ctx, progress: (f) => progress.push(f) });
    assert.deepEqual(
      out.alphaPaths,
      (gen.variantIds as string[]).map((v) => `files/images/hero/alpha/${v}.png`),
    );
    const items = out.items as {
      alphaPath: string;
      trim: { x: number; y: number; w: number; h: number };
      padding: number;
      sourceSize: { w: number; h: number };
    }[];
    for (const item of items) {
      const img = await decodeRgba(fs.readFileSync(path.join(dataDir, 'projects/art', item.alphaPath)), 'x', item.alphaPath);
      let minX = img.width;
      let maxX = -1;
      for (let p = 0; p < img.width * img.height; p++)
        if (img.data[p * 4 + 3]! > 0) ((minX = Math.min(minX, p % img.width)), (maxX = Math.max(maxX, p % img.width)));
      assert.equal(item.trim.x, Math.max(0, minX - 4));
      assert.equal(item.trim.x + item.trim.w, Math.min(img.width, maxX + 1 + 4));
      assert.equal(item.padding, 4);
      assert.deepEqual(item.sourceSize, { w: 128, h: 128 });
      const meta = JSON.parse(fs.readFileSync(path.join(dataDir, 'projects/art', item.alphaPath.replace(/\.png$/, '.json')), 'utf8')) as {
        threshold: unknown;
        thresholdUsed: unknown;
      };
      assert.equal(meta.threshold, 'auto', 'the threshold as asked (the default)');
      assert.equal(typeof meta.thresholdUsed, 'number', 'and the cut it came to');
    }
    assert.equal(progress.at(-1), 1);
  });

  it('GIVEN the model method without a configured model THEN it is reported unavailable, naming the setting', async () => {
    const ctx = localContext({ dataDir, projectId: 'art', jobId: 'j-model', settings: { gpu: false } });
    await assert.rejects(
      runJob('bg_remove', { assetId: 'hero', method: 'model' }, ctx),
      (err: Error) => err.name === 'UnavailableError' && /GREENLIGHT_BG_MODEL_PATH/.test(err.message),
    );
  });
});
