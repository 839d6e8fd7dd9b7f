// Operator surfaces: Prometheus metrics and the bull-board dashboard, admin only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, makeEngine, seedProject, stopTestRedis, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };

describe('operations', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN GET /metrics THEN only a global admin’s bearer token gets Prometheus text (a URL token never; a wrong token and a lesser one alike 401) with events, runs and queue depths', async () => {
    assert.equal((await t.app.request('/metrics')).status, 401);
    // A project admin's token and an unknown one get the same answer: no token oracle.
    for (const token of [tokens.admin, 'no-such-token']) {
      const res = await t.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /Send a global admin token/);
    }
    // A URL token is not taken here (and sets no cookie).
    const byUrl = await t.app.request(`/metrics?token=${ADMIN}`);
    assert.equal(byUrl.status, 400);
    assert.equal(byUrl.headers.get('set-cookie'), null);
    await t.call('POST', '/api/projects/art/automation/events', { type: 'custom.ping', payload: {} }, tokens.lead);
    const res = await t.app.request('/metrics', { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /greenlight_events_in_total\{source="api"\} 1/);
    assert.match(text, /greenlight_queue_jobs\{queue="events",state="[a-z-]+"\} \d+/);
    assert.match(text, /# TYPE greenlight_event_to_first_step_seconds histogram/);
    assert.match(text, /greenlight_process_/);
  });

  it('GIVEN the queue dashboard THEN a browser opens its page once with ?token= and then works from an HttpOnly cookie holding a session, not the token', async () => {
    assert.equal((await t.app.request('/admin/queues')).status, 401);
    const first = await t.app.request(`/admin/queues?token=${ADMIN}`);
    assert.equal(first.status, 302);
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /gl_admin=.*HttpOnly/i);
    assert.ok(!cookie.includes(ADMIN), 'the cookie holds a session, not the token');
    assert.equal((await t.app.request(`/admin/queues/api/queues?token=${ADMIN}`)).status, 401, 'only the page takes ?token=');
    assert.equal((await t.app.request(`/admin/queues?token=${tokens.admin}`)).status, 401, 'a project admin is refused');
    const page = await t.app.request('/admin/queues', { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const api = await t.app.request('/admin/queues/api/queues', { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(api.status, 200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    for (const q of ['events', 'steps', 'bg_remove', 'pack_atlas']) assert.ok(names.includes(q), `${q} in ${names.join(',')}`);
  });
});
