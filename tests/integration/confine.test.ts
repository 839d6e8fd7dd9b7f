// Issue #17 items 2 and 3 on the real gpu-worker (BullMQ, worker threads, real
// Redis): a job steered out of its project by a symbolic link or a ".." id
// fails once as bad input (not retried) with the field and the fix in its
// reason, writes nothing outside, and the worker goes on to run the next job.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { stopTestRedis, testRedis, waitFor } from '../helpers/engine.js';
import { redSquarePng } from '../helpers/sprites.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-confine-worker-'));
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-confine-outside-'));
const root = path.join(dataDir, 'projects/art');
const prefix = `t${randomBytes(5).toString('hex')}`;
let worker: RunningWorker;
let connection: Redis;
const queues: Queue[] = [];

const queue = (name: string) => {
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
};
const listOutside = () => (fs.readdirSync(outside, { recursive: true }) as string[]).map(String).sort();

describe('gpu-worker confinement on BullMQ', () => {
  before(async () => {
    const redisUrl = (await testRedis()).url;
    connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const config = loadWorkerConfig(
      { GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: prefix, GREENLIGHT_WORKER_CONCURRENCY: '1' },
      process.cwd(),
    );
    worker = startWorker({ config, redisUrl, logger: pino({ level: 'silent' }) });
    fs.mkdirSync(path.join(outside, 'hero/original'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'hero/original/v1.png'), await redSquarePng());
    fs.mkdirSync(path.join(root, 'files/images/good/original'), { recursive: true });
    fs.writeFileSync(path.join(root, 'files/images/good/original/v1.png'), await redSquarePng());
    fs.symlinkSync(path.join(outside, 'hero'), path.join(root, 'files/images/hero'));
  });
  after(async () => {
    await worker.close();
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => {
        // Best-effort cleanup of a per-test prefix; the keys are unique to this run.
      });
      await q.close();
    }
    connection.disconnect();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('GIVEN a link out of the project, an id of ".." and a project id of ".." THEN each job fails once with its field, and a good job after them completes', async () => {
    const bg = queue('bg_remove');
    const pack = queue('pack_atlas');
    const before = listOutside();
    const job = (input: Record<string, unknown>, projectId = 'art') => ({ projectId, runId: 'r', stepId: 's', input });
    const retry = { attempts: 3, backoff: { type: 'fixed' as const, delay: 50 } };
    const link = await bg.add('bg_remove', job({ assetId: 'hero' }), { jobId: 'link-1', ...retry });
    const dots = await pack.add('pack_atlas', job({ atlasId: '..', frames: ['files/images/good/original/v1.png'] }), {
      jobId: 'dots-1',
      ...retry,
    });
    const proj = await bg.add('bg_remove', job({ assetId: 'good' }, '..'), { jobId: 'proj-1', ...retry });
    const good = await bg.add('bg_remove', job({ assetId: 'good' }), { jobId: 'good-1', ...retry });
    const jobs = [link, dots, proj, good];
    const states = () => Promise.all(jobs.map((j) => j.getState()));
    await waitFor(async () => (await states()).every((s) => s === 'failed' || s === 'completed'), 30_000, 'the four jobs settle');
    assert.deepEqual(await states(), ['failed', 'failed', 'failed', 'completed']);

    const l = (await bg.getJob('link-1'))!;
    assert.equal(l.attemptsMade, 1, 'a link out of the project is bad input, not retried');
    assert.match(l.failedReason, /^assetId: .*symbolic link "files\/images\/hero", which leads outside the project folder/);
    const d = (await pack.getJob('dots-1'))!;
    assert.equal(d.attemptsMade, 1);
    assert.match(d.failedReason, /^atlasId: use 1-128 letters, digits, "_", "-" or "\." \(not starting with "\."\)/);
    const p = (await bg.getJob('proj-1'))!;
    assert.equal(p.attemptsMade, 1);
    assert.match(p.failedReason, /projectId/);

    const g = (await bg.getJob('good-1'))!;
    assert.deepEqual(g.returnvalue.alphaPaths, ['files/images/good/alpha/v1.png']);
    assert.deepEqual(listOutside(), before, 'nothing written outside the project');
    assert.deepEqual(fs.readdirSync(root).sort(), ['files'], 'nothing written in the project root');
  });
});
