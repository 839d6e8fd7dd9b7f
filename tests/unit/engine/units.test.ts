// Units of runner work on a real SQLite database: writes commit together or
// not at all, stored events are announced only after the commit, and a failed
// job submit puts its step and every later one back to pending.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEventRow } from '../../../engine/events/intake.js';
import { createUnits, type Effect } from '../../../engine/runs/units.js';
import { openDb } from '../../../engine/store/db.js';
import type { EventRow } from '../../../engine/store/events.js';
import { createStore } from '../../../engine/store/store.js';
import { systemClock } from '../../../engine/ids.js';

function setup(submit: (jobId: string) => Promise<void> = async () => {}) {
  const db = openDb(':memory:');
  const store = createStore({ db, clock: systemClock, onListenerError: (err) => assert.fail(err as Error) });
  store.projects.create({ id: 'p', name: 'P' }, 'test');
  const events = store.events;
  const log: string[] = [];
  const units = createUnits({
    store,
    onStored: (_source, row) => log.push(`stored ${row!.type} (in db: ${events.get('p', row!.id) ? 'yes' : 'no'})`),
    submit: async (_type, jobId) => {
      log.push(`submit ${jobId}`);
      await submit(jobId);
    },
    submitMany: async (items) => {
      log.push(`submit together ${items.map((i) => i.jobId).join(' ')}`);
      for (const i of items) await submit(i.jobId);
    },
    runAction: async (e) => `ran ${e.stepId}`,
    stepFinished: async (_run, stepId, _job, output) => void log.push(`finished ${stepId}: ${String(output)}`),
    backToPending: (_run, stepId, why) => log.push(`pending ${stepId}: ${why}`),
  });
  const storeEvent = (type: string) =>
    events.insert(buildEventRow('p', { type, payload: {} }, { kind: 'engine', id: 't' }, 'engine', Date.now()));
  const count = () => events.count('p');
  return { units, log, store: storeEvent, count };
}

const submit = (stepId: string, ensure = false): Effect => ({
  kind: 'submit',
  ...(ensure ? { ensure } : {}),
  runId: 'r',
  stepId,
  jobType: 'bg_remove',
  jobId: `job-${stepId}`,
  data: { projectId: 'p', runId: 'r', stepId, input: {} },
});

describe('runner units', () => {
  it('GIVEN a unit that stores events and leaves effects THEN hooks hear of the rows once committed, then effects run in order', async () => {
    const { units, log, store } = setup();
    await units.unit((fx) => {
      fx.stored.push(store('run.started').row as EventRow);
      fx.after.push(
        submit('a'),
        {
          kind: 'engine',
          runId: 'r',
          stepId: 'b',
          jobId: 'job-b',
          projectId: 'p',
          config: {},
          action: { id: 'b', type: 'notify', config: {} } as never,
        },
        { kind: 'later', run: () => void log.push('later') },
      );
      log.push('work done');
    });
    assert.deepEqual(log, ['work done', 'stored run.started (in db: yes)', 'submit job-a', 'finished b: ran b', 'later']);
  });

  it('GIVEN work that throws THEN nothing it wrote stays, no hook hears of it and no effect runs', async () => {
    const { units, log, store, count } = setup();
    await assert.rejects(
      units.unit((fx) => {
        fx.stored.push(store('run.started').row as EventRow);
        fx.after.push(submit('a'));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(count(), 0);
    assert.deepEqual(log, []);
  });

  const engineStep = (stepId: string): Effect => ({
    kind: 'engine',
    runId: 'r',
    stepId,
    jobId: `job-${stepId}`,
    projectId: 'p',
    config: {},
    action: { id: stepId, type: 'apply_tags', config: {} } as never,
  });

  it('GIVEN submits side by side THEN they go to Redis together, in order around other effects, and a resubmit (ensure) goes alone', async () => {
    const { units, log } = setup();
    await units.unit((fx) => void fx.after.push(submit('a'), submit('b'), engineStep('x'), submit('c'), submit('d', true), submit('e')));
    assert.deepEqual(log, ['submit together job-a job-b', 'finished x: ran x', 'submit job-c', 'submit job-d', 'submit job-e']);
  });

  it('GIVEN a submit that fails THEN its steps and every later one go back to pending, those already in Redis stay, and the error reaches the caller (its job retries)', async () => {
    const { units, log } = setup(async (jobId) => {
      if (jobId === 'job-c') throw new Error('redis away');
    });
    await assert.rejects(
      units.unit((fx) => void fx.after.push(submit('a'), engineStep('x'), submit('b'), submit('c'), engineStep('y'), submit('d'))),
      /redis away/,
    );
    assert.deepEqual(log, [
      'submit job-a',
      'finished x: ran x',
      'submit together job-b job-c',
      'pending b: submit failed, will retry: redis away',
      'pending c: submit failed, will retry: redis away',
      'pending y: submit failed, will retry: redis away',
      'pending d: submit failed, will retry: redis away',
    ]);
  });
});
