// Hardening (#17): input from outside is data, bounded and checked at the door. Each case was
// reproduced on main first: a typo'd filter answered every run, invalid UTF-8 collapsed two
// idempotency keys into one event, deep JSON answered 500 (stack overflow).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
let t: TestEngine;

const raw = (
  method: string,
  url: string,
  body: BodyInit | null,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => t.app.request(url, { method, headers: { authorization: `Bearer ${ADMIN}`, ...headers }, ...(body === null ? {} : { body }) });
const eventCount = () => (t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
const deep = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

describe('hardening: bounded, strictly read input', () => {
  before(async () => {
    t = await makeEngine();
    assert.equal((await t.call('POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN a run filter with a typo, an unknown parameter or one given twice THEN 400 naming the parameter, never every run; every route refuses parameters it does not take', async () => {
    for (const [query, path, message] of [
      ['status=succeded', 'query.status', /Invalid option/],
      ['colour=red', 'query.colour', /unknown parameter; this route takes ruleId, status, subject/],
      ['status=failed&status=succeeded', 'query.status', /given twice/],
      ['subject=', 'query.subject', /at least 1|>=1/],
    ] as const) {
      const res = await raw('GET', `${P}/runs?${query}`, null);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } };
      assert.equal(body.error.code, 'validation_failed', query);
      assert.equal(body.error.details[0]!.path, path, query);
      assert.match(body.error.details[0]!.message, message, query);
    }
    assert.equal((await raw('GET', `${P}/runs?status=failed`, null)).status, 200);
    for (const url of [`${P}/rules?enabled=true`, `${P}?x=1`, `${P}/approvals?status=pending`]) {
      const res = await raw('GET', url, null);
      assert.equal(res.status, 400, url);
      assert.match(JSON.stringify(await res.json()), /this route takes no query parameters/, url);
    }
  });

  it('GIVEN invalid UTF-8, a body that is not JSON by type, or a key given twice THEN 400 / 415 naming the problem, and nothing is stored', async () => {
    const before = eventCount();
    const event = (key: number[]) =>
      Buffer.concat([Buffer.from('{"type":"custom.utf","idempotencyKey":"k'), Buffer.from(key), Buffer.from('"}')]);
    // Two distinct keys that lenient decoding turns into the same "k\uFFFD".
    for (const bytes of [[0xff], [0xfe]]) {
      const res = await raw('POST', `${P}/automation/events`, event(bytes));
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(await res.json()), /not valid UTF-8/);
    }
    const text = await raw('POST', `${P}/automation/events`, '{"type":"custom.text"}', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    assert.match(JSON.stringify(await text.json()), /unsupported_media_type.*Content-Type: application\/json \(got 'text\/plain'\)/);
    const none = await raw('POST', `${P}/automation/events`, '{"type":"custom.none"}', {});
    assert.equal(none.status, 415);
    const twice = await raw('POST', `${P}/automation/events`, '{"type":"custom.a","payload":{"x":1,"y":{"k":1,"k":2}}}');
    assert.equal(twice.status, 400);
    const body = (await twice.json()) as { error: { code: string; details: { path: string; message: string }[] } };
    assert.equal(body.error.code, 'bad_json');
    assert.deepEqual(body.error.details, [{ path: 'payload.y.k', message: 'this key is given twice: send it once' }]);
    assert.equal(
      (await raw('POST', `${P}/automation/events`, '{"type":"custom.ok","payload":{"s":"caf\u00e9 \ud83d\ude00"}}')).status,
      202,
    );
    assert.equal(eventCount(), before + 1, 'only the good event');
  });

  it('GIVEN JSON nested 10,000 deep in an event, a rule or a review THEN 400 with the path, at the API and at the door; 64 levels pass', async () => {
    const before = eventCount();
    // Written as text: JSON.stringify itself overflows the stack on such a value.
    const payload = `{"type":"custom.deep","payload":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const res = await raw('POST', `${P}/automation/events`, payload);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { details: { path: string; message: string }[] } };
    assert.match(body.error.details[0]!.path, /^payload\.a\.a\.a\.a\.a\.a\.a… \(64 levels\)$/);
    assert.match(body.error.details[0]!.message, /nested deeper than 64 levels/);
    // A rule whose conditions nest 900 groups deep (zod's recursive schema overflowed at ~800).
    let conditions: unknown = { field: 'payload.x', op: 'exists' };
    for (let i = 0; i < 900; i++) conditions = { all: [conditions] };
    const rule = await t.call('POST', `${P}/rules`, { name: 'deep', trigger: { event: 'custom.x' }, conditions, actions: [] });
    assert.equal(rule.status, 400);
    assert.match(JSON.stringify(rule.body), /nested deeper than 64 levels/);
    // The door itself (the CLI and the chat bots call it without the HTTP reader).
    const admin = t.engine.authenticate(ADMIN)!;
    assert.throws(() => t.engine.events.emit(admin, 'art', { type: 'custom.deep', payload: deep(10_000) }), /nested deeper than 64 levels/);
    assert.throws(
      () => t.engine.review(admin, 'art', 'nothing', { decision: 'tag', tags: deep(5_000) }, 'web'),
      /nested deeper than 64 levels/,
    );
    assert.equal(eventCount(), before, 'nothing stored');
    assert.equal((await t.call('POST', `${P}/automation/events`, { type: 'custom.ok', payload: deep(60) })).status, 202);
    assert.equal((await raw('GET', P, null)).status, 200, 'the engine still answers');
  });
});
