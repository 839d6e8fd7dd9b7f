// A Discord bot (the real discord.js client) against a real engine, Redis and
// gpu-worker, with a loopback Discord (discord-fake.ts) and the engine's HTTP
// server (for the signed HTTP interactions endpoint). Interactions are built
// from Discord's published samples in tests/fixtures/platform/discord.
import { generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { pino } from 'pino';
import { createBots, type Bots } from '../../bot/index.js';
import { defaultDiscordReactions, type DiscordConfig } from '../../bot/discord/config.js';
import { DISCORD_PATH } from '../../bot/discord/http.js';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { makeEngine, testRedis, type TestEngine } from './engine.js';
import { startFakeDiscord, type FakeDiscord } from './discord-fake.js';

export const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join('tests/fixtures/platform/discord', name), 'utf8'));

export interface DiscordHarness {
  t: TestEngine;
  fake: FakeDiscord;
  bots: Bots;
  config: DiscordConfig;
  logs: Record<string, any>[];
  dataDir: string;
  /** The HTTP interactions endpoint's URL. */
  url: string;
  /** Sign a body as Discord does (Ed25519 over timestamp + body). */
  sign(body: string, timestamp?: string): Record<string, string>;
  /** A gateway INTERACTION_CREATE; resolves with its interaction callback once the bot answered. */
  interact(payload: Record<string, any>): Promise<{ type: number; data?: any; ms: number }>;
  /** A button press from Discord's published sample, by `user` on `messageId` in `channel`. */
  press(o: {
    customId: string;
    user: string;
    channel: string;
    messageId: string;
    roles?: string[];
    values?: string[];
  }): Record<string, any>;
  /** A slash command from Discord's published sample. */
  slash(o: { name: string; options?: unknown[]; user: string; channel: string; roles?: string[] }): Record<string, any>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const nextId = () => String(1_100_000_000_000_000_000n + BigInt(++counter));

export async function startDiscordHarness(options: { worker?: boolean } = {}): Promise<DiscordHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-discord-'));
  const fake = await startFakeDiscord({ heartbeatMs: 300 });
  const t = await makeEngine({ consume: true, dataDir });
  const logs: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const keys = generateKeyPairSync('ed25519');
  const publicHex = (keys.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex');
  const config: DiscordConfig = {
    token: 'fake-discord-bot-token-0123456789',
    appId: fake.appId,
    guildId: fake.guildId,
    apiUrl: fake.apiUrl,
    reactions: { ...defaultDiscordReactions },
    publicKey: publicHex,
    publicUrl: 'http://greenlight.test',
  };
  const bots = createBots({ slack: { off: 'Slack bot off' }, discord: config }, t.engine, t.app, pino({ level: 'info' }, sink), {
    discord: { editSpacingMs: 40, restRetries: 1 },
  });
  await bots.start();
  let worker: RunningWorker | null = null;
  if (options.worker !== false) {
    const wc = loadWorkerConfig(
      { GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: t.prefix, GREENLIGHT_WORKER_CONCURRENCY: '2' },
      process.cwd(),
    );
    worker = startWorker({ config: wc, redisUrl: (await testRedis()).url, logger: pino({ level: 'silent' }) });
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${DISCORD_PATH}`;
  const signWith = (key: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))) => ({
    'x-signature-ed25519': edSign(null, Buffer.from(timestamp + body), key).toString('hex'),
    'x-signature-timestamp': timestamp,
  });
  const member = (user: string, roles: string[] = []) => ({
    ...fixture('interaction_create.button.discord-docs.json').member,
    user: { ...fixture('interaction_create.button.discord-docs.json').member.user, id: user },
    roles,
  });
  /** A published sample made ours: fresh id and token, our app, server, channel and member. */
  const envelope = (p: Record<string, any>, o: { user: string; channel: string; roles?: string[] }) => {
    p.id = nextId();
    p.token = `token-${p.id}`;
    p.application_id = fake.appId;
    p.guild_id = fake.guildId;
    p.channel_id = o.channel;
    p.channel = fake.channelObject(o.channel);
    p.member = member(o.user, o.roles);
    // What Discord sends today and its own samples lack.
    p.entitlements = [];
    p.authorizing_integration_owners = { '0': fake.guildId };
    return p;
  };
  const h: DiscordHarness = {
    t,
    fake,
    bots,
    config,
    logs,
    dataDir,
    url,
    sign: (body, timestamp) => signWith(keys.privateKey, body, timestamp),
    async interact(payload) {
      const started = performance.now();
      const path = `/interactions/${payload.id}/${payload.token}/callback`;
      const seen = fake.calls.length;
      fake.dispatch('INTERACTION_CREATE', payload);
      await fake.waitFor(
        (calls) => calls.slice(seen).some((c) => c.path === path && !c.body?.rateLimited),
        5000,
        `the callback of ${payload.id}`,
      );
      const call = fake.calls.slice(seen).find((c) => c.path === path && !c.body?.rateLimited)!;
      return { ...call.body, ms: performance.now() - started };
    },
    press(o) {
      const p = envelope(fixture('interaction_create.button.discord-docs.json'), o);
      p.message = { ...p.message, id: o.messageId, channel_id: o.channel };
      p.data = { custom_id: o.customId, component_type: o.values ? 3 : 2, ...(o.values ? { values: o.values } : {}) };
      return p;
    },
    slash(o) {
      const p = envelope(fixture('interaction_create.chat_input.discord-docs.json'), o);
      p.data = { type: 1, id: nextId(), name: o.name, options: o.options ?? [] };
      return p;
    },
    idle: () => bots.discord!.settled(),
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
