// Crash tests on real Redis and SQLite: the engine is a process of its own, killed with SIGKILL
// right after a unit of work committed and before its job submit; a new engine on the same files
// must carry the run to the end an uncrashed one reaches, running each job once, within seconds.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ADMIN, stopTestRedis, testRedis, waitFor } from '../helpers/engine.js';

const fixture = fileURLToPath(new URL('../fixtures/engine-process.ts', import.meta.url));

interface EngineProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startEngine(env: Record<string, string>): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`engine did not start: ${out}${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1]!, exited });
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`engine exited (${code ?? signal}) before it was ready: ${out}${err}`)));
  });
}

async function call(url: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('an engine killed between a commit and its submit', () => {
  let redisUrl: string;
  const cleanups: (() => Promise<unknown> | void)[] = [];
  before(async () => {
    redisUrl = (await testRedis()).url;
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await stopTestRedis();
  });

  for (const [n, where] of [
    [1, 'the event’s unit (the run and its first step recorded, the first job not yet submitted)'],
    [2, 'a step end’s unit (the first step recorded done, the second marked running, its job not yet submitted)'],
  ] as const) {
    it(`GIVEN SIGKILL after ${where} THEN a new engine finishes the run within 5 s, each job running once`, async () => {
      const prefix = `c${randomBytes(4).toString('hex')}`;
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-crash-'));
      cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const env = {
        GREENLIGHT_DATA_DIR: dataDir,
        REDIS_URL: redisUrl,
        GREENLIGHT_QUEUE_PREFIX: prefix,
        GREENLIGHT_ADMIN_TOKEN: ADMIN,
        PORT: '0',
        LOG_LEVEL: 'silent',
      };
      // The job side: real BullMQ workers in this process, counting what they run.
      const ran: string[] = [];
      for (const q of ['bg_remove', 'pack_atlas']) {
        const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
        const w = new Worker(
          q,
          async (job) => {
            ran.push(job.id!);
            return q === 'bg_remove'
              ? { alphaPaths: ['files/a.png'], items: [] }
              : { atlasId: 'crash-atlas', pages: [], data: {}, frames: 0, occupancy: 0 };
          },
          { connection, prefix },
        );
        w.on('error', (e) => assert.fail(e));
        cleanups.push(async () => {
          await w.close();
          connection.disconnect();
        });
      }

      const first = await startEngine({ ...env, GREENLIGHT_TEST_CRASH: `submit:${n}` });
      assert.equal((await call(first.url, 'POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
      const P = `/api/projects/art`;
      assert.equal(
        (await call(first.url, 'POST', `${P}/assets`, { id: 'hero', type: 'character', variants: [{ id: 'hero-v1' }] })).status,
        201,
      );
      const rule = await call(first.url, 'POST', `${P}/rules`, {
        name: 'approved → cut-out → atlas',
        trigger: { event: 'variant.approved' },
        actions: [
          { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } },
          {
            id: 'atlas',
            type: 'enqueue_job',
            config: { type: 'pack_atlas', input: { atlasId: 'crash-atlas', frames: '${steps.cutout.output.alphaPaths}' } },
          },
        ],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      await call(first.url, 'POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'variant.approved', payload: {} } });
      assert.equal((await call(first.url, 'POST', `${P}/rules/${rule.body.id}/enable`)).status, 200);
      assert.equal((await call(first.url, 'POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
      const died = await first.exited;
      assert.equal(died.signal, 'SIGKILL', 'the engine was killed at the fault point');
      assert.equal(ran.length, n - 1, 'the job decided in the killed unit was never submitted');

      const second = await startEngine(env);
      cleanups.push(async () => {
        second.child.kill('SIGTERM');
        await second.exited;
      });
      const restartedAt = Date.now();
      let run: { id: string; status: string } | undefined;
      await waitFor(
        async () => {
          run = (await call(second.url, 'GET', `${P}/runs?ruleId=${rule.body.id}`)).body.runs[0];
          return run?.status === 'succeeded';
        },
        15_000,
        'the run to succeed after the restart',
      );
      const recoveredMs = Date.now() - restartedAt;
      console.log(`crash point ${n}: run finished ${recoveredMs} ms after the new engine was ready`);
      assert.ok(recoveredMs <= 5000, `recovered after ${recoveredMs} ms`);
      const detail = (await call(second.url, 'GET', `${P}/runs/${run!.id}`)).body;
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
    const prefix = `c${randomBytes(4).toString('hex')}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-crash-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      GREENLIGHT_DATA_DIR: dataDir,
      REDIS_URL: redisUrl,
      GREENLIGHT_QUEUE_PREFIX: prefix,
      GREENLIGHT_ADMIN_TOKEN: ADMIN,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const ran: string[] = [];
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const w = new Worker('bg_remove', async (job) => (ran.push(job.id!), { alphaPaths: [], items: [] }), { connection, prefix });
    w.on('error', (e) => assert.fail(e));
    cleanups.push(async () => {
      await w.close();
      connection.disconnect();
    });
    const first = await startEngine({ ...env, GREENLIGHT_TEST_CRASH: 'later:1' });
    const P = '/api/projects/art';
    const project = { id: 'art', name: 'Art', settings: { policies: { allowSelfApproval: true } } };
    assert.equal((await call(first.url, 'POST', '/api/projects', project)).status, 201);
    assert.equal(
      (await call(first.url, 'POST', `${P}/assets`, { id: 'hero', type: 'character', variants: [{ id: 'hero-v1' }] })).status,
      201,
    );
    const rule = await call(first.url, 'POST', `${P}/rules`, {
      name: 'approved → cut-out, with an admin’s approval',
      trigger: { event: 'variant.approved' },
      requiresApproval: 'always',
      actions: [{ id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    await call(first.url, 'POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'variant.approved', payload: {} } });
    assert.equal((await call(first.url, 'POST', `${P}/rules/${rule.body.id}/enable`)).status, 200);
    assert.equal((await call(first.url, 'POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = await startEngine(env);
    cleanups.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    let approvals: { id: string; runId: string }[] = [];
    await waitFor(
      async () => (approvals = (await call(second.url, 'GET', `${P}/approvals`)).body.approvals).length > 0,
      5000,
      'the approval request after the restart',
    );
    assert.equal(approvals.length, 1, 'requested once');
    assert.equal((await call(second.url, 'POST', `${P}/approvals/${approvals[0]!.id}/approve`)).status, 200);
    await waitFor(
      async () => (await call(second.url, 'GET', `${P}/runs/${approvals[0]!.runId}`)).body.run.status === 'succeeded',
      10_000,
      'the approved run to succeed',
    );
    assert.deepEqual(ran.length, 1, 'the job ran once');
  });

  it('GIVEN SIGKILL while resume replays a held firing (after its unit, before its submit) THEN a new engine finishes that run, its job running once', async () => {
    const prefix = `c${randomBytes(4).toString('hex')}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-crash-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      GREENLIGHT_DATA_DIR: dataDir,
      REDIS_URL: redisUrl,
      GREENLIGHT_QUEUE_PREFIX: prefix,
      GREENLIGHT_ADMIN_TOKEN: ADMIN,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const ran: string[] = [];
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const w = new Worker('bg_remove', async (job) => (ran.push(job.id!), { alphaPaths: [], items: [] }), { connection, prefix });
    w.on('error', (e) => assert.fail(e));
    cleanups.push(async () => {
      await w.close();
      connection.disconnect();
    });
    const first = await startEngine({ ...env, GREENLIGHT_TEST_CRASH: 'submit:1' });
    const P = '/api/projects/art';
    assert.equal((await call(first.url, 'POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
    assert.equal(
      (await call(first.url, 'POST', `${P}/assets`, { id: 'hero', type: 'character', variants: [{ id: 'hero-v1' }] })).status,
      201,
    );
    const rule = await call(first.url, 'POST', `${P}/rules`, {
      name: 'approved → cut-out',
      trigger: { event: 'variant.approved' },
      actions: [{ id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } }],
    });
    await call(first.url, 'POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'variant.approved', payload: {} } });
    assert.equal((await call(first.url, 'POST', `${P}/rules/${rule.body.id}/enable`)).status, 200);
    assert.equal((await call(first.url, 'POST', `${P}/halt`, { reason: 'crash test' })).status, 200);
    assert.equal((await call(first.url, 'POST', `${P}/variants/hero-v1/review`, { decision: 'approve' })).status, 200);
    await waitFor(async () => (await call(first.url, 'GET', `${P}/halts`)).body.halts[0]?.held === 1, 5000, 'the firing held');
    // The engine dies inside this request, so it gets no answer.
    await call(first.url, 'POST', `${P}/resume`, {}).catch(() => null);
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.equal(ran.length, 0);

    const second = await startEngine(env);
    cleanups.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    await waitFor(
      async () => (await call(second.url, 'GET', `${P}/runs?ruleId=${rule.body.id}`)).body.runs[0]?.status === 'succeeded',
      5000,
      'the replayed run to succeed after the restart',
    );
    assert.deepEqual((await call(second.url, 'GET', `${P}/halts`)).body.halts, [], 'the resume stands');
    assert.equal(ran.length, 1, 'the job ran once');
  });
});
