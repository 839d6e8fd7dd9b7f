// Engine III reproductions 4 and 5: places where the dry-run and the runner
// used to walk steps in two codes and disagreed. Each case dry-runs a small
// rule set through the API, runs the same event on real Redis and SQLite, and
// compares the plan's tree with what ran node for node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, UnrecoverableError } from 'bullmq';
import type { Plan, StepNode } from '../../engine/index.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';
import { plannedFacts, ranFacts, settle } from '../helpers/plan-facts.js';
import { testWorkers } from '../helpers/workers.js';

/** A job the test's workers fail: a rule step's input names originalPath FAIL (a real field: rules refuse unknown ones); a follow-up says fail: true. */
const failsByDesign = (input: Record<string, unknown>) => input.fail === true || input.originalPath === 'FAIL';

let t: TestEngine;
let workers: ReturnType<typeof testWorkers>;
let queues: Queue[];
const processed: Record<string, number> = {};
let n = 0;

/** A project with one asset and variant, the rules (enabled), the plan of a variant.tagged on it, and what ran. */
async function scenario(rules: Record<string, unknown>[], assume?: Record<string, unknown>) {
  const projectId = `pvr${n++}`;
  const P = `/api/projects/${projectId}`;
  assert.equal((await t.call('POST', '/api/projects', { id: projectId, name: projectId })).status, 201);
  assert.equal(
    (await t.call('POST', `${P}/assets`, { id: `${projectId}-a1`, type: 'character', variants: [{ id: `${projectId}-v1` }] })).status,
    201,
  );
  const own = <T>(x: T): T => JSON.parse(JSON.stringify(x).replaceAll('"v1"', `"${projectId}-v1"`).replaceAll('"a1"', `"${projectId}-a1"`));
  const ids: string[] = [];
  for (const [i, r] of rules.entries()) {
    const created = await t.call('POST', `${P}/rules`, own({ name: `r${i}`, ...r }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await t.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: { type: 'variant.tagged', payload: {} } });
    assert.equal((await t.call('POST', `${P}/rules/${created.body.id}/enable`)).status, 200);
    ids.push(created.body.id);
  }
  const sample = own({ type: 'variant.tagged', subject: { kind: 'variant', id: 'v1' }, payload: { variantId: 'v1', assetId: 'a1' } });
  const dry = await t.call('POST', `${P}/automation/dry-run`, {
    event: sample,
    ...(assume
      ? {
          assume: JSON.parse(
            JSON.stringify(assume)
              .replaceAll('$0', ids[0]!)
              .replaceAll('$1', ids[1] ?? ''),
          ),
        }
      : {}),
  });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  const emitted = await t.call('POST', `${P}/automation/events`, sample);
  await settle(t, queues);
  const plan = dry.body as Plan;
  return { projectId, ids, plan, planned: plannedFacts(plan.root), ran: ranFacts(t, projectId, emitted.body.id) };
}

const stepsOf = (plan: Plan): StepNode[] => plan.root.firings.flatMap((f) => f.steps ?? []);

