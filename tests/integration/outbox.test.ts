// Outbox replay: events posted while Redis is down are stored, answered 202,
// and published once Redis is back — none lost, none doubled.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startPrivateRedis, type PrivateRedis } from '../../engine/testing.js';
import { makeEngine, seedProject, waitFor, type TestEngine } from '../helpers/engine.js';

describe('event outbox', () => {
  let redis: PrivateRedis | null = null;
  let t: TestEngine | null = null;
  after(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('GIVEN Redis stops mid-stream THEN events are still accepted and are published, once each, when it is back', async () => {
    const dir = path.join(os.tmpdir(), `gl-outbox-${randomBytes(4).toString('hex')}`);
    redis = await startPrivateRedis(dir);
    t = await makeEngine({ redisUrl: redis.url });
    const { tokens } = await seedProject(t);
    const post = (n: number) =>
      t!.call(
        'POST',
        '/api/projects/art/automation/events',
        { type: 'custom.tick', payload: { n }, idempotencyKey: `tick-${n}` },
        tokens.lead,
      );
    const unpublished = () => (t!.door.sql.prepare('SELECT count(*) AS n FROM events WHERE published_at IS NULL').get() as { n: number }).n;

    const first = await post(0);
    assert.equal(first.status, 202);
    await waitFor(() => unpublished() === 0, 5000, 'first event published');

    await redis.stop();
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) {
      const res = await post(n);
      assert.equal(res.status, 202, 'accepted while Redis is down');
      ids.push(res.body.id);
    }
    assert.equal((await post(3)).body.id, ids[2], 'idempotent while down too');
    await waitFor(() => t!.door.outbox.failing, 5000, 'outbox notices Redis is gone');
    assert.equal(unpublished(), 5);
    assert.equal((await t.call('GET', '/healthz', undefined, null)).status, 503);

    redis = await startPrivateRedis(dir, { port: redis.port });
    const back = Date.now();
    await waitFor(() => unpublished() === 0, 15_000, 'held events published after Redis returned');
    const recoveryMs = Date.now() - back;
    // Prioritized (fair shares between projects), in the order they will be taken; what waited goes as one job.
    const jobs = await t.door.queues!.events.getJobs(['prioritized'], 0, 100, true);
    assert.equal(jobs.length, 2, 'the first event, then the five held ones in one job');
    assert.deepEqual(
      jobs.flatMap((j) => j.data.events.map((e) => e.eventId)),
      [first.body.id, ...ids],
      'every event on the queue once, in order',
    );
    assert.ok(recoveryMs < 15_000);
    console.log(`outbox recovery after Redis restart: ${recoveryMs} ms`);
  });
});
