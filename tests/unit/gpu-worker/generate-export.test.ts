// generate (procedural and ComfyUI over its HTTP API, against a loopback
// server that answers as ComfyUI documents), eval_grid, and export bundles:
// profiles, manifest hashes, the zip, and refusals.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { localContext } from '../../../gpu-worker/context.js';
import { runJob } from '../../../gpu-worker/processors/index.js';
import { parseTres } from '../../helpers/godot-tres.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-gen-'));
const root = path.join(dataDir, 'projects/art');
const settings = { gpu: false };
const ctx = (jobId: string, extra: Partial<typeof settings & { comfyuiUrl: string }> = {}) =>
  localContext({ dataDir, projectId: 'art', jobId, settings: { ...settings, ...extra }, now: () => new Date('2026-01-02T03:04:05Z') });
const read = (rel: string) => fs.readFileSync(path.join(root, rel));

/** ComfyUI's HTTP API as documented: POST /prompt → {prompt_id}; GET /history/{id} → {} until done; GET /view → image bytes. */
function fakeComfy() {
  const prompts: { body: any }[] = [];
  const polls = new Map<string, number>();
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'POST' && url.pathname === '/prompt') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (!body.prompt?.['3'])
        return json(400, { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '' }, node_errors: {} });
      prompts.push({ body });
      const id = `p-${prompts.length}`;
      polls.set(id, 0);
      return json(200, { prompt_id: id, number: prompts.length, node_errors: {} });
    }
    const h = /^\/history\/(.+)$/.exec(url.pathname);
    if (h) {
      const n = (polls.get(h[1]!) ?? 0) + 1;
      polls.set(h[1]!, n);
      if (n < 2) return json(200, {});
      return json(200, {
        [h[1]!]: {
          prompt: [],
          outputs: { '9': { images: [{ filename: `ComfyUI_${h[1]}.png`, subfolder: '', type: 'output' }] } },
          status: { status_str: 'success', completed: true, messages: [] },
        },
      });
    }
    if (url.pathname === '/view') {
      const seed = Number(prompts.at(-1)!.body.prompt['3'].inputs.seed);
      const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: seed % 256, g: 80, b: 160 } } })
        .png()
        .toBuffer();
      return res.writeHead(200, { 'content-type': 'image/png' }).end(png);
    }
    json(404, {});
  };
  // A fault in the fake is a 500 the worker under test sees (and the test fails on), never an unhandled rejection.
  const server = http.createServer((req, res) => void handle(req, res).catch((err: Error) => res.writeHead(500).end(err.message)));
  return { server, prompts };
}