describe('the dry-run and the runner walk steps in one code (Engine III, reproductions 4 and 5)', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    workers = testWorkers(t.prefix);
    const outputs: Record<string, unknown> = { bg_remove: { alphaPaths: ['a.png'] }, pack_atlas: { atlasId: 'atl', pages: [] } };
    for (const q of Object.keys(outputs))
      await workers.add(q, (job) => {
        processed[q] = (processed[q] ?? 0) + 1;
        if (failsByDesign((job.data as { input: Record<string, unknown> }).input)) throw new UnrecoverableError('injected failure');
        return outputs[q];
      });
    queues = ['events', 'steps', 'webhooks', 'bg_remove', 'pack_atlas'].map(
      (q) => new Queue(q, { connection: workers.conns[0]!, prefix: t.prefix }),
    );
  });
  after(async () => {
    await Promise.all(queues.map((q) => q.close()));
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN a parallel rule whose one branch fails THEN the other branch still runs its nextJobs follow-up, as planned, and the run fails', async () => {
    const s = await scenario(
      [
        {
          trigger: { event: 'variant.tagged' },
          mode: 'parallel',
          maxDepth: 1,
          actions: [
            { type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1', originalPath: 'FAIL' } } },
            {
              type: 'enqueue_job',
              config: { type: 'bg_remove', input: { variantId: 'v1', nextJobs: [{ type: 'pack_atlas', input: {} }] } },
            },
          ],
        },
      ],
      { failSteps: ['$0/step1'] },
    );
    assert.deepEqual(s.ran, s.planned);
    assert.equal(s.plan.root.firings[0]!.outcome, 'failed');
    assert.deepEqual(
      s.ran.filter((f) => f.startsWith('S')).map((f) => f.split(' | ')[1]!.split(' ').slice(1).join(' ')),
      ['step1 failed', 'step2 succeeded', 'step2-next1 succeeded'],
    );
  });

  it('GIVEN a rule conditioned on run.step.completed payload.eventType THEN the plan and the run both fire it (one payload shape)', async () => {
    const s = await scenario([
      {
        trigger: { event: 'variant.tagged' },
        maxDepth: 1,
        actions: [{ type: 'set_status', config: { variantId: 'v1', status: 'approved' } }],
      },
      {
        trigger: { event: 'run.step.completed' },
        conditions: {
          all: [
            { field: 'payload.eventType', op: 'eq', value: 'variant.tagged' },
            { field: 'payload.stepId', op: 'eq', value: 'step1' },
          ],
        },
        actions: [{ type: 'notify', config: { text: 'step done' } }],
      },
    ]);
    assert.deepEqual(s.ran, s.planned);
    assert.ok(
      s.ran.some((f) => f.includes(`${s.ids[1]} fire:succeeded`)),
      'the run.step.completed rule fired',
    );
  });

  it('GIVEN apply_tags with only an assetId and a job input its schema refuses THEN dry-run shows both failing with the error the run records, and nothing is submitted', async () => {
    const before = processed.pack_atlas ?? 0;
    const s = await scenario([
      {
        trigger: { event: 'variant.tagged' },
        maxDepth: 1,
        mode: 'parallel',
        actions: [
          { type: 'apply_tags', config: { assetId: 'a1', add: ['auto'] } },
          { type: 'enqueue_job', config: { type: 'pack_atlas', input: { maxSize: 999 } } },
        ],
      },
    ]);
    assert.deepEqual(s.ran, s.planned);
    const [tags, pack] = stepsOf(s.plan);
    assert.match(tags!.wouldFail!, /config\.variantId must be a non-empty string/);
    assert.match(pack!.wouldFail!, /pack_atlas input field maxSize/);
    const rows = t.door.sql
      .prepare('SELECT s.step_id, s.error FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.project_id = ? ORDER BY s.step_id')
      .all(s.projectId) as { step_id: string; error: string }[];
    assert.deepEqual(
      rows.map((r) => r.error),
      [tags!.wouldFail, pack!.wouldFail],
    );
    assert.equal(processed.pack_atlas ?? 0, before, 'the refused input never reached a worker');
  });

  it('GIVEN rules on job.failed and run.failed THEN the plan shows them on the failure branch; assumed failing, they are the plan and what runs', async () => {
    const rules = [
      {
        trigger: { event: 'variant.tagged' },
        maxDepth: 1,
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1' } } }],
      },
      { trigger: { event: 'job.failed' }, actions: [{ type: 'notify', config: { text: 'job failed: ${event.payload.error}' } }] },
    ];
    const ok = await scenario(rules);
    assert.deepEqual(ok.ran, ok.planned);
    const step = stepsOf(ok.plan)[0]!;
    assert.deepEqual(step.onFailure!.map((e) => e.type).sort(), ['job.failed', 'run.failed']);
    const branch = step.onFailure!.find((e) => e.type === 'job.failed')!;
    assert.equal(branch.branch, 'failure');
    assert.equal(branch.firings[0]!.ruleId, ok.ids[1]);
    assert.equal(ok.plan.summary.failureFirings, 1);
    assert.ok(!ok.ran.some((f) => f.includes(ok.ids[1]!)), 'the job.failed rule did not run: the job succeeded');

    const failing = await scenario(
      rules.map((r, i) =>
        i === 0
          ? { ...r, actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1', originalPath: 'FAIL' } } }] }
          : r,
      ),
      { failSteps: ['$0/step1'] },
    );
    assert.deepEqual(failing.ran, failing.planned);
    assert.ok(
      failing.ran.some((f) => f.includes(`${failing.ids[1]} fire:succeeded`)),
      'the job.failed rule ran',
    );
    assert.equal(failing.plan.root.firings[0]!.outcome, 'failed');
  });
});
