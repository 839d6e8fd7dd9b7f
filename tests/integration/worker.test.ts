// The real gpu-worker on real Redis: the MVP chain (approve → cut-out → atlas →
// Godot export) end to end with files on disk, progress, bad input failing
// without retries, per-project slots across jobs, and a draining close.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { localContext } from '../../gpu-worker/context.js';
import { runJob } from '../../gpu-worker/processors/index.js';
import { createProjectSlots } from '../../gpu-worker/semaphore.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { makeEngine, seedProject, stopTestRedis, testRedis, waitFor, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-worker-'));
let t: TestEngine;
let tokens: { artist: string; lead: string; admin: string };
let worker: RunningWorker;
let redisUrl: string;
const queues: Queue[] = [];
const logger = pino({ level: 'silent' });

const config = (prefix: string, extra: Record<string, string> = {}) =>
  loadWorkerConfig(
    { GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: prefix, GREENLIGHT_WORKER_CONCURRENCY: '3', ...extra },
    process.cwd(),
  );
const connections: Redis[] = [];
const queue = (name: string, prefix: string) => {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => {
    // Queue connections for assertions; a broken Redis fails the assertions themselves.
  });
  connections.push(connection);
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
};

/** Originals for a project's asset, made by the generate processor and renamed to the given variant ids. */
async function originals(projectId: string, assetId: string, variantIds: string[], size = 128): Promise<void> {
  const out = await runJob(
    'generate',
    { assetId: `${assetId}-src`, count: variantIds.length, width: size, height: size },
    localContext({ dataDir, projectId, jobId: `seed-${assetId}`, settings: { gpu: false } }),
  );
  const dir = path.join(dataDir, 'projects', projectId, 'files/images', assetId, 'original');
  fs.mkdirSync(dir, { recursive: true });
  (out.variants as { path: string }[]).forEach((v, i) =>
    fs.copyFileSync(path.join(dataDir, 'projects', projectId, v.path), path.join(dir, `${variantIds[i]}.png`)),
  );
}

