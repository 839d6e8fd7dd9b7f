// The engine's events consumer on a real Redis with BullMQ: when handling a run
// of events fails for some of them, the job's retry carries only those (the rest
// are done, and deciding them again could differ after a rule edit).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startEngineConsumers } from '../../../engine/queue/jobs.js';
import { createQueues, type EventJobData, type EventRef } from '../../../engine/queue/queues.js';
import { EventsFailed } from '../../../engine/runs/firing.js';
import { stopTestRedis, testRedis, waitFor } from '../../helpers/engine.js';

const refs = (n: number): EventRef[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `evt_${i + 1}`, projectId: 'p', type: 'custom.x', seq: i + 1 }));

/** An events consumer whose handler answers each attempt with `answer(attempt, data)`; every job it saw, in order. */
async function consumer(answer: (attempt: number, data: EventJobData) => void) {
  const connection = new Redis((await testRedis()).url, { maxRetriesPerRequest: null });
  const prefix = `gl-consumer-${randomBytes(3).toString('hex')}`;
  const seen: EventJobData[] = [];
  const errors: string[] = [];
  const unexpected = async () => assert.fail('only events are handled here');
  const consumers = startEngineConsumers(
    connection,
    prefix,
    {
      onEvent: async (data) => {
        const run = data as EventJobData;
        seen.push(structuredClone(run));
        answer(seen.length, run);
      },
      onStepDone: unexpected,
      onWebhook: unexpected,
      onNotify: unexpected,
    },
    (err, where) => errors.push(`${where}: ${err.message}`),
  );
  const queues = createQueues(connection, prefix);
  return {
    seen,
    errors,
    publish: (batch: EventRef[]) => queues.publishEvents(batch),
    state: (jobId: string) => queues.events.getJobState(jobId),
    async close() {
      await consumers.close();
      await queues.close();
      connection.disconnect();
    },
  };
}

describe('events consumer', () => {
  after(() => stopTestRedis());

  it('GIVEN a run of 3 events whose second fails THEN the retry carries only the second, and it succeeds', async () => {
    const c = await consumer((attempt) => {
      if (attempt === 1) throw new EventsFailed(['evt_2'], new Error('rule store busy'));
    });
    try {
      await c.publish(refs(3));
      await waitFor(() => c.seen.length === 2, 10_000, 'the retry');
      assert.deepEqual(
        c.seen.map((d) => d.events.map((e) => e.eventId)),
        [['evt_1', 'evt_2', 'evt_3'], ['evt_2']],
      );
      assert.deepEqual(c.seen[1], { projectId: 'p', events: [{ eventId: 'evt_2', type: 'custom.x', seq: 2 }] });
      // No third attempt: the narrowed retry succeeded, and the job is done.
      await waitFor(async () => (await c.state('evt_1.evt_3.3')) === 'completed', 5000, 'the job completed');
      assert.equal(c.seen.length, 2);
      // The one failure is logged; narrowing it did not fail.
      assert.deepEqual(c.errors, ['event evt_1.evt_3.3: rule store busy']);
    } finally {
      await c.close();
    }
  });

  it('GIVEN a failure that names no event, or names all of them THEN the retry carries the whole run again', async () => {
    const c = await consumer((attempt, data) => {
      if (attempt === 1) throw new Error('no event named');
      if (attempt === 2)
        throw new EventsFailed(
          data.events.map((e) => e.eventId),
          new Error('all of them'),
        );
    });
    try {
      await c.publish(refs(2));
      await waitFor(() => c.seen.length === 3, 10_000, 'two retries');
      const ids = c.seen.map((d) => d.events.map((e) => e.eventId));
      assert.deepEqual(ids, [
        ['evt_1', 'evt_2'],
        ['evt_1', 'evt_2'],
        ['evt_1', 'evt_2'],
      ]);
    } finally {
      await c.close();
    }
  });
});
