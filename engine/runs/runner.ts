// The runner: each stored event → the rules that fire (the planner's own
// decide()), a durable run per firing, its steps in order (or in parallel),
// and the events each finished step emits, one level deeper — how chains form.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { GreenlightError } from '../errors.js';
import type { Clock } from '../ids.js';
import { newId } from '../ids.js';
import { buildEventRow } from '../events/intake.js';
import { idSchema } from '../jobs/contracts.js';
import type { JobQueues } from '../queue/jobs.js';
import { actionOfStep, approvalGate, followUps, jobInputOf, jobTypeOf, runEventTypes, stepEvents, stepJobId, withDefaults } from '../rules/actions.js';
import { decide, triggersOn, type EventView } from '../rules/matching.js';
import type { Action, RuleDefinition } from '../rules/schema.js';
import { resolveTemplates, type TemplateContext } from '../rules/templates.js';
import type { Db } from '../store/db.js';
import { createEventsRepo, type EventRow } from '../store/events.js';
import { createRulesRepo } from '../store/rules.js';
import { createRunsRepo, type RunRow } from '../store/runs.js';
import { dbWorld } from '../store/world.js';
import { createApprovalsRepo } from '../store/approvals.js';
import { createProjectsRepo } from '../store/projects.js';
import type { createEngineActions } from './engine-actions.js';
import type { ChatNotifier } from './ports.js';
import { createApprovalFlow } from './approval-flow.js';

export interface RunnerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: JobQueues;
  actions: ReturnType<typeof createEngineActions>;
  notifier: ChatNotifier;
  onStored: (source: string, row?: EventRow) => void;
  /** Cost units per job type, for approval requests. */
  costs?: Record<string, number>;
  /** A finished generate job's variants become reviewable rows before its events go out. */
  onGenerated?: (projectId: string, input: Record<string, unknown>, output: unknown) => void;
  /** Seconds from an event being stored to the first step of a run it caused. */
  observeFirstStep?: (seconds: number) => void;
}

/** Reasons worth a durable 'skipped' run; the rest (conditions, scope) only go to the log. */
const recordedSkips = new Set(['depth_limit', 'debounced', 'manual_override', 'halted']);

export function runIdempotencyKey(ruleId: string, version: number, eventKey: string): string {
  return createHash('sha256').update(`${ruleId}\n${version}\n${eventKey}`).digest('hex').slice(0, 40);
}

export function eventView(ev: EventRow): EventView {
  return { id: ev.id, projectId: ev.projectId, type: ev.type, subject: { kind: ev.subjectKind, id: ev.subjectId }, payload: ev.payload, depth: ev.depth, actor: ev.actor, source: ev.source, correlationId: ev.correlationId };
}

