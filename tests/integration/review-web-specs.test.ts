// The review web's specs page in real Chromium: a lead writes a wishlist, sees the specs it was refined
// into and the questions about the lines it could not read, and presses Generate on one spec: one
// spec.generate_requested, and the page says the rule will generate once an admin approves (and the run
// waits for that approval). An artist sees the page but may not refine. Screenshots at 1280 and 390 px.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { catalogFromFiles, cliPrincipal } from '../../engine/index.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { launchChromium, SHOTS } from '../helpers/chromium.js';
import { makeEngine, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';

const fixture = path.resolve('tests/fixtures/catalog');
let t: TestEngine;
let server: ServerType;
let base: string;
let browser: Browser;
let tokens: Record<'artist' | 'lead', string>;
let ruleId: string;
const count = (sql: string, ...args: string[]) => (t.door.sql.prepare(sql).get(...args) as { n: number }).n;

describe('review web: specs page in Chromium', () => {
  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-web-specs-'));
    t = await makeEngine({ dataDir, consume: true });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: base, logger: pino({ level: 'silent' }) });
    assert.equal((await t.call('POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
    tokens = {
      artist: (await t.call('POST', '/api/projects/art/tokens', { role: 'artist' })).body.token,
      lead: (await t.call('POST', '/api/projects/art/tokens', { role: 'lead' })).body.token,
    };
    const read = (rel: string) =>
      fs.existsSync(path.join(fixture, rel)) ? JSON.parse(fs.readFileSync(path.join(fixture, rel), 'utf8')) : undefined;
    t.engine.specs.importCatalog(cliPrincipal, 'art', catalogFromFiles(read));
    const rule = t.engine.rules.create(cliPrincipal, 'art', {
      name: 'generate on request',
      trigger: { event: 'spec.generate_requested' },
      actions: [
        {
          id: 'gen',
          type: 'enqueue_job',
          config: { type: 'generate', input: { specId: '${event.payload.specId}', count: '${event.payload.count}' } },
        },
      ],
    });
    ruleId = rule.row.id;
    t.engine.rules.dryRun(cliPrincipal, 'art', ruleId, { event: { type: 'spec.generate_requested', payload: { specId: 'x', count: 1 } } });
    t.engine.rules.setEnabled(cliPrincipal, 'art', ruleId, true);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server.close();
    await t.close();
    await stopTestRedis();
  });

  const signedIn = async (token: string, width = 1280) => {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    await page.goto(`${base}/review/sign-in`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };

  it('GIVEN a lead THEN a wishlist becomes specs and questions on the page, and Generate asks once and says an admin approves', async () => {
    const page = await signedIn(tokens.lead);
    await page.getByRole('link', { name: 'Specs' }).click();
    await page.getByLabel(/^Wishlist/).fill('2 knight characters, side view, warm palette\n1 health potion prop\na glowing thing');
    await page.getByRole('button', { name: 'Refine into specs' }).click();
    const list = page.locator('section.spec-list').first();
    await list.getByText('needs answers').waitFor();
    assert.deepEqual(await list.locator('li.spec strong').allTextContents(), ['knight 1', 'knight 2', 'health potion']);
    assert.match(await list.locator('li.spec').first().innerText(), /character · 128×128 · 4 variants · side view · Warm palette/);
    assert.equal(
      (await list.locator('.questions li').innerText()).trim(),
      'Line 3 “a glowing thing”: Which asset type is this? The catalog has: character, prop, ui_icon, tile, vfx_frame.',
    );
    await page.screenshot({ path: path.join(SHOTS, 'specs-1280.png'), fullPage: true });

    const potion = list.locator('li.spec', { hasText: 'health potion' });
    await potion.getByLabel('Variants').fill('2');
    await potion.getByRole('button', { name: 'Generate' }).click();
    const notice = page.getByRole('status');
    await notice.waitFor();
    assert.equal(
      (await notice.innerText()).trim(),
      'Asked for 2 variant(s) of health potion. Rule “generate on request” will generate them once an admin approves.',
    );
    await page.screenshot({ path: path.join(SHOTS, 'specs-generated-1280.png'), fullPage: true });
    assert.equal(count("SELECT count(*) AS n FROM events WHERE type = 'spec.generate_requested'"), 1);
    await waitFor(
      () => count("SELECT count(*) AS n FROM runs WHERE rule_id = ? AND status = 'awaiting_approval'", ruleId) === 1,
      10_000,
      'the run',
    );
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'specs-390.png'), fullPage: true });
  });

  it('GIVEN an artist THEN the specs are shown but refining is not allowed, said as a page', async () => {
    const page = await signedIn(tokens.artist, 390);
    await page.goto(`${base}/review/projects/art/specs`);
    assert.equal(await page.locator('li.spec').count(), 3);
    await page.getByLabel(/^Wishlist/).fill('a lamp prop');
    await page.getByRole('button', { name: 'Refine into specs' }).click();
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /'entities.write' needs the lead role; this token has artist/);
    await page.screenshot({ path: path.join(SHOTS, 'specs-refused-390.png'), fullPage: true });
    assert.equal(count("SELECT count(*) AS n FROM specs WHERE project_id = 'art'"), 3, 'nothing stored');
  });
});
