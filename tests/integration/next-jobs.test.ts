// The seed's job chaining: a generate job's nextJobs become follow-up steps of
// the same run, their $output / $input / $projectId / $jobId read from it —
// and the dry-run shows them too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeEngine, seedProject, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { testWorkers } from '../helpers/workers.js';

const P = '/api/projects/art';
let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };
let workers: ReturnType<typeof testWorkers>;
const seen: { queue: string; id: string; input: Record<string, unknown> }[] = [];

describe('nextJobs chaining', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
    const outputs: Record<string, unknown> = {
      // `caption` holds placeholder text: output values are data, never templates.
      generate: { variantIds: ['g1'], originalsDir: 'files/images/hero/original', caption: '$jobId' },
      bg_remove: { alphaPaths: ['alpha/0.png'] },
    };
    workers = testWorkers(t.prefix);
    for (const q of Object.keys(outputs))
      await workers.add(q, (job) => (seen.push({ queue: q, id: job.id!, input: job.data.input }), outputs[q]));
  });
  after(async () => {
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN a generate step with nextJobs THEN its follow-up runs in the same run with placeholders read from the generate job', async () => {
    const body = {
      name: 'generate then cut out',
      trigger: { event: 'spec.refined' },
      requiresApproval: 'never',
      actions: [
        {
          id: 'gen',
          type: 'enqueue_job',
          config: {
            type: 'generate',
            input: {
              specId: '${event.payload.specId}',
              nextJobs: [
                {
                  type: 'bg_remove',
                  input: {
                    originalPath: '$output.originalsDir/0.png',
                    specId: '$input.specId',
                    project: '$projectId',
                    parentJob: '$jobId',
                  },
                },
              ],
            },
          },
        },
      ],
    };
    const rule = await t.call('POST', `${P}/rules`, body, tokens.lead);
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const sample = { type: 'spec.refined', payload: { specId: 's1' } };
    const plan = await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: sample }, tokens.lead);
    const planned = plan.body.root.firings[0].steps;
    assert.deepEqual(
      planned.map((s: { id: string; jobType: string }) => [s.id, s.jobType]),
      [
        ['gen', 'generate'],
        ['gen-next1', 'bg_remove'],
      ],
    );
    assert.equal(planned[1].config.input.specId, 's1');
    assert.equal(plan.body.summary.jobs, 2);
    await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, tokens.lead);

    await t.call('POST', `${P}/automation/events`, sample, tokens.lead);
    await waitFor(
      () => t.door.runs.list('art', { ruleId: rule.body.id }).some((r) => r.status === 'succeeded'),
      15_000,
      'run with follow-up',
    );
    const run = t.door.runs.list('art', { ruleId: rule.body.id })[0]!;
    const steps = t.door.runs.steps(run.id);
    assert.deepEqual(
      steps.map((s) => [s.stepId, s.status]),
      [
        ['gen', 'succeeded'],
        ['gen-next1', 'succeeded'],
      ],
    );
    const gen = seen.find((s) => s.queue === 'generate')!;
    const cut = seen.find((s) => s.queue === 'bg_remove')!;
    assert.deepEqual(cut.input, { originalPath: 'files/images/hero/original/0.png', specId: 's1', project: 'art', parentJob: gen.id });
    assert.equal(cut.id, `${rule.body.id}.${run.eventId}.gen-next1`);
  });

  it('GIVEN event and output values that read like placeholders THEN the follow-up gets them as written, in the dry-run and the run (resolved once)', async () => {
    const body = {
      name: 'placeholder text is data',
      trigger: { event: 'spec.noted' },
      requiresApproval: 'never',
      actions: [
        {
          id: 'gen',
          type: 'enqueue_job',
          config: {
            type: 'generate',
            input: {
              prompt: '${event.payload.label}',
              nextJobs: [
                {
                  type: 'bg_remove',
                  input: { originalPath: '$output.originalsDir/0.png', label: '$input.prompt', caption: '$output.caption' },
                },
              ],
            },
          },
        },
      ],
    };
    const rule = await t.call('POST', `${P}/rules`, body, tokens.lead);
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const sample = { type: 'spec.noted', payload: { label: '${projectId} and $projectId' } };
    const plan = await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: sample }, tokens.lead);
    const planned = plan.body.root.firings[0].steps;
    assert.equal(planned[0].config.input.prompt, '${projectId} and $projectId');
    assert.equal(planned[1].config.input.label, '${projectId} and $projectId', 'the dry-run resolves once');
    await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, tokens.lead);
    await t.call('POST', `${P}/automation/events`, sample, tokens.lead);
    await waitFor(
      () => t.door.runs.list('art', { ruleId: rule.body.id }).some((r) => r.status === 'succeeded'),
      15_000,
      'run with follow-up',
    );
    const cut = seen.filter((s) => s.queue === 'bg_remove').at(-1)!;
    assert.equal(cut.input.label, '${projectId} and $projectId', 'from the event, as written');
    assert.equal(cut.input.caption, '$jobId', 'from the output, as written');
  });
});
