// The composition root: resources in (database, Redis, clock, logger), one store,
// the services and the runner over it, and the `Engine` door out. The host object
// adds what only engine-side code needs (start / stop, the operators' routes); the
// test-only door (testing.ts) reaches the rest.
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authorize, authorizeGlobalAdmin, type Principal } from './auth/principal.js';
import type { EngineConfig } from './config.js';
import { GreenlightError, NotFoundError } from './errors.js';
import { createIntake, toApiEvent, type Actor } from './events/intake.js';
import { createOutbox, type Outbox } from './events/outbox.js';
import { assetReviewInputSchema, createReview, reviewInputSchema } from './events/review.js';
import { eventInputSchema } from './events/schema.js';
import { systemClock, type Clock } from './ids.js';
import type { Engine } from './door.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createJobQueues, startEngineConsumers, type EngineConsumers, type JobQueues } from './queue/jobs.js';
import { createQueues, EVENTS_QUEUE, eventsOfJob, type EngineQueues } from './queue/queues.js';
import { pingRedis } from './queue/redis.js';
import { createSchedules, SCHEDULES_QUEUE } from './queue/schedules.js';
import { createEngineActions } from './runs/engine-actions.js';
import { createHaltControl } from './runs/halts.js';
import { fanOutNotifier, logNotifier, type ChatNotifier } from './runs/ports.js';
import { createRunner, type Runner, type RunnerDeps } from './runs/runner.js';
import { createChatFacts } from './services/chat-facts.js';
import { createChatService } from './services/chat.js';
import { createEntityService, jobOutputRegistrar } from './services/entities.js';
import { confinedPath } from './services/files.js';
import { createSpecService } from './services/specs.js';
import { lazyWebTrust, revocable } from './services/web.js';
import { createRuleService } from './services/rules.js';
import type { Db } from './store/db.js';
import type { EventRow } from './store/events.js';
import type { HaltScope } from './store/halts.js';
import { createStore, type Store } from './store/store.js';
import { parseWith } from './validation.js';

export interface EngineResources {
  config: EngineConfig;
  db: Db;
  /** Producer connection; null runs without a queue (events stay in the outbox; reads still work). */
  redis: Redis | null;
  logger: Logger;
  clock?: Clock;
  /** Where `notify` actions and approval requests go; default: the log. */
  notifier?: ChatNotifier;
  /** Test-only fault injection: crash tests kill the process at a chosen point. */
  faults?: RunnerDeps['faults'];
}

/** What engine-side code holds: the door, its lifecycle, and the operators' views. */
export interface EngineHost {
  engine: Engine;
  logger: Logger;
  metrics: Metrics;
  /** Every queue, for the operators' dashboard (none without Redis). */
  allQueues(): ReturnType<JobQueues['all']>;
  /** Publish the outbox now (one-shot commands before they exit). */
  drainOutbox(): Promise<void>;
  /** Start publishing stored events; with `consume`, also run rules for them (the runner). */
  start(options?: { consume?: boolean }): void;
  stop(): Promise<void>;
}

/** What the test-only door (testing.ts) may reach. Never handed to a face. */
export interface EngineInternals {
  store: Store;
  db: Db;
  outbox: Outbox;
  queues: EngineQueues | null;
  runner: Runner | null;
  syncSchedules(): Promise<void>;
  schedules: ReturnType<typeof createSchedules> | null;
}
export const internals = new WeakMap<Engine, EngineInternals>();

function actorOf(p: Principal): Actor {
  return { kind: p.kind, id: p.id };
}

