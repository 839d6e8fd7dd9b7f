// The real Slack bot on a real engine (SQLite, Redis, the gpu-worker) behind
// a real HTTP server, talking to the loopback Slack. Requests are built from
// the platform fixtures and signed as Slack signs them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createBots, type Bots } from '../../bot/index.js';
import { defaultReactionMap } from '../../bot/commands/control.js';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { makeEngine, testRedis, type TestEngine } from './engine.js';
import { fixture, sign, SIGNING_SECRET, startFakeSlack, type FakeSlack } from './slack.js';

export interface SlackHarness {
  t: TestEngine;
  fake: FakeSlack;
  bots: Bots;
  url: string;
  logs: Record<string, any>[];
  dataDir: string;
  post(body: string, contentType: string, headers?: Record<string, string>): Promise<{ status: number; text: string; ms: number }>;
  action(payload: unknown, headers?: Record<string, string>): ReturnType<SlackHarness['post']>;
  command(fields: Record<string, string>): ReturnType<SlackHarness['post']>;
  event(body: unknown, headers?: Record<string, string>): ReturnType<SlackHarness['post']>;
  /** Wait until the bot's queued work and messages are out. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** A block_actions payload from the bolt-python fixture, pressed by `user` on a message in `channel`. */
export function press(
  h: Pick<SlackHarness, 'fake'>,
  o: { actionId: string; value?: string; user: string; channel: string; messageTs: string; blockId?: string; selected?: string },
) {
  const p = fixture('block_actions.bolt-python.json');
  const n = ++counter;
  p.user = { ...p.user, id: o.user };
  p.channel = { ...p.channel, id: o.channel };
  p.container = { ...p.container, channel_id: o.channel, message_ts: o.messageTs, is_ephemeral: false };
  p.trigger_id = `${n}.222.valid`;
  p.response_url = h.fake.responseUrl(`press-${n}`);
  const a = {
    ...p.actions[0],
    action_id: o.actionId,
    block_id: o.blockId ?? p.actions[0].block_id,
    action_ts: `1596530385.${String(n).padStart(6, '0')}`,
  };
  if (o.value !== undefined) a.value = o.value;
  if (o.selected !== undefined) {
    delete a.value;
    a.type = 'static_select';
    a.selected_option = { text: { type: 'plain_text', text: o.selected }, value: o.selected };
  }
  p.actions = [a];
  return p;
}

/** A slash command from the bolt-python form fixture. */
export function slash(
  h: Pick<SlackHarness, 'fake'>,
  o: { command: string; text: string; user: string; channel: string },
): Record<string, string> {
  const f = Object.fromEntries(new URLSearchParams(fixture('slash_command.bolt-python.form.txt') as string));
  return {
    ...f,
    command: o.command,
    text: o.text,
    user_id: o.user,
    channel_id: o.channel,
    response_url: h.fake.responseUrl(`cmd-${++counter}`),
  };
}

/** A reaction_added event from the bolt-python fixture. */
export function reaction(o: {
  user: string;
  channel: string;
  ts: string;
  reaction: string;
  eventId?: string;
  type?: 'reaction_added' | 'reaction_removed';
}) {
  const b = fixture('reaction_added.bolt-python.json');
  b.event = {
    ...b.event,
    type: o.type ?? 'reaction_added',
    user: o.user,
    reaction: o.reaction,
    item: { type: 'message', channel: o.channel, ts: o.ts },
  };
  b.event_id = o.eventId ?? `Ev${++counter}`;
  return b;
}

export async function startSlackHarness(
  options: { worker?: boolean; postSpacingMs?: number; editSpacingMs?: number } = {},
): Promise<SlackHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-slack-'));
  const fake = await startFakeSlack();
  const t = await makeEngine({ consume: true, dataDir });
  const logs: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const bots = createBots(
    {
      slack: {
        botToken: 'xoxb-test-token',
        signingSecret: SIGNING_SECRET,
        appToken: null,
        apiUrl: fake.apiUrl,
        reactions: { ...defaultReactionMap },
        publicUrl: 'http://greenlight.test',
      },
    },
    t.engine,
    t.app,
    logger,
    {
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
      postSpacingMs: options.postSpacingMs ?? 5,
      editSpacingMs: options.editSpacingMs ?? 40,
    },
  );
  await bots.start();
  let worker: RunningWorker | null = null;
  if (options.worker !== false) {
    const config = loadWorkerConfig(
      { GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: t.prefix, GREENLIGHT_WORKER_CONCURRENCY: '2' },
      process.cwd(),
    );
    worker = startWorker({ config, redisUrl: (await testRedis()).url, logger: pino({ level: 'silent' }) });
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const h: SlackHarness = {
    t,
    fake,
    bots,
    url,
    logs,
    dataDir,
    async post(body, contentType, headers) {
      const start = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...sign(body), ...headers }, body });
      const text = await res.text();
      return { status: res.status, text, ms: performance.now() - start };
    },
    action: (payload, headers) =>
      h.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded', headers),
    command: (fields) => h.post(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded'),
    event: (body, headers) => h.post(JSON.stringify(body), 'application/json', headers),
    idle: () => bots.slack!.notifications.idle(),
    async close() {
      await bots.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await worker?.close();
      await t.close();
      await fake.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
