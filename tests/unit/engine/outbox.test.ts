// The outbox on a real SQLite database with a publish we hold: a project whose batch is on its way does not
// hold another project's events, and each project's events still go out in order, one batch at a time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { buildEventRow } from '../../../engine/events/intake.js';
import { createOutbox } from '../../../engine/events/outbox.js';
import { systemClock } from '../../../engine/ids.js';
import type { EventRef } from '../../../engine/queue/queues.js';
import { openDb } from '../../../engine/store/db.js';
import { createStore } from '../../../engine/store/store.js';
import { waitFor } from '../../helpers/engine.js';

function setup(options: { holdMs?: number; floodRate?: number; floodGapMs?: number; pollMs?: number; held?: boolean } = {}) {
  const db = openDb(':memory:');
  const store = createStore({ db, clock: systemClock, onListenerError: (err) => assert.fail(err as Error) });
  for (const id of ['flood', 'quiet', 'chain']) store.projects.create({ id, name: id }, 'test');
  /** Each publish call, held until the test lets it go. */
  const calls: { batch: string[]; at: number; release(): void }[] = [];
  const outbox = createOutbox({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    publish: (batch: EventRef[]) =>
      new Promise<void>((resolve) => {
        const call = { batch: batch.map((e) => `${e.projectId} ${e.type}`), at: performance.now(), release: resolve };
        calls.push(call);
        if (options.held === false) resolve();
      }),
    ...options,
  });
  const stored = (projectId: string, type: string, source = 'api') =>
    store.events.insert(buildEventRow(projectId, { type, payload: {} }, { kind: 'engine', id: 't' }, source, Date.now()));
  const put = (projectId: string, type: string, source = 'api') => {
    stored(projectId, type, source);
    outbox.kick(projectId, source);
  };
  const pending = () => store.events.unpublished(100).map((r) => `${r.projectId} ${r.type}`);
  return { outbox, calls, put, stored, pending };
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

  it('GIVEN the consumer runs here THEN a project whose batch it is still handling waits for the settle and then sends what piled up as one batch; others do not wait', async () => {
    const { outbox, calls, put, pending } = setup({ held: false, pollMs: 10_000, holdMs: 10_000 });
    outbox.start({ hold: true });
    put('flood', 'f1');
    await waitFor(() => !pending().includes('flood f1'), 2000, 'f1 published');
    put('flood', 'f2');
    put('flood', 'f3');
    put('quiet', 'q1');
    await waitFor(() => !pending().includes('quiet q1'), 2000, 'q1 published while flood is held');
    assert.deepEqual(pending(), ['flood f2', 'flood f3']);
    outbox.settled('flood');
    await waitFor(() => pending().length === 0, 2000, 'the flood’s next batch');
    assert.deepEqual(
      calls.map((c) => c.batch),
      [['flood f1'], ['quiet q1'], ['flood f2', 'flood f3']],
    );
    await outbox.stop();
  });

  it('GIVEN a settle that never comes THEN the hold lapses after holdMs and the events still go out, with no poll to find them', async () => {
    const { outbox, put, pending } = setup({ held: false, holdMs: 300, pollMs: 60_000 });
    outbox.start({ hold: true });
    put('flood', 'f1');
    await waitFor(() => pending().length === 0, 2000, 'f1 published');
    put('flood', 'f2');
    assert.deepEqual(pending(), ['flood f2'], 'held while f1 is (as far as the outbox knows) being handled');
    await waitFor(() => pending().length === 0, 3000, 'f2 published once the hold lapsed');
    await outbox.stop();
  });

  it('GIVEN a backlog of 150 events of one project while holding THEN they go out 64 at a time, one job’s worth per settle, in order', async () => {
    const { outbox, calls, stored, pending } = setup({ held: false, pollMs: 60_000, holdMs: 60_000 });
    for (let i = 0; i < 150; i++) stored('flood', `f${i}`); // stored before the outbox starts (Redis was away)
    outbox.start({ hold: true });
    await waitFor(() => calls.length === 1, 2000, 'the first batch');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls.length, 1, 'nothing more until it is handled');
    outbox.settled('flood');
    await waitFor(() => calls.length === 2, 2000, 'the second batch');
    outbox.settled('flood');
    await waitFor(() => pending().length === 0, 2000, 'the rest');
    assert.deepEqual(
      calls.map((c) => c.batch.length),
      [64, 64, 22],
    );
    assert.deepEqual(
      calls.flatMap((c) => c.batch),
      Array.from({ length: 150 }, (_, i) => `flood f${i}`),
    );
    await outbox.stop();
  });

  it('GIVEN a project posting faster than floodRate while others use the engine THEN it sends at most one batch per floodGapMs, in order, while a quiet project and engine-emitted events below the rate go out at once', async () => {
    const { outbox, calls, put, pending } = setup({ held: false, floodRate: 10, floodGapMs: 100, pollMs: 10_000 });
    outbox.start();
    // Engine-emitted events do not make a flood (and this project is the other one using the engine).
    for (let i = 0; i < 40; i++) {
      put('chain', `c${i}`, 'engine');
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => pending().length === 0, 2000, 'chain events published');
    assert.equal(calls.length, 40, 'each engine-emitted event went at once');
    calls.length = 0;
    // 200 a second, one every 5 ms; a quiet event in the middle of it.
    for (let i = 0; i < 60; i++) {
      put('flood', `f${i}`);
      if (i % 10 === 5) {
        put('quiet', `q${i}`);
        assert.ok(
          calls.some((c) => c.batch.includes(`quiet q${i}`)),
          'the quiet event went out at once',
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => pending().length === 0, 3000, 'the flood published');
    const flood = calls.filter((c) => c.batch[0]!.startsWith('flood'));
    // Below the rate (the first ~15 events: 10/s ÷ ln 2) each goes alone; past it, batches a gap apart.
    const batched = flood.filter((c) => c.batch.length > 1);
    assert.ok(batched.length >= 1 && flood.length < 40, `${flood.length} flood batches: ${flood.map((c) => c.batch.length).join(',')}`);
    for (let i = 1; i < batched.length; i++)
      assert.ok(batched[i]!.at - batched[i - 1]!.at >= 95, `batches ${(batched[i]!.at - batched[i - 1]!.at).toFixed(0)} ms apart`);
    assert.deepEqual(
      flood.flatMap((c) => c.batch),
      Array.from({ length: 60 }, (_, i) => `flood f${i}`),
      'every flood event once, in order',
    );
    await outbox.stop();
  });

  it('GIVEN a project posting faster than floodRate with no other project about THEN nothing waits: each event goes out at once', async () => {
    const { outbox, calls, put, pending } = setup({ held: false, floodRate: 20, floodGapMs: 100, pollMs: 10_000 });
    outbox.start();
    for (let i = 0; i < 60; i++) {
      put('flood', `f${i}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => pending().length === 0, 2000, 'the flood published');
    assert.equal(calls.length, 60, `batches: ${calls.map((c) => c.batch.length).join(',')}`);
    await outbox.stop();
  });
});
