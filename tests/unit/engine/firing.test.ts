// Firing a run of one project's events (one events-queue job): a few per unit, in order, and one event that
// cannot be handled does not hold its neighbours — they fire in units of their own, then its error goes back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { buildEventRow } from '../../../engine/events/intake.js';
import { systemClock } from '../../../engine/ids.js';
import { createFiring, EventsFailed } from '../../../engine/runs/firing.js';
import { createUnits } from '../../../engine/runs/units.js';
import { openDb } from '../../../engine/store/db.js';
import { createStore } from '../../../engine/store/store.js';

function setup(poison: number | null, failAfterCommitAt: number | null = null) {
  const db = openDb(':memory:');
  const store = createStore({ db, clock: systemClock, onListenerError: (err) => assert.fail(err as Error) });
  store.projects.create({ id: 'p', name: 'P' }, 'test');
  const ids = Array.from(
    { length: 20 },
    (_, n) =>
      store.events.insert(buildEventRow('p', { type: `custom.e${n}`, payload: {} }, { kind: 'engine', id: 't' }, 'api', Date.now())).row.id,
  );
  const { unit } = createUnits({
    store,
    onStored: () => {},
    submit: async () => {},
    submitMany: async () => {},
    runAction: async () => null,
    stepFinished: async () => {},
    backToPending: () => {},
  });
  /** The events each committed unit handled, unit by unit. */
  const units: string[][] = [];
  let handling: string[] = [];
  const firing = createFiring({
    store,
    logger: pino({ level: 'silent' }),
    unit: async (work) => {
      handling = [];
      // A unit whose effects fail after its commit (a submit with Redis away): the real units' wrapper sees it.
      await unit((fx) => {
        work(fx);
        if (failAfterCommitAt !== null && handling.includes(ids[failAfterCommitAt]!))
          fx.after.push({ kind: 'later', run: () => Promise.reject(new Error('redis away')) });
      });
      units.push(handling.map((id) => `e${ids.indexOf(id)}`));
    },
    eventById: (projectId, id) => store.events.get(projectId, id),
    manualRuleOf: (ev) => {
      if (poison !== null && ev.id === ids[poison]) throw new Error('cannot handle this one');
      handling.push(ev.id);
      return { manual: null, isRoot: true };
    },
    load: () => null,
    resumeNow: () => {},
    admitNow: () => {},
    requestApproval: async () => {},
  });
  return { firing, ids, units };
}

describe('firing a run of events', () => {
  it('GIVEN 20 events in one job THEN they are handled in order, 8 per unit', async () => {
    const { firing, ids, units } = setup(null);
    await firing.processEvents('p', ids);
    assert.deepEqual(
      units.map((u) => u.length),
      [8, 8, 4],
    );
    assert.deepEqual(
      units.flat(),
      ids.map((_, n) => `e${n}`),
    );
  });

  it("GIVEN a job of several units THEN other work (requests, Redis replies) gets a turn of the event loop between them: a flood's job never holds the thread for all its events", async () => {
    const { firing, ids, units } = setup(null);
    let seen: number | undefined;
    const done = firing.processEvents('p', ids);
    // Queued as the job starts: it runs at the next turn of the loop, which must come before the job's last unit.
    setImmediate(() => (seen = units.length));
    await done;
    assert.equal(seen, 1, 'it ran after the first unit, before the other two');
    assert.equal(units.length, 3);
  });

  it('GIVEN one event of the job that cannot be handled THEN every other one is handled once and its error goes back to the queue', async () => {
    const { firing, ids, units } = setup(10);
    await assert.rejects(firing.processEvents('p', ids), /cannot handle this one/);
    assert.deepEqual(
      units.flat().sort(),
      ids
        .map((_, n) => `e${n}`)
        .filter((e) => e !== 'e10')
        .sort(),
      'each of the other 19 once',
    );
    // The unit holding it (e8-e15) rolled back; those went again one per unit, then the rest as usual.
    assert.deepEqual(units, [
      ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'],
      ['e8'],
      ['e9'],
      ['e11'],
      ['e12'],
      ['e13'],
      ['e14'],
      ['e15'],
      ['e16', 'e17', 'e18', 'e19'],
    ]);
  });

  it('GIVEN a unit whose effects fail after it committed (Redis away) THEN nothing is handled twice: the job stops there and names the rest for its retry', async () => {
    const { firing, ids, units } = setup(null, 10);
    const err = await firing.processEvents('p', ids).then(
      () => assert.fail('expected it to throw'),
      (e: unknown) => e as EventsFailed,
    );
    assert.ok(err instanceof EventsFailed, String(err));
    assert.match(err.message, /redis away/);
    assert.equal(units.length, 1, 'the first unit committed; the second (holding e10) failed after its commit; no unit after');
    assert.deepEqual(
      err.eventIds,
      ids.slice(8),
      'its retry handles e8-e19: e8-e15 committed but their effects were not all performed (a redelivery carries them on)',
    );
  });

  it('GIVEN one bad event THEN the error names only it for the retry', async () => {
    const { firing, ids } = setup(10);
    const err = (await firing.processEvents('p', ids).catch((e: unknown) => e)) as EventsFailed;
    assert.deepEqual(err.eventIds, [ids[10]]);
  });
});
