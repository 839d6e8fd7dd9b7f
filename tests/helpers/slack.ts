// A loopback Slack for tests: a Web API server that records every call the
// real Bolt/WebClient code makes and answers as Slack documents it, response_url
// and file-upload endpoints, and a signer that builds requests exactly as
// Slack signs them (v0 HMAC-SHA256 over "v0:<timestamp>:<body>").
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SlackCall {
  method: string;
  args: Record<string, any>;
  at: number;
}

export const SIGNING_SECRET = 'test-signing-secret-8f3a1c';

export function fixture(name: string): any {
  const text = fs.readFileSync(path.join('tests/fixtures/platform/slack', name), 'utf8');
  return name.endsWith('.json') ? JSON.parse(text) : text;
}

export function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET): Record<string, string> {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig };
}

export async function startFakeSlack() {
  const calls: SlackCall[] = [];
  const responses: { id: string; body: any }[] = [];
  const uploads: { fileId: string; bytes: number }[] = [];
  const groups: Record<string, string[]> = {};
  let ts = 1700000000;
  let files = 0;
  let rateLimitNext = 0;
  const delays: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const send = () => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        };
        const ms = delays[url.pathname.replace(/^\/api\//, '')];
        if (ms) setTimeout(send, ms);
        else send();
      };
      if (url.pathname.startsWith('/upload/')) {
        uploads.push({ fileId: url.pathname.slice('/upload/'.length), bytes: raw.length });
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('OK');
      }
      if (url.pathname.startsWith('/respond/')) {
        responses.push({ id: url.pathname.slice('/respond/'.length), body: JSON.parse(raw.toString('utf8') || '{}') });
        return json(200, { ok: true });
      }
      const method = url.pathname.replace(/^\/api\//, '');
      const type = req.headers['content-type'] ?? '';
      let args: Record<string, any> = {};
      if (type.includes('application/json')) args = JSON.parse(raw.toString('utf8') || '{}');
      else for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
      if (method === 'chat.postMessage' && rateLimitNext > 0) {
        rateLimitNext--;
        calls.push({ method: `${method} (429)`, args, at: Date.now() });
        return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      }
      calls.push({ method, args, at: Date.now() });
      const address = server.address() as AddressInfo;
      switch (method) {
        case 'apps.connections.open':
          return json(200, { ok: true, url: `ws://127.0.0.1:${address.port}/link` });
        case 'auth.test':
          return json(200, {
            ok: true,
            url: 'https://test.slack.com/',
            team: 'Test',
            user: 'greenlight',
            team_id: 'T111',
            user_id: 'UBOT',
            bot_id: 'BBOT',
          });
        case 'chat.postMessage':
          return json(200, { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: { text: args.text } });
        case 'chat.update':
          return json(200, { ok: true, channel: args.channel, ts: args.ts });
        case 'chat.postEphemeral':
          return json(200, { ok: true, message_ts: `${++ts}.000200` });
        case 'views.open':
          return json(200, { ok: true, view: { id: 'V123', ...args.view } });
        case 'files.getUploadURLExternal': {
          const id = `F${++files}`;
          return json(200, { ok: true, upload_url: `http://127.0.0.1:${address.port}/upload/${id}`, file_id: id });
        }
        case 'files.completeUploadExternal':
          return json(200, {
            ok: true,
            files: (args.files as { id: string; title?: string }[]).map((f) => ({ id: f.id, title: f.title ?? '' })),
          });
        case 'usergroups.users.list':
          return json(200, { ok: true, users: groups[args.usergroup] ?? [] });
        default:
          return json(200, { ok: false, error: 'unknown_method' });
      }
    });
  });
  // Socket Mode: the client opens this socket; Slack says hello, sends envelopes, and the client acks each.
  const wss = new WebSocketServer({ noServer: true });
  const sockets: WebSocket[] = [];
  const acks: { envelope_id: string; payload?: unknown }[] = [];
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => acks.push(JSON.parse(String(data))));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A111' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    calls,
    responses,
    uploads,
    groups,
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id: string) => `http://127.0.0.1:${port}/respond/${id}`,
    /** Answer every call of this Web API method `ms` later (0: at once again); the call is recorded when it arrives. */
    delay(method: string, ms: number) {
      delays[method] = ms;
    },
    /** The next n chat.postMessage calls answer 429 with Retry-After: 1. */
    rateLimit(n = 1) {
      rateLimitNext = n;
    },
    acks,
    /** Send a Socket Mode envelope to every connected client. */
    envelope(e: { envelope_id: string; type: string; payload: unknown; accepts_response_payload?: boolean }) {
      for (const ws of sockets) ws.send(JSON.stringify(e));
    },
    connected: () => sockets.some((ws) => ws.readyState === ws.OPEN),
    of: (method: string) => calls.filter((c) => c.method === method),
    close: () =>
      new Promise<void>((r) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => r());
      }),
  };
}
export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
