// A loopback Discord for the real discord.js client: the REST API the bot
// calls (gateway lookup, command overwrite, messages with attachments, edits,
// interaction callbacks, follow-ups), recording every call, and a gateway
// that speaks the documented protocol — HELLO (op 10) → IDENTIFY (op 2) →
// READY + GUILD_CREATE, heartbeats (op 1 → op 11), a dropped socket →
// RESUME (op 6) → RESUMED — and dispatches whatever a test sends.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RestCall {
  method: string;
  /** The path after /api/v10, e.g. /channels/123/messages. */
  path: string;
  body: any;
  /** Names and sizes of uploaded files (multipart bodies). */
  files: { name: string; bytes: number }[];
  auth: string | null;
  at: number;
}

export interface FakeDiscord {
  apiUrl: string;
  appId: string;
  guildId: string;
  channels: { review: string; admin: string; other: string };
  calls: RestCall[];
  /** Gateway frames the client sent (IDENTIFY, heartbeats, RESUME). */
  received: { op: number; d: any }[];
  /** Ask every connected client for a heartbeat now (op 1 from the server). */
  requestHeartbeat(): void;
  /** Send a dispatch (op 0) with the next sequence number to every connected client. */
  dispatch(t: string, d: unknown): void;
  /** Close the socket as Discord does when it wants a resume (close code 4000 by default). */
  dropSocket(code?: number): void;
  /** Answer the next `count` calls matching `route` with 429 and this Retry-After (seconds). */
  rateLimit(route: RegExp, retryAfterS: number, count?: number): void;
  /** The partial channel object Discord puts in an interaction: a thread the bot opened, or a text channel. */
  channelObject(id: string): Record<string, unknown>;
  /** Heartbeats the gateway acknowledged (op 11). */
  readonly heartbeatAcks: number;
  /** Connections the gateway has seen (each IDENTIFY or RESUME). */
  sessions: { identified: number; resumed: number };
  waitFor(what: (calls: RestCall[]) => boolean, timeoutMs?: number, label?: string): Promise<void>;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  if (status === 204) {
    // A 204 carries no body, and no content-type: @discordjs/rest would try to parse one.
    res.writeHead(204, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

/** `heartbeatMs`: the interval HELLO asks for (Discord's sample says 45,000; tests want to see several). */
export async function startFakeDiscord(options: { heartbeatMs?: number } = {}): Promise<FakeDiscord> {
  const appId = '290926444748734465';
  const guildId = '290926798626357999';
  const channels = { review: '345626669114982999', admin: '345626669114983000', other: '645027906669510667' };
  const calls: RestCall[] = [];
  const received: { op: number; d: any }[] = [];
  const limits: { route: RegExp; retryAfterS: number; left: number }[] = [];
  let commands: unknown[] = [];
  const threads = new Map<string, Record<string, unknown>>();
  let nextId = 900000000000000000n;
  const snowflake = () => String(++nextId);
  const sessions = { identified: 0, resumed: 0 };
  let acks = 0;
  let seq = 0;
  const sockets = new Set<WebSocket>();
  const sessionId = 'fake-session-1';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://x');
        // discord.js sends @original as %40original (Routes.webhookMessage); Discord reads the decoded path.
        const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
        let body: any = null;
        const files: RestCall['files'] = [];
        const type = req.headers['content-type'] ?? '';
        if (type.startsWith('multipart/form-data')) {
          const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
          for (const [key, value] of form.entries()) {
            if (key === 'payload_json') body = JSON.parse(String(value));
            else if (typeof value !== 'string') files.push({ name: value.name, bytes: value.size });
          }
        } else if (raw.length > 0) body = JSON.parse(raw.toString('utf8'));
        const call: RestCall = { method: req.method ?? 'GET', path, body, files, auth: req.headers.authorization ?? null, at: Date.now() };
        const limit = limits.find((l) => l.left > 0 && l.route.test(`${call.method} ${path}`));
        if (limit) {
          limit.left--;
          calls.push({ ...call, body: { rateLimited: true, original: body } });
          return json(
            res,
            429,
            { message: 'You are being rate limited.', retry_after: limit.retryAfterS, global: false },
            {
              'retry-after': String(limit.retryAfterS),
              'x-ratelimit-scope': 'user',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset-after': String(limit.retryAfterS),
              'x-ratelimit-bucket': 'fake-bucket',
            },
          );
        }
        calls.push(call);
        const message = (channelId: string, id = snowflake()) => ({
          id,
          channel_id: channelId,
          type: 0,
          content: '',
          flags: body?.flags ?? 0,
          components: body?.components ?? [],
          attachments: files.map((f) => ({ id: snowflake(), filename: f.name, size: f.bytes, url: `https://cdn.example/${f.name}` })),
          author: { id: appId, username: 'greenlight', discriminator: '0', avatar: null, bot: true },
          timestamp: new Date().toISOString(),
          edited_timestamp: null,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          embeds: [],
          pinned: false,
        });
        let m: RegExpExecArray | null;
        if (call.method === 'GET' && path === '/gateway/bot')
          return json(res, 200, {
            url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
            shards: 1,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
          });
        if (/^\/applications\/\d+(?:\/guilds\/\d+)?\/commands$/.test(path)) {
          if (call.method === 'PUT')
            commands = (body as unknown[]).map((c) => ({
              id: snowflake(),
              application_id: appId,
              version: snowflake(),
              default_member_permissions: null,
              type: 1,
              ...(c as object),
            }));
          return json(res, 200, commands);
        }
        if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && call.method === 'POST') return json(res, 200, message(m[1]!));
        if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && call.method === 'PATCH')
          return json(res, 200, message(m[1]!, m[2]!));
        if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && call.method === 'POST') {
          const thread = {
            id: snowflake(),
            type: 11,
            parent_id: m[1],
            guild_id: guildId,
            name: body?.name ?? 'thread',
            owner_id: appId,
            thread_metadata: { archived: false, auto_archive_duration: 10080, archive_timestamp: new Date().toISOString(), locked: false },
            member_count: 1,
            message_count: 0,
          };
          threads.set(thread.id, thread);
          // Discord tells the bot about the thread it made, as it does every member of the server.
          for (const ws of sockets) dispatchTo(ws, 'THREAD_CREATE', { ...thread, newly_created: true });
          return json(res, 201, thread);
        }
        if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return json(res, 204, null);
        if (/^\/webhooks\/\d+\/[^/]+$/.test(path)) return json(res, 200, message(channels.review));
        if (/^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(path)) return json(res, 200, message(channels.review));
        if (path === '/users/@me')
          return json(res, 200, { id: appId, username: 'greenlight', discriminator: '0', avatar: null, bot: true });
        return json(res, 404, { message: `fake Discord: no route ${call.method} ${path}`, code: 0 });
      })().catch((err: unknown) => json(res, 500, { message: String(err) }));
    });
  });
  const wss = new WebSocketServer({ server });
  const send = (ws: WebSocket, frame: unknown) => ws.send(JSON.stringify(frame));
  const dispatchTo = (ws: WebSocket, t: string, d: unknown) => send(ws, { op: 0, t, s: ++seq, d });
  const guild = () => ({
    id: guildId,
    name: 'Art team',
    icon: null,
    owner_id: '53908232506183680',
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    features: [],
    emojis: [],
    stickers: [],
    roles: [
      {
        id: guildId,
        name: '@everyone',
        color: 0,
        hoist: false,
        position: 0,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      },
      {
        id: '290926798626358000',
        name: 'Leads',
        color: 0,
        hoist: false,
        position: 1,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: Object.entries(channels).map(([name, id], i) => ({
      id,
      type: 0,
      name,
      guild_id: guildId,
      position: i,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
    })),
    threads: [],
    members: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    member_count: 3,
    large: false,
    unavailable: false,
    joined_at: '2026-01-01T00:00:00.000000+00:00',
  });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const hello = JSON.parse(fs.readFileSync('tests/fixtures/platform/discord/gateway_hello.discord-docs.json', 'utf8')) as {
      op: number;
      d: { heartbeat_interval: number };
    };
    send(ws, { ...hello, d: { ...hello.d, heartbeat_interval: options.heartbeatMs ?? hello.d.heartbeat_interval } });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { op: number; d: any };
      received.push(frame);
      if (frame.op === 1) {
        acks++;
        send(ws, { op: 11 });
      } else if (frame.op === 2) {
        sessions.identified++;
        dispatchTo(ws, 'READY', {
          v: 10,
          user: { id: appId, username: 'greenlight', discriminator: '0', avatar: null, bot: true, flags: 0 },
          guilds: [{ id: guildId, unavailable: true }],
          session_id: sessionId,
          resume_gateway_url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
          application: { id: appId, flags: 0 },
          shard: [0, 1],
        });
        dispatchTo(ws, 'GUILD_CREATE', guild());
      } else if (frame.op === 6) {
        sessions.resumed++;
        dispatchTo(ws, 'RESUMED', {});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    appId,
    guildId,
    channels,
    calls,
    received,
    sessions,
    get heartbeatAcks() {
      return acks;
    },
    channelObject(id) {
      return threads.get(id) ?? { id, type: 0, guild_id: guildId, name: 'channel' };
    },
    requestHeartbeat() {
      for (const ws of sockets) send(ws, { op: 1, d: seq });
    },
    dispatch(t, d) {
      for (const ws of sockets) dispatchTo(ws, t, d);
    },
    dropSocket(code = 4000) {
      for (const ws of sockets) ws.close(code, 'fake Discord drops the socket');
    },
    rateLimit(route, retryAfterS, count = 1) {
      limits.push({ route, retryAfterS, left: count });
    },
    async waitFor(what, timeoutMs = 5000, label = 'a REST call') {
      const until = Date.now() + timeoutMs;
      while (!what(calls)) {
        if (Date.now() > until)
          throw new Error(`fake Discord: timed out waiting for ${label}; calls: ${calls.map((c) => `${c.method} ${c.path}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
