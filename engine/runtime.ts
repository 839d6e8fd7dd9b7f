// Boot the engine on its embedded defaults: config → data dir → SQLite →
// Redis (REDIS_URL or a private redis-server) → engine → HTTP server.
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createApiApp } from './api/app.js';
import type { EngineConfig } from './config.js';
import { createEngine, type EngineResources } from './compose.js';
import type { Engine } from './door.js';
import { startPrivateRedis, type PrivateRedis } from './queue/private-redis.js';
import { createRedis, waitReady } from './queue/redis.js';
import { settledBefore, type StopOutcome } from './jobs/stopping.js';
import { watchRedis } from './jobs/redis-watch.js';
import { dbFile, openDb, startCheckpointer } from './store/db.js';
import { createStore } from './store/store.js';
import { systemClock } from './ids.js';

export interface Running {
  engine: Engine;
  /** The configuration it runs with. */
  config: EngineConfig;
  logger: Logger;
  app: Hono;
  url: string;
  port: number;
  redisUrl: string;
  /** The generated bootstrap admin token, when one was made this start. */
  generatedAdminToken: string | null;
  /**
   * Stop serving, let running work finish, close Redis and the database. When `signal` aborts (the
   * shutdown deadline) it stops waiting on Redis-bound steps, still closes what is local (the private
   * redis-server, the database) and says what it abandoned.
   */
  stop(options?: { signal?: AbortSignal }): Promise<StopOutcome>;
}

/** Where a running engine's private Redis URL is written. */
export const privateRedisUrlFile = (dataDir: string) => path.join(dataDir, 'redis', 'url');

/** Make sure a global admin token exists; return it if this call generated it. */
export function ensureAdminToken(engineDb: ReturnType<typeof openDb>, configured: string | undefined): string | null {
  // Before the engine exists (its store is built with it), so a store of its own for this one chore.
  const { tokens } = createStore({ db: engineDb, clock: systemClock, onListenerError: () => undefined });
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
  options: { logger?: Logger; mount?: (app: Hono, engine: Engine) => void; faults?: EngineResources['faults'] } = {},
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
  // One line when Redis goes away and one when it is back, a summary every 30 s between; not one per attempt.
  const watch = watchRedis(redis, logger);
  // Say "running" once Redis answers, so /healthz is true from the first request; a Redis that is away
  // is retried meanwhile (events wait in the outbox), and after 5 s we start anyway and say so.
  if (!(await waitReady(redis, 5000)))
    logger.warn({ redisUrl }, 'Redis is not answering yet; starting anyway, events wait in the outbox until it does');
  const generatedAdminToken = ensureAdminToken(db, config.adminToken);
  const host = createEngine({ config, db, redis, logger, ...(options.faults ? { faults: options.faults } : {}) });
  const { engine } = host;
  const app = createApiApp(host) as unknown as Hono;
  options.mount?.(app, engine);
  host.start({ consume: true });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  return {
    engine,
    config,
    logger,
    app,
    url,
    port,
    redisUrl,
    generatedAdminToken,
    async stop({ signal } = {}) {
      const out: StopOutcome = { abandoned: [], failed: [] };
      // Requests in flight get 2 s to finish (less past the deadline); long-lived ones (the review web's
      // live streams) are then cut.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      http.closeIdleConnections?.();
      const cutAll = () => http.closeAllConnections?.();
      const cut = setTimeout(cutAll, 2000);
      if (signal?.aborted) cutAll();
      else signal?.addEventListener('abort', cutAll, { once: true });
      await closed;
      clearTimeout(cut);
      signal?.removeEventListener('abort', cutAll);
      // With Redis away BullMQ's close waits for it, and its connections retry for ever: past the deadline
      // they are left to the process exit; the local steps below run either way.
      await settledBefore('engine consumers, outbox and queues close (BullMQ)', host.stop(), signal, out);
      watch.stop();
      redis.disconnect();
      if (privateRedis) fs.rmSync(privateRedisUrlFile(config.dataDir), { force: true });
      await privateRedis?.stop();
      await checkpointer.stop();
      db.$client.close();
      return out;
    },
  };
}

/**
 * An engine over the data dir's database for one-shot commands (the CLI): no consumers, no server.
 * With `withRedis` and REDIS_URL set, stored events are published by `flush()` and before `close()` resolves.
 */
export async function openEngine(
  config: EngineConfig,
  options: { withRedis?: boolean } = {},
): Promise<{ engine: Engine; flush(): Promise<void>; close(): Promise<void> }> {
  const db = openDb(dbFile(config.dataDir));
  const redis = options.withRedis && config.redisUrl ? createRedis(config.redisUrl, 'producer') : null;
  redis?.on('error', () => undefined); // a one-shot command reports Redis through the event's `queued` flag, not the log
  const host = createEngine({ config, db, redis, logger: pino({ level: 'silent' }) });
  return {
    engine: host.engine,
    /** Publish what was stored so far (needs Redis). */
    flush: () => host.drainOutbox(),
    async close() {
      if (redis) await host.drainOutbox();
      await host.stop();
      redis?.disconnect();
      db.$client.close();
    },
  };
}

/** Apply the committed migrations to the data dir's database; returns its path. */
export function migrateDatabase(config: EngineConfig): string {
  const file = dbFile(config.dataDir);
  openDb(file).$client.close();
  return file;
}
