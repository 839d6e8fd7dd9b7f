// Review web II, first part: the rules list through app.request() — trigger and scope in words,
// stats, enable refused until this version was dry-run (with the dry-run offered in place),
// dry-run, disable, export and import as JSON; artists see no buttons and are refused; CSRF.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { mountReviewWeb } from '../../review-web/app.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';
import { manyRules } from '../helpers/rules.js';

const P = '/api/projects/art';
const ORIGIN = 'http://localhost';
let t: TestEngine;
let dataDir: string;
let lead: string;
let artist: string;
let ruleId: string;

const cookieOf = (res: Response) => /gl_review=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
const get = (url: string, cookie: string | null) => t.app.request(url, { headers: cookie ? { cookie: `gl_review=${cookie}` } : {} });
const post = (url: string, fields: Record<string, string>, cookie: string | null, origin = ORIGIN) =>
  t.app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...(cookie ? { cookie: `gl_review=${cookie}` } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const signIn = async (token: string) => cookieOf(await post('/review/sign-in', { token }, null))!;
const enabled = (id: string) => (t.door.sql.prepare('SELECT enabled FROM rules WHERE id = ?').get(id) as { enabled: number }).enabled === 1;
const ruleCount = () => (t.door.sql.prepare('SELECT count(*) AS n FROM rules WHERE deleted_at IS NULL').get() as { n: number }).n;

const cutout = {
  name: 'Cut out approved characters',
  trigger: { event: 'variant.approved' },
  scope: { assetType: 'character' },
  actions: [{ id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } }],
};

