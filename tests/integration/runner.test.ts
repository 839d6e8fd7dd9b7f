// The runner on real Redis and SQLite: rules fire on stored events, job steps
// run as BullMQ flows on small real processors, and finished steps emit the
// events that chain the next rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedRule } from '../helpers/rules.js';
import { makeEngine, seedProject, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { testWorkers } from '../helpers/workers.js';

const P = '/api/projects/art';
let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };
let workers: ReturnType<typeof testWorkers>;
const seen: Record<string, Record<string, unknown>[]> = { bg_remove: [], pack_atlas: [], export: [], eval_grid: [] };

const processor = (queue: string, fn: (input: Record<string, unknown>) => unknown) => workers.add(queue, (job) => fn(job.data.input));

async function enabledRule(body: unknown, sample: unknown): Promise<string> {
  const created = await t.call('POST', `${P}/rules`, body, tokens.lead);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await t.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: sample }, tokens.lead)).status, 200);
  assert.equal((await t.call('POST', `${P}/rules/${created.body.id}/enable`, undefined, tokens.lead)).status, 200);
  return created.body.id;
}

const stored = (where: string, ...args: unknown[]) =>
  t.door.sql.prepare(`SELECT * FROM events WHERE ${where} ORDER BY seq`).all(...args) as {
    id: string;
    type: string;
    depth: number;
    causation_id: string;
  }[];

