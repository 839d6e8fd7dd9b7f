// Hardening (#17), item 9: one chatty project must not stall another. Project A's rule posts a
// notify to its Slack channel (the real Bolt app and poster, paced at one post a second per
// channel as Slack asks); project B's rule submits a job. On main, after 12 of A's events, B's
// event waited ~8 s for its job: the events consumer's slots waited on A's chat posts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stopTestRedis, testRedis, waitFor } from '../helpers/engine.js';
import { enabledRule } from '../helpers/rules.js';
import { slash, startSlackHarness, type SlackHarness } from '../helpers/slack-bot.js';
import { testWorkers } from '../helpers/workers.js';

const CHANNEL = 'CCHATTY';
const QUIET_CHANNEL = 'CQUIET';
let h: SlackHarness;
let workers: ReturnType<typeof testWorkers>;
const arrived = new Map<string, number>();

/** Chatty steps past pending: their posts are queued (so the quiet project speaks after them). */
const queued = () =>
  (
    h.t.door.sql
      .prepare(
        "SELECT count(*) AS n FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.project_id = 'chatty' AND s.status <> 'pending'",
      )
      .get() as { n: number }
  ).n;

describe('fairness between projects', () => {
  before(async () => {
    // Slack's own pacing: one post a second per channel.
    h = await startSlackHarness({ worker: false, postSpacingMs: 1000 });
    for (const id of ['chatty', 'quiet'])
      assert.equal(
        (
          await h.t.call('POST', '/api/projects', {
            id,
            name: id,
            // Every run may go at once: what the chatty project floods is its notifications, not its run limit.
            settings: { roles: { 'slack:UADMIN': 'admin' }, limits: { maxConcurrentRuns: 1000 } },
          })
        ).status,
        201,
      );
    await h.command(slash(h, { command: '/greenlight', text: 'bind chatty', user: 'UADMIN', channel: CHANNEL }));
    await h.command(slash(h, { command: '/greenlight', text: 'bind quiet', user: 'UADMIN', channel: QUIET_CHANNEL }));
    await waitFor(
      () =>
        h.t.engine.chat.projectOfChannel('slack', CHANNEL) === 'chatty' &&
        h.t.engine.chat.projectOfChannel('slack', QUIET_CHANNEL) === 'quiet',
      3000,
      'bound',
    );
    const lead = async (p: string) => (await h.t.call('POST', `/api/projects/${p}/tokens`, { role: 'lead' })).body.token as string;
    const rule = async (projectId: string, name: string, type: string, action: Record<string, unknown>) =>
      enabledRule(
        (...a) => h.t.call(...a),
        `/api/projects/${projectId}`,
        await lead(projectId),
        { name, trigger: { event: type }, actions: [action] },
        { type, payload: { n: 0 } },
      );
    await rule('chatty', 'tell', 'custom.chatty', { id: 'tell', type: 'notify', config: { text: 'chatty ${event.payload.n}' } });
    await rule('quiet', 'cut', 'custom.quiet', {
      id: 'cut',
      type: 'enqueue_job',
      config: { type: 'bg_remove', input: { originalPath: 'files/${event.payload.n}.png' } },
    });
    await rule('quiet', 'say', 'custom.say', { id: 'say', type: 'notify', config: { text: 'quiet ${event.payload.n}' } });
    workers = testWorkers(h.t.prefix);
    await workers.add('bg_remove', (job) => {
      arrived.set(String(job.data.input.originalPath), Date.now());
      return { alphaPaths: [] };
    });
  });
  after(async () => {
    await workers?.close();
    await h?.close();
    await stopTestRedis();
  });

  it('GIVEN 12 notify events in a Slack-bound project THEN a quiet project’s event still gets its job at once, and every notification is posted, paced', async () => {
    for (let n = 1; n <= 12; n++)
      assert.equal(
        (await h.t.call('POST', '/api/projects/chatty/automation/events', { type: 'custom.chatty', payload: { n } })).status,
        202,
      );
    // A's events reach the consumer first: every chatty post is queued before the quiet project speaks.
    await waitFor(() => queued() >= 12, 10_000, 'chatty posts queued');
    const sent = Date.now();
    assert.equal(
      (await h.t.call('POST', '/api/projects/quiet/automation/events', { type: 'custom.quiet', payload: { n: 1 } })).status,
      202,
    );
    await waitFor(() => arrived.has('files/1.png'), 15_000, 'the quiet project’s job');
    const ms = arrived.get('files/1.png')! - sent;
    // Its own work is a few ms; the bound is generous, far below one chat post's pacing.
    assert.ok(ms < 500, `the quiet project waited ${ms} ms for its first job`);
    // A's notifications all arrive, one a second (the channel's pacing), none lost.
    await waitFor(
      () => h.fake.of('chat.postMessage').filter((c) => c.args.channel === CHANNEL && /^chatty \d+$/.test(c.args.text)).length === 12,
      30_000,
      'twelve posts',
    );
    const posts = h.fake.of('chat.postMessage').filter((c) => c.args.channel === CHANNEL && /^chatty \d+$/.test(c.args.text));
    assert.deepEqual(posts.map((c) => c.args.text).sort(), Array.from({ length: 12 }, (_, i) => `chatty ${i + 1}`).sort());
    // Each post was taken up once, at its slot: a backlogged channel's job is added delayed to its turn, not
    // taken up only to be put back (on main the eleven behind the first each started twice).
    const connection = new Redis((await testRedis()).url, { maxRetriesPerRequest: null });
    const notify = new Queue('notify', { connection, prefix: h.t.prefix });
    try {
      const chattyDone = async () => (await notify.getCompleted(0, 1000)).filter((j) => /^chatty \d+$/.test(String(j.data.input.text)));
      await waitFor(async () => (await chattyDone()).length === 12, 5000, 'twelve notify jobs completed');
      assert.deepEqual(
        (await chattyDone()).map((j) => j.attemptsStarted),
        Array.from({ length: 12 }, () => 1),
      );
    } finally {
      await notify.close();
      connection.disconnect();
    }
  });

  it('GIVEN a slow chat API (every post answers after 1.5 s) and 36 more chatty events (more than the notify queue’s 16 slots) THEN the quiet project’s job is still at once and its own post is not queued behind the chatty channel’s backlog', async () => {
    h.fake.delay('chat.postMessage', 1500);
    const posts = (channel: string) => h.fake.of('chat.postMessage').filter((c) => c.args.channel === channel);
    const before = posts(CHANNEL).length;
    const queuedBefore = queued();
    for (let n = 13; n <= 48; n++)
      assert.equal(
        (await h.t.call('POST', '/api/projects/chatty/automation/events', { type: 'custom.chatty', payload: { n } })).status,
        202,
      );
    await waitFor(() => queued() >= queuedBefore + 36, 10_000, 'chatty posts queued');
    const sent = Date.now();
    assert.equal(
      (await h.t.call('POST', '/api/projects/quiet/automation/events', { type: 'custom.quiet', payload: { n: 2 } })).status,
      202,
    );
    assert.equal((await h.t.call('POST', '/api/projects/quiet/automation/events', { type: 'custom.say', payload: { n: 1 } })).status, 202);
    await waitFor(() => arrived.has('files/2.png'), 15_000, 'the quiet project’s job');
    assert.ok(arrived.get('files/2.png')! - sent < 500, `job after ${arrived.get('files/2.png')! - sent} ms`);
    // The quiet channel's post is one slow API call away, not twelve paced ones.
    await waitFor(() => posts(QUIET_CHANNEL).some((c) => c.args.text === 'quiet 1'), 5000, 'the quiet project’s post');
    const quietAt = posts(QUIET_CHANNEL).find((c) => c.args.text === 'quiet 1')!.at;
    assert.ok(quietAt - sent < 3500, `quiet post after ${quietAt - sent} ms`);
    assert.ok(posts(CHANNEL).length - before < 12, 'while the chatty channel is still working through its posts');
    h.fake.delay('chat.postMessage', 0);
  });

  it('GIVEN 300 chatty events posted at once THEN each fires one run, they reach the consumer as runs of several events (far fewer events jobs than events), and the quiet project’s job is still at once', async () => {
    const first = 1000;
    const post = (n: number) => h.t.call('POST', '/api/projects/chatty/automation/events', { type: 'custom.chatty', payload: { n } });
    const sent = Date.now();
    const flood = Promise.all(Array.from({ length: 300 }, (_, i) => post(first + i)));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      (await h.t.call('POST', '/api/projects/quiet/automation/events', { type: 'custom.quiet', payload: { n: 3 } })).status,
      202,
    );
    assert.ok((await flood).every((r) => r.status === 202));
    const runsOfFlood = () =>
      h.t.door.sql
        .prepare(
          `SELECT json_extract(e.payload, '$.n') AS n, count(r.id) AS runs FROM events e LEFT JOIN runs r ON r.event_id = e.id
            WHERE e.project_id = 'chatty' AND json_extract(e.payload, '$.n') >= ? GROUP BY e.id`,
        )
        .all(first) as { n: number; runs: number }[];
    await waitFor(() => runsOfFlood().filter((r) => r.runs > 0).length === 300, 20_000, 'a run per flood event');
    assert.ok(
      runsOfFlood().every((r) => r.runs === 1),
      'one run each',
    );
    await waitFor(() => arrived.has('files/3.png'), 15_000, 'the quiet project’s job');
    assert.ok(arrived.get('files/3.png')! - sent < 1500, `the quiet project’s job after ${arrived.get('files/3.png')! - sent} ms`);
    const connection = new Redis((await testRedis()).url, { maxRetriesPerRequest: null });
    const events = new Queue('events', { connection, prefix: h.t.prefix });
    try {
      const jobs = (await events.getCompleted(0, 5000)).filter((j) => j.data.projectId === 'chatty' && j.timestamp >= sent);
      const sizes = jobs.map((j) => j.data.events.length as number);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        300,
        'every flood event in one job',
      );
      assert.ok(jobs.length <= 100, `${jobs.length} events jobs for 300 events (sizes ${sizes.join(',')})`);
      assert.ok(Math.max(...sizes) <= 64, 'at most 64 events a job');
      console.log(`300 flood events went as ${jobs.length} events jobs (largest ${Math.max(...sizes)})`);
    } finally {
      await events.close();
      connection.disconnect();
    }
  });
});