describe('review web: the rules list', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-web-rules-'));
    t = await makeEngine({ dataDir });
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: null, logger: pino({ level: 'silent' }) });
    assert.equal((await t.call('POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
    lead = (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    artist = (await t.call('POST', `${P}/tokens`, { role: 'artist' })).body.token;
    ruleId = (await t.call('POST', `${P}/rules`, cutout, lead)).body.id;
    await t.call('POST', `${P}/assets`, { id: 'knight', type: 'character', variants: [{ id: 'knight-1' }] });
    await t.call(
      'POST',
      `${P}/rules`,
      { name: 'Nightly sheet', trigger: { schedule: '0 3 * * *' }, actions: [{ type: 'notify', config: { text: 'hi' } }] },
      lead,
    );
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a lead THEN each rule shows its trigger and scope in words, version, last run and 7-day counts; enable is refused until this version was dry-run, which the page offers; then enable and disable work', async () => {
    const cookie = await signIn(lead);
    const res = await get('/review/projects/art/rules', cookie);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /when variant\.approved happens, for character assets: cutout \(bg_remove job\)/);
    assert.match(html, /on the schedule 0 3 \* \* \* \(UTC\), anywhere in the project: step1 \(notify\)/);
    assert.match(html, /Last run: never · last 7 days: 0 runs, 0 failed/);
    assert.match(html, /v1 · <code>/);

    const refused = await post(`/review/projects/art/rules/${ruleId}/enable`, { _csrf: csrfOf(html) }, cookie);
    assert.equal(refused.status, 400);
    const refusedHtml = await refused.text();
    assert.match(refusedHtml, /role="alert"[^>]*>Rule \S+ version 1 has never been dry-run/);
    assert.match(refusedHtml, /Dry-run this version now/);
    assert.equal(enabled(ruleId), false, 'nothing changed');

    // On a sample event the scoped rule skips, and says why; on a character's variant it fires.
    const sample = await post(`/review/projects/art/rules/${ruleId}/dry-run`, { _csrf: csrfOf(html) }, cookie);
    assert.equal(sample.status, 200);
    assert.match(
      await sample.text(),
      /on a sample variant\.approved: 0 firings, 0 jobs, 0 approvals, cost 0 — it skips this event \(out_of_scope/,
    );
    const dry = await post(`/review/projects/art/rules/${ruleId}/dry-run`, { _csrf: csrfOf(html), target: 'knight-1' }, cookie);
    assert.equal(dry.status, 200);
    assert.match(
      await dry.text(),
      /Dry-run of version 1 on variant knight-1: 1 firing, 1 job, 0 approvals, cost [\d.]+\. It can be enabled now\./,
    );
    const on = await post(`/review/projects/art/rules/${ruleId}/enable`, { _csrf: csrfOf(html) }, cookie);
    assert.equal(on.status, 303);
    assert.equal(on.headers.get('location'), `/review/projects/art/rules#rule-${ruleId}`);
    assert.equal(enabled(ruleId), true);
    assert.match(await (await get('/review/projects/art/rules', cookie)).text(), /badge ok">enabled/);
    assert.equal((await post(`/review/projects/art/rules/${ruleId}/disable`, { _csrf: csrfOf(html) }, cookie)).status, 303);
    assert.equal(enabled(ruleId), false);
    assert.equal(
      (await post(`/review/projects/art/rules/${ruleId}/enable`, { _csrf: csrfOf(html) }, cookie, 'https://evil.example')).status,
      403,
    );
    assert.equal(enabled(ruleId), false, 'a foreign origin changes nothing');
  });

  it('GIVEN export and import THEN the JSON round-trips into new disabled rules; bad JSON or a bad rule comes back on the form with where, nothing imported', async () => {
    const cookie = await signIn(lead);
    const exported = await get('/review/projects/art/rules/export', cookie);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition')!, /attachment; filename="art-rules\.json"/);
    const rules = (await exported.json()) as { name: string }[];
    assert.deepEqual(rules.map((r) => r.name).sort(), ['Cut out approved characters', 'Nightly sheet']);

    const html = await (await get('/review/projects/art/rules', cookie)).text();
    const before = ruleCount();
    const bad = await post('/review/projects/art/rules/import', { _csrf: csrfOf(html), json: '[{"name":' }, cookie);
    assert.equal(bad.status, 400);
    const badHtml = await bad.text();
    assert.match(badHtml, /role="alert"[^>]*>json: not valid JSON/);
    assert.match(badHtml, /<textarea[^>]*>\[\{&quot;name&quot;:<\/textarea>/, 'the text is kept to fix');
    const invalid = await post(
      '/review/projects/art/rules/import',
      { _csrf: csrfOf(html), json: JSON.stringify({ name: 'x', trigger: { event: 'custom.x' }, actions: [] }) },
      cookie,
    );
    assert.equal(invalid.status, 400);
    assert.match(await invalid.text(), /actions: a rule needs at least one action/);
    assert.equal(ruleCount(), before, 'nothing imported');

    const ok = await post('/review/projects/art/rules/import', { _csrf: csrfOf(html), json: JSON.stringify(rules) }, cookie);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Imported 2 rules \(disabled\)/);
    assert.equal(ruleCount(), before + 2);
  });

  it('GIVEN an artist THEN the list shows no buttons, and an enable or an import posted anyway is refused and changes nothing', async () => {
    const cookie = await signIn(artist);
    const html = await (await get('/review/projects/art/rules', cookie)).text();
    assert.match(html, /Cut out approved characters/);
    assert.doesNotMatch(html, />Enable</);
    assert.doesNotMatch(html, /name="json"/);
    const refused = await post(`/review/projects/art/rules/${ruleId}/enable`, { _csrf: csrfOf(html) }, cookie);
    assert.equal(refused.status, 403);
    assert.equal(enabled(ruleId), false);
    const before = ruleCount();
    assert.equal(
      (await post('/review/projects/art/rules/import', { _csrf: csrfOf(html), json: JSON.stringify(cutout) }, cookie)).status,
      403,
    );
    assert.equal(ruleCount(), before);
  });

  it('GIVEN 60 rules in chains, with approval gates, disabled rules and a cycle THEN the chain graph draws every rule once, linked to it, styled apart, with no two boxes overlapping', async () => {
    await t.call('POST', '/api/projects', { id: 'big', name: 'Big' });
    const bigLead = (await t.call('POST', '/api/projects/big/tokens', { role: 'lead' })).body.token;
    const ids: string[] = [];
    for (const body of manyRules(60)) {
      const res = await t.call('POST', '/api/projects/big/rules', body, bigLead);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.id);
    }
    const cookie = await signIn(bigLead);
    const res = await get('/review/projects/big/rules/graph', cookie);
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const id of ids)
      assert.equal(html.split(`href="/review/projects/big/rules/${id}/edit"`).length - 1, 1, `rule ${id} drawn once, linked`);
    assert.match(html, /class="node kind-gate[^"]*"/, 'the approval gate');
    assert.match(html, /class="node kind-rule disabled/, 'disabled rules dashed');
    assert.match(html, /class="node kind-rule disabled cycle/, 'the cycle marked');
    assert.match(html, /Cycles: /);
    // Every node's box from the SVG: no two overlap.
    const boxes = [
      ...html.matchAll(
        /<g class="node [^"]*" data-node="([^"]+)">.*?<(?:rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"|polygon points="([^"]+)")/g,
      ),
    ].map((m) => {
      if (m[2] !== undefined) return { id: m[1]!, x: +m[2], y: +m[3]!, w: +m[4]!, h: +m[5]! };
      const pts = m[6]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      return {
        id: m[1]!,
        x: Math.min(...xs),
        y: Math.min(...ys),
        w: Math.max(...xs) - Math.min(...xs),
        h: Math.max(...ys) - Math.min(...ys),
      };
    });
    assert.ok(boxes.length >= 60 * 2, `${boxes.length} boxes`);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.id} and ${b.id} overlap`);
      }
  });

  it('GIVEN the runs list THEN a filter it cannot honour is an error naming it, never every run; a good one answers', async () => {
    const cookie = await signIn(artist);
    for (const [query, message] of [
      ['status=succeded', /status: &#39;succeded&#39; is not a run status; choose one of planned, awaiting_approval/],
      ['rule=nope', /rule: &#39;nope&#39; is not a rule of art/],
    ] as const) {
      const res = await get(`/review/projects/art/runs?${query}`, cookie);
      assert.equal(res.status, 400, query);
      const html = await res.text();
      assert.match(html, message, query);
      assert.match(html, /No run matches/, `${query}: an empty list, not every run`);
    }
    const ok = await get(`/review/projects/art/runs?status=failed&rule=${ruleId}`, cookie);
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /<option value="failed" selected="">failed<\/option>/);
    assert.equal((await get('/review/projects/art/runs/run_nope', cookie)).status, 404);
  });
});
