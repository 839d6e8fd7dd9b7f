// createEngine(resources): the engine's one public surface. Resources come in
// (database, Redis, clock, logger) so tests give each test its own.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authorize, type Principal } from './auth/principal.js';
import type { EngineConfig } from './config.js';
import { NotFoundError } from './errors.js';
import { createIntake, toApiEvent, type Actor } from './events/intake.js';
import { createOutbox } from './events/outbox.js';
import { createReview, reviewInputSchema } from './events/review.js';
import { eventInputSchema } from './events/schema.js';
import { systemClock, type Clock } from './ids.js';
import { createQueues, type EngineQueues } from './queue/queues.js';
import { pingRedis } from './queue/redis.js';
import type { Db } from './store/db.js';
import { createEventsRepo } from './store/events.js';
import { createEntityService } from './services/entities.js';
import { createRuleService } from './services/rules.js';
import { parseWith } from './validation.js';

export interface EngineResources {
  config: EngineConfig;
  db: Db;
  /** Producer connection; null runs without a queue (events stay in the outbox). */
  redis: Redis | null;
  logger: Logger;
  clock?: Clock;
}

export type Engine = ReturnType<typeof createEngine>;

function actorOf(p: Principal): Actor {
  return { kind: p.kind, id: p.id };
}

export function createEngine(res: EngineResources) {
  const clock = res.clock ?? systemClock;
  const { db, logger, config } = res;
  const queues: EngineQueues | null = res.redis ? createQueues(res.redis, config.queuePrefix) : null;
  const outbox = createOutbox({
    db,
    clock,
    logger,
    publish: queues ? (batch) => queues.publishEvents(batch) : () => Promise.reject(new Error('no Redis configured')),
  });
  const onStored = () => outbox.kick();
  const entities = createEntityService({ db, clock });
  const rules = createRuleService({ db, clock, costs: config.jobCosts, requireProject: entities.requireProject });
  const intake = createIntake({ db, clock, onStored });
  const review = createReview({ db, clock, onStored });
  const eventsRepo = createEventsRepo(db);

  return {
    config,
    db,
    logger,
    clock,
    queues,
    outbox,
    entities,
    rules,
    /** Resolve a bearer token to a principal, or null when unknown or revoked. */
    authenticate(token: string): Principal | null {
      const row = entities.tokens.findByToken(token);
      return row ? { kind: 'token', id: row.id, projectId: row.projectId, role: row.role } : null;
    },
    events: {
      emit(p: Principal, projectId: string, body: unknown, source = 'api') {
        authorize(p, projectId, 'events.emit');
        entities.requireProject(projectId);
        const input = parseWith(eventInputSchema, body, 'event');
        return intake.accept(projectId, input, actorOf(p), source);
      },
      get(p: Principal, projectId: string, eventId: string) {
        authorize(p, projectId, 'project.read');
        const row = eventsRepo.get(projectId, eventId);
        if (!row) throw new NotFoundError('event', eventId);
        return toApiEvent(row);
      },
    },
    review(p: Principal, projectId: string, variantId: string, body: unknown, source = 'api') {
      authorize(p, projectId, 'review');
      entities.requireProject(projectId);
      const input = parseWith(reviewInputSchema, body, 'review');
      return review.decide(projectId, variantId, input, actorOf(p), source);
    },
    async health() {
      let database = false;
      try {
        database = db.$client.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        database = false;
      }
      const redis = res.redis ? await pingRedis(res.redis) : false;
      return { ok: database && redis, database, redis, outbox: { failing: outbox.failing } };
    },
    start() {
      outbox.start();
    },
    async stop() {
      await outbox.stop();
      await queues?.close();
    },
  };
}

export { loadConfig, type EngineConfig } from './config.js';
export { openDb, dbFile, type Db } from './store/db.js';
export type { Principal } from './auth/principal.js';