export function createEngine(res: EngineResources): EngineHost {
  const clock = res.clock ?? systemClock;
  const { db, logger, config } = res;
  const store = createStore({ db, clock, onListenerError: (err) => logger.warn({ err }, 'a change-feed subscriber failed') });
  const queues: EngineQueues | null = res.redis ? createQueues(res.redis, config.queuePrefix) : null;
  const outbox = createOutbox({
    store,
    clock,
    logger,
    publish: queues ? (batch) => queues.publishEvents(batch) : () => Promise.reject(new Error('no Redis configured')),
  });
  const jobs: JobQueues | null = res.redis ? createJobQueues(res.redis, config.queuePrefix) : null;
  const metrics = createMetrics({
    runsByStatus: () => store.runs.countByStatus(),
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
    outbox.kick(row?.projectId, source);
  };
  const entities = createEntityService({ store });
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
    store,
    costs: config.jobCosts,
    requireProject: entities.requireProject,
    onChange: () => void syncSchedules(),
  });
  const intake = createIntake({ store, clock, onStored });
  const review = createReview({ store, clock, onStored });
  const projectDir = (projectId: string) => path.resolve(config.dataDir, 'projects', projectId);
  const specs = createSpecService({
    store,
    clock,
    onStored,
    actorOf,
    projectDir,
    refinerUrl: config.specRefinerUrl,
    warn: (msg, data) => logger.warn(data, msg),
  });
  const chat = createChatService({ store, requireProject: entities.requireProject });
  const facts = createChatFacts({ store, requireProject: entities.requireProject });
  const onJobOutput = jobOutputRegistrar(
    entities,
    () => clock.now(),
    (projectId, jobType) =>
      logger.warn({ projectId, jobType }, 'job output does not match its contract; nothing registered (said once a minute per job type)'),
  );
  const actions = createEngineActions({ store, clock, notifier, webhookSecret: config.webhookSecret });
  const runner: Runner | null = jobs
    ? createRunner({
        store,
        clock,
        logger,
        jobs,
        actions,
        notifier,
        onStored,
        costs: config.jobCosts,
        onJobOutput,
        observeFirstStep: metrics.firstStepStarted,
        ...(res.faults ? { faults: res.faults } : {}),
      })
    : null;
  const haltControl = runner && jobs ? createHaltControl({ store, logger, jobs, runner }) : null;
  let consumers: EngineConsumers | null = null;
  let expiryTimer: NodeJS.Timeout | undefined;
  const authorizeScope = (p: Principal, scope: HaltScope) => {
    if (scope.scope === 'global') return authorizeGlobalAdmin(p);
    authorize(p, scope.projectId!, 'halt');
    entities.requireProject(scope.projectId!);
    if (scope.ruleId) rules.get(p, scope.projectId!, scope.ruleId);
  };
  const needRunner = (what: string): Runner => {
    if (!runner)
      throw new GreenlightError('unavailable', `${what} needs Redis: set REDIS_URL or let Greenlight start its private redis-server.`);
    return runner;
  };
  /** Approvals are an admin's to read (pending or decided), per project. */
  const readApprovals = <T>(p: Principal, projectId: string, read: () => T): T => {
    authorize(p, projectId, 'approvals');
    entities.requireProject(projectId);
    return read();
  };
  const engine: Engine = {
    authenticate(token) {
      const row = store.tokens.findByToken(token);
      return row ? { kind: 'token', id: row.id, projectId: row.projectId, role: row.role } : null;
    },
    now: () => clock.now(),
    async health() {
      const database = store.healthy();
      const redis = res.redis ? await pingRedis(res.redis) : false;
      return { ok: database && redis, database, redis, outbox: { failing: outbox.failing } };
    },
    entities: {
      createProject: entities.createProject,
      getProject: entities.getProject,
      createToken: entities.createToken,
      listProjects: entities.listProjects,
      updateSettings: entities.updateSettings,
      registerJobOutput: entities.registerJobOutput,
      listTokens: entities.listTokens,
      revokeToken: entities.revokeToken,
      createAsset: entities.createAsset,
      createSpec: entities.createSpec,
      getAsset: entities.getAsset,
      getVariant: entities.getVariant,
      listAssets: entities.listAssets,
      recentDecisions: entities.recentDecisions,
      setOverride: entities.setOverride,
    },
    specs,
    events: {
      emit(p, projectId, body, source = 'api') {
        authorize(p, projectId, 'events.emit');
        entities.requireProject(projectId);
        const input = parseWith(eventInputSchema, body, 'event');
        return intake.accept(projectId, input, actorOf(p), source);
      },
      get(p, projectId, eventId) {
        authorize(p, projectId, 'project.read');
        const row = store.events.get(projectId, eventId);
        if (!row) throw new NotFoundError('event', eventId);
        return toApiEvent(row);
      },
    },
    review(p, projectId, variantId, body, source = 'api') {
      authorize(p, projectId, 'review');
      entities.requireProject(projectId);
      const input = parseWith(reviewInputSchema, body, 'review');
      return review.decide(projectId, variantId, input, actorOf(p), source);
    },
    reviewAsset(p, projectId, assetId, body, source = 'api') {
      authorize(p, projectId, 'review.asset');
      return review.decideAsset(projectId, assetId, parseWith(assetReviewInputSchema, body, 'asset review'), actorOf(p), source);
    },
    rules: {
      ...rules,
      /** Store the dry-run's event as a manual run of this rule, if the plan still hashes the same. */
      run(p, projectId, ruleId, body) {
        needRunner('Running a rule');
        const { plan, event } = rules.planForRun(p, projectId, ruleId, body);
        const { row } = intake.accept(
          projectId,
          { type: event.type, subject: event.subject as { kind: string; id: string }, payload: event.payload, depth: event.depth },
          actorOf(p),
          `run:${ruleId}`,
        );
        return { eventId: row.id, hash: plan.hash, summary: plan.summary };
      },
    },
    runs: {
      list(p, projectId, filter) {
        authorize(p, projectId, 'rules.read');
        entities.requireProject(projectId);
        return store.runs.list(projectId, filter);
      },
      get(p, projectId, runId) {
        authorize(p, projectId, 'rules.read');
        const run = store.runs.get(runId);
        if (!run || run.projectId !== projectId) throw new NotFoundError('run', runId);
        const cause = store.events.get(projectId, run.eventId);
        const downstream = store.runs.downstreamOf(run);
        return {
          run,
          steps: store.runs.steps(runId),
          event: cause ? toApiEvent(cause) : null,
          approval: store.approvals.byRun(runId) ?? null,
          downstream,
        };
      },
      async cancel(p, projectId, runId) {
        authorize(p, projectId, 'halt');
        const run = store.runs.get(runId);
        if (!run || run.projectId !== projectId) throw new NotFoundError('run', runId);
        return needRunner('Cancelling a run').cancel(runId, `cancelled by ${p.kind}:${p.id}`);
      },
    },
    approvals: {
      list: (p, projectId) => readApprovals(p, projectId, () => store.approvals.pending(projectId)),
      decided: (p, projectId, limit = 20) => readApprovals(p, projectId, () => store.approvals.decided(projectId, limit)),
      decide(p, projectId, approvalId, decision) {
        authorize(p, projectId, 'approvals');
        return needRunner('Deciding an approval').decide(projectId, approvalId, decision, `${p.kind}:${p.id}`);
      },
      notice: (p, projectId, approvalId) =>
        readApprovals(p, projectId, () => needRunner('Reading an approval request').notice(store.approvals.get(projectId, approvalId))),
    },
    halts: {
      async halt(p, scope, reason, cancelInFlight) {
        authorizeScope(p, scope);
        if (!haltControl) throw new GreenlightError('unavailable', 'Halts need Redis (they pause the worker queues).');
        return haltControl.halt(scope, reason, cancelInFlight, `${p.kind}:${p.id}`);
      },
      async resume(p, scope, discard) {
        authorizeScope(p, scope);
        if (!haltControl) throw new GreenlightError('unavailable', 'Resuming needs Redis (it resumes the worker queues).');
        return haltControl.resume(scope, `${p.kind}:${p.id}`, discard);
      },
      status(p, projectId) {
        if (projectId) authorize(p, projectId, 'project.read');
        else authorizeGlobalAdmin(p);
        return store.halts.status(projectId);
      },
    },
    chat: {
      principalFor: chat.principalFor,
      groupsWithRoles: chat.groupsWithRoles,
      bind: chat.bind,
      setRole: chat.setRole,
      projectOfChannel: chat.projectOfChannel,
      boundProjects: chat.boundProjects,
      channelOf: chat.channelOf,
      recordMessage: chat.recordMessage,
      findMessage: chat.findMessage,
      messagesOf: chat.messagesOf,
      controlId: chat.controlId,
      control: chat.control,
      halts: (projectId) => store.halts.status(projectId),
      facts,
    },
    files: { path: confinedPath(projectDir) },
    changes: { subscribe: store.subscribe },
    attachNotifier: hooks.attach,
    web: revocable(lazyWebTrust({ configured: config.sessionSecret, dataDir: config.dataDir, clock }), store.tokens.active),
  };

  internals.set(engine, { store, db, outbox, queues, runner, syncSchedules, schedules });

  return {
    engine,
    logger,
    metrics,
    allQueues: () => jobs?.all([EVENTS_QUEUE, SCHEDULES_QUEUE]) ?? [],
    drainOutbox: () => outbox.drain(),
    start(options = {}) {
      outbox.start({ hold: options.consume === true && res.redis !== null && runner !== null });
      if (options.consume && res.redis && runner) {
        consumers = startEngineConsumers(
          res.redis,
          config.queuePrefix,
          {
            onEvent: async (job) => {
              const { projectId, events } = eventsOfJob(job);
              await runner
                .processEvents(
                  projectId,
                  events.map((e) => e.eventId),
                )
                .finally(() => outbox.settled(projectId));
            },
            onStepDone: (d) => runner.stepFinished(d.runId, d.stepId, d.jobId, d.output, d.error),
            onWebhook: (d, jobId, attempt) =>
              actions.deliverWebhook({ projectId: d.projectId, runId: d.runId, jobId, config: d.input }, attempt),
            onNotify: (d, jobId) => actions.deliverNotify({ projectId: d.projectId, runId: d.runId, jobId, config: d.input }),
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
        void runner
          .recover()
          .then((r) => (r.resumed + r.requested > 0 ? logger.info(r, 'carried on what the last engine left half-way') : undefined))
          .catch((err: unknown) => logger.error({ err }, 'recovery of half-way runs failed; their next delivery retries it'));
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
