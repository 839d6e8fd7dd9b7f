// Review web I in real Chromium (Debian's /usr/bin/chromium through playwright-core; no browser is
// downloaded): open a chat card's "Open in review" link → signed in → approve one variant by click
// and another by keyboard → each recorded once as variant.approved and the MVP rule fires; a tag
// chip and a note are saved. Screenshots of the pages at 1280 and 390 px go to .tmp/screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import sharp from 'sharp';
import { mountReviewWeb } from '../../review-web/app.js';
import { launchChromium, SHOTS } from '../helpers/chromium.js';
import { makeEngine, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { enabledRule, mvpChain, mvpSample } from '../helpers/rules.js';

let t: TestEngine;
let dataDir: string;
let server: ServerType;
let base: string;
let browser: Browser;
let mvpRuleId: string;

const approvedCount = (variantId: string) =>
  (
    t.door.sql.prepare("SELECT count(*) AS n FROM events WHERE type = 'variant.approved' AND subject_id = ?").get(variantId) as {
      n: number;
    }
  ).n;
const runsOf = (variantId: string) =>
  (t.door.sql.prepare('SELECT count(*) AS n FROM runs WHERE rule_id = ? AND subject_id = ?').get(mvpRuleId, variantId) as { n: number }).n;

describe('review web in Chromium', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-web-browser-'));
    t = await makeEngine({ dataDir, consume: true });
    server = await new Promise((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: base, logger: pino({ level: 'silent' }) });
    const roles = { 'slack:UART': 'artist' };
    assert.equal(
      (
        await t.call('POST', '/api/projects', {
          id: 'art',
          name: 'Art',
          settings: { roles, tagGroups: { quality: ['high', 'low'], pose: ['idle'] } },
        })
      ).status,
      201,
    );
    const lead = (await t.call('POST', '/api/projects/art/tokens', { role: 'lead' })).body.token;
    mvpRuleId = await enabledRule((...a) => t.call(...a), '/api/projects/art', lead, mvpChain, mvpSample);
    assert.equal(
      (await t.call('POST', '/api/projects/art/assets', { id: 'knight', type: 'character', name: 'Knight', variants: 4 })).status,
      201,
    );
    const { variants } = t.engine.entities.getAsset(t.engine.authenticate(lead)!, 'art', 'knight');
    for (const [i, v] of variants.entries()) {
      const rel = `files/images/knight/original/${v.id}.png`;
      const abs = t.engine.files.path('art', rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const hue = [
        [220, 60, 60],
        [60, 180, 90],
        [70, 110, 230],
        [230, 190, 40],
      ][i % 4]!;
      await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: hue[0]!, g: hue[1]!, b: hue[2]!, alpha: 1 } } })
        .composite([
          {
            input: Buffer.from(
              `<svg width="256" height="256"><circle cx="128" cy="128" r="${60 + i * 12}" fill="white" fill-opacity="0.8"/></svg>`,
            ),
          },
        ])
        .png()
        .toFile(abs);
      t.door.store.entities.updateVariant(v.id, { files: { original: rel } });
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN an "Open in review" link THEN signed in; a click and a key approve two variants, each once, and the MVP rule fires; a tag and a note are saved, a chip toggles by key; screenshots at 1280 and 390 px', async () => {
    const artist = t.engine.chat.principalFor('slack', 'UART', 'art')!;
    const variants = t.engine.entities.getAsset(artist, 'art', 'knight').variants;
    const [first, second] = variants;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(
      `${base}/review/link?t=${encodeURIComponent(t.engine.web.reviewLink(artist, `/review/projects/art/variants/${first!.id}`))}`,
    );
    assert.match(page.url(), new RegExp(`/review/projects/art/assets/knight#v-${first!.id}$`));
    assert.match(await page.locator('header').innerText(), /slack:UART · artist · art/);
    await page.screenshot({ path: path.join(SHOTS, 'asset-1280.png'), fullPage: true });

    // By click, with a note.
    const card1 = page.locator(`#v-${first!.id}`);
    await card1.getByLabel('Note').fill('strong silhouette');
    await card1.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(new RegExp(`#v-${first!.id}$`));
    assert.match(await page.locator(`#v-${first!.id} .status`).innerText(), /approved by slack:UART/);
    // A tag chip.
    await page.locator(`#v-${first!.id}`).getByRole('button', { name: 'quality:high' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator(`#v-${first!.id}`).getByRole('button', { name: 'quality:high' }).getAttribute('aria-pressed'), 'true');

    // By keyboard: move to the next card, press a.
    await page.goto(`${base}/review/projects/art/assets/knight#v-${first!.id}`);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.id), `v-${second!.id}`);
    await page.keyboard.press('a');
    await page.waitForURL(new RegExp(`#v-${second!.id}$`));
    assert.match(await page.locator(`#v-${second!.id} .status`).innerText(), /approved/);
    // 2 toggles the second chip on that card, and 2 again toggles it off.
    const chip = () => page.locator(`#v-${second!.id}`).getByRole('button', { name: 'quality:low' });
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('2')]);
    assert.equal(await chip().getAttribute('aria-pressed'), 'true');
    assert.deepEqual(t.engine.entities.getVariant(artist, 'art', second!.id).tags, ['quality:low']);
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('2')]);
    assert.equal(await chip().getAttribute('aria-pressed'), 'false');
    assert.deepEqual(t.engine.entities.getVariant(artist, 'art', second!.id).tags, []);

    assert.equal(approvedCount(first!.id), 1);
    assert.equal(approvedCount(second!.id), 1);
    await waitFor(() => runsOf(first!.id) === 1 && runsOf(second!.id) === 1, 5000, 'the MVP rule fired for both');
    const v1 = t.engine.entities.getVariant(artist, 'art', first!.id);
    assert.deepEqual(v1.tags, ['quality:high']);
    assert.equal(v1.notes.at(-1)!.text, 'strong silhouette');

    await page.screenshot({ path: path.join(SHOTS, 'asset-decided-1280.png'), fullPage: true });
    await page.goto(`${base}/review/projects/art`);
    await page.screenshot({ path: path.join(SHOTS, 'home-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'home-390.png'), fullPage: true });
    await page.goto(`${base}/review/projects/art/assets/knight`);
    await page.screenshot({ path: path.join(SHOTS, 'asset-390.png'), fullPage: true });
    const signIn = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await signIn.goto(`${base}/review/sign-in`);
    await signIn.screenshot({ path: path.join(SHOTS, 'sign-in-390.png'), fullPage: true });
    await signIn.goto(`${base}/review/link?t=forged`);
    await signIn.screenshot({ path: path.join(SHOTS, 'link-refused-390.png'), fullPage: true });
    await signIn.setViewportSize({ width: 1280, height: 900 });
    await signIn.screenshot({ path: path.join(SHOTS, 'link-refused-1280.png'), fullPage: true });
    await signIn.goto(`${base}/review/sign-in`);
    await signIn.screenshot({ path: path.join(SHOTS, 'sign-in-1280.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await context.close();
  });

  it('GIVEN three variants checked for compare THEN zooming or panning one pane moves them all (to 800 %, pixelated past 100 %); wipe, onion skin and difference stack two; a decision from the compare page is recorded; screenshots', async () => {
    const artist = t.engine.chat.principalFor('slack', 'UART', 'art')!;
    const variants = t.engine.entities.getAsset(artist, 'art', 'knight').variants;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/review/link?t=${encodeURIComponent(t.engine.web.reviewLink(artist, '/review/projects/art/assets/knight'))}`);
    for (const v of [variants[0]!, variants[2]!, variants[3]!]) await page.locator(`#v-${v.id}`).getByLabel('Compare').check();
    await page.getByRole('button', { name: /^Compare the checked variants/ }).click();
    await page.waitForURL(/\/compare\?/);
    assert.deepEqual(new URL(page.url()).searchParams.getAll('v'), [variants[0]!.id, variants[2]!.id, variants[3]!.id]);
    const panes = page.locator('#stage .view');
    assert.equal(await panes.count(), 3);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#stage img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    const transforms = () => page.$$eval('#stage .layer img', (imgs) => imgs.map((i) => (i as HTMLImageElement).style.transform));
    await page.locator('[data-zoom="fit"]').click();
    await page.screenshot({ path: path.join(SHOTS, 'compare-1280.png'), fullPage: true });

    // The wheel over the first pane zooms every pane alike.
    const box = (await panes.nth(0).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(() => Number(document.getElementById('stage')!.dataset.zoom) > 1);
    const zoomed = await transforms();
    assert.equal(new Set(zoomed).size, 1, `every pane alike: ${zoomed.join(' | ')}`);
    assert.match(zoomed[0]!, /scale\(/);
    assert.equal(await page.$eval('#stage .pane:nth-child(3) img', (i) => getComputedStyle(i).imageRendering), 'pixelated');
    // Dragging the second pane pans them all.
    const box2 = (await panes.nth(1).boundingBox())!;
    await page.mouse.move(box2.x + 100, box2.y + 100);
    await page.mouse.down();
    await page.mouse.move(box2.x + 160, box2.y + 130, { steps: 4 });
    await page.mouse.up();
    const panned = await transforms();
    assert.equal(new Set(panned).size, 1);
    assert.notEqual(panned[0], zoomed[0]);
    for (let i = 0; i < 12; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.equal(await page.locator('#zoom-level').innerText(), '800%', 'zoom stops at 800 %');
    await page.screenshot({ path: path.join(SHOTS, 'compare-800-1280.png') });
    await page.keyboard.press('f');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press('f');
    await page.screenshot({ path: path.join(SHOTS, 'compare-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // A decision from the compare page comes back to it.
    const fourth = variants[3]!;
    const compareUrl = page.url();
    await page.locator(`#v-${fourth.id}`).getByRole('button', { name: 'Reject' }).click();
    await page.waitForURL((u) => u.href.startsWith(compareUrl.split('#')[0]!) && u.hash === `#v-${fourth.id}`);
    assert.equal(t.engine.entities.getVariant(artist, 'art', fourth.id).status, 'rejected');

    for (const [mode, label] of [
      ['wipe', 'Wipe'],
      ['onion', 'Onion skin'],
      ['diff', 'Difference'],
    ] as const) {
      await page.getByRole('link', { name: label, exact: true }).click();
      await page.waitForURL(new RegExp(`mode=${mode}`));
      assert.equal(await page.locator('#stage .view').count(), 1, `${mode}: one pane`);
      assert.equal(await page.locator('#stage .layer').count(), 2, `${mode}: two layers`);
      const top = page.locator('#stage .layer.b');
      if (mode === 'wipe') {
        await page.getByLabel('Wipe position').fill('80');
        // B shows right of the line at 80 % of the picture's width, where the line is drawn.
        const { clip, want, line } = await page.evaluate(() => {
          const view = document.querySelector('#stage .view')!.getBoundingClientRect();
          const img = document.querySelector('#stage .layer.a img')!.getBoundingClientRect();
          return {
            clip: (document.querySelector('#stage .layer.b') as HTMLElement).style.clipPath,
            want: img.left - view.left + 0.8 * img.width,
            line: document.querySelector('#stage .wipe-line')!.getBoundingClientRect().left + 1 - view.left,
          };
        });
        const at = Number(/^inset\(0px 0px 0px ([\d.]+)px\)$/.exec(clip)?.[1]);
        assert.ok(Math.abs(at - want) < 1, `clip at ${clip}, want ${want}px`);
        assert.ok(Math.abs(line - want) < 1.5, `line at ${line}px`);
      } else if (mode === 'onion') {
        await page.getByLabel('Opacity of B').fill('30');
        assert.equal(await top.evaluate((e) => getComputedStyle(e).opacity), '0.3');
      } else assert.equal(await top.evaluate((e) => getComputedStyle(e).mixBlendMode), 'difference');
      await page.screenshot({ path: path.join(SHOTS, `compare-${mode}-1280.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'compare-diff-390.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await context.close();
  });

  it('GIVEN an open asset page THEN a decision made through the API appears on it within 1 s, without a reload', async () => {
    const artist = t.engine.chat.principalFor('slack', 'UART', 'art')!;
    const third = t.engine.entities.getAsset(artist, 'art', 'knight').variants[2]!;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/review/link?t=${encodeURIComponent(t.engine.web.reviewLink(artist, '/review/projects/art/assets/knight'))}`);
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    // The page says when its stream is open (EventSource's open event).
    await page.waitForFunction(() => document.body.dataset.liveOpen === '1');
    const admin = (await t.call('POST', '/api/projects/art/tokens', { role: 'admin' })).body.token;
    const started = Date.now();
    assert.equal((await t.call('POST', `/api/projects/art/variants/${third.id}/review`, { decision: 'reject' }, admin)).status, 200);
    await page.waitForFunction((id) => /rejected/.test(document.querySelector(`#v-${id} .status`)?.textContent ?? ''), third.id, {
      timeout: 1000,
    });
    const ms = Date.now() - started;
    assert.ok(ms <= 1000, `shown after ${ms} ms`);
    assert.equal(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true, 'no reload');
    await page.screenshot({ path: path.join(SHOTS, 'asset-live-1280.png'), fullPage: true });
    await context.close();
  });

  it('GIVEN a run waiting for approval THEN an admin signed in with a token approves it from the inbox; halting and resuming work from the automation page', async () => {
    const lead = (await t.call('POST', '/api/projects/art/tokens', { role: 'lead' })).body.token;
    const admin = (await t.call('POST', '/api/projects/art/tokens', { role: 'admin' })).body.token;
    const ruleId = await enabledRule(
      (...a) => t.call(...a),
      '/api/projects/art',
      lead,
      {
        name: 'Costly tag',
        trigger: { event: 'custom.costly' },
        requiresApproval: 'always',
        actions: [
          { id: 'tell', type: 'notify', config: { text: 'costly ran' } },
          {
            id: 'more',
            type: 'enqueue_job',
            config: {
              type: 'generate',
              input: { assetId: 'squire', prompt: 'squire', count: 1, width: 64, height: 64, background: 'plain' },
            },
          },
        ],
      },
      { type: 'custom.costly', payload: {} },
    );
    assert.equal((await t.call('POST', '/api/projects/art/automation/events', { type: 'custom.costly', payload: {} }, lead)).status, 202);
    const runStatus = () =>
      (t.door.sql.prepare('SELECT status FROM runs WHERE rule_id = ?').get(ruleId) as { status: string } | undefined)?.status;
    await waitFor(() => runStatus() === 'awaiting_approval', 5000, 'the run awaits approval');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/review/sign-in`);
    await page.getByLabel('API token').fill(admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/review\/projects\/art$/);
    await page.getByRole('link', { name: 'Approvals' }).click();
    assert.match(
      await page.locator('main').innerText(),
      /Waiting \(1\)[\s\S]*Costly tag on custom\.costly[\s\S]*Will submit: tell, more \(generate job\) · estimated cost 4/,
    );
    await page.screenshot({ path: path.join(SHOTS, 'approvals-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'approvals-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /Waiting \(0\)[\s\S]*Costly tag — approved by token:/);
    // Approved, it runs: the notify step is done and the generate job is submitted (no worker takes it here).
    await waitFor(
      () =>
        (
          t.door.sql
            .prepare("SELECT status FROM run_steps WHERE step_id = 'more' AND run_id IN (SELECT id FROM runs WHERE rule_id = ?)")
            .get(ruleId) as { status: string } | undefined
        )?.status === 'running',
      5000,
      'the approved run ran to its generate job',
    );

    await page.goto(`${base}/review/projects/art/halt`);
    await page.getByLabel('Reason').fill('bad batch of LoRAs');
    await page.getByRole('button', { name: 'Emergency halt' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('.halt').innerText(), /Automation halted \(project: bad batch of LoRAs, 0 held\)/);
    assert.equal((await t.call('GET', '/api/projects/art/halts')).body.halts.length, 1);
    await page.screenshot({ path: path.join(SHOTS, 'halt-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'halt-390.png'), fullPage: true });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator('main').innerText(), /Running/);
    assert.deepEqual((await t.call('GET', '/api/projects/art/halts')).body.halts, []);
    await page.screenshot({ path: path.join(SHOTS, 'resumed-390.png'), fullPage: true });
    await context.close();
  });

  it('GIVEN the rules list THEN a lead disables and enables a rule by click, and runs a dry-run on a variant; the chain graph opens a rule by click; screenshots at 1280 and 390 px', async () => {
    const lead = (await t.call('POST', '/api/projects/art/tokens', { role: 'lead' })).body.token;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/review/sign-in`);
    await page.getByLabel('API token').fill(lead);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/review\/projects\/art$/);
    await page.getByRole('link', { name: 'Rules' }).click();
    const mvp = page.locator(`#rule-${mvpRuleId}`);
    assert.match(await mvp.innerText(), /when variant\.approved happens/);
    await mvp.getByRole('button', { name: 'Disable' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator(`#rule-${mvpRuleId} .badge`).first().innerText(), /disabled/);
    await page.locator(`#rule-${mvpRuleId}`).getByRole('button', { name: 'Enable' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.locator(`#rule-${mvpRuleId} .badge`).first().innerText(), /enabled/);
    const variant = t.engine.entities.getAsset(t.engine.authenticate(lead)!, 'art', 'knight').variants[0]!;
    await page.locator(`#rule-${mvpRuleId}`).getByLabel('Dry-run on a variant or asset id').fill(variant.id);
    await page.locator(`#rule-${mvpRuleId}`).getByRole('button', { name: 'Dry-run' }).click();
    await page.waitForLoadState('load');
    assert.match(
      await page.locator(`#rule-${mvpRuleId} [role="status"]`).innerText(),
      new RegExp(`on variant ${variant.id}: 1 firing, \\d+ jobs?`),
    );
    await page.screenshot({ path: path.join(SHOTS, 'rules-1280.png'), fullPage: true });
    // The chain graph: every rule a node; clicking one opens it in the builder.
    await page.getByRole('link', { name: 'Chain graph' }).click();
    await page.waitForURL(/\/rules\/graph$/);
    assert.ok(await page.locator(`[data-node="rule:${mvpRuleId}"]`).isVisible());
    await page.screenshot({ path: path.join(SHOTS, 'graph-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'graph-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(`[data-node="rule:${mvpRuleId}"]`).click();
    await page.waitForURL(new RegExp(`/rules/${mvpRuleId}/edit$`));
    assert.match(await page.locator('h1').innerText(), /Edit “Approved → cut-out → atlas”/);
    await page.getByRole('link', { name: '← Rules' }).click();
    await page.waitForURL(/\/rules$/);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'rules-390.png'), fullPage: true });
    // The trigger log: the MVP rule's runs, one run's page with its cause back to the artist's approval.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Runs (trigger log)' }).click();
    await page.getByLabel('Rule').selectOption(mvpRuleId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(new RegExp(`rule=${mvpRuleId}`));
    await page.screenshot({ path: path.join(SHOTS, 'runs-1280.png'), fullPage: true });
    await page.locator('main a[href*="/runs/run_"]').first().click();
    await page.waitForURL(/\/runs\/run_/);
    const runText = await page.locator('main').innerText();
    assert.match(runText, /Caused by\s+variant\.approved on variant \S+ by chat:slack:UART/);
    assert.match(runText, /Steps\s+cutout/);
    await page.screenshot({ path: path.join(SHOTS, 'run-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, 'run-390.png'), fullPage: true });
    await page.goBack();
    await page.screenshot({ path: path.join(SHOTS, 'runs-390.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors (CSP included)');
    await context.close();
  });
});
