// Tokens and projects as an admin manages them through the API (issue "A newcomer's first hour",
// item 6): list a project's tokens (never the tokens themselves), revoke one — its API calls and the
// review-web session signed in with it stop at once; a global admin lists every project.
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

describe('tokens: list and revoke', () => {
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
});
