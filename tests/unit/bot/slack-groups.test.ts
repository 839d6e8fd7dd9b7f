// The Slack bot's user-group cache: answers from memory only, one lookup per
// group at a time, stale entries used while they refresh, and a failed or
// late lookup changes nothing. Clock and timers are driven by the test.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { pino } from 'pino';
import { createGroupCache } from '../../../bot/slack/groups.js';

const MIN = 60_000;

function setup(answer: (group: string) => Promise<string[]>, o: { timeoutMs?: number } = {}) {
  let now = 1_000_000;
  const asked: string[] = [];
  const cache = createGroupCache({
    lookup: (g) => (asked.push(g), answer(g)),
    now: () => now,
    logger: pino({ level: 'silent' }),
    freshMs: 5 * MIN,
    maxAgeMs: 60 * MIN,
    ...o,
  });
  return { cache, asked, advance: (ms: number) => void (now += ms) };
}

describe('Slack user-group cache', () => {
  afterEach(() => mock.timers.reset());

  it('GIVEN an empty cache THEN it answers at once, unsure, and one lookup serves every asker; after it the answer needs no lookup', async () => {
    const { cache, asked } = setup(async () => ['U1']);
    assert.deepEqual(cache.known('U1', ['S1']), { groups: [], unsure: ['S1'] });
    assert.deepEqual(cache.known('U2', ['S1']), { groups: [], unsure: ['S1'] });
    assert.deepEqual(await cache.refresh(['S1']), { failed: [] });
    assert.deepEqual(asked, ['S1']);
    assert.deepEqual(cache.known('U1', ['S1']), { groups: ['S1'], unsure: [] });
    assert.deepEqual(cache.known('U2', ['S1']), { groups: [], unsure: [] });
    assert.deepEqual(asked, ['S1']);
  });

  it('GIVEN an entry past freshMs THEN it is still used while it refreshes; past maxAgeMs THEN it is not used', async () => {
    const members = [['U1'], ['U2'], ['U2']];
    const { cache, asked, advance } = setup(async () => members.shift()!);
    await cache.refresh(['S1']);
    advance(6 * MIN);
    assert.deepEqual(cache.known('U1', ['S1']), { groups: ['S1'], unsure: ['S1'] });
    await cache.idle();
    assert.deepEqual(cache.known('U1', ['S1']), { groups: [], unsure: [] }, 'the refresh replaced the entry');
    advance(61 * MIN);
    assert.deepEqual(cache.known('U2', ['S1'], false), { groups: [], unsure: ['S1'] });
    assert.equal(asked.length, 2, 'known(…, false) started no lookup');
  });

  it('GIVEN a lookup that fails or outlasts timeoutMs THEN the cache keeps what it had and refresh says which failed', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const answers: (() => Promise<string[]>)[] = [
      async () => ['U1'],
      async () => {
        throw new Error('ratelimited');
      },
      () => new Promise<string[]>(() => {}),
    ];
    const { cache, advance } = setup(() => answers.shift()!(), { timeoutMs: 2000 });
    await cache.refresh(['S1']);
    advance(6 * MIN);
    assert.deepEqual(await cache.refresh(['S1']), { failed: ['S1'] });
    assert.deepEqual(cache.known('U1', ['S1'], false).groups, ['S1']);
    const late = cache.refresh(['S1']);
    await Promise.resolve();
    mock.timers.tick(2000);
    assert.deepEqual(await late, { failed: ['S1'] });
    assert.deepEqual(cache.known('U1', ['S1'], false).groups, ['S1']);
  });

  it('GIVEN maxAgeMs below freshMs or no timeout THEN it refuses to build, naming the option', () => {
    const base = { lookup: async () => [], now: () => 0, logger: pino({ level: 'silent' }) };
    assert.throws(() => createGroupCache({ ...base, freshMs: 10, maxAgeMs: 5 }), /groupLookup\.maxAgeMs/);
    assert.throws(() => createGroupCache({ ...base, timeoutMs: 0 }), /groupLookup\.timeoutMs/);
  });
});
