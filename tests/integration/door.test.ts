// The engine's door: reads that work with Redis down, and the change feed
// (after commit, asynchronously, nothing from a rolled-back write).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Change, Principal } from '../../engine/index.js';
import { ADMIN, makeEngine, seedProject, waitFor, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';

describe('the engine door without Redis', () => {
  let t: TestEngine;
  let tokens: { artist: string; lead: string; admin: string };
  before(async () => {
    t = await makeEngine({ redisUrl: null });
    ({ tokens } = await seedProject(t));
  });
  after(async () => t.close());

  it('GIVEN no Redis THEN runs, one run with its history, approvals and halts are still read', async () => {
    const ev = await t.call('POST', `${P}/automation/events`, { type: 'custom.thing', payload: {} }, tokens.lead);
    assert.equal(ev.status, 202, JSON.stringify(ev.body));
    // A run as the runner would have left it (the runner needs Redis, so it is written through the test door).
    const { run } = t.door.store.runs.create(
      {
        id: 'run_offline',
        projectId: 'art',
        ruleId: 'rule_x',
        ruleVersion: 1,
        eventId: ev.body.id,
        subjectKind: 'project',
        subjectId: 'art',
        status: 'succeeded',
        reason: null,
        idempotencyKey: 'offline-1',
        correlationId: ev.body.id,
        depth: 0,
        planHash: null,
      },
      [{ stepId: 'a', type: 'notify' }],
    );
    const list = await t.call('GET', `${P}/runs`, undefined, tokens.artist);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.runs.map((r: { id: string }) => r.id),
      [run.id],
    );
    const one = await t.call('GET', `${P}/runs/${run.id}`, undefined, tokens.artist);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(one.body.event.id, ev.body.id);
    assert.deepEqual(
      one.body.steps.map((s: { stepId: string }) => s.stepId),
      ['a'],
    );
    // Times in ISO 8601, as rules and events have them (they were epoch ms).
    const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    assert.match(list.body.runs[0].createdAt, isoTime);
    assert.match(one.body.run.createdAt, isoTime);
    assert.equal(one.body.run.createdAt, new Date(run.createdAt).toISOString());
    const approvals = await t.call('GET', `${P}/approvals`, undefined, tokens.admin);
    assert.equal(approvals.status, 200, JSON.stringify(approvals.body));
    assert.deepEqual(approvals.body.approvals, []);
    const halts = await t.call('GET', `${P}/halts`, undefined, tokens.artist);
    assert.equal(halts.status, 200, JSON.stringify(halts.body));
    // Writes that need the queues say so instead of pretending.
    const halt = await t.call('POST', `${P}/halt`, { reason: 'test' }, tokens.admin);
    assert.equal(halt.status, 503, JSON.stringify(halt.body));
    assert.match(halt.body.error.message, /Redis/);
  });
});

describe('the change feed', () => {
  let t: TestEngine;
  let admin: Principal;
  before(async () => {
    t = await makeEngine({ redisUrl: null });
    await seedProject(t);
    admin = t.engine.authenticate(ADMIN)!;
  });
  after(async () => t.close());

  it('GIVEN a subscriber THEN a review is heard after its commit and never inside the writer', async () => {
    const heard: { change: Change; stored: boolean }[] = [];
    const stop = t.engine.changes.subscribe(
      (change) => {
        const id = change.kind === 'event' ? change.event.id : '';
        heard.push({ change, stored: t.door.sql.prepare('SELECT 1 FROM events WHERE id = ?').get(id) !== undefined });
      },
      { projectId: 'art' },
    );
    const { event } = t.engine.review(admin, 'art', 'hero-v1', { decision: 'approve' });
    assert.equal(heard.length, 0, 'delivered inside the writer’s call');
    await waitFor(() => heard.length === 1, 2000, 'the review event');
    assert.equal(heard[0]!.change.kind, 'event');
    assert.equal(heard[0]!.change.kind === 'event' && heard[0]!.change.event.id, event.id);
    assert.equal(heard[0]!.stored, true, 'heard before the row was committed');
    stop();
  });

  it('GIVEN a write that fails and rolls back THEN nothing is heard, and a filter keeps other projects out', async () => {
    const heard: Change[] = [];
    const stop = t.engine.changes.subscribe((c) => heard.push(c), { projectId: 'art' });
    assert.throws(() => t.engine.review(admin, 'art', 'no-such-variant', { decision: 'approve' }), /does not exist/);
    t.engine.entities.createProject(admin, { id: 'other', name: 'Other' });
    t.engine.events.emit(admin, 'other', { type: 'custom.elsewhere', payload: {} });
    // Barrier: a change of this project, written after the two above, arrives; the others did not.
    t.engine.events.emit(admin, 'art', { type: 'custom.barrier', payload: {} });
    await waitFor(() => heard.some((c) => c.kind === 'event' && c.event.type === 'custom.barrier'), 2000, 'the barrier');
    assert.deepEqual(
      heard.map((c) => (c.kind === 'event' ? c.event.type : c.kind)),
      ['custom.barrier'],
    );
    stop();
  });
});