export function createRunner(deps: RunnerDeps) {
  const { db, clock, logger } = deps;
  const events = createEventsRepo(db);
  const rules = createRulesRepo(db, clock);
  const runs = createRunsRepo(db, clock);
  const world = dbWorld(db, clock);
  const approvals = createApprovalsRepo(db, clock);
  const projects = createProjectsRepo(db, clock);
  const settingsOf = (projectId: string) => projects.get(projectId)!.settings;

  /**
   * "Run exactly this" (root event source run:<ruleId>): at the root only that rule fires, and it
   * counts as enabled down the whole chain — just as the single-rule dry-run planned it.
   */
  function manualRuleOf(ev: EventRow): { manual: string | null; isRoot: boolean } {
    const root = ev.correlationId === ev.id ? ev : events.get(ev.projectId, ev.correlationId);
    return { manual: root?.source.startsWith('run:') ? root.source.slice(4) : null, isRoot: root?.id === ev.id };
  }

  function listens(cause: EventRow, type: string): boolean {
    const { manual } = manualRuleOf(cause);
    return rules.records(cause.projectId).some((r) => (r.enabled || r.id === manual) && 'event' in r.definition.trigger && r.definition.trigger.event === type);
  }

  /** Store an event the engine itself emits; its key makes a redelivery add nothing. */
  function emit(cause: EventRow, spec: { type: string; subject: { kind: string; id: unknown }; payload: Record<string, unknown> }, key: string, fallback: { kind: string; id: string }): void {
    const subject = typeof spec.subject.id === 'string' && idSchema.safeParse(spec.subject.id).success ? (spec.subject as { kind: string; id: string }) : fallback;
    const row = buildEventRow(
      cause.projectId,
      { type: spec.type, payload: spec.payload, subject, idempotencyKey: key, correlationId: cause.correlationId, causationId: cause.id, depth: cause.depth + 1 },
      { kind: 'engine', id: 'runner' },
      'engine',
      clock.now(),
    );
    // Nobody listens (no enabled rule, nor the chain's manual one, triggers on this type): keep it for
    // the trigger log, but mark it published instead of queueing work that would fire nothing.
    if (!listens(cause, spec.type)) row.publishedAt = clock.now();
    const res = events.insert(row);
    if (res.created) deps.onStored('engine', res.row);
  }

  function context(run: RunRow, def: RuleDefinition, cause: EventRow): TemplateContext {
    const ctx: TemplateContext = { projectId: run.projectId, event: { id: cause.id, type: cause.type, subject: { kind: cause.subjectKind, id: cause.subjectId }, payload: cause.payload, depth: cause.depth }, steps: {} };
    for (const s of runs.steps(run.id)) {
      if (s.status !== 'succeeded') continue;
      const action = actionOfStep(def.actions, s);
      const state = { input: jobTypeOf(action) ? s.config : undefined, output: s.output, jobId: s.jobIds[0] };
      ctx.steps[s.stepId] = state;
      if (def.mode === 'sequential') ctx.previous = state;
    }
    return ctx;
  }

  function load(runId: string) {
    const run = runs.get(runId);
    if (!run) return null;
    const def = rules.version(run.ruleId, run.ruleVersion);
    const cause = events.get(run.projectId, run.eventId);
    if (!def || !cause) throw new GreenlightError('internal', `run ${runId} lost its rule version or event`);
    return { run, def, cause };
  }

  /** Start a run now, or let it wait ('planned') while its project is at maxConcurrentRuns. */
  async function admit(runId: string, reason: string | null): Promise<void> {
    const run = runs.get(runId)!;
    const limit = settingsOf(run.projectId).limits.maxConcurrentRuns;
    if (runs.countRunning(run.projectId) >= limit) {
      runs.setStatus(runId, 'planned', { reason: `waiting: the project is at its limit of ${limit} concurrent runs` });
      return;
    }
    runs.setStatus(runId, 'running', { reason });
    await begin(runId);
  }

  /** Start waiting runs, oldest first, while the project has room. */
  async function promoteWaiting(projectId: string): Promise<void> {
    const limit = settingsOf(projectId).limits.maxConcurrentRuns;
    while (runs.countRunning(projectId) < limit) {
      const next = runs.oldestPlanned(projectId);
      if (!next) return;
      runs.setStatus(next.id, 'running', { reason: 'admitted under the concurrency limit' });
      await begin(next.id);
    }
  }

  async function finish(run: RunRow, cause: EventRow, status: 'succeeded' | 'failed', error?: string): Promise<void> {
    runs.setStatus(run.id, status, error ? { error } : {});
    const type = status === 'succeeded' ? runEventTypes.completed : runEventTypes.failed;
    emit(cause, { type, subject: { kind: 'run', id: run.id }, payload: { runId: run.id, ruleId: run.ruleId, eventId: cause.id, eventType: cause.type, ...(error ? { error } : {}) } }, `${run.id}.${type}`, { kind: 'run', id: run.id });
    await promoteWaiting(run.projectId);
  }

  async function startStep(run: RunRow, def: RuleDefinition, cause: EventRow, action: Action): Promise<void> {
    const jobId = stepJobId(run.ruleId, cause.id, action.id);
    const { value, missing } = resolveTemplates(action.config, context(run, def, cause));
    const config = withDefaults(action, value as Record<string, unknown>, { exportProfile: settingsOf(run.projectId).policies.defaultExportProfile });
    if (missing.length > 0) return stepFinished(run.id, action.id, jobId, undefined, `placeholder ${missing[0]!.placeholder} has no value`);
    const jt = jobTypeOf(action);
    if (jt) {
      const input = jobInputOf(action, config);
      runs.updateStep(run.id, action.id, { status: 'running', config: input, jobIds: [jobId], startedAt: clock.now() }, `submitted ${jt} job ${jobId}`);
      try {
        await deps.jobs.submit(jt, jobId, { projectId: run.projectId, runId: run.id, stepId: action.id, input });
      } catch (err) {
        // Back to pending so a retry of whatever called us submits it (same job id: never twice).
        runs.updateStep(run.id, action.id, { status: 'pending' }, `submit failed, will retry: ${(err as Error).message}`);
        throw err;
      }
      return;
    }
    runs.updateStep(run.id, action.id, { status: 'running', config, jobIds: [jobId], startedAt: clock.now() }, `running ${action.type} in the engine`);
    try {
      const output = await deps.actions.run(action, { projectId: run.projectId, runId: run.id, jobId, config });
      await stepFinished(run.id, action.id, jobId, output);
    } catch (err) {
      await stepFinished(run.id, action.id, jobId, undefined, (err as Error).message);
    }
  }

  /** Start whatever the run can start now; finish it when nothing is left. */
  async function advance(runId: string): Promise<void> {
    const loaded = load(runId);
    if (!loaded || loaded.run.status !== 'running') return;
    const { run, def, cause } = loaded;
    const steps = runs.steps(run.id);
    const failed = steps.find((s) => s.status === 'failed');
    if (steps.some((s) => s.status === 'running')) {
      if (!failed || def.mode === 'parallel') return;
    }
    if (failed) return finish(run, cause, 'failed', `step ${failed.stepId}: ${failed.error}`);
    const pending = steps.filter((s) => s.status === 'pending');
    if (pending.length === 0) return finish(run, cause, 'succeeded');
    if (world.halt(run.projectId, run.ruleId)) return; // in-flight runs start nothing new while halted; resume advances them

    const toStart = def.mode === 'sequential' ? pending.slice(0, 1) : pending;
    for (const s of toStart) await startStep(run, def, cause, actionOfStep(def.actions, s));
  }

  /** A step ended (its job finished, or the engine ran it): record, emit, go on. */
  async function stepFinished(runId: string, stepId: string, jobId: string, output: unknown, error?: string): Promise<void> {
    const loaded = load(runId);
    if (!loaded) return;
    const { run, def, cause } = loaded;
    const step = runs.steps(runId).find((s) => s.stepId === stepId);
    if (!step || step.status === 'cancelled') return;
    // Already recorded (a redelivery): only make sure the run moved on.
    if (step.status === 'succeeded' || step.status === 'failed') return advance(runId);
    const action = actionOfStep(def.actions, step);
    if (error !== undefined) {
      runs.updateStep(runId, stepId, { status: 'failed', error, finishedAt: clock.now() }, `failed: ${error}`);
      const jt = jobTypeOf(action);
      if (jt) emit(cause, { type: 'job.failed', subject: { kind: 'job', id: jobId }, payload: { jobType: jt, jobId, runId, stepId, error } }, `${runId}.${stepId}.job.failed`, { kind: 'job', id: jobId });
    } else {
      const config = (step.config ?? {}) as Record<string, unknown>;
      const jt = jobTypeOf(action);
      if (jt === 'generate') deps.onGenerated?.(run.projectId, config, output);
      // Follow-ups first (idempotent inserts), so a crash before 'succeeded' cannot lose them.
      if (jt) {
        const next = followUps(action, config, { ...context(run, def, cause), previous: { input: config, output, jobId } });
        runs.addSteps(runId, next.map((a) => ({ stepId: a.id, type: `enqueue_job:${a.type === 'enqueue_job' ? a.config.type : ''}`, config: a.type === 'enqueue_job' ? a.config.input : {} })));
      }
      runs.updateStep(runId, stepId, { status: 'succeeded', output: output ?? null, finishedAt: clock.now() }, 'succeeded');
      const resolvedConfig = jt && action.type === 'enqueue_job' ? { type: action.config.type, input: config } : config;
      for (const spec of stepEvents(action, { jobId, resolvedConfig, output }))
        emit(cause, spec, `${runId}.${stepId}.${spec.type}`, { kind: 'job', id: jobId });
      emit(cause, { type: runEventTypes.stepCompleted, subject: { kind: 'run', id: runId }, payload: { runId, ruleId: run.ruleId, stepId, eventId: cause.id } }, `${runId}.${stepId}.${runEventTypes.stepCompleted}`, { kind: 'run', id: runId });
    }
    await advance(runId);
  }

  async function begin(runId: string): Promise<void> {
    const run = runs.get(runId)!;
    const cause = events.get(run.projectId, run.eventId)!;
    emit(cause, { type: runEventTypes.started, subject: { kind: 'run', id: run.id }, payload: { runId: run.id, ruleId: run.ruleId, eventId: cause.id, eventType: cause.type } }, `${run.id}.${runEventTypes.started}`, { kind: 'run', id: run.id });
    deps.observeFirstStep?.((clock.now() - cause.occurredAt) / 1000);
    await advance(run.id);
  }

  const approvalFlow = createApprovalFlow({ db, clock, logger, notifier: deps.notifier, costs: deps.costs ?? {}, admit, cancelRun: (runId, reason) => runs.setStatus(runId, 'cancelled', { reason }) });
  const { requestApproval, applyDecision } = approvalFlow;

  return {
    /** Fire every enabled rule the event triggers. Safe to call again for the same event. */
    async processEvent(projectId: string, eventId: string): Promise<RunRow[]> {
      const ev = events.get(projectId, eventId);
      if (!ev) {
        logger.warn({ eventId }, 'runner: event not found');
        return [];
      }
      const view = eventView(ev);
      const started: RunRow[] = [];
      const { manual, isRoot } = manualRuleOf(ev);
      for (const rule of rules.records(projectId)) {
        const candidate = manual && isRoot ? rule.id === manual : rule.enabled || rule.id === manual;
        if (!candidate || !triggersOn(rule, ev)) continue;
        const d = decide(rule, view, world);
        const base = {
          projectId,
          ruleId: rule.id,
          ruleVersion: rule.version,
          eventId: ev.id,
          subjectKind: ev.subjectKind,
          subjectId: ev.subjectId,
          idempotencyKey: runIdempotencyKey(rule.id, rule.version, `${ev.projectId}/${ev.idempotencyKey}`),
          correlationId: ev.correlationId,
          depth: ev.depth,
          planHash: null,
        };
        if (!d.fires && d.reason === 'halted' && decide(rule, view, { ...world, halt: () => null }).fires) {
          // Held, not dropped: the firing waits as a 'halted' run and is replayed (or discarded) on resume.
          const held = runs.create({ ...base, id: newId('run'), status: 'halted', reason: `held: ${d.detail ?? 'halted'}` }, rule.definition.actions.map((a) => ({ stepId: a.id, type: a.type })));
          if (held.created) {
            started.push(held.run);
            deps.notifier.haltChanged?.({ projectId, halted: true });
          }
          continue;
        }
        if (!d.fires) {
          logger.info({ ruleId: rule.id, eventId: ev.id, reason: d.reason, detail: d.detail }, 'rule did not fire');
          if (recordedSkips.has(d.reason!)) runs.create({ ...base, id: newId('run'), status: 'skipped', reason: `${d.reason}: ${d.detail ?? ''}` }, []);
          continue;
        }
        const gate = approvalGate(rule.definition);
        const { run, created } = runs.create(
          { ...base, id: newId('run'), status: gate ? 'awaiting_approval' : 'planned', reason: gate ? `needs admin approval (${gate.reason}: ${gate.steps.join(', ')})` : null },
          rule.definition.actions.map((a) => ({ stepId: a.id, type: a.type })),
        );
        if (!created) {
          // A redelivery: the run exists; if an earlier attempt stopped half-way, carry it on.
          if (run.status === 'running') await advance(run.id);
          continue;
        }
        started.push(run);
        if (gate) await requestApproval(run, rule.definition, ev, gate.steps);
        else await admit(run.id, null);
      }
      return started;
    },
    decide: approvalFlow.decide,
    expireApprovals: approvalFlow.expireApprovals,
    approvals,
    begin,
    /** Re-decide a held or replayed run against the current rules and world; start it if it still fires. */
    async replay(runId: string): Promise<RunRow> {
      const run = runs.get(runId)!;
      const ev = events.get(run.projectId, run.eventId)!;
      const rule = rules.records(run.projectId).find((r) => r.id === run.ruleId) ?? null;
      const manual = manualRuleOf(ev).manual === run.ruleId;
      if (!rule || (!rule.enabled && !manual) || rule.version !== run.ruleVersion) {
        runs.setStatus(run.id, 'skipped', { reason: rule ? `rule changed or disabled since it was held (now version ${rule.version}, ${rule.enabled ? 'enabled' : 'disabled'})` : 'rule deleted since it was held' });
        return runs.get(runId)!;
      }
      const d = decide(rule, eventView(ev), world);
      if (!d.fires) {
        if (d.reason !== 'halted') runs.setStatus(run.id, 'skipped', { reason: `${d.reason}: ${d.detail ?? ''}` });
        return runs.get(runId)!;
      }
      const gate = approvalGate(rule.definition);
      if (gate) {
        runs.setStatus(run.id, 'awaiting_approval', { reason: 'replayed after resume' });
        await requestApproval(runs.get(runId)!, rule.definition, ev, gate.steps);
      } else await admit(run.id, 'replayed after resume');
      return runs.get(runId)!;
    },
    /** Stop one run: pending steps never start, waiting jobs are removed, the run ends cancelled. */
    async cancel(runId: string, reason: string): Promise<RunRow> {
      const run = runs.get(runId)!;
      if (['succeeded', 'failed', 'cancelled', 'skipped'].includes(run.status)) return run;
      const def = rules.version(run.ruleId, run.ruleVersion);
      for (const s of runs.steps(runId)) {
        if (s.status !== 'pending' && s.status !== 'running') continue;
        const action = def ? actionOfStep(def.actions, s) : undefined;
        const jt = action ? jobTypeOf(action) : null;
        let removed = false;
        if (jt && s.status === 'running' && s.jobIds[0]) removed = await deps.jobs.cancel(jt, s.jobIds[0]).catch(() => false);
        runs.updateStep(runId, s.stepId, { status: 'cancelled', finishedAt: clock.now() }, s.status === 'running' ? (removed ? 'cancelled before it started' : 'cancelled; a job already running finishes and its result is ignored') : 'cancelled');
      }
      runs.setStatus(runId, 'cancelled', { reason });
      const pendingApproval = approvals.byRun(runId);
      if (pendingApproval?.status === 'pending') await applyDecision(approvals.decide(run.projectId, pendingApproval.id, 'denied', 'cancel'));
      await promoteWaiting(run.projectId);
      return runs.get(runId)!;
    },
    stepFinished,
    advance,
    runs,
  };
}

export type Runner = ReturnType<typeof createRunner>;
