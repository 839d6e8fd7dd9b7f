// Emergency halt on real Redis: a running chain starts nothing new, incoming
// firings are held, and resume replays them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { ADMIN, makeEngine, seedProject, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { testWorkers } from '../helpers/workers.js';

const P = '/api/projects/art';
let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };
let workers: ReturnType<typeof testWorkers>;
const calls: { bg: string[]; atlas: string[] } = { bg: [], atlas: [] };
let release: () => void = () => {};
const gate = new Promise<void>((r) => (release = r));

const worker = (queue: string, fn: (input: Record<string, unknown>) => Promise<unknown>) => workers.add(queue, (job) => fn(job.data.input));

describe('emergency halt', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
    workers = testWorkers(t.prefix);
    await worker('bg_remove', async (input) => {
      calls.bg.push(String(input.variantId));
      await gate;
      return { alphaPaths: [`alpha/${String(input.variantId)}.png`] };
    });
    await worker('pack_atlas', async (input) => {
      calls.atlas.push(JSON.stringify(input.frames));
      return { atlasId: 'atl', pages: ['p.png'] };
    });
    const rule = await t.call(
      'POST',
      `${P}/rules`,
      {
        name: 'cut-out then atlas',
        trigger: { event: 'variant.approved' },
        actions: [
          { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } },
          { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${steps.cutout.output.alphaPaths}' } } },
        ],
      },
      tokens.lead,
    );
    await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'variant.approved', payload: {} } }, tokens.lead);
    assert.equal((await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, tokens.lead)).status, 200);
  });
  after(async () => {
    release();
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN a non-admin THEN halting is refused', async () => {
    assert.equal((await t.call('POST', `${P}/halt`, { reason: 'x' }, tokens.lead)).status, 403);
    assert.equal((await t.call('POST', '/api/halt', { reason: 'x' }, tokens.admin)).status, 403, 'project admin cannot halt everything');
    assert.equal((await t.call('POST', `${P}/halt`, {}, tokens.admin)).status, 400, 'a reason is required');
  });

  it('GIVEN a halt during a running chain THEN nothing new starts, new firings are held, and resume replays them', async () => {
    await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' }, tokens.artist);
    await waitFor(() => calls.bg.includes('hero-v1'), 10_000, 'first cut-out running');
    const halted = await t.call('POST', `${P}/halt`, { reason: 'GPU bill' }, tokens.admin);
    assert.equal(halted.status, 200, JSON.stringify(halted.body));
    assert.equal((await t.call('POST', `${P}/halt`, { reason: 'again' }, tokens.admin)).status, 409);

    const held = await t.call('POST', `${P}/variants/hero-v2/review`, { decision: 'approve' }, tokens.artist);
    assert.equal(held.status, 200, 'reviews are still accepted');
    await waitFor(
      async () => (await t.call('GET', `${P}/halts`, undefined, tokens.artist)).body.halts[0]?.held === 1,
      10_000,
      'event held',
    );
    release();
    const running = () => t.door.runs.list('art', {}).find((r) => r.status === 'running')!;
    await waitFor(() => t.door.runs.steps(running().id)[0]!.status === 'succeeded', 10_000, 'in-flight job finished');
    // No pause needed: the unit that marked the cut-out succeeded also decided the next step, in the same
    // transaction, and a job is submitted only for a step marked running, so 'pending' here is final.
    assert.deepEqual(calls.atlas, [], 'no new step starts while halted');
    assert.equal(t.door.runs.steps(running().id)[1]!.status, 'pending');
    assert.deepEqual(calls.bg, ['hero-v1'], 'the held firing did not run');

    const resumed = await t.call('POST', `${P}/resume`, {}, tokens.admin);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.replayed, 1);
    await waitFor(() => t.door.runs.list('art', {}).filter((r) => r.status === 'succeeded').length === 2, 15_000, 'both runs done');
    assert.deepEqual(calls.bg, ['hero-v1', 'hero-v2']);
    assert.equal(calls.atlas.length, 2);
    const audit = t.door.sql.prepare("SELECT action, actor FROM audit_log WHERE action IN ('halt', 'resume') ORDER BY seq").all() as {
      action: string;
    }[];
    assert.deepEqual(
      audit.map((a) => a.action),
      ['halt', 'resume'],
    );
  });

  it('GIVEN a halt with discard on resume THEN held firings are cancelled, not run', async () => {
    await t.call('POST', `${P}/halt`, { reason: 'bad batch' }, tokens.admin);
    await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve', idempotencyKey: 'again-1' }, tokens.artist);
    await waitFor(() => t.door.runs.list('art', { status: 'halted' }).length === 1, 10_000, 'held');
    const resumed = await t.call('POST', `${P}/resume`, { discard: true }, tokens.admin);
    assert.equal(resumed.body.discarded, 1);
    assert.equal(t.door.runs.list('art', { status: 'cancelled' }).length, 1);
    assert.equal(calls.bg.length, 2);
  });

  it('GIVEN a global halt THEN every worker queue is paused until resume', async () => {
    assert.equal((await t.call('POST', '/api/halt', { reason: 'all stop' }, ADMIN)).status, 200);
    const q = new Queue('bg_remove', { connection: workers.conns[0]!, prefix: t.prefix });
    assert.equal(await q.isPaused(), true);
    assert.equal((await t.call('GET', '/api/halts', undefined, ADMIN)).body.halts.length, 1);
    assert.equal((await t.call('POST', '/api/resume', {}, ADMIN)).status, 200);
    assert.equal(await q.isPaused(), false);
    await q.close();
  });
});
