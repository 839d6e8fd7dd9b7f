// call_webhook steps run as jobs on the engine's webhooks queue: one HTTP attempt per job, BullMQ's
// backoff between them (no consumer sleeps), a final 4xx not retried, and a killed engine's delivery
// taken up by the next engine within seconds.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeEngine, seedProject, stopTestRedis, testRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { installation, startEngineProcess } from '../helpers/engine-process.js';

const P = '/api/projects/art';

/** A loopback webhook receiver answering each request with the next status of `plan` (the last one repeats); `hold` never answers. */
function receiver(plan: (number | 'hold')[]) {
  const seen: { delivery: string; at: number }[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ delivery: String(req.headers['x-greenlight-delivery']), at: Date.now() });
      const status = plan[Math.min(seen.length - 1, plan.length - 1)]!;
      if (status === 'hold') held.push(res);
      else res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return {
    seen,
    async url() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.close(() => r());
      }),
  };
}

async function webhookRule(t: TestEngine, url: string, token: string, extra: Record<string, unknown> = {}) {
  const rule = await t.call(
    'POST',
    `${P}/rules`,
    {
      name: 'ping → webhook',
      trigger: { event: 'custom.ping' },
      actions: [{ id: 'hook', type: 'call_webhook', config: { url, body: { hello: 'art' }, ...extra } }],
    },
    token,
  );
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'custom.ping', payload: {} } }, token);
  assert.equal((await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, token)).status, 200);
  return rule.body.id as string;
}

describe('call_webhook as a job', () => {
  let t: TestEngine;
  let tokens: { lead: string };
  before(async () => {
    t = await makeEngine({ consume: true });
    ({ tokens } = await seedProject(t));
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN a receiver failing twice with 503 THEN the step succeeds on the third attempt, one delivery id throughout', async () => {
    const hook = receiver([503, 503, 200]);
    const ruleId = await webhookRule(t, await hook.url(), tokens.lead);
    await t.call('POST', `${P}/automation/events`, { type: 'custom.ping', payload: {} }, tokens.lead);
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'succeeded'), 10_000, 'the webhook run');
    const step = t.door.runs.steps(t.door.runs.list('art', { ruleId })[0]!.id)[0]!;
    assert.deepEqual(step.output, { status: 200, attempts: 3 });
    assert.equal(hook.seen.length, 3);
    assert.deepEqual(new Set(hook.seen.map((s) => s.delivery)), new Set([step.jobIds[0]]));
    assert.ok(hook.seen[2]!.at - hook.seen[0]!.at >= 200 + 400, 'backoff between the attempts');
    await hook.close();
    await t.call('DELETE', `${P}/rules/${ruleId}`, undefined, tokens.lead);
  });

  it('GIVEN a receiver answering 404 THEN the step fails after one attempt, saying why', async () => {
    const hook = receiver([404]);
    const ruleId = await webhookRule(t, await hook.url(), tokens.lead);
    await t.call('POST', `${P}/automation/events`, { type: 'custom.ping', payload: {} }, tokens.lead);
    await waitFor(() => t.door.runs.list('art', { ruleId }).some((r) => r.status === 'failed'), 10_000, 'the webhook run fails');
    const run = t.door.runs.list('art', { ruleId })[0]!;
    assert.match(run.error ?? '', /HTTP 404/);
    assert.equal(hook.seen.length, 1, 'a final refusal is not retried');
    await hook.close();
    await t.call('DELETE', `${P}/rules/${ruleId}`, undefined, tokens.lead);
  });
});

describe('a killed engine’s webhook delivery', () => {
  it('GIVEN SIGKILL while a webhook is in flight THEN the next engine delivers it again within 5 s and the run succeeds', async () => {
    const cleanups: (() => unknown)[] = [];
    const env = installation((await testRedis()).url, cleanups);
    const hook = receiver(['hold', 200]);
    const hookUrl = await hook.url();
    const first = await startEngineProcess(env);
    try {
      assert.equal((await first.call('POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
      const rule = await first.call('POST', `${P}/rules`, {
        name: 'ping → webhook',
        trigger: { event: 'custom.ping' },
        actions: [{ id: 'hook', type: 'call_webhook', config: { url: hookUrl, timeoutMs: 30_000 } }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      await first.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: { type: 'custom.ping', payload: {} } });
      assert.equal((await first.call('POST', `${P}/rules/${rule.body.id}/enable`)).status, 200);
      await first.call('POST', `${P}/automation/events`, { type: 'custom.ping', payload: {} });
      await waitFor(() => hook.seen.length === 1, 10_000, 'the first delivery in flight');
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await startEngineProcess(env);
      const readyAt = Date.now();
      try {
        await waitFor(() => hook.seen.length === 2, 8000, 'the delivery again, from the new engine');
        const after = hook.seen[1]!.at - readyAt;
        console.log(`webhook delivered again ${after} ms after the new engine was ready`);
        assert.ok(after <= 5000, `delivered again after ${after} ms`);
        assert.equal(hook.seen[1]!.delivery, hook.seen[0]!.delivery, 'the same delivery id');
        await waitFor(
          async () => (await second.call('GET', `${P}/runs?ruleId=${rule.body.id}`)).body.runs[0]?.status === 'succeeded',
          5000,
          'the run succeeds',
        );
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      first.child.kill('SIGKILL');
      await hook.close();
      for (const c of cleanups) await c();
      await stopTestRedis();
    }
  });
});
