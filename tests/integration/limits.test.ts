// Per-project concurrency: extra runs wait ('planned'), are never dropped, and
// the limit is never exceeded — measured on the jobs themselves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeEngine, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { testWorkers } from '../helpers/workers.js';

let t: TestEngine;
let workers: ReturnType<typeof testWorkers>;
let active = 0;
let maxActive = 0;
let maxRunning = 0;

describe('per-project limits', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    assert.equal(
      (await t.call('POST', '/api/projects', { id: 'lim', name: 'Limited', settings: { limits: { maxConcurrentRuns: 2 } } })).status,
      201,
    );
    workers = testWorkers(t.prefix);
    await workers.add(
      'export',
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 150));
        active--;
        return { exportId: 'e', bundlePath: 'b.zip' };
      },
      { concurrency: 10 },
    );
  });
  after(async () => {
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN maxConcurrentRuns 2 and 6 firings at once THEN at most 2 run at a time and all 6 finish', async () => {
    const rule = await t.call('POST', '/api/projects/lim/rules', {
      name: 'export',
      trigger: { event: 'custom.go' },
      actions: [{ type: 'export', config: { assetIds: ['a'] } }],
    });
    await t.call('POST', `/api/projects/lim/rules/${rule.body.id}/dry-run`, { event: { type: 'custom.go', payload: {} } });
    await t.call('POST', `/api/projects/lim/rules/${rule.body.id}/enable`);
    const sampler = setInterval(() => (maxRunning = Math.max(maxRunning, t.door.runs.countRunning('lim'))), 5);
    let sawWaiting = false;
    const watcher = setInterval(() => (sawWaiting ||= t.door.runs.list('lim', { status: 'planned' }).length > 0), 5);
    for (let i = 0; i < 6; i++)
      assert.equal((await t.call('POST', '/api/projects/lim/automation/events', { type: 'custom.go', payload: { i } })).status, 202);
    await waitFor(() => t.door.runs.list('lim', { status: 'succeeded' }).length === 6, 20_000, 'all six runs');
    clearInterval(sampler);
    clearInterval(watcher);
    assert.equal(maxActive, 2, `jobs in flight at once: ${maxActive}`);
    assert.ok(maxRunning <= 2, `running runs at once: ${maxRunning}`);
    assert.ok(sawWaiting, 'extra runs waited as planned');
  });
});
