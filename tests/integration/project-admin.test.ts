// A project as an admin manages it through the API (issue "A newcomer's first hour", items 2 and 6):
// list its tokens (never the tokens themselves), revoke one — its API calls and the review-web session
// signed in with it stop at once; a global admin lists every project; the default export profile is
// set (a typo refused with the profiles there are) and what a rule's export uses when it names none.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { mountReviewWeb } from '../../review-web/app.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
let t: TestEngine;
let dataDir: string;

describe('project admin: tokens and settings', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-tokens-'));
    t = await makeEngine({ dataDir });
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: null, logger: pino({ level: 'silent' }) });
    for (const id of ['art', 'props']) assert.equal((await t.call('POST', '/api/projects', { id, name: id })).status, 201);
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN tokens THEN an admin lists them without the secret, revokes one, and its API calls and web session stop', async () => {
    const admin = (await t.call('POST', `${P}/tokens`, { role: 'admin', label: 'ops' })).body.token as string;
    const lead = await t.call('POST', `${P}/tokens`, { role: 'lead', label: 'laptop' });
    assert.equal((await t.call('GET', P, undefined, lead.body.token)).status, 200);
    const signIn = await t.app.request('/review/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: new URLSearchParams({ token: lead.body.token }).toString(),
    });
    const cookie = /gl_review=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const home = () => t.app.request('/review/projects/art', { headers: { cookie: `gl_review=${cookie}` } });
    assert.match(await (await home()).text(), /lead · art/);

    const list = await t.call('GET', `${P}/tokens`, undefined, admin);
    assert.equal(list.status, 200);
    const mine = list.body.tokens.find((x: { id: string }) => x.id === lead.body.id);
    assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'id', 'label', 'projectId', 'revokedAt', 'role']);
    assert.equal(mine.label, 'laptop');
    assert.ok(!JSON.stringify(list.body).includes(lead.body.token), 'the token itself is never shown again');
    assert.equal((await t.call('GET', `${P}/tokens`, undefined, lead.body.token)).status, 403, 'a lead may not list tokens');

    const revoked = await t.call('POST', `${P}/tokens/${lead.body.id}/revoke`, undefined, admin);
    assert.equal(revoked.status, 200);
    assert.match(revoked.body.revokedAt, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal((await t.call('GET', P, undefined, lead.body.token)).status, 401, 'the token stops at once');
    assert.doesNotMatch(await (await home()).text(), /lead · art/, 'so does the web session signed in with it');
    assert.equal((await t.call('POST', `/api/projects/props/tokens/${lead.body.id}/revoke`)).status, 404, 'only its own project’s');
    assert.equal((await t.call('GET', '/api/projects')).body.projects.length, 2, 'a global admin lists every project');
    assert.equal((await t.call('GET', '/api/projects', undefined, admin)).status, 403);
  });

  it('GIVEN an admin THEN the default export profile is set (a typo refused, nothing changed) and a rule’s export with no profile uses it', async () => {
    const admin = (await t.call('POST', `${P}/tokens`, { role: 'admin' })).body.token as string;
    const lead = (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token as string;
    const bad = await t.call('PATCH', `${P}/settings`, { policies: { defaultExportProfile: 'godto' } }, admin);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'policies.defaultExportProfile');
    assert.match(bad.body.error.details[0].message, /use one of the built-in export profiles: unity, godot, unreal, phaser, custom/);
    assert.equal((await t.call('GET', P, undefined, admin)).body.settings.policies.defaultExportProfile, 'custom', 'unchanged');
    assert.equal((await t.call('PATCH', `${P}/settings`, { policies: { defaultExportProfile: 'godot' } }, lead)).status, 403);
    const ok = await t.call(
      'PATCH',
      `${P}/settings`,
      { policies: { defaultExportProfile: 'godot' }, limits: { maxConcurrentRuns: 3 } },
      admin,
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.settings.policies.defaultExportProfile, 'godot');
    assert.equal(ok.body.settings.policies.allowSelfApproval, false, 'the other policies kept');
    assert.equal(ok.body.settings.limits.maxConcurrentRuns, 3);
    const rule = await t.call(
      'POST',
      `${P}/rules`,
      {
        name: 'Export',
        trigger: { event: 'atlas.ready' },
        actions: [{ id: 'bundle', type: 'export', config: { atlasIds: ['${event.subject.id}'] } }],
      },
      lead,
    );
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const dry = await t.call(
      'POST',
      `${P}/rules/${rule.body.id}/dry-run`,
      { event: { type: 'atlas.ready', subject: { kind: 'atlas', id: 'sheet' } } },
      lead,
    );
    assert.equal(dry.body.root.firings[0].steps[0].config.profileId, 'godot');
  });

  it('GIVEN the builder’s calls over HTTP THEN the vocabulary lists every event and job type, and a rule is checked without being saved', async () => {
    const artist = (await t.call('POST', `${P}/tokens`, { role: 'artist' })).body.token as string;
    const lead = (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token as string;
    const vocab = await t.call('GET', '/api/rule-vocabulary', undefined, artist);
    assert.equal(vocab.status, 200);
    assert.ok(vocab.body.eventTypes.some((e: { type: string; strict: boolean }) => e.type === 'atlas.ready' && e.strict));
    const bg = vocab.body.actionTypes.find((a: { key: string }) => a.key === 'enqueue_job:bg_remove');
    assert.deepEqual(
      bg.fields.find((f: { name: string }) => f.name === 'threshold'),
      {
        name: 'threshold',
        required: false,
        kind: 'number',
        options: ['auto'],
        default: 'auto',
        hint: 'auto (measured from the backdrop), or the colour distance 0.005-1 under which a pixel is background',
      },
    );
    const rules = () => t.engine.rules.list(t.engine.authenticate(lead)!, 'art').length;
    const before = rules();
    const bad = await t.call(
      'POST',
      `${P}/rules/check`,
      {
        name: 'x',
        trigger: { event: 'variant.approved' },
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { treshold: 1 } } }],
      },
      lead,
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'actions.0.config.input.treshold');
    assert.match(bad.body.error.details[0].message, /did you mean "threshold"/);
    const tz = await t.call(
      'POST',
      `${P}/rules/check`,
      { name: 'n', trigger: { schedule: '0 3 * * *', timezone: 'Mars/Olympus' }, actions: [{ type: 'notify', config: { text: 'hi' } }] },
      lead,
    );
    assert.equal(tz.status, 400, 'a time zone the scheduler cannot use is refused (it was saved, then failed when it fired)');
    assert.match(tz.body.error.details[0].message, /not a time zone name; use an IANA name such as "Europe\/Berlin"/);
    const good = await t.call(
      'POST',
      `${P}/rules/check`,
      { name: 'n', trigger: { schedule: '0 3 * * *' }, actions: [{ type: 'notify', config: { text: 'hi' } }] },
      lead,
    );
    assert.equal(good.status, 200);
    assert.equal(good.body.definition.maxDepth, 10, 'defaults filled');
    assert.equal(good.body.nextTimes.length, 3);
    assert.equal(rules(), before, 'nothing saved');
    assert.equal((await t.call('POST', `${P}/rules/check`, { name: 'n' }, artist)).status, 403);
  });
});
