// createEngine(resources): the engine's one public surface. Resources come in
// (database, Redis, clock, logger) so tests give each test its own.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authorize, authorizeGlobalAdmin, type Principal } from './auth/principal.js';
import type { EngineConfig } from './config.js';
import { GreenlightError, NotFoundError } from './errors.js';
import type { RunStatus } from './store/runs.js';
import { createIntake, toApiEvent, type Actor } from './events/intake.js';
import { createOutbox } from './events/outbox.js';
import { createReview, reviewInputSchema } from './events/review.js';
import { eventInputSchema } from './events/schema.js';
import { systemClock, type Clock } from './ids.js';
import { createJobQueues, startEngineConsumers, type EngineConsumers, type JobQueues } from './queue/jobs.js';
import { createQueues, EVENTS_QUEUE, type EngineQueues } from './queue/queues.js';
import { createSchedules, SCHEDULES_QUEUE } from './queue/schedules.js';
import { createMetrics } from './metrics.js';
import { createRunsRepo } from './store/runs.js';
import { createEngineActions } from './runs/engine-actions.js';
import { fanOutNotifier, logNotifier, type ChatNotifier, type StoredEvent } from './runs/ports.js';
import { createChatService } from './services/chat.js';
import { createChatFacts } from './services/chat-facts.js';
import type { EventRow } from './store/events.js';
import { createRunner, type Runner } from './runs/runner.js';
import { createHaltControl } from './runs/halts.js';
import type { HaltScope } from './store/halts.js';
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
  /** Where `notify` actions and approval requests go; default: the log. */
  notifier?: ChatNotifier;
}

export type Engine = ReturnType<typeof createEngine>;

function storedEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    projectId: row.projectId,
    type: row.type,
    subject: { kind: row.subjectKind, id: row.subjectId },
    payload: row.payload,
    actor: row.actor,
    correlationId: row.correlationId,
    depth: row.depth,
    occurredAt: row.occurredAt,
  };
}

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
  const runsRepo = createRunsRepo(db, clock);
  const jobs: JobQueues | null = res.redis ? createJobQueues(res.redis, config.queuePrefix) : null;
  const metrics = createMetrics({
    runsByStatus: () => runsRepo.countByStatus(),
    queueDepths: () => (jobs ? jobs.depths([EVENTS_QUEUE, SCHEDULES_QUEUE]) : Promise.resolve([])),
  });
  const hooks = fanOutNotifier(
    logNotifier((msg, data) => logger.info(data, msg)),
    (err, hook) => logger.warn({ err, hook }, 'chat notifier hook failed'),
  );
  if (res.notifier) hooks.attach(res.notifier);
  const notifier = hooks.notifier;
  const onStored = (source: string, row?: EventRow) => {
    metrics.eventStored(source);
    outbox.kick();
    if (row && hooks.listening()) notifier.eventStored(storedEvent(row));
  };
  const entities = createEntityService({ db, clock });
  const schedules = res.redis ? createSchedules(res.redis, config.queuePrefix) : null;
  let syncing: Promise<void> = Promise.resolve();
  const syncSchedules = (): Promise<void> => {
    if (!schedules) return syncing;
    syncing = syncing
      .then(() => schedules.sync(rules.wantedSchedules()))
      .catch((err: unknown) => logger.error({ err }, 'could not sync rule schedules; will retry on the next rule change or start'));
    return syncing;
  };
  const rules = createRuleService({
    db,
    clock,
    costs: config.jobCosts,
    requireProject: entities.requireProject,
    onChange: () => void syncSchedules(),
  });
  const intake = createIntake({ db, clock, onStored });
  const review = createReview({ db, clock, onStored });
  const eventsRepo = createEventsRepo(db);
  const chat = createChatService({ db, clock, requireProject: entities.requireProject });
  const onGenerated = (projectId: string, input: Record<string, unknown>, output: unknown) => {
    if (!entities.registerGenerated(projectId, input, output))
      logger.warn({ projectId }, 'generate output has no variants list; nothing to register');
  };
  const actions = createEngineActions({ db, clock, notifier, webhookSecret: config.webhookSecret });
  const runner: Runner | null = jobs
    ? createRunner({
        db,
        clock,
        logger,
        jobs,
        actions,
        notifier,
        onStored,
        costs: config.jobCosts,
        onGenerated,
        observeFirstStep: metrics.firstStepStarted,
      })
    : null;
  const haltControl = runner && jobs ? createHaltControl({ db, clock, logger, jobs, runner }) : null;
  let consumers: EngineConsumers | null = null;
  let expiryTimer: NodeJS.Timeout | undefined;
  const authorizeScope = (p: Principal, scope: HaltScope) => {
    if (scope.scope === 'global') return authorizeGlobalAdmin(p);
    authorize(p, scope.projectId!, 'halt');
    entities.requireProject(scope.projectId!);
    if (scope.ruleId) rules.get(p, scope.projectId!, scope.ruleId);
  };
  const needRunner = (): Runner => {
    if (!runner)
      throw new GreenlightError('unavailable', 'Runs need Redis: set REDIS_URL or let Greenlight start its private redis-server.');
    return runner;
  };

  return {
    config,
    db,
    logger,
    clock,
    queues,
    outbox,
    entities,
    rules,
    chat: {
      ...chat,
      facts: createChatFacts({ db, clock, requireProject: entities.requireProject }),
      /** Active halts that concern a project (its own, its rules', global), with held counts. */
      halts: (projectId: string) => haltControl?.status(projectId) ?? [],
    },
    /** Connect a chat bot: it hears stored events, approval requests and decisions, halts. Returns detach. */
    attachNotifier: hooks.attach,
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
    /** POST …/rules/:ruleId/run: store the dry-run's event as a manual run of this rule, if the plan still hashes the same. */
    runExactly(p: Principal, projectId: string, ruleId: string, body: unknown) {
      needRunner();
      const { plan, event } = rules.planForRun(p, projectId, ruleId, body);
      const { row } = intake.accept(
        projectId,
        { type: event.type, subject: event.subject as { kind: string; id: string }, payload: event.payload, depth: event.depth },
        actorOf(p),
        `run:${ruleId}`,
      );
      return { eventId: row.id, hash: plan.hash, summary: plan.summary };
    },
    review(p: Principal, projectId: string, variantId: string, body: unknown, source = 'api') {
      authorize(p, projectId, 'review');
      entities.requireProject(projectId);
      const input = parseWith(reviewInputSchema, body, 'review');
      return review.decide(projectId, variantId, input, actorOf(p), source);
    },
    approvals: {
      list(p: Principal, projectId: string) {
        authorize(p, projectId, 'approvals');
        entities.requireProject(projectId);
        return needRunner().approvals.pending(projectId);
      },
      decide(p: Principal, projectId: string, approvalId: string, decision: 'approve' | 'deny') {
        authorize(p, projectId, 'approvals');
        return needRunner().decide(projectId, approvalId, decision, `${p.kind}:${p.id}`);
      },
    },
    halts: {
      async halt(p: Principal, scope: HaltScope, reason: string, cancelInFlight: boolean) {
        authorizeScope(p, scope);
        if (!haltControl) throw new GreenlightError('unavailable', 'Halts need Redis.');
        const out = await haltControl.halt(scope, reason, cancelInFlight, `${p.kind}:${p.id}`);
        notifier.haltChanged({ projectId: scope.projectId ?? null, halted: true });
        return out;
      },
      async resume(p: Principal, scope: HaltScope, discard: boolean) {
        authorizeScope(p, scope);
        if (!haltControl) throw new GreenlightError('unavailable', 'Halts need Redis.');
        const out = await haltControl.resume(scope, `${p.kind}:${p.id}`, discard);
        notifier.haltChanged({ projectId: scope.projectId ?? null, halted: false });
        return out;
      },
      status(p: Principal, projectId: string | null) {
        if (projectId) authorize(p, projectId, 'project.read');
        else authorizeGlobalAdmin(p);
        return haltControl?.status(projectId) ?? [];
      },
    },
    runs: {
      async cancel(p: Principal, projectId: string, runId: string) {
        authorize(p, projectId, 'halt');
        const run = needRunner().runs.get(runId);
        if (!run || run.projectId !== projectId) throw new NotFoundError('run', runId);
        return needRunner().cancel(runId, `cancelled by ${p.kind}:${p.id}`);
      },
      list(p: Principal, projectId: string, filter: { ruleId?: string; status?: RunStatus; subjectId?: string }) {
        authorize(p, projectId, 'rules.read');
        entities.requireProject(projectId);
        return needRunner().runs.list(projectId, filter);
      },
      get(p: Principal, projectId: string, runId: string) {
        authorize(p, projectId, 'rules.read');
        const r = needRunner().runs;
        const run = r.get(runId);
        if (!run || run.projectId !== projectId) throw new NotFoundError('run', runId);
        const cause = eventsRepo.get(projectId, run.eventId);
        const downstream = r
          .list(projectId, { limit: 1000 })
          .filter((x) => x.correlationId === run.correlationId && x.depth === run.depth + 1);
        return {
          run,
          steps: r.steps(runId),
          event: cause ? toApiEvent(cause) : null,
          approval: needRunner().approvals.byRun(runId) ?? null,
          downstream,
        };
      },
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
    runner,
    schedules,
    metrics,
    /** Every queue, for the operators' dashboard. */
    allQueues: () => jobs?.all([EVENTS_QUEUE, SCHEDULES_QUEUE]) ?? [],
    syncSchedules,
    /** Start publishing stored events; with `consume`, also run rules for them (the runner). */
    start(options: { consume?: boolean } = {}) {
      outbox.start();
      if (options.consume && res.redis && runner) {
        consumers = startEngineConsumers(
          res.redis,
          config.queuePrefix,
          {
            onEvent: async (e) => {
              await runner.processEvent(e.projectId, e.eventId);
            },
            onStepDone: (d) => runner.stepFinished(d.runId, d.stepId, d.jobId, d.output, d.error),
          },
          (err, where) => logger.error({ err, where }, 'engine consumer error'),
        );
        void syncSchedules();
        schedules?.consume(
          async (f) => {
            intake.accept(
              f.projectId,
              {
                type: 'schedule.fired',
                subject: { kind: 'rule', id: f.ruleId },
                payload: { ruleId: f.ruleId },
                idempotencyKey: `schedule.${f.key}`,
              },
              { kind: 'engine', id: 'scheduler' },
              `schedule:${f.ruleId}`,
            );
          },
          (err) => logger.error({ err }, 'schedules worker error'),
        );
        expiryTimer = setInterval(
          () => void runner.expireApprovals().catch((err: unknown) => logger.error({ err }, 'approval expiry failed')),
          1000,
        );
        expiryTimer.unref();
      }
    },
    async stop() {
      clearInterval(expiryTimer);
      await consumers?.close();
      await outbox.stop();
      await syncing;
      await schedules?.close();
      await queues?.close();
      await jobs?.close();
    },
  };
}

export { loadConfig, type EngineConfig } from './config.js';
export { openDb, dbFile, type Db } from './store/db.js';
export type { Principal } from './auth/principal.js';
export type { ApprovalNotice, ApprovalOutcome, ChatNotifier, StoredEvent } from './runs/ports.js';
export type { Platform } from './store/chat.js';
export type { Plan, FiringNode, PlannedEvent, StepNode } from './rules/planner.js';
export { isGreenlightError, GreenlightError } from './errors.js';
export { jsonText } from './validation.js';
