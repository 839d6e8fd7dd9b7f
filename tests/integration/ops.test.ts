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

  it('GIVEN GET /metrics THEN only a global admin gets Prometheus text with events, runs and queue depths', async () => {
    assert.equal((await t.app.request('/metrics')).status, 401);
    assert.equal((await t.app.request('/metrics', { headers: { authorization: `Bearer ${tokens.admin}` } })).status, 403);
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

  it('GIVEN the queue dashboard THEN a browser opens it once with ?token= and then works from an HttpOnly cookie', async () => {
    assert.equal((await t.app.request('/admin/queues')).status, 401);
    const first = await t.app.request(`/admin/queues?token=${ADMIN}`);
    assert.equal(first.status, 302);
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /gl_admin=.*HttpOnly/i);
    const page = await t.app.request('/admin/queues', { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const api = await t.app.request('/admin/queues/api/queues', { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(api.status, 200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    for (const q of ['events', 'steps', 'bg_remove', 'pack_atlas']) assert.ok(names.includes(q), `${q} in ${names.join(',')}`);
  });
});
