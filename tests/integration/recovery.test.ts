// Recovery: a worker killed mid-job, and Redis restarted mid-chain.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from '../../engine/testing.js';
import { makeEngine, seedProject, waitFor, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';

function workerHost(name: string, redisUrl: string, prefix: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('tests/fixtures/worker-process.ts'), redisUrl, prefix, 'bg_remove'],
    { env: { ...process.env, WORKER_NAME: name }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: { at: number; text: string }[] = [];
  child.stdout!.on('data', (d: Buffer) =>
    d
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((text) => lines.push({ at: Date.now(), text })),
  );
  return { name, child, lines, ready: () => waitFor(() => lines.some((l) => l.text === 'ready'), 20_000, `${name} ready`) };
}

async function enable(t: TestEngine, lead: string, body: unknown, sample: unknown) {
  const r = await t.call('POST', `${P}/rules`, body, lead);
  await t.call('POST', `${P}/rules/${r.body.id}/dry-run`, { event: sample }, lead);
  assert.equal((await t.call('POST', `${P}/rules/${r.body.id}/enable`, undefined, lead)).status, 200);
  return r.body.id as string;
}

describe('recovery', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('GIVEN a worker killed with SIGKILL mid-job THEN another worker picks the job up within 10 s and the run completes', async () => {
    const redis = await startPrivateRedis(path.join(os.tmpdir(), `gl-kill-${randomBytes(4).toString('hex')}`));
    cleanups.push(() => redis.stop());
    const t = await makeEngine({ redisUrl: redis.url, consume: true });
    cleanups.push(() => t.close());
    const { tokens } = await seedProject(t);
    const hosts = [workerHost('a', redis.url, t.prefix), workerHost('b', redis.url, t.prefix)];
    cleanups.push(() => hosts.forEach((h) => h.child.kill('SIGKILL')));
    await Promise.all(hosts.map((h) => h.ready()));
    const ruleId = await enable(
      t,
      tokens.lead,
      {
        name: 'cut',
        trigger: { event: 'variant.approved' },
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } }],
      },
      { type: 'variant.approved', payload: {} },
    );
    await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' }, tokens.artist);
    await waitFor(() => hosts.some((h) => h.lines.some((l) => l.text.startsWith('active'))), 10_000, 'a worker took the job');
    const victim = hosts.find((h) => h.lines.some((l) => l.text.startsWith('active')))!;
    const other = hosts.find((h) => h !== victim)!;
    // 'active' is printed once the job is locked to the victim (BullMQ takes the lock as it moves the job),
    // so the kill lands mid-job without a pause.
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => other.lines.some((l) => l.text.startsWith('active')), 12_000, 'the other worker picked the job up');
    const pickedUpMs = other.lines.find((l) => l.text.startsWith('active'))!.at - killedAt;
    console.log(`stalled job picked up ${pickedUpMs} ms after SIGKILL`);
    assert.ok(pickedUpMs <= 10_000, `picked up after ${pickedUpMs} ms`);
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 15_000, 'run succeeded');
    const step = t.door.runs.steps(t.door.runs.list('art', { ruleId })[0]!.id)[0]!;
    assert.equal((step.output as { worker: string }).worker, other.name);
  });

  it('GIVEN Redis stopped and restarted mid-chain THEN no event is lost and no side effect is duplicated', async () => {
    const dir = path.join(os.tmpdir(), `gl-restart-${randomBytes(4).toString('hex')}`);
    let redis: PrivateRedis = await startPrivateRedis(dir);
    cleanups.push(() => redis.stop());
    const t = await makeEngine({ redisUrl: redis.url, consume: true });
    cleanups.push(() => t.close());
    const { tokens } = await seedProject(t);
    const calls: Record<string, string[]> = { bg_remove: [], pack_atlas: [] };
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let cutOutsDone = 0;
    const conns: Redis[] = [];
    const workers = (['bg_remove', 'pack_atlas'] as const).map((q) => {
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
      connection.on('error', () => {
        // Redis is restarted on purpose in this test; the workers reconnect.
      });
      conns.push(connection);
      const w = new Worker(
        q,
        async (job) => {
          calls[q]!.push(job.id!);
          if (q === 'bg_remove') {
            await gate;
            cutOutsDone++;
          }
          return q === 'bg_remove' ? { alphaPaths: ['a.png'] } : { atlasId: 'x', pages: [] };
        },
        { connection, prefix: t.prefix },
      );
      w.on('error', () => {
        // Same: connection errors while Redis restarts are the scenario, not a failure.
      });
      return w;
    });
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.close(true)));
      conns.forEach((c) => c.disconnect());
    });
    const a = await enable(
      t,
      tokens.lead,
      {
        name: 'cut',
        trigger: { event: 'variant.approved' },
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } }],
      },
      { type: 'variant.approved', payload: {} },
    );
    const b = await enable(
      t,
      tokens.lead,
      {
        name: 'pack',
        trigger: { event: 'bg_remove.completed' },
        actions: [{ type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${event.payload.output.alphaPaths}' } } }],
      },
      { type: 'bg_remove.completed', payload: {} },
    );

    await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' }, tokens.artist);
    await waitFor(() => calls.bg_remove!.length === 1, 10_000, 'cut-out running');
    await redis.stop();
    // While Redis is away: another approval arrives, and the running job finishes.
    assert.equal((await t.call('POST', `${P}/variants/hero-v2/review`, { decision: 'approve' }, tokens.artist)).status, 200);
    release();
    // The cut-out returns while Redis is away: its completion waits in the worker for Redis to come back.
    await waitFor(() => cutOutsDone === 1, 5000, 'the cut-out finished while Redis was down');
    redis = await startPrivateRedis(dir, { port: redis.port });

    await waitFor(
      () => t.door.runs.list('art', { ruleId: b }).filter((r) => r.status === 'succeeded').length === 2,
      40_000,
      'both chains finished',
    );
    const runsA = t.door.runs.list('art', { ruleId: a });
    const runsB = t.door.runs.list('art', { ruleId: b });
    assert.equal(runsA.length, 2, 'one cut-out run per approval');
    assert.equal(runsB.length, 2, 'one atlas run per cut-out');
    assert.ok(runsA.every((r) => r.status === 'succeeded'));
    assert.equal(new Set(calls.pack_atlas).size, 2, 'two atlas jobs, each submitted once');
    assert.equal(calls.pack_atlas!.length, 2, 'no atlas job ran twice');
    const dupes = t.door.sql
      .prepare('SELECT idempotency_key, count(*) AS n FROM events GROUP BY project_id, idempotency_key HAVING n > 1')
      .all();
    assert.deepEqual(dupes, []);
    const unpublished = () => (t.door.sql.prepare('SELECT count(*) AS n FROM events WHERE published_at IS NULL').get() as { n: number }).n;
    await waitFor(() => unpublished() === 0, 10_000, 'every stored event published');
  });
});