describe('gpu-worker on BullMQ', () => {
  before(async () => {
    redisUrl = (await testRedis()).url;
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
    worker = startWorker({ config: config(t.prefix), redisUrl, logger });
  });
  after(async () => {
    await worker.close();
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => {
        // Best-effort cleanup of a per-test prefix; the keys are unique to this run.
      });
      await q.close();
    }
    for (const c of connections) c.disconnect();
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN the MVP rule chain THEN approving a variant produces its cut-out, an atlas and a Godot bundle on disk', async () => {
    await originals('art', 'hero', ['hero-v1', 'hero-v2']);
    const rule = {
      name: 'approved → cut-out → atlas → Godot',
      trigger: { event: 'variant.approved' },
      requiresApproval: 'never',
      actions: [
        {
          id: 'cutout',
          type: 'enqueue_job',
          config: { type: 'bg_remove', input: { assetId: '${event.payload.assetId}', variantId: '${event.subject.id}' } },
        },
        {
          id: 'atlas',
          type: 'enqueue_job',
          config: {
            type: 'pack_atlas',
            input: { atlasId: 'hero-atlas', frames: '${steps.cutout.output.alphaPaths}', formats: ['godot-tres'] },
          },
        },
        {
          id: 'bundle',
          type: 'export',
          config: { atlasIds: ['${steps.atlas.output.atlasId}'], assetIds: ['${event.payload.assetId}'], profileId: 'godot' },
        },
      ],
    };
    const created = await t.call('POST', `${P}/rules`, rule, tokens.lead);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await t.call(
      'POST',
      `${P}/rules/${created.body.id}/dry-run`,
      { event: { type: 'variant.approved', subject: { kind: 'variant', id: 'hero-v1' }, payload: { assetId: 'hero' } } },
      tokens.lead,
    );
    assert.equal((await t.call('POST', `${P}/rules/${created.body.id}/enable`, undefined, tokens.lead)).status, 200);
    assert.equal((await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' }, tokens.artist)).status, 200);
    await waitFor(
      () => t.door.runs.list('art', { ruleId: created.body.id }).some((r) => r.status === 'succeeded' || r.status === 'failed'),
      30_000,
      'the chain',
    );
    const run = t.door.runs.list('art', { ruleId: created.body.id })[0]!;
    const steps = t.door.runs.steps(run.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(steps.map((s) => [s.stepId, s.status, s.error])));
    const root = path.join(dataDir, 'projects/art');
    assert.ok(fs.existsSync(path.join(root, 'files/images/hero/alpha/hero-v1.png')));
    assert.ok(fs.existsSync(path.join(root, 'atlases/hero-atlas/atlas-0.png')));
    assert.ok(fs.existsSync(path.join(root, 'atlases/hero-atlas/hero-atlas.sprite_frames.tres')));
    const bundle = steps.find((s) => s.stepId === 'bundle')!;
    const output = bundle.output as { bundlePath: string; manifestPath: string };
    assert.ok(fs.existsSync(path.join(root, output.bundlePath)));
    const manifest = JSON.parse(fs.readFileSync(path.join(root, output.manifestPath), 'utf8'));
    assert.ok(manifest.files.some((f: { path: string }) => f.path === 'greenlight/hero-atlas/atlas-0.png'));
  });

  it('GIVEN pack_atlas with no atlasId THEN atlas.ready names the atlas the worker wrote, it has a row, and an override on it is seen', async () => {
    await originals('art', 'vill', ['vill-v1']);
    await t.call('POST', `${P}/assets`, { id: 'vill', type: 'character', variants: [{ id: 'vill-v1' }] }, tokens.lead);
    const pack = {
      name: 'approved → cut-out → atlas (no id given)',
      trigger: { event: 'variant.approved' },
      scope: { entityId: 'vill-v1' },
      requiresApproval: 'never',
      actions: [
        { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { assetId: 'vill', variantId: '${event.subject.id}' } } },
        { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${steps.cutout.output.alphaPaths}' } } },
      ],
    };
    const listen = {
      name: 'atlas ready → notify',
      trigger: { event: 'atlas.ready' },
      actions: [{ id: 'say', type: 'notify', config: { channel: 'review', text: 'atlas ${event.subject.id} is ready' } }],
    };
    const ids: string[] = [];
    for (const r of [pack, listen]) {
      const created = await t.call('POST', `${P}/rules`, r, tokens.lead);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids.push(created.body.id);
      await t.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: { type: r.trigger.event, payload: {} } }, tokens.lead);
      assert.equal((await t.call('POST', `${P}/rules/${created.body.id}/enable`, undefined, tokens.lead)).status, 200);
    }
    const review = await t.call('POST', `${P}/variants/vill-v1/review`, { decision: 'approve' }, tokens.artist);
    await waitFor(() => t.door.runs.list('art', { ruleId: ids[0] }).some((r) => r.status === 'succeeded'), 30_000, 'the atlas chain');
    const step = t.door.runs.steps(t.door.runs.list('art', { ruleId: ids[0] })[0]!.id).find((s) => s.stepId === 'atlas')!;
    const output = step.output as { atlasId: string; pages: string[] };
    // The atlas.ready this very job emitted (the first test's rule fires on the approval too).
    const ready = t.door.sql
      .prepare(
        `SELECT id, subject_kind AS kind, subject_id AS subjectId FROM events
         WHERE type = 'atlas.ready' AND correlation_id = ? AND json_extract(payload, '$.jobId') = ?`,
      )
      .get(review.body.eventId, step.jobIds[0]) as { id: string; kind: string; subjectId: string };
    await waitFor(
      () => t.door.runs.list('art', { ruleId: ids[1], subjectId: output.atlasId }).some((r) => r.status === 'succeeded'),
      10_000,
      'the listener ran on that atlas',
    );
    assert.equal(ready.kind, 'atlas');
    assert.equal(ready.subjectId, output.atlasId, 'the event names the atlas the worker wrote');
    assert.ok(fs.existsSync(path.join(dataDir, 'projects/art/atlases', ready.subjectId, 'atlas-0.png')));
    const row = t.door.sql.prepare('SELECT meta FROM atlases WHERE id = ? AND project_id = ?').get(ready.subjectId, 'art') as
      { meta: string } | undefined;
    assert.ok(row, 'the atlas has a row');
    assert.deepEqual(JSON.parse(row.meta).pages, output.pages);
    const override = await t.call('PATCH', `${P}/atlases/${ready.subjectId}`, { manualOverride: true }, tokens.lead);
    assert.equal(override.status, 200, JSON.stringify(override.body));
    const plan = await t.call('POST', `${P}/rules/${ids[1]}/dry-run`, { eventId: ready.id }, tokens.lead);
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    assert.equal(plan.body.root.firings[0].decision, 'skip', JSON.stringify(plan.body.root));
    assert.equal(plan.body.root.firings[0].reason, 'manual_override');
  });

  it('GIVEN a job whose input is bad THEN it fails once, not retried, with the field in the reason; progress is reported on good jobs', async () => {
    const q = queue('bg_remove', t.prefix);
    await originals('art', 'prog', ['prog-v1']);
    const bad = await q.add(
      'bg_remove',
      { projectId: 'art', runId: 'r', stepId: 's', input: { originalPath: '../../secrets.png' } },
      { jobId: 'bad-1', attempts: 3, backoff: { type: 'fixed', delay: 50 } },
    );
    const good = await q.add(
      'bg_remove',
      { projectId: 'art', runId: 'r', stepId: 's', input: { assetId: 'prog' } },
      { jobId: 'good-1', attempts: 3 },
    );
    await waitFor(async () => (await bad.getState()) === 'failed' && (await good.getState()) === 'completed', 20_000, 'both jobs settle');
    const b = (await q.getJob('bad-1'))!;
    assert.equal(b.attemptsMade, 1, 'bad input is not retried');
    assert.match(b.failedReason, /originalPath: .*outside the project/);
    const g = (await q.getJob('good-1'))!;
    assert.deepEqual(g.progress, { fraction: 1, message: 'done' });
    assert.deepEqual(g.returnvalue.alphaPaths, ['files/images/prog/alpha/prog-v1.png']);
  });

  it('GIVEN project concurrency 1 THEN one project runs one job at a time while another project runs beside it', async () => {
    await originals('p1', 'a', ['a1', 'a2', 'a3', 'a4'], 384);
    await originals('p2', 'b', ['b1', 'b2'], 384);
    const q = queue('bg_remove', t.prefix);
    const control = new Redis(redisUrl);
    const slots = createProjectSlots(control, t.prefix, 1, 30_000);
    const jobs = [
      ...['a1', 'a2', 'a3', 'a4'].map((v) =>
        q.add('bg_remove', { projectId: 'p1', runId: 'r', stepId: v, input: { assetId: 'a', variantId: v } }, { jobId: `p1-${v}` }),
      ),
      ...['b1', 'b2'].map((v) =>
        q.add('bg_remove', { projectId: 'p2', runId: 'r', stepId: v, input: { assetId: 'b', variantId: v } }, { jobId: `p2-${v}` }),
      ),
    ];
    const added = await Promise.all(jobs);
    let maxP1 = 0;
    let together = 0;
    let done = false;
    const watch = (async () => {
      while (!done) {
        const [h1, h2] = await Promise.all([slots.holders('p1'), slots.holders('p2')]);
        maxP1 = Math.max(maxP1, h1.length);
        if (h1.length > 0 && h2.length > 0) together++;
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    await waitFor(async () => (await Promise.all(added.map((j) => j.getState()))).every((s) => s === 'completed'), 30_000, 'all six jobs');
    done = true;
    await watch;
    control.disconnect();
    assert.equal(maxP1, 1, 'project p1 never held two slots');
    assert.ok(together > 0, 'p1 and p2 ran at the same time');
  });

  it('GIVEN close() while a job runs THEN the job finishes before the worker stops (drain)', async () => {
    const prefix = `${t.prefix}d`;
    const w = startWorker({ config: config(prefix, { GREENLIGHT_WORKER_QUEUES: 'bg_remove' }), redisUrl, logger });
    await originals('art', 'big', ['big-v1', 'big-v2', 'big-v3'], 768);
    const q = queue('bg_remove', prefix);
    const job = await q.add('bg_remove', { projectId: 'art', runId: 'r', stepId: 's', input: { assetId: 'big' } }, { jobId: 'drain-1' });
    await waitFor(async () => (await job.getState()) === 'active', 10_000, 'job active');
    await w.close();
    assert.equal(await job.getState(), 'completed');
  });
});