describe('runner', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
    workers = testWorkers(t.prefix);
    await processor('bg_remove', (input) => {
      seen.bg_remove!.push(input);
      return { alphaPaths: [`alpha/${String(input.variantId)}.png`] };
    });
    await processor('pack_atlas', (input) => {
      seen.pack_atlas!.push(input);
      return { atlasId: 'atl-hero', pages: ['atlas-0.png'] };
    });
    await processor('export', (input) => {
      seen.export!.push(input);
      return { exportId: 'exp-1', bundlePath: 'exports/exp-1/bundle.zip' };
    });
    await processor('eval_grid', (input) => {
      seen.eval_grid!.push(input);
      return { sheetPath: 'eval/sheet.png' };
    });
  });
  after(async () => {
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN the MVP rule "variant approved → bg_remove → pack_atlas" THEN approving runs both jobs in order and chains their events', async () => {
    const ruleId = await enabledRule(
      { ...seedRule, debounceMs: 0 },
      { type: 'variant.approved', subject: { kind: 'variant', id: 'hero-v1' }, payload: { assetId: 'hero', tags: ['quality:high'] } },
    );
    const review = await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve', tags: ['quality:high'] }, tokens.artist);
    assert.equal(review.status, 200);
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 15_000, 'run succeeded');
    const [run] = t.door.runs.list('art', { ruleId });
    assert.equal(run!.eventId, review.body.eventId);
    assert.deepEqual(seen.bg_remove, [{ assetId: 'hero', variantId: 'hero-v1' }]);
    assert.deepEqual(seen.pack_atlas, [{ assetIds: ['hero'], frames: ['alpha/hero-v1.png'] }]);
    const steps = t.door.runs.steps(run!.id);
    assert.deepEqual(
      steps.map((s) => [s.stepId, s.status]),
      [
        ['cutout', 'succeeded'],
        ['atlas', 'succeeded'],
      ],
    );
    assert.deepEqual(steps[0]!.jobIds, [`${ruleId}.${review.body.eventId}.cutout`]);
    const chained = stored('causation_id = ?', review.body.eventId).map((e) => [e.type, e.depth]);
    for (const expected of [
      ['run.started', 1],
      ['job.completed', 1],
      ['bg_remove.completed', 1],
      ['atlas.ready', 1],
      ['run.step.completed', 1],
      ['run.completed', 1],
    ])
      assert.ok(
        chained.some((c) => c[0] === expected[0] && c[1] === expected[1]),
        `${expected[0]} in ${JSON.stringify(chained)}`,
      );
  });

  it('GIVEN the same event delivered 4 times THEN there is one run and one set of jobs', async () => {
    const before = { bg: seen.bg_remove!.length, runs: t.door.runs.list('art', {}).length };
    const review = await t.call('POST', `${P}/variants/hero-v2/review`, { decision: 'approve', tags: ['quality:high'] }, tokens.artist);
    await Promise.all([1, 2, 3].map(() => t.door.runner!.processEvent('art', review.body.eventId)));
    await waitFor(
      () =>
        t.door.runs
          .list('art', {})
          .filter((r) => r.eventId === review.body.eventId)
          .every((r) => r.status === 'succeeded'),
      15_000,
      'run done',
    );
    await t.door.runner!.processEvent('art', review.body.eventId);
    const runsForEvent = t.door.runs.list('art', {}).filter((r) => r.eventId === review.body.eventId);
    assert.equal(runsForEvent.length, 1);
    assert.equal(seen.bg_remove!.length, before.bg + 1);
    assert.equal(t.door.runs.list('art', {}).length, before.runs + 1);
  });

  it('GIVEN two rules that trigger each other THEN the chain stops at depth 10 with the stop recorded, as dry-run predicted', async () => {
    const a = await enabledRule(
      {
        name: 'status on tag',
        trigger: { event: 'variant.tagged' },
        actions: [{ type: 'set_status', config: { variantId: 'hero-v1', status: 'approved' } }],
      },
      { type: 'variant.tagged', subject: { kind: 'variant', id: 'hero-v1' }, payload: {} },
    );
    const b = await enabledRule(
      {
        name: 'tag on status',
        trigger: { event: 'variant.status_changed' },
        actions: [{ type: 'apply_tags', config: { variantId: 'hero-v1', add: ['looped'] } }],
      },
      { type: 'variant.status_changed', subject: { kind: 'variant', id: 'hero-v1' }, payload: {} },
    );
    const sample = { type: 'variant.tagged', subject: { kind: 'variant', id: 'hero-v1' }, payload: { variantId: 'hero-v1' } };
    const plan = await t.call('POST', `${P}/automation/dry-run`, { event: sample }, tokens.lead);
    const ev = await t.call('POST', `${P}/automation/events`, sample, tokens.lead);
    await waitFor(
      () => t.door.runs.list('art', {}).some((r) => r.status === 'skipped' && r.reason?.startsWith('depth_limit')),
      20_000,
      'depth stop',
    );
    const chain = t.door.runs.list('art', { limit: 1000 }).filter((r) => r.correlationId === ev.body.id);
    const fired = chain.filter((r) => r.status === 'succeeded');
    assert.equal(fired.length, 10);
    assert.equal(Math.max(...fired.map((r) => r.depth)), 9);
    const stop = chain.find((r) => r.status === 'skipped')!;
    assert.equal(stop.depth, 10);
    assert.equal(plan.body.summary.firings, fired.length);
    assert.equal(plan.body.stops.filter((s: { reason: string }) => s.reason === 'depth_limit').length, 1);
    for (const id of [a, b]) await t.call('POST', `${P}/rules/${id}/disable`, undefined, tokens.lead);
  });

  it('GIVEN MVP rule 2 "atlas ready → export" THEN the export runs with the project default profile', async () => {
    const ruleId = await enabledRule(
      {
        name: 'Atlas ready → export',
        trigger: { event: 'atlas_ready' },
        actions: [{ type: 'export', config: { atlasIds: ['${event.payload.atlasId}'], assetIds: '${event.payload.assetIds}' } }],
      },
      { type: 'atlas.ready', subject: { kind: 'atlas', id: 'atl-1' }, payload: { atlasId: 'atl-1', assetIds: ['hero'] } },
    );
    const ev = await t.call(
      'POST',
      `${P}/automation/events`,
      { type: 'atlas_ready', payload: { atlasId: 'atl-1', assetIds: ['hero'] } },
      tokens.lead,
    );
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 15_000, 'export run');
    assert.deepEqual(seen.export!.at(-1), { atlasIds: ['atl-1'], assetIds: ['hero'], profileId: 'custom' });
    assert.ok(stored('causation_id = ? AND type = ?', ev.body.id, 'export.completed').length === 1);
    await t.call('POST', `${P}/rules/${ruleId}/disable`, undefined, tokens.lead);
  });

  it('GIVEN MVP rule 3 "eval grid requested → eval jobs" THEN the costly run waits for an admin, who approves it', async () => {
    const ruleId = await enabledRule(
      {
        name: 'Eval grid',
        trigger: { event: 'eval_grid.requested' },
        actions: [{ type: 'run_eval_grid', config: { prompts: '${event.payload.prompts}', loraId: '${event.payload.loraId}' } }],
      },
      { type: 'eval_grid.requested', payload: { prompts: ['a knight'], loraId: 'lora-1' } },
    );
    const ev = await t.call(
      'POST',
      `${P}/automation/events`,
      { type: 'eval_grid.requested', payload: { prompts: ['a knight', 'a mage'], loraId: 'lora-1' } },
      tokens.lead,
    );
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'awaiting_approval'), 10_000, 'awaiting approval');
    const pending = await t.call('GET', `${P}/approvals`, undefined, tokens.admin);
    assert.equal(pending.status, 200);
    const approval = pending.body.approvals.find((a: { runId: string }) => a.runId === t.door.runs.list('art', { ruleId })[0]!.id);
    assert.ok(approval, 'approval listed');
    assert.equal(seen.eval_grid!.length, 0, 'nothing submitted before approval');
    assert.equal((await t.call('POST', `${P}/approvals/${approval.id}/approve`, undefined, tokens.lead)).status, 403);
    const ok = await t.call('POST', `${P}/approvals/${approval.id}/approve`, undefined, tokens.admin);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'approved');
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 15_000, 'eval run');
    assert.deepEqual(seen.eval_grid!.at(-1), { prompts: ['a knight', 'a mage'], loraId: 'lora-1' });
    assert.equal((await t.call('POST', `${P}/approvals/${approval.id}/deny`, undefined, tokens.admin)).status, 409, 'decided once');
    const detail = await t.call('GET', `${P}/runs/${approval.runId}`, undefined, tokens.artist);
    assert.equal(detail.body.event.id, ev.body.id);
    assert.equal(detail.body.approval.decidedBy.startsWith('token:'), true);
    assert.deepEqual(
      detail.body.steps.map((s: { status: string }) => s.status),
      ['succeeded'],
    );

    // Deny: the run is cancelled and nothing is submitted.
    const before = seen.eval_grid!.length;
    await t.call('POST', `${P}/automation/events`, { type: 'eval_grid.requested', payload: { prompts: ['x'] } }, tokens.lead);
    await waitFor(
      async () => (await t.call('GET', `${P}/approvals`, undefined, tokens.admin)).body.approvals.length === 1,
      10_000,
      'second approval',
    );
    const second = (await t.call('GET', `${P}/approvals`, undefined, tokens.admin)).body.approvals[0];
    assert.equal((await t.call('POST', `${P}/approvals/${second.id}/deny`, undefined, tokens.admin)).body.status, 'denied');
    assert.equal(t.door.runs.get(second.runId)!.status, 'cancelled');
    assert.equal(seen.eval_grid!.length, before);

    // Self-approval: the admin who caused the run may not approve it.
    await t.call('POST', `${P}/automation/events`, { type: 'eval_grid.requested', payload: { prompts: ['y'] } }, tokens.admin);
    await waitFor(
      async () => (await t.call('GET', `${P}/approvals`, undefined, tokens.admin)).body.approvals.length === 1,
      10_000,
      'third approval',
    );
    const third = (await t.call('GET', `${P}/approvals`, undefined, tokens.admin)).body.approvals[0];
    const self = await t.call('POST', `${P}/approvals/${third.id}/approve`, undefined, tokens.admin);
    assert.equal(self.status, 403);
    assert.match(self.body.error.message, /another admin/);
    await t.call('POST', `${P}/approvals/${third.id}/deny`, undefined, tokens.admin);
    await t.call('POST', `${P}/rules/${ruleId}/disable`, undefined, tokens.lead);
  });

  it('GIVEN an approval that expires THEN its default decision (deny) applies and is recorded', async () => {
    assert.equal(
      (await t.call('POST', '/api/projects', { id: 'quick', name: 'Quick', settings: { policies: { approvalExpiryMs: 300 } } })).status,
      201,
    );
    const rule = await t.call('POST', '/api/projects/quick/rules', {
      name: 'gen',
      trigger: { event: 'spec.refined' },
      actions: [{ type: 'enqueue_job', config: { type: 'generate', input: { specId: 's1' } } }],
    });
    await t.call('POST', `/api/projects/quick/rules/${rule.body.id}/dry-run`, { event: { type: 'spec.refined', payload: {} } });
    await t.call('POST', `/api/projects/quick/rules/${rule.body.id}/enable`);
    await t.call('POST', '/api/projects/quick/automation/events', { type: 'spec_refined', payload: { specId: 's1' } });
    await waitFor(() => t.door.runs.list('quick', {}).some((r) => r.status === 'cancelled'), 10_000, 'expired run cancelled');
    const run = t.door.runs.list('quick', {})[0]!;
    assert.match(run.reason ?? '', /expired/);
    assert.equal(t.door.approvals.byRun(run.id)!.status, 'expired');
  });

  it('GIVEN "run exactly this" with the dry-run hash THEN that plan runs; after a change the same hash is refused with 409', async () => {
    const created = await t.call(
      'POST',
      `${P}/rules`,
      {
        name: 'one-off export',
        trigger: { event: 'custom.export' },
        scope: { entityId: 'hero' },
        actions: [{ type: 'export', config: { assetIds: ['${event.payload.assetId}'] } }],
      },
      tokens.lead,
    );
    const sample = { type: 'custom.export', payload: { assetId: 'hero' } };
    const dry = await t.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: sample }, tokens.lead);
    assert.equal(dry.body.summary.firings, 1);
    const before = seen.export!.length;
    const ran = await t.call('POST', `${P}/rules/${created.body.id}/run`, { hash: dry.body.hash, event: sample }, tokens.lead);
    assert.equal(ran.status, 202, JSON.stringify(ran.body));
    await waitFor(() => t.door.runs.list('art', { ruleId: created.body.id }).some((r) => r.status === 'succeeded'), 15_000, 'manual run');
    assert.equal(seen.export!.length, before + 1, 'the disabled rule ran once, as planned');
    const listed = (await t.call('GET', `${P}/rules`, undefined, tokens.artist)).body.rules.find(
      (r: { id: string }) => r.id === created.body.id,
    );
    assert.deepEqual([listed.stats.runs, listed.stats.failures, listed.stats.lastStatus], [1, 0, 'succeeded']);
    await t.call('PATCH', `${P}/assets/hero`, { manualOverride: true }, tokens.lead);
    const stale = await t.call('POST', `${P}/rules/${created.body.id}/run`, { hash: dry.body.hash, event: sample }, tokens.lead);
    assert.equal(stale.status, 409);
    assert.match(stale.body.error.message, /dry-run again/);
    await t.call('PATCH', `${P}/assets/hero`, { manualOverride: false }, tokens.lead);
  });

  it('GIVEN a run whose job waits in the queue THEN cancel removes the job and the run ends cancelled', async () => {
    const ruleId = await enabledRule(
      {
        name: 'generate (no worker here)',
        trigger: { event: 'custom.gen' },
        requiresApproval: 'never',
        actions: [
          { id: 'gen', type: 'enqueue_job', config: { type: 'generate', input: { specId: 's1' } } },
          { type: 'notify', config: { text: 'done' } },
        ],
      },
      { type: 'custom.gen', payload: {} },
    );
    await t.call('POST', `${P}/automation/events`, { type: 'custom.gen', payload: {} }, tokens.lead);
    await waitFor(
      () => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'running' && t.door.runs.steps(r.id)[0]!.status === 'running'),
      10_000,
      'job submitted',
    );
    const run = t.door.runs.list('art', { ruleId })[0]!;
    const jobId = t.door.runs.steps(run.id)[0]!.jobIds[0]!;
    assert.equal((await t.call('POST', `${P}/runs/${run.id}/cancel`, undefined, tokens.lead)).status, 403);
    const res = await t.call('POST', `${P}/runs/${run.id}/cancel`, undefined, tokens.admin);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'cancelled');
    assert.deepEqual(
      t.door.runs.steps(run.id).map((s) => s.status),
      ['cancelled', 'cancelled'],
    );
    const { Queue } = await import('bullmq');
    const q = new Queue('generate', { connection: workers.conns[0]!, prefix: t.prefix });
    assert.equal(await q.getJob(jobId), undefined, 'the waiting job was removed');
    await q.close();
  });

  it('GIVEN an enabled cron rule THEN a BullMQ job scheduler fires it, and disabling removes the scheduler', async () => {
    const ruleId = await enabledRule(
      {
        name: 'every second',
        trigger: { schedule: '* * * * * *' },
        actions: [{ type: 'apply_tags', config: { variantId: 'hero-v2', add: ['nightly'] } }],
      },
      { type: 'schedule.fired', payload: {} },
    );
    await t.door.syncSchedules();
    assert.ok((await t.door.schedules!.list()).some((s) => s.key === `rule.${ruleId}`));
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 10_000, 'scheduled run');
    const fired = stored("type = 'schedule.fired' AND subject_id = ?", ruleId);
    assert.ok(fired.length >= 1);
    await t.call('POST', `${P}/rules/${ruleId}/disable`, undefined, tokens.lead);
    await t.door.syncSchedules();
    assert.ok(!(await t.door.schedules!.list()).some((s) => s.key === `rule.${ruleId}`));
  });
});
