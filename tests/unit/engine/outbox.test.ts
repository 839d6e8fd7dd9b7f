// The outbox on a real SQLite database with a publish we hold: a project whose batch is on its way does not
// hold another project's events, and each project's events still go out in order, one batch at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { buildEventRow } from '../../../engine/events/intake.js';
import { createOutbox } from '../../../engine/events/outbox.js';
import { systemClock } from '../../../engine/ids.js';
import type { EventJobData } from '../../../engine/queue/queues.js';
import { openDb } from '../../../engine/store/db.js';
import { createStore } from '../../../engine/store/store.js';
import { waitFor } from '../../helpers/engine.js';

function setup() {
  const db = openDb(':memory:');
  const store = createStore({ db, clock: systemClock, onListenerError: (err) => assert.fail(err as Error) });
  for (const id of ['flood', 'quiet']) store.projects.create({ id, name: id }, 'test');
  /** Each publish call, held until the test lets it go. */
  const calls: { batch: string[]; release(): void }[] = [];
  const outbox = createOutbox({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    publish: (batch: EventJobData[]) =>
      new Promise<void>((resolve) => calls.push({ batch: batch.map((e) => `${e.projectId} ${e.type}`), release: resolve })),
  });
  const put = (projectId: string, type: string) => {
    store.events.insert(buildEventRow(projectId, { type, payload: {} }, { kind: 'engine', id: 't' }, 'test', Date.now()));
    outbox.kick(projectId);
  };
  const pending = () => store.events.unpublished(100).map((r) => `${r.projectId} ${r.type}`);
  return { outbox, calls, put, pending };
}

describe('event outbox', () => {
  it('GIVEN a flooding project’s batch on its way THEN a quiet project’s event goes out at once in a batch of its own, and the flood’s next events wait for their batch, in order', async () => {
    const { outbox, calls, put, pending } = setup();
    put('flood', 'f1');
    put('flood', 'f2');
    assert.deepEqual(
      calls.map((c) => c.batch),
      [['flood f1']],
    );
    put('flood', 'f3');
    put('quiet', 'q1');
    put('flood', 'f4');
    // The quiet project's event is published beside the flood's batch, not after it.
    assert.deepEqual(
      calls.map((c) => c.batch),
      [['flood f1'], ['quiet q1']],
    );
    calls[1]!.release();
    await waitFor(() => !pending().includes('quiet q1'), 2000, 'the quiet event marked published');
    assert.deepEqual(pending(), ['flood f1', 'flood f2', 'flood f3', 'flood f4']);
    // Once the flood's batch is out, the rest of its events follow in one batch, in order.
    calls[0]!.release();
    await waitFor(() => calls.length === 3, 2000, 'the flood’s next batch');
    assert.deepEqual(calls[2]!.batch, ['flood f2', 'flood f3', 'flood f4']);
    calls[2]!.release();
    await outbox.drain();
    assert.deepEqual(pending(), []);
    await outbox.stop();
  });
});
