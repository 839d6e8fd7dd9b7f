// Crash tests on real Redis and SQLite: the engine is a process of its own, killed with SIGKILL at a
// chosen point (after a unit of work committed, before what it left for after the commit); a new
// engine on the same files must carry the run to the end an uncrashed one reaches, each job once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stopTestRedis, testRedis, waitFor } from '../helpers/engine.js';
import { countingWorkers, installation, startEngineProcess, type EngineProcess } from '../helpers/engine-process.js';

const P = '/api/projects/art';
const cutout = { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } };
const outputs = {
  bg_remove: { alphaPaths: ['files/a.png'], items: [] },
  pack_atlas: { atlasId: 'crash-atlas', pages: [], data: {}, frames: 0, occupancy: 0 },
};

describe('an engine killed between a commit and its effects', () => {
  let redisUrl: string;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    redisUrl = (await testRedis()).url;
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await stopTestRedis();
  });

  /** One installation with counting workers, a project with an asset, and `rule` enabled, on an engine that will crash at `crash`. */
  async function setup(
    crash: string,
    rule: Record<string, unknown>,
    projectSettings: Record<string, unknown> = {},
    workerOutputs: Record<string, unknown> = outputs,
  ) {
    const env = installation(redisUrl, cleanups);
    const ran = countingWorkers(redisUrl, env.GREENLIGHT_QUEUE_PREFIX!, workerOutputs, cleanups);
    const first = await startEngineProcess({ ...env, GREENLIGHT_TEST_CRASH: crash });
    assert.equal((await first.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: projectSettings })).status, 201);
    const asset = await first.call('POST', `${P}/assets`, { id: 'hero', type: 'character', variants: [{ id: 'hero-v1' }] });
    assert.equal(asset.status, 201);
    const created = await first.call('POST', `${P}/rules`, { trigger: { event: 'variant.approved' }, ...rule });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await first.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: { type: 'variant.approved', payload: {} } });
    assert.equal((await first.call('POST', `${P}/rules/${created.body.id}/enable`)).status, 200);
    /** The next engine on the same files (after `whileDown`'s checks), stopped at the end of the suite. */
    const restart = async (whileDown: () => void = () => undefined): Promise<EngineProcess> => {
      assert.equal((await first.exited).signal, 'SIGKILL', 'the engine was killed at the fault point');
      whileDown();
      const second = await startEngineProcess(env);
      cleanups.push(async () => {
        second.child.kill('SIGTERM');
        await second.exited;
      });
      return second;
    };
    return { first, restart, ran, env, ruleId: created.body.id as string };
  }

  for (const [crash, where, [least, most]] of [
    ['submit:1', 'the event’s unit (the run and its first step recorded, the first job not yet submitted)', [0, 0]],
    ['submit:2', 'a step end’s unit (the first step recorded done, the second marked running, its job not yet submitted)', [1, 1]],
    ['submitted:1', 'the first job’s submit (the job in Redis, its step running, nothing told yet)', [0, 1]],
  ] as const) {
    it(`GIVEN SIGKILL after ${where} THEN a new engine finishes the run within 5 s, each job running once`, async () => {
      const { first, restart, ran, ruleId } = await setup(crash, {
        name: 'approved → cut-out → atlas',
        actions: [
          cutout,
          {
            id: 'atlas',
            type: 'enqueue_job',
            config: { type: 'pack_atlas', input: { atlasId: 'crash-atlas', frames: '${steps.cutout.output.alphaPaths}' } },
          },
        ],
      });
      assert.equal((await first.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
      // A submitted job may run while no engine is up; one decided in the killed unit was never submitted.
      const second = await restart(() => assert.ok(ran.length >= least && ran.length <= most, `${ran.length} jobs ran before the restart`));
      const readyAt = Date.now();
      let run: { id: string; status: string } | undefined;
      await waitFor(
        async () => (run = (await second.call('GET', `${P}/runs?ruleId=${ruleId}`)).body.runs[0])?.status === 'succeeded',
        15_000,
        'the run to succeed after the restart',
      );
      const recoveredMs = Date.now() - readyAt;
      console.log(`crash point ${crash}: run finished ${recoveredMs} ms after the new engine was ready`);
      assert.ok(recoveredMs <= 5000, `recovered after ${recoveredMs} ms`);
      const detail = (await second.call('GET', `${P}/runs/${run!.id}`)).body;
      assert.deepEqual(
        detail.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status]),
        [
          ['cutout', 'succeeded'],
          ['atlas', 'succeeded'],
        ],
      );
      assert.deepEqual([...ran].sort(), [...new Set(ran)].sort(), 'no job ran twice');
      assert.equal(ran.length, 2);
    });
  }

  it('GIVEN SIGKILL after the unit that set a run awaiting approval, before the request THEN a new engine requests it once, and approving it runs the job once', async () => {
    const { first, restart, ran } = await setup(
      'later:1',
      { name: 'approved → cut-out, with an admin’s approval', requiresApproval: 'always', actions: [cutout] },
      { policies: { allowSelfApproval: true } },
    );
    assert.equal((await first.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
    const second = await restart();
    let approvals: { id: string; runId: string }[] = [];
    await waitFor(
      async () => (approvals = (await second.call('GET', `${P}/approvals`)).body.approvals).length > 0,
      5000,
      'the approval request after the restart',
    );
    assert.equal(approvals.length, 1, 'requested once');
    assert.equal((await second.call('POST', `${P}/approvals/${approvals[0]!.id}/approve`)).status, 200);
    await waitFor(
      async () => (await second.call('GET', `${P}/runs/${approvals[0]!.runId}`)).body.run.status === 'succeeded',
      10_000,
      'the approved run to succeed',
    );
    assert.equal(ran.length, 1, 'the job ran once');
  });

  it('GIVEN SIGKILL while resume replays a held firing (after its unit, before its submit) THEN a new engine finishes that run, its job running once', async () => {
    const { first, restart, ran, ruleId } = await setup('submit:1', { name: 'approved → cut-out', actions: [cutout] });
    assert.equal((await first.call('POST', `${P}/halt`, { reason: 'crash test' })).status, 200);
    assert.equal((await first.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
    await waitFor(async () => (await first.call('GET', `${P}/halts`)).body.halts[0]?.held === 1, 5000, 'the firing held');
    // The engine dies inside this request, so it gets no answer.
    await first.call('POST', `${P}/resume`, {}).catch(() => null);
    const second = await restart(() => assert.equal(ran.length, 0));
    await waitFor(
      async () => (await second.call('GET', `${P}/runs?ruleId=${ruleId}`)).body.runs[0]?.status === 'succeeded',
      5000,
      'the replayed run to succeed after the restart',
    );
    assert.deepEqual((await second.call('GET', `${P}/halts`)).body.halts, [], 'the resume stands');
    assert.equal(ran.length, 1, 'the job ran once');
  });

  it('GIVEN SIGKILL after the unit that cancelled a run whose job is running, before the job is removed THEN the run stays cancelled on restart: the job ends once and is ignored, the next step never runs', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { first, restart, ran, env, ruleId } = await setup(
      'later:1',
      {
        name: 'approved → cut-out → atlas',
        actions: [cutout, { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { atlasId: 'crash-atlas' } } }],
      },
      {},
      { bg_remove: () => held.then(() => outputs.bg_remove), pack_atlas: outputs.pack_atlas },
    );
    assert.equal((await first.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
    let runId = '';
    await waitFor(
      async () => {
        runId = (await first.call('GET', `${P}/runs?ruleId=${ruleId}`)).body.runs[0]?.id ?? '';
        return ran.length === 1;
      },
      5000,
      'the cut-out job to be running',
    );
    // The engine dies inside this request, after the cancel's unit committed, before it removes the job.
    await first.call('POST', `${P}/runs/${runId}/cancel`).catch(() => null);
    const second = await restart();
    release();
    const steps = async () =>
      (await second.call('GET', `${P}/runs/${runId}`)).body.steps.map((s: { stepId: string; status: string }) => `${s.stepId} ${s.status}`);
    // The held job ends now; its end reaches the new engine, which finds the step cancelled.
    await waitFor(
      async () => ran.length === 1 && (await second.call('GET', `${P}/runs/${runId}`)).body.run.status === 'cancelled',
      5000,
      'cancelled',
    );
    // The job's end reaches the engine as its parent on the steps queue; wait until the engine has handled it.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const stepsQueue = new Queue('steps', { connection, prefix: env.GREENLIGHT_QUEUE_PREFIX! });
    await waitFor(
      async () => {
        const c = await stepsQueue.getJobCounts('completed', 'failed', 'waiting', 'active', 'waiting-children', 'delayed');
        return c.completed! + c.failed! >= 1 && c.waiting! + c.active! + c['waiting-children']! + c.delayed! === 0;
      },
      5000,
      'the held job’s end to reach the new engine',
    );
    await stepsQueue.close();
    connection.disconnect();
    const detail = (await second.call('GET', `${P}/runs/${runId}`)).body;
    assert.equal(detail.run.status, 'cancelled');
    assert.deepEqual(await steps(), ['cutout cancelled', 'atlas cancelled']);
    assert.deepEqual(ran, [ran[0]], 'the cut-out job ran once and the atlas job never');
    const completed = (await second.call('GET', `${P}/runs?ruleId=${ruleId}&status=succeeded`)).body.runs;
    assert.deepEqual(completed, []);
  });
});
