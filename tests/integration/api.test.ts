// The HTTP API against real SQLite migrations and a real Redis.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { seedRule } from '../helpers/rules.js';
import { ADMIN, makeEngine, seedProject, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';

let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };
const rowCount = (table: string) => (t.door.sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('HTTP API', () => {
  before(async () => {
    t = await makeEngine();
    ({ tokens } = await seedProject(t));
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN the seed example body THEN the event is stored, answered 202 and lands on the queue', async () => {
    const res = await t.call(
      'POST',
      `${P}/automation/events`,
      { type: 'asset_approved', payload: { assetId: '<assetId>', versionId: '<versionId>' } },
      tokens.lead,
    );
    assert.equal(res.status, 202);
    const ev = await t.call('GET', `${P}/events/${res.body.id}`, undefined, tokens.artist);
    assert.equal(ev.body.type, 'asset.approved');
    await waitFor(async () => (await t.door.queues!.events.getJob(res.body.id)) !== undefined, 5000, 'job on queue');
    const job = await t.door.queues!.events.getJob(res.body.id);
    assert.deepEqual(
      job!.data.events.map((e) => e.type),
      ['asset.approved'],
    );
  });

  it('GIVEN the same idempotency key twice THEN the first id comes back and nothing new is stored', async () => {
    const body = { type: 'custom.ping', payload: { n: 1 }, idempotencyKey: 'delivery-42' };
    const a = await t.call('POST', `${P}/automation/events`, body, tokens.lead);
    const before = rowCount('events');
    const b = await t.call('POST', `${P}/automation/events`, { ...body, payload: { n: 2 } }, tokens.lead);
    assert.equal(b.status, 202);
    assert.equal(b.body.id, a.body.id);
    assert.equal(b.body.duplicate, true);
    assert.equal(rowCount('events'), before);
  });

  it('GIVEN the auth matrix THEN missing/wrong tokens get 401 and wrong role or project 403', async () => {
    const other = await t.call('POST', '/api/projects', { id: 'other', name: 'Other' });
    assert.equal(other.status, 201);
    const otherLead = (await t.call('POST', '/api/projects/other/tokens', { role: 'lead' })).body.token;
    const cases: [string, string, unknown, string | null, number][] = [
      ['GET', `${P}/rules`, undefined, null, 401],
      ['GET', '/api/unknown-route', undefined, null, 404],
      ['GET', `${P}/rules`, undefined, 'gl_not-a-real-token', 401],
      ['GET', `${P}/rules`, undefined, tokens.artist, 200],
      ['POST', `${P}/rules`, seedRule, tokens.artist, 403],
      ['POST', `${P}/automation/events`, { type: 'custom.ping' }, tokens.artist, 403],
      ['POST', `${P}/tokens`, { role: 'artist' }, tokens.lead, 403],
      ['POST', `${P}/tokens`, { role: 'artist' }, tokens.admin, 201],
      ['GET', `${P}/rules`, undefined, otherLead, 403],
      ['POST', `${P}/automation/events`, { type: 'custom.ping' }, otherLead, 403],
      ['POST', '/api/projects', { id: 'nope', name: 'x' }, tokens.admin, 403],
      ['POST', `${P}/variants/hero-v1/review`, { decision: 'reject' }, otherLead, 403],
    ];
    for (const [method, url, body, token, status] of cases) {
      const res = await t.call(method, url, body, token);
      assert.equal(res.status, status, `${method} ${url} with ${token ? token.slice(0, 8) : 'no token'}: ${JSON.stringify(res.body)}`);
      if (status >= 400) assert.equal(typeof res.body.error.message, 'string');
    }
  });

  it('GIVEN bodies over 1 MiB over real HTTP (sized or chunked) THEN 413 and nothing stored', async () => {
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const post = (body: string, chunked: boolean) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${tokens.lead}`, 'content-type': 'application/json' };
        if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: `${P}/automation/events`, headers }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        });
        req.on('error', reject);
        // Chunked: written in 64 KiB pieces, so no Content-Length tells the size up front.
        for (let i = 0; i < body.length; i += 65536) req.write(body.slice(i, i + 65536));
        req.end();
      });
    try {
      const before = rowCount('events');
      const big = JSON.stringify({ type: 'a.b', payload: { blob: 'x'.repeat(1024 * 1024) } });
      for (const chunked of [false, true]) {
        const res = await post(big, chunked);
        assert.equal(res.status, 413, `${chunked ? 'chunked' : 'sized'}: ${res.text.slice(0, 200)}`);
        assert.equal(JSON.parse(res.text).error.code, 'payload_too_large');
      }
      assert.equal(rowCount('events'), before);
      const ok = await post(JSON.stringify({ type: 'a.b', payload: { n: 1 } }), true);
      assert.equal(ok.status, 202, ok.text);
    } finally {
      server.close();
    }
  });

  it('GIVEN bad input THEN each gets the right status, names the field, and stores nothing', async () => {
    const events = rowCount('events');
    const rules = rowCount('rules');
    const cases: [string, string, unknown, number, string | null][] = [
      ['POST', `${P}/automation/events`, '{"type": "asset.approved",', 400, null],
      ['POST', `${P}/automation/events`, { payload: {} }, 400, 'type'],
      ['POST', `${P}/automation/events`, { type: 'NotAType' }, 400, 'type'],
      ['POST', `${P}/automation/events`, { type: 'a.b', payload: [] }, 400, 'payload'],
      ['POST', `${P}/automation/events`, { type: 'a.b', depth: -1 }, 400, 'depth'],
      ['POST', `${P}/automation/events`, { type: 'a.b', extra: 1 }, 400, '(root)'],
      ['POST', `${P}/automation/events`, { type: 'a.b', payload: { blob: 'x'.repeat(1024 * 1024) } }, 413, null],
      ['POST', '/api/projects/ghost/automation/events', { type: 'a.b' }, 404, null],
      ['POST', `${P}/rules`, { ...seedRule, trigger: { event: 'Bad' } }, 400, 'trigger'],
      ['POST', `${P}/rules`, { ...seedRule, actions: [] }, 400, 'actions'],
      [
        'POST',
        `${P}/rules`,
        { ...seedRule, actions: [{ type: 'enqueue_job', config: { type: 'teleport', input: {} } }] },
        400,
        'actions.0.config.type',
      ],
      ['POST', `${P}/rules`, { ...seedRule, conditions: { all: [{ field: 'payload.x', op: 'between', value: 1 }] } }, 400, 'conditions'],
      ['POST', `${P}/rules`, { ...seedRule, trigger: { schedule: 'every tuesday' } }, 400, 'trigger'],
      ['POST', `${P}/rules`, { ...seedRule, actions: [seedRule.actions[1]] }, 400, 'actions.0.config'],
      ['POST', `${P}/rules`, { ...seedRule, maxDepth: 0 }, 400, 'maxDepth'],
      [
        'POST',
        `${P}/rules`,
        { ...seedRule, actions: [{ type: 'enqueue_job', config: { type: 'generate', input: { nextJobs: [{ type: 'teleport' }] } } }] },
        400,
        'actions.0.config.input.nextJobs.0.type',
      ],
      ['POST', `${P}/variants/hero-v1/review`, { decision: 'maybe' }, 400, 'decision'],
      ['POST', `${P}/variants/ghost/review`, { decision: 'approve' }, 404, null],
      ['GET', `${P}/rules/rule_missing`, undefined, 404, null],
      ['POST', `${P}/assets`, { id: 'hero', type: 'character' }, 409, null],
      ['POST', `${P}/assets`, { type: 'character', variants: [{ id: 'hero-v1' }] }, 409, null],
      ['GET', '/api/nothing/here', undefined, 404, null],
      ['DELETE', `${P}/automation/events`, undefined, 404, null],
    ];
    for (const [method, url, body, status, field] of cases) {
      const res = await t.call(method, url, body, ADMIN);
      assert.equal(
        res.status,
        status,
        `${method} ${url} ${String(JSON.stringify(body)).slice(0, 80)} → ${JSON.stringify(res.body).slice(0, 300)}`,
      );
      assert.ok(res.body.error.code && res.body.error.message, 'error shape');
      assert.ok(!/\n\s+at /.test(res.body.error.message), 'no stack trace');
      if (field)
        assert.ok(
          res.body.error.details.some((d: { path: string }) => d.path.startsWith(field)),
          `names ${field}: ${JSON.stringify(res.body.error.details)}`,
        );
    }
    assert.equal(rowCount('events'), events);
    assert.equal(rowCount('rules'), rules);
    assert.equal((await t.call('GET', `${P}/variants/hero-v1`, undefined, tokens.artist)).body.status, 'pending');
  });

  it('GIVEN a rule never dry-run THEN enabling it is refused with 409 until a dry-run is shown', async () => {
    const created = await t.call('POST', `${P}/rules`, seedRule, tokens.lead);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.warnings, []);
    const id = created.body.id;
    const refused = await t.call('POST', `${P}/rules/${id}/enable`, undefined, tokens.lead);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'dry_run_required');
    assert.match(refused.body.error.message, /dry-run/);
    const dry = await t.call(
      'POST',
      `${P}/rules/${id}/dry-run`,
      {
        event: {
          type: 'variant.approved',
          subject: { kind: 'variant', id: 'hero-v1' },
          payload: { assetId: 'hero', tags: ['quality:high'] },
        },
      },
      tokens.lead,
    );
    assert.equal(dry.status, 200);
    const fired = dry.body.root.firings[0];
    assert.equal(fired.decision, 'fire');
    assert.deepEqual(
      fired.steps.map((s: { id: string }) => s.id),
      ['cutout', 'atlas'],
    );
    assert.deepEqual(fired.steps[0].config.input, { assetId: 'hero', variantId: 'hero-v1' });
    assert.deepEqual(fired.steps[1].config.input.frames, { $unknown: 'steps.cutout.output.alphaPaths' });
    assert.equal(dry.body.summary.jobs, 2);
    assert.equal((await t.call('POST', `${P}/rules/${id}/enable`, undefined, tokens.lead)).body.enabled, true);
    // A new version needs its own dry-run: the update disables the rule and says why.
    const updated = await t.call('PUT', `${P}/rules/${id}`, { ...seedRule, debounceMs: 0 }, tokens.lead);
    assert.equal(updated.body.version, 2);
    assert.equal(updated.body.warnings[0].code, 'disabled_by_update');
    assert.equal((await t.call('POST', `${P}/rules/${id}/enable`, undefined, tokens.lead)).status, 409);
    await t.call('POST', `${P}/rules/${id}/disable`, undefined, tokens.lead);
  });

  it('GIVEN two rules that trigger each other THEN saving the second warns with the cycle, and the graph marks it', async () => {
    const a = await t.call(
      'POST',
      `${P}/rules`,
      {
        name: 'tag on export',
        trigger: { event: 'export.completed' },
        actions: [{ type: 'apply_tags', config: { variantId: 'hero-v1', add: ['exported'] } }],
      },
      tokens.lead,
    );
    assert.deepEqual(a.body.warnings, []);
    const b = await t.call(
      'POST',
      `${P}/rules`,
      { name: 'export on tag', trigger: { event: 'variant.tagged' }, actions: [{ type: 'export', config: { assetIds: ['hero'] } }] },
      tokens.lead,
    );
    assert.equal(b.body.warnings.length, 1);
    assert.equal(b.body.warnings[0].code, 'cycle');
    const cycle: string[] = b.body.warnings[0].cycle;
    assert.equal(cycle.length, 3);
    assert.equal(cycle[0], cycle[2]);
    assert.deepEqual([...new Set(cycle)].sort(), [a.body.id, b.body.id].sort());
    const graph = await t.call('GET', `${P}/rules/chain-graph`, undefined, tokens.artist);
    assert.equal(graph.status, 200);
    assert.ok(
      graph.body.nodes.length > 0 &&
        graph.body.nodes.some((n: { id: string; inCycle?: boolean }) => n.id === `rule:${b.body.id}` && n.inCycle),
    );
    assert.ok(
      graph.body.edges.some(
        (e: { from: string; to: string; inCycle?: boolean }) =>
          e.from === `action:${b.body.id}/step1` && e.to === 'event:export.completed' && e.inCycle,
      ),
    );
    // With b enabled, the planner follows the loop to maxDepth and reports the stop.
    await t.call(
      'POST',
      `${P}/rules/${b.body.id}/dry-run`,
      { event: { type: 'variant.tagged', subject: { kind: 'variant', id: 'hero-v1' }, payload: {} } },
      tokens.lead,
    );
    assert.equal((await t.call('POST', `${P}/rules/${b.body.id}/enable`, undefined, tokens.lead)).status, 200);
    const plan = await t.call('POST', `${P}/rules/${a.body.id}/dry-run`, { event: { type: 'export.completed', payload: {} } }, tokens.lead);
    assert.ok(plan.body.cycles.length >= 1, JSON.stringify(plan.body.summary));
    assert.ok(
      plan.body.stops.some((s: { reason: string; depth: number }) => s.reason === 'depth_limit' && s.depth === 10),
      JSON.stringify(plan.body.stops).slice(0, 500),
    );
    for (const r of [a, b]) await t.call('DELETE', `${P}/rules/${r.body.id}`, undefined, tokens.lead);
  });

  it('GIVEN a review decision THEN the variant is updated and the matching event is emitted', async () => {
    const res = await t.call(
      'POST',
      `${P}/variants/hero-v2/review`,
      { decision: 'approve', tags: ['quality:high'], note: 'clean silhouette' },
      tokens.artist,
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.type, 'variant.approved');
    assert.equal(res.body.variant.status, 'approved');
    assert.deepEqual(res.body.variant.tags, ['quality:high']);
    const ev = await t.call('GET', `${P}/events/${res.body.eventId}`, undefined, tokens.artist);
    assert.deepEqual(ev.body.subject, { kind: 'variant', id: 'hero-v2' });
    assert.equal(ev.body.payload.assetType, 'character');
    const sel = await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'select' }, tokens.artist);
    assert.equal(sel.body.type, 'variant.selected');
    assert.equal(sel.body.variant.primary, true);
    // A stored event can be dry-run by id; manual override on the asset skips, visibly.
    await t.call('PATCH', `${P}/assets/hero`, { manualOverride: true }, tokens.lead);
    const plan = await t.call('POST', `${P}/automation/dry-run`, { eventId: res.body.eventId, draft: seedRule }, tokens.lead);
    assert.equal(plan.body.root.firings[0].reason, 'manual_override');
    await t.call('PATCH', `${P}/assets/hero`, { manualOverride: false }, tokens.lead);
    const again = await t.call('POST', `${P}/automation/dry-run`, { eventId: res.body.eventId, draft: seedRule }, tokens.lead);
    assert.equal(again.body.root.firings[0].decision, 'fire');
    assert.notEqual(again.body.hash, plan.body.hash);
  });

  it('GIVEN /healthz and /api/openapi.json THEN both answer without a token', async () => {
    const h = await t.call('GET', '/healthz', undefined, null);
    assert.equal(h.status, 200);
    assert.deepEqual([h.body.database, h.body.redis], [true, true]);
    const doc = await t.call('GET', '/api/openapi.json', undefined, null);
    assert.equal(doc.body.openapi, '3.1.0');
    const post = doc.body.paths['/api/projects/{projectId}/rules'].post;
    assert.ok(post.requestBody.content['application/json'].schema.properties.actions);
    assert.ok(doc.body.paths['/api/projects/{projectId}/automation/events'].post.responses['202']);
  });
});