describe('generate, eval_grid and export', () => {
  const comfy = fakeComfy();
  let comfyUrl = '';
  before(async () => {
    await new Promise<void>((r) => comfy.server.listen(0, '127.0.0.1', () => r()));
    comfyUrl = `http://127.0.0.1:${(comfy.server.address() as AddressInfo).port}`;
  });
  after(() => {
    comfy.server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a prompt and seed THEN procedural generation is deterministic and writes originals, thumbnails, metadata and a contact sheet', async () => {
    const a = await runJob(
      'generate',
      { assetId: 'hero', prompt: 'knight', seed: 5, count: 3, width: 96, height: 96, writeMasks: true },
      ctx('g1'),
    );
    const first = a.variants as { variantId: string; path: string; thumbPath: string; metaPath: string; maskPath: string }[];
    const bytes = first.map((v) => read(v.path));
    const b = await runJob('generate', { assetId: 'hero', prompt: 'knight', seed: 5, count: 3, width: 96, height: 96 }, ctx('g1'));
    assert.deepEqual(
      (b.variants as { path: string }[]).map((v) => read(v.path)),
      bytes,
      'same prompt + seed → same images',
    );
    const c = await runJob('generate', { assetId: 'hero', prompt: 'knight', seed: 6, count: 1, width: 96, height: 96 }, ctx('g2'));
    assert.notDeepEqual(read((c.variants as { path: string }[])[0]!.path), bytes[0]);
    assert.equal(new Set(bytes.map((x) => x.toString('base64'))).size, 3, 'variants differ from each other');
    for (const v of first) {
      const meta = JSON.parse(read(v.metaPath).toString('utf8'));
      assert.equal(meta.seed, 5);
      assert.equal(meta.prompt, 'knight');
      assert.equal(meta.provider, 'procedural');
      assert.equal(meta.params.kind, 'character', 'the prompt picks the subject');
      assert.equal((await sharp(read(v.maskPath)).metadata()).channels, 1);
    }
    const sheet = await sharp(read(a.contactSheet as string)).metadata();
    assert.ok(sheet.width! > 256 * 2 && sheet.height! > 256, `contact sheet ${sheet.width}x${sheet.height}`);
    assert.equal(a.originalsDir, 'files/images/hero/original');
  });

  it('GIVEN the comfyui provider THEN the workflow goes to POST /prompt with placeholders filled, history is polled and the image fetched from /view', async () => {
    fs.mkdirSync(path.join(root, 'workflows'), { recursive: true });
    const workflow = {
      '3': { class_type: 'KSampler', inputs: { seed: '${seed}', steps: 20 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'game sprite, ${prompt}' } },
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '${checkpointName}' } },
      '9': { class_type: 'SaveImage', inputs: {} },
    };
    fs.writeFileSync(path.join(root, 'workflows/sprite.json'), JSON.stringify(workflow));
    const out = await runJob(
      'generate',
      {
        assetId: 'orc',
        prompt: 'orc',
        seed: 40,
        count: 2,
        provider: 'comfyui',
        workflowPath: 'workflows/sprite.json',
        checkpointName: 'ckpt_sd15_demo',
      },
      ctx('g3', { comfyuiUrl: comfyUrl }),
    );
    assert.equal(comfy.prompts.length, 2);
    assert.deepEqual(
      comfy.prompts.map((p) => p.body.prompt['3'].inputs.seed),
      [40, 41],
      'seed stays a number, one per variant',
    );
    assert.equal(comfy.prompts[0]!.body.prompt['6'].inputs.text, 'game sprite, orc');
    assert.equal(comfy.prompts[0]!.body.prompt['4'].inputs.ckpt_name, 'ckpt_sd15_demo');
    const img = await sharp(read((out.variants as { path: string }[])[1]!.path))
      .raw()
      .toBuffer();
    assert.equal(img[0], 41, 'the image is the one /view served');
    fs.writeFileSync(path.join(root, 'workflows/bad.json'), JSON.stringify({ '1': {} }));
    await assert.rejects(
      runJob('generate', { provider: 'comfyui', workflowPath: 'workflows/bad.json' }, ctx('g4', { comfyuiUrl: comfyUrl })),
      (e: Error) => e.name === 'JobInputError' && /ComfyUI refused the workflow: Prompt has no outputs/.test(e.message),
    );
    await assert.rejects(
      runJob('generate', { provider: 'comfyui', workflowPath: 'workflows/sprite.json' }, ctx('g5')),
      (e: Error) => e.name === 'UnavailableError' && /COMFYUI_URL/.test(e.message),
    );
  });

  it('GIVEN prompts × LoRAs THEN eval_grid writes one image per cell and a labelled comparison sheet', async () => {
    const out = await runJob(
      'eval_grid',
      { prompts: ['slime', 'sword', 'potion'], loraIds: ['lora-a', 'lora-b'], size: 64, releaseId: 'rel-1' },
      ctx('e1'),
    );
    const cells = out.cells as { prompt: string; lora: string; path: string; label: string }[];
    assert.equal(cells.length, 6);
    assert.deepEqual(
      cells.map((c) => c.label),
      ['slime\nlora-a', 'slime\nlora-b', 'sword\nlora-a', 'sword\nlora-b', 'potion\nlora-a', 'potion\nlora-b'],
      'labelled with names, not P1 L1',
    );
    const base = await runJob('eval_grid', { prompts: ['slime'], checkpointIds: ['ckpt-x'], size: 32 }, ctx('e2'));
    assert.deepEqual(
      (base.cells as { label: string }[]).map((c) => c.label),
      ['slime\nckpt-x'],
    );
    assert.deepEqual(
      cells.slice(0, 2).map((c) => [c.prompt, c.lora]),
      [
        ['slime', 'lora-a'],
        ['slime', 'lora-b'],
      ],
    );
    const sheet = await sharp(read(out.sheetPath as string)).metadata();
    assert.ok(sheet.width! >= 2 * 64 && sheet.height! >= 3 * 64, `${sheet.width}x${sheet.height}`);
  });

  it('GIVEN a packed atlas THEN every export profile writes a bundle, a zip and a manifest whose hashes match the files', async () => {
    await runJob('generate', { assetId: 'slime', prompt: 'slime', count: 3, width: 96, height: 96 }, ctx('x1'));
    await runJob('bg_remove', { assetId: 'slime' }, ctx('x2'));
    await runJob(
      'pack_atlas',
      {
        atlasId: 'slimes',
        assetIds: ['slime'],
        animations: [
          { name: 'idle', frames: ['slime_' + (await import('../../../gpu-worker/processors/generate.js')).shortTag('x1') + '_1'] },
        ],
      },
      ctx('x3'),
    );
    for (const profileId of ['unity', 'godot', 'unreal', 'phaser', 'custom']) {
      const out = await runJob(
        'export',
        { exportId: `e-${profileId}`, atlasIds: ['slimes'], assetIds: ['slime'], profileId },
        ctx(`x-${profileId}`),
      );
      const manifest = JSON.parse(read(out.manifestPath as string).toString('utf8'));
      assert.equal(manifest.profile.id, profileId);
      assert.equal(manifest.projectId, 'art');
      const zip = unzipSync(read(out.bundlePath as string));
      assert.deepEqual(Object.keys(zip).sort(), [...manifest.files.map((f: { path: string }) => f.path), 'manifest.json'].sort());
      for (const f of manifest.files as {
        path: string;
        sha256: string;
        size: number;
        atlasId?: string;
        assetId?: string;
        variantId?: string;
        assetIds?: string[];
        variantIds?: string[];
      }[]) {
        const bytes = read(`exports/e-${profileId}/bundle/${f.path}`);
        assert.equal(f.size, bytes.length);
        assert.equal(f.sha256, createHash('sha256').update(bytes).digest('hex'), f.path);
        assert.deepEqual(Buffer.from(zip[f.path]!), bytes);
        assert.ok(f.atlasId === 'slimes' || (f.assetId === 'slime' && f.variantId), `${f.path} links back to its atlas or variant`);
        // An atlas file names the assets and variants its frames come from (the README promises the ids on every file).
        if (f.atlasId) {
          assert.deepEqual(f.assetIds, ['slime'], f.path);
          assert.equal(f.variantIds?.length, 3, f.path);
        }
      }
      assert.ok(Object.keys(manifest.generator).length >= 1, 'generator metadata of the sources');
      if (profileId === 'godot') {
        const tres = manifest.files.filter((f: { path: string }) => f.path.endsWith('.tres'));
        assert.ok(tres.length >= 4);
        for (const f of tres) parseTres(read(`exports/e-godot/bundle/${f.path}`).toString('utf8'));
        assert.match(
          read(`exports/e-godot/bundle/greenlight/slimes/slimes.sprite_frames.tres`).toString('utf8'),
          /res:\/\/greenlight\/slimes\/atlas-0\.png/,
        );
      }
    }
    assert.ok(fs.existsSync(path.join(root, 'exports/e-unity/bundle/Assets/Greenlight/slimes/atlas-0.png.meta')));
    assert.ok(fs.existsSync(path.join(root, 'exports/e-phaser/bundle/assets/atlases/slimes/atlas.multiatlas.json')));
    // The same export twice zips to the same bytes.
    const again = await runJob(
      'export',
      { exportId: 'e-custom-2', atlasIds: ['slimes'], assetIds: ['slime'], profileId: 'custom' },
      ctx('x-custom'),
    );
    const m1 = JSON.parse(read('exports/e-custom/manifest.json').toString('utf8'));
    const m2 = JSON.parse(read(again.manifestPath as string).toString('utf8'));
    assert.deepEqual(m1.files, m2.files);
  });

  it('GIVEN an unknown profile, an unpacked atlas or a profile folder escaping the bundle THEN export refuses, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ atlasIds: ['slimes'], profileId: 'gamemaker' }, 'profileId'],
      [{ atlasIds: ['nope'], profileId: 'unity' }, 'atlasIds.0'],
      [{ profileId: 'unity' }, 'atlasIds'],
      [{ atlasIds: ['slimes'], profile: { id: 'evil', atlasDir: '../../escape', formats: ['custom'] } }, 'profile.atlasDir'],
    ];
    for (const [input, field] of cases)
      await assert.rejects(
        runJob('export', input, ctx('bad')),
        (e: Error & { field?: string }) => e.name === 'JobInputError' && e.field === field,
      );
  });
});
