// Test fixtures: an engine on a fresh :memory: database (real migrations) and,
// when asked, a real Redis with a queue prefix of its own.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { loadConfig, type Engine } from '../../engine/index.js';
import {
  createApiApp,
  createEngine,
  createRedis,
  ensureAdminToken,
  openDb,
  startPrivateRedis,
  testDoor,
  type EngineHost,
  type PrivateRedis,
  type TestDoor,
} from '../../engine/testing.js';

export const ADMIN = 'test-admin-token-0123456789abcdef';

let shared: Promise<PrivateRedis> | null = null;
/** One private redis-server per test process (files in a temp dir); never the machine's own. */
export function testRedis(): Promise<PrivateRedis> {
  shared ??= startPrivateRedis(path.join(os.tmpdir(), `gl-test-redis-${process.pid}-${randomBytes(3).toString('hex')}`));
  return shared;
}

export async function stopTestRedis(): Promise<void> {
  const r = shared;
  shared = null;
  await (await r)?.stop();
}

export interface TestEngine {
  /** The door every face uses. */
  engine: Engine;
  /** The test-only door: rows, queues, outbox, runner. */
  door: TestDoor;
  host: EngineHost;
  app: ReturnType<typeof createApiApp>;
  redis: Redis | null;
  prefix: string;
  /** fetch-like helper: JSON in, { status, body } out. */
  call(method: string, url: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function makeEngine(
  options: { redisUrl?: string | null; consume?: boolean; dataDir?: string; env?: Record<string, string> } = {},
): Promise<TestEngine> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const env = { GREENLIGHT_DATA_DIR: options.dataDir ?? os.tmpdir(), ...options.env };
  const config = { ...loadConfig(env, process.cwd()), queuePrefix: prefix };
  const db = openDb(':memory:');
  ensureAdminToken(db, ADMIN);
  let redis: Redis | null = null;
  if (options.redisUrl !== null) {
    const url = options.redisUrl ?? (await testRedis()).url;
    redis = createRedis(url, 'producer');
    redis.on('error', () => {
      // Tests that stop Redis on purpose assert on what the engine does; the connection's own noise adds nothing.
    });
  }
  const host = createEngine({ config, db, redis, logger: pino({ level: 'silent' }) });
  const { engine } = host;
  const app = createApiApp(host);
  host.start({ consume: options.consume ?? false });
  return {
    engine,
    door: testDoor(engine),
    host,
    app,
    redis,
    prefix,
    async call(method, url, body, token = ADMIN) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await app.request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await host.stop();
      if (redis) {
        const keys = await redis.keys(`${prefix}:*`).catch(() => [] as string[]);
        if (keys.length) await redis.del(...keys).catch(() => 0);
        redis.disconnect();
      }
      db.$client.close();
    },
  };
}

/** A project with an artist, lead and admin token, an asset of `type` and two variants. */
export async function seedProject(t: TestEngine, id = 'art', assetType = 'character') {
  const p = await t.call('POST', '/api/projects', { id, name: 'Art' });
  if (p.status !== 201) throw new Error(`project: ${JSON.stringify(p.body)}`);
  const tokens: Record<string, string> = {};
  for (const role of ['artist', 'lead', 'admin']) tokens[role] = (await t.call('POST', `/api/projects/${id}/tokens`, { role })).body.token;
  const a = await t.call('POST', `/api/projects/${id}/assets`, {
    id: 'hero',
    type: assetType,
    variants: [{ id: 'hero-v1' }, { id: 'hero-v2' }],
  });
  if (a.status !== 201) throw new Error(`asset: ${JSON.stringify(a.body)}`);
  return { tokens: tokens as { artist: string; lead: string; admin: string } };
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
