// The seed's three MVP rules built with the rule builder alone, in real Chromium (Debian's, through
// playwright-core) against a real engine, Redis and gpu-worker: approval → cut-out → atlas; atlas
// ready → export with the project's default profile; eval grid request → eval jobs (behind an admin's
// approval). Each is saved, dry-run and enabled from its page; then an artist's approval runs the first,
// its run page shows the steps finish and the atlas preview opens; the chain graph shows the three rules,
// their link and the eval rule's gate, and a click on a rule opens it. Screenshots at 1280 and 390 px.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import sharp from 'sharp';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { launchChromium, SHOTS } from '../helpers/chromium.js';
import { makeEngine, stopTestRedis, testRedis, waitFor, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
let dataDir: string;
let server: ServerType;
let base: string;
let browser: Browser;
let worker: RunningWorker;
let lead: string;

/** Do `act` and wait until builder.js has put the server's answer in place (or synced the JSON view). */
async function settled(page: Page, act: () => Promise<unknown>, event: 'builder:updated' | 'builder:synced' = 'builder:updated') {
  const done = page.evaluate((name) => new Promise((r) => document.addEventListener(name, r, { once: true })), event);
  await act();
  await done;
}
const ctl = (page: Page, name: string) => page.locator(`[name="${name}"]`);
async function addStep(page: Page, key: string) {
  await ctl(page, 'addKey').selectOption(key);
  await settled(page, () => page.getByRole('button', { name: '+ Add step' }).click());
}
/** Fill a text control and leave it (its change syncs the JSON view). */
async function type(page: Page, name: string, value: string) {
  await settled(
    page,
    async () => {
      await ctl(page, name).fill(value);
      await ctl(page, name).blur();
    },
    'builder:synced',
  );
}
/** Save, dry-run (on `target` or the sample), and enable from the rule's page; its id. */
async function saveDryRunEnable(page: Page, target: string, expect: RegExp, shot?: string): Promise<string> {
  await page.getByRole('button', { name: /^Save/ }).click();
  await page.waitForURL(/\/rules\/[^/]+\/edit\?done=saved$/);
  const id = /rules\/([^/]+)\/edit/.exec(page.url())![1]!;
  assert.match(await page.locator('[role=status]').innerText(), /Saved as version 1 \(disabled until dry-run\)/);
  if (target) await ctl(page, 'dry.target').fill(target);
  await settled(page, () => page.getByRole('button', { name: 'Dry-run' }).click());
  const preview = page.locator('#preview');
  assert.match((await preview.textContent()) ?? '', expect);
  if (shot) {
    await page.screenshot({ path: path.join(SHOTS, `${shot}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, `${shot}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  await page.getByRole('button', { name: 'Enable this version' }).click();
  await page.waitForURL(/\/edit\?done=enabled$/);
  assert.match(await page.locator('[role=status]').innerText(), /Version 1 is enabled/);
  return id;
}

describe('the rule builder in Chromium: the three MVP rules', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-builder-browser-'));
    t = await makeEngine({ dataDir, consume: true });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: base, logger: pino({ level: 'silent' }) });
    const settings = { roles: { 'slack:UART': 'artist' }, policies: { defaultExportProfile: 'godot' } };
    assert.equal((await t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings })).status, 201);
    lead = (await t.call('POST', '/api/projects/art/tokens', { role: 'lead' })).body.token;
    assert.equal(
      (
        await t.call('POST', '/api/projects/art/assets', {
          id: 'knight',
          type: 'character',
          variants: [{ id: 'knight-1' }, { id: 'knight-2' }],
        })
      ).status,
      201,
    );
    for (const [i, id] of ['knight-1', 'knight-2'].entries()) {
      const rel = `files/images/knight/original/${id}.png`;
      const abs = t.engine.files.path('art', rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const svg = `<svg width="128" height="128"><rect width="128" height="128" fill="#ffffff"/><circle cx="64" cy="64" r="${30 + i * 10}" fill="#c03030"/></svg>`;
      await sharp(Buffer.from(svg)).png().toFile(abs);
      t.door.store.entities.updateVariant(id, { files: { original: rel } });
    }
    const config = loadWorkerConfig({ GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: t.prefix }, process.cwd());
    worker = startWorker({ config, redisUrl: (await testRedis()).url, logger: pino({ level: 'silent' }) });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await worker?.close();
    await new Promise<void>((r) => server.close(() => r()));
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a lead WHEN the three MVP rules are built, dry-run and enabled in the builder and an artist approves a variant THEN the run’s steps finish on its page, the atlas preview opens, and the graph shows the chain', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    // (Opening a picture by its own URL makes Chromium ask for /favicon.ico, which Greenlight does not serve.)
    page.on(
      'console',
      (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && errors.push(`${m.text()} ${m.location().url}`),
    );
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/review/sign-in`);
    await page.getByLabel('API token').fill(lead);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`${base}/review/projects/art/rules`);
    await page.getByRole('link', { name: '+ New rule' }).click();
    await page.waitForURL(/\/rules\/new$/);

    // 1) Asset approval → background removal → atlas pack.
    await type(page, 'name', 'Approved character → cut-out → atlas');
    await settled(page, () => page.getByLabel('assets of one type').check());
    await type(page, 'scope.assetType', 'character');
    await addStep(page, 'enqueue_job:bg_remove');
    assert.equal(await ctl(page, 'a.0.f.threshold').getAttribute('placeholder'), 'auto', 'the default shown');
    await type(page, 'a.0.id', 'cutout');
    await type(page, 'a.0.f.variantId', '${event.subject.id}');
    await type(page, 'a.0.f.assetId', '${event.payload.assetId}');
    await addStep(page, 'enqueue_job:pack_atlas');
    await type(page, 'a.1.id', 'atlas');
    await type(page, 'a.1.f.atlasId', 'sheet-${event.payload.assetId}');
    await type(page, 'a.1.f.frames', '${steps.cutout.output.alphaPaths}');
    // The JSON view followed the form.
    const json = JSON.parse(await ctl(page, 'json').inputValue());
    assert.deepEqual(json.scope, { assetType: 'character' });
    assert.equal(json.actions[1].config.input.frames, '${steps.cutout.output.alphaPaths}');
    // A mistake is said at its field while typing, and the page keeps what was typed.
    await type(page, 'a.0.f.threshold', 'lots');
    assert.match(await page.locator('small.field-error[data-for="a.0.f.threshold"]').innerText(), /threshold: a number/);
    await type(page, 'a.0.f.threshold', '');
    assert.equal(await page.locator('small.field-error').count(), 0);
    await page.screenshot({ path: path.join(SHOTS, 'builder-new-1280.png'), fullPage: true });
    const cutoutId = await saveDryRunEnable(
      page,
      'knight-1',
      /fires Approved character → cut-out → atlas[\s\S]*cutout bg_remove job[\s\S]*atlas pack_atlas job[\s\S]*atlas\.ready/,
      'builder-dry-run',
    );

    // 2) Atlas ready → export with the project's default profile (no profile chosen).
    await page.goto(`${base}/review/projects/art/rules/new`);
    await type(page, 'name', 'Atlas ready → export');
    await settled(page, () => ctl(page, 'trigger.event').selectOption('atlas.ready'));
    await addStep(page, 'export');
    // A list field: a placeholder alone would be the whole list; in brackets, a list of one.
    await type(page, 'a.0.f.atlasIds', '${event.subject.id}');
    await settled(page, () => page.getByRole('button', { name: 'Dry-run' }).click());
    assert.match(
      await page.locator('#preview').innerText(),
      /Would fail: export input field atlasIds: Invalid input: expected array, received string/,
    );
    assert.match(
      await page.locator('#preview [role=alert]').innerText(),
      /these steps would fail[\s\S]*Atlas ready → export \/ export: export input field atlasIds/,
      'said above the buttons',
    );
    await type(page, 'a.0.f.atlasIds', '[${event.subject.id}]');
    const exportId = await saveDryRunEnable(page, '', /fires Atlas ready → export[\s\S]*"profileId": "godot"/);

    // 3) Eval grid request → eval jobs, behind an admin's approval (costly work).
    await page.goto(`${base}/review/projects/art/rules/new`);
    await type(page, 'name', 'Eval grid request → eval jobs');
    await settled(page, () => ctl(page, 'trigger.event').selectOption('eval_grid.requested'));
    await addStep(page, 'run_eval_grid');
    await type(page, 'a.0.f.prompts', '${event.payload.prompts}');
    const evalId = await saveDryRunEnable(
      page,
      '',
      /fires Eval grid request → eval jobs[\s\S]*Waits for an admin’s approval \(costly work/,
    );

    // An artist approves knight-1 on its asset page.
    const artist = t.engine.chat.principalFor('slack', 'UART', 'art')!;
    const artistPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await artistPage.goto(
      `${base}/review/link?t=${encodeURIComponent(t.engine.web.reviewLink(artist, '/review/projects/art/variants/knight-1'))}`,
    );
    await artistPage.locator('#v-knight-1').getByRole('button', { name: 'Approve' }).click();
    await artistPage.waitForURL(/#v-knight-1$/);

    // The run's page: both steps finish (the page is live), the atlas preview opens.
    const runOf = (ruleId: string, status?: 'succeeded') => t.engine.runs.list(artist, 'art', { ruleId, ...(status ? { status } : {}) })[0];
    await waitFor(() => runOf(cutoutId) !== undefined, 10_000, 'the cut-out rule ran');
    const run = runOf(cutoutId)!;
    await page.goto(`${base}/review/projects/art/runs/${run.id}`);
    await page.waitForFunction(
      () =>
        /succeeded/.test(document.querySelector('h1')?.parentElement?.textContent ?? '') &&
        document.querySelectorAll('img.output').length >= 2,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const stepsText = await page.locator('main').innerText();
    assert.match(stepsText, /cutout[\s\S]*succeeded[\s\S]*atlas[\s\S]*succeeded/);
    await page.screenshot({ path: path.join(SHOTS, 'builder-run-1280.png'), fullPage: true });
    const atlasImg = page.locator('img.output[alt^="output of atlas"]').first();
    const src = await atlasImg.getAttribute('src');
    const res = await page.goto(new URL(src!, base).toString());
    assert.equal(res?.status(), 200);
    assert.equal(res?.headers()['content-type'], 'image/png');
    const png = await sharp(await res!.body()).metadata();
    assert.ok(png.width! > 0 && png.height! > 0);
    // The atlas it made set off the export rule, with the default profile.
    await waitFor(() => runOf(exportId, 'succeeded') !== undefined, 20_000, 'the export rule ran');

    // The chain graph: three rules, rule 1 → atlas.ready → rule 2, the eval rule's gate; a click opens a rule.
    await page.goto(`${base}/review/projects/art/rules/graph`);
    for (const id of [cutoutId, exportId, evalId]) assert.ok(await page.locator(`[data-node="rule:${id}"]`).isVisible());
    assert.ok(await page.locator('[data-node="event:atlas.ready"]').isVisible());
    assert.ok(await page.locator(`[data-node="gate:${evalId}"]`).isVisible(), 'the eval rule waits for an admin');
    assert.equal(await page.locator('[data-node^="gate:"]').count(), 1, 'only the eval rule is gated');
    const graph = t.engine.rules.graph(artist, 'art');
    assert.ok(graph.edges.some((e) => e.from === `action:${cutoutId}/atlas` && e.to === 'event:atlas.ready'));
    assert.ok(graph.edges.some((e) => e.from === 'event:atlas.ready' && e.to === `rule:${exportId}`));
    await page.screenshot({ path: path.join(SHOTS, 'builder-graph-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'builder-graph-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(`[data-node="rule:${evalId}"]`).click();
    await page.waitForURL(new RegExp(`/rules/${evalId}/edit$`));
    assert.equal(await ctl(page, 'a.0.f.prompts').inputValue(), '${event.payload.prompts}');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'builder-edit-390.png'), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
