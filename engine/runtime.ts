// Boot the engine on its embedded defaults: config → data dir → SQLite →
// Redis (REDIS_URL or a private redis-server) → engine → HTTP server.
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createApiApp } from './api/app.js';
import type { EngineConfig } from './config.js';
import { createEngine, type Engine } from './index.js';
import { startPrivateRedis, type PrivateRedis } from './queue/private-redis.js';
import { createRedis, waitReady } from './queue/redis.js';
import { dbFile, openDb, startCheckpointer } from './store/db.js';
import { createTokensRepo } from './store/projects.js';
import { systemClock } from './ids.js';

export interface Running {
  engine: Engine;
  app: Hono;
  url: string;
  port: number;
  redisUrl: string;
  /** The generated bootstrap admin token, when one was made this start. */
  generatedAdminToken: string | null;
  stop(): Promise<void>;
}

/** Where a running engine's private Redis URL is written. */
export const privateRedisUrlFile = (dataDir: string) => path.join(dataDir, 'redis', 'url');

/** Make sure a global admin token exists; return it if this call generated it. */
export function ensureAdminToken(engineDb: ReturnType<typeof openDb>, configured: string | undefined): string | null {
  const tokens = createTokensRepo(engineDb, systemClock);
  if (configured) {
    if (!tokens.findByToken(configured))
      tokens.create({ projectId: null, role: 'admin', label: 'GREENLIGHT_ADMIN_TOKEN', token: configured }, 'bootstrap');
    return null;
  }
  if (tokens.hasGlobalAdmin()) return null;
  return tokens.create({ projectId: null, role: 'admin', label: 'generated bootstrap admin' }, 'bootstrap').token;
}

export async function startGreenlight(
  config: EngineConfig,
  options: { logger?: Logger; mount?: (app: Hono, engine: Engine) => void } = {},
): Promise<Running> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = dbFile(config.dataDir);
  const db = openDb(file);
  const checkpointer = startCheckpointer(db, file);
  let privateRedis: PrivateRedis | null = null;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    privateRedis = await startPrivateRedis(path.join(config.dataDir, 'redis'));
    redisUrl = privateRedis.url;
    // `greenlight worker` on this host finds the engine's private Redis here.
    fs.writeFileSync(privateRedisUrlFile(config.dataDir), `${redisUrl}\n`);
    logger.info({ redisUrl }, 'started a private redis-server (set REDIS_URL to use your own)');
  }
  const redis = createRedis(redisUrl, 'producer');
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  // Say "running" once Redis answers, so /healthz is true from the first request; a Redis that is away
  // is retried meanwhile (events wait in the outbox), and after 5 s we start anyway and say so.
  if (!(await waitReady(redis, 5000)))
    logger.warn({ redisUrl }, 'Redis is not answering yet; starting anyway, events wait in the outbox until it does');
  const generatedAdminToken = ensureAdminToken(db, config.adminToken);
  const engine = createEngine({ config, db, redis, logger });
  const app = createApiApp(engine) as unknown as Hono;
  options.mount?.(app, engine);
  engine.start({ consume: true });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  return {
    engine,
    app,
    url,
    port,
    redisUrl,
    generatedAdminToken,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
      redis.disconnect();
      if (privateRedis) fs.rmSync(privateRedisUrlFile(config.dataDir), { force: true });
      await privateRedis?.stop();
      await checkpointer.stop();
      db.$client.close();
    },
  };
}
