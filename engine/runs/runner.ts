// The runner: what happens to a run once it has fired (firing.ts decides that) —
// admission under the project's limit, its steps in order (or in parallel), the
// events each finished step emits one level deeper (how chains form), cancel.
import type { Logger } from 'pino';
import { GreenlightError } from '../errors.js';
import type { Clock } from '../ids.js';
import type { JobType } from '../jobs/contracts.js';
import { WEBHOOKS_QUEUE, type JobQueues } from '../queue/jobs.js';
import { actionOfStep, followUps, jobInputOf, jobTypeOf, runEventTypes, stepEvents, stepJobId, withDefaults } from '../rules/actions.js';
import type { Action, RuleDefinition } from '../rules/schema.js';
import { resolveTemplates, type TemplateContext } from '../rules/templates.js';
import type { EventRow } from '../store/events.js';
import type { RunRow, StepRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import type { createEngineActions } from './engine-actions.js';
import type { ChatNotifier } from './ports.js';
import { createApprovalFlow } from './approval-flow.js';
import { createEmitter } from './emitter.js';
import { createFiring } from './firing.js';
import { createRunControl } from './control.js';
import { createUnits, type Effect, type Effects } from './units.js';

export interface RunnerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  jobs: JobQueues;
  actions: ReturnType<typeof createEngineActions>;
  notifier: ChatNotifier;
  onStored: (source: string, row?: EventRow) => void;
  /** Cost units per job type, for approval requests. */
  costs?: Record<string, number>;
  /**
   * A finished job's output becomes rows before its events go out, in the same unit: a generate job's
   * variants (reviewable), an atlas, an export bundle (overridable, shown by the faces).
   */
  onJobOutput?: (projectId: string, jobType: JobType, input: Record<string, unknown>, output: unknown) => void;
  /** Seconds from an event being stored to the first step of a run it caused. */
  observeFirstStep?: (seconds: number) => void;
  /** Test-only fault injection (crash tests). */
  faults?: { afterCommit?: (effects: readonly Effect[]) => void };
}

/** A run with the rule version it fired with and the event that caused it. */
interface Loaded {
  run: RunRow;
  def: RuleDefinition;
  cause: EventRow;
}
export function createRunner(deps: RunnerDeps) {
  const { store, clock, logger } = deps;
  const { rules, runs, world, approvals, projects } = store;
  const settingsOf = (projectId: string) => projects.get(projectId)!.settings;

  const { eventById, manualRuleOf, emit } = createEmitter(store, clock);
  const { unit } = createUnits({
    store,
    onStored: deps.onStored,
    submit: (jobType, jobId, data, ensure) => deps.jobs.submit(jobType, jobId, data, ensure),
    ...(deps.faults?.afterCommit ? { afterCommit: deps.faults.afterCommit } : {}),
    runAction: (e) => deps.actions.run(e.action, { projectId: e.projectId, runId: e.runId, jobId: e.jobId, config: e.config }),
    stepFinished: (...args) => stepFinished(...args),
    backToPending: (runId, stepId, why) => runs.updateStep(runId, stepId, { status: 'pending' }, why),
  });

  function context(run: RunRow, def: RuleDefinition, cause: EventRow, steps: StepRow[]): TemplateContext {
    const ctx: TemplateContext = {
      projectId: run.projectId,
      event: {
        id: cause.id,
        type: cause.type,
        subject: { kind: cause.subjectKind, id: cause.subjectId },
        payload: cause.payload,
        depth: cause.depth,
      },
      steps: {},
    };
    for (const s of steps) {
      if (s.status !== 'succeeded') continue;
      const action = actionOfStep(def.actions, s);
      const state = { input: jobTypeOf(action) ? s.config : undefined, output: s.output, jobId: s.jobIds[0] };
      ctx.steps[s.stepId] = state;
      if (def.mode === 'sequential') ctx.previous = state;
    }
    return ctx;
  }

  function load(runId: string): Loaded | null {
    const run = runs.get(runId);
    if (!run) return null;
    const def = rules.version(run.ruleId, run.ruleVersion);
    const cause = eventById(run.projectId, run.eventId);
    if (!def || !cause) throw new GreenlightError('internal', `run ${runId} lost its rule version or event`);
    return { run, def, cause };
  }

  /**
   * Projects known to have no waiting ('planned') run: only admitNow makes one wait, and the engine
   * is the database's only writer, so the search after every finished run can be skipped.
   */
  const noneWaiting = new Set<string>();

  /** Start a run now, or let it wait ('planned') while its project is at maxConcurrentRuns. */
  function admitNow(fx: Effects, runId: string, reason: string | null): void {
    const run = runs.get(runId)!;
    const limit = settingsOf(run.projectId).limits.maxConcurrentRuns;
    if (runs.countRunning(run.projectId) >= limit) {
      runs.setStatus(runId, 'planned', { reason: `waiting: the project is at its limit of ${limit} concurrent runs` });
      noneWaiting.delete(run.projectId);
      return;
    }
    runs.setStatus(runId, 'running', { reason });
    beginNow(fx, runId);
  }
  const admit = (runId: string, reason: string | null) => unit((fx) => admitNow(fx, runId, reason));

  /** Start waiting runs, oldest first, while the project has room. */
  function promoteWaiting(fx: Effects, projectId: string): void {
    if (noneWaiting.has(projectId)) return;
    const limit = settingsOf(projectId).limits.maxConcurrentRuns;
    while (runs.countRunning(projectId) < limit) {
      const next = runs.oldestPlanned(projectId);
      if (!next) {
        noneWaiting.add(projectId);
        return;
      }
      runs.setStatus(next.id, 'running', { reason: 'admitted under the concurrency limit' });
      beginNow(fx, next.id);
    }
  }

  function finish(fx: Effects, run: RunRow, cause: EventRow, status: 'succeeded' | 'failed', error?: string): void {
    runs.setStatus(run.id, status, error ? { error } : {});
    const type = status === 'succeeded' ? runEventTypes.completed : runEventTypes.failed;
    emit(
      fx,
      cause,
      {
        type,
        subject: { kind: 'run', id: run.id },
        payload: { runId: run.id, ruleId: run.ruleId, eventId: cause.id, eventType: cause.type, ...(error ? { error } : {}) },
      },
      `${run.id}.${type}`,
      { kind: 'run', id: run.id },
    );
    promoteWaiting(fx, run.projectId);
  }

  function startStep(fx: Effects, { run, def, cause }: Loaded, steps: StepRow[], action: Action): void {
    const jobId = stepJobId(run.ruleId, cause.id, action.id);
    const { value, missing } = resolveTemplates(action.config, context(run, def, cause, steps));
    const config = withDefaults(action, value as Record<string, unknown>, {
      exportProfile: settingsOf(run.projectId).policies.defaultExportProfile,
    });
    if (missing.length > 0)
      return finishStep(fx, run.id, action.id, jobId, undefined, `placeholder ${missing[0]!.placeholder} has no value`);
    const jt = jobTypeOf(action);
    if (jt) {
      const input = jobInputOf(action, config);
      runs.updateStep(
        run.id,
        action.id,
        { status: 'running', config: input, jobIds: [jobId], startedAt: clock.now() },
        `submitted ${jt} job ${jobId}`,
      );
      fx.after.push({
        kind: 'submit',
        runId: run.id,
        stepId: action.id,
        jobType: jt,
        jobId,
        data: { projectId: run.projectId, runId: run.id, stepId: action.id, input },
      });
      return;
    }
    if (action.type === 'call_webhook') {
      runs.updateStep(
        run.id,
        action.id,
        { status: 'running', config, jobIds: [jobId], startedAt: clock.now() },
        `submitted webhook ${jobId}`,
      );
      fx.after.push({
        kind: 'submit',
        runId: run.id,
        stepId: action.id,
        jobType: WEBHOOKS_QUEUE,
        jobId,
        data: { projectId: run.projectId, runId: run.id, stepId: action.id, input: config },
      });
      return;
    }
    runs.updateStep(
      run.id,
      action.id,
      { status: 'running', config, jobIds: [jobId], startedAt: clock.now() },
      `running ${action.type} in the engine`,
    );
    fx.after.push({ kind: 'engine', runId: run.id, stepId: action.id, jobId, action, projectId: run.projectId, config });
  }

  /** Start whatever the run can start now; finish it when nothing is left. */
  function advanceNow(fx: Effects, loaded: Loaded | null): void {
    if (!loaded || loaded.run.status !== 'running') return;
    const { run, def, cause } = loaded;
    const steps = runs.steps(run.id);
    const failed = steps.find((s) => s.status === 'failed');
    if (steps.some((s) => s.status === 'running')) {
      if (!failed || def.mode === 'parallel') return;
    }
    if (failed) return finish(fx, run, cause, 'failed', `step ${failed.stepId}: ${failed.error}`);
    const pending = steps.filter((s) => s.status === 'pending');
    if (pending.length === 0) return finish(fx, run, cause, 'succeeded');
    if (world.halt(run.projectId, run.ruleId)) return; // in-flight runs start nothing new while halted; resume advances them

    const toStart = def.mode === 'sequential' ? pending.slice(0, 1) : pending;
    for (const s of toStart) startStep(fx, loaded, steps, actionOfStep(def.actions, s));
  }
  const advance = (runId: string) => unit((fx) => advanceNow(fx, load(runId)));

  /**
   * Carry on a run that a crash (or a lost effect) left half-way. A running step's row is the durable
   * record of the effect its unit decided (job id and resolved input, or the engine action's config), so
   * the effect is performed again from it: a job is resubmitted unless its flow is in Redis already, an
   * engine action runs again (they are idempotent: tags, status; notify and call_webhook at least once).
   */
  function resumeNow(fx: Effects, loaded: Loaded | null): void {
    if (!loaded || loaded.run.status !== 'running') return;
    const { run, def } = loaded;
    for (const s of runs.steps(run.id)) {
      const jobId = s.jobIds[0];
      if (s.status !== 'running' || !jobId) continue;
      const action = actionOfStep(def.actions, s);
      const jt = jobTypeOf(action) ?? (action.type === 'call_webhook' ? WEBHOOKS_QUEUE : null);
      const config = (s.config ?? {}) as Record<string, unknown>;
      if (jt)
        fx.after.push({
          kind: 'submit',
          runId: run.id,
          stepId: s.stepId,
          jobType: jt,
          jobId,
          data: { projectId: run.projectId, runId: run.id, stepId: s.stepId, input: config },
          ensure: true,
        });
      else fx.after.push({ kind: 'engine', runId: run.id, stepId: s.stepId, jobId, action, projectId: run.projectId, config });
    }
    advanceNow(fx, loaded);
  }

  /** A step ended (its job finished, or the engine ran it): record, emit, go on. */
  function finishStep(fx: Effects, runId: string, stepId: string, jobId: string, output: unknown, error?: string): void {
    const loaded = load(runId);
    if (!loaded) return;
    const { run, def, cause } = loaded;
    const steps = runs.steps(runId);
    const step = steps.find((s) => s.stepId === stepId);
    if (!step || step.status === 'cancelled') return;
    // Already recorded (a redelivery): make sure the run moved on, and that what it started was performed.
    if (step.status === 'succeeded' || step.status === 'failed') return resumeNow(fx, loaded);
    const action = actionOfStep(def.actions, step);
    if (error !== undefined) {
      runs.updateStep(runId, stepId, { status: 'failed', error, finishedAt: clock.now() }, `failed: ${error}`);
      const jt = jobTypeOf(action);
      if (jt)
        emit(
          fx,
          cause,
          { type: 'job.failed', subject: { kind: 'job', id: jobId }, payload: { jobType: jt, jobId, runId, stepId, error } },
          `${runId}.${stepId}.job.failed`,
          { kind: 'job', id: jobId },
        );
    } else {
      const config = (step.config ?? {}) as Record<string, unknown>;
      const jt = jobTypeOf(action);
      if (jt) deps.onJobOutput?.(run.projectId, jt, config, output);
      if (jt) {
        // The steps read above: nothing has changed them yet in this unit.
        const next = followUps(action, config, { ...context(run, def, cause, steps), previous: { input: config, output, jobId } });
        runs.addSteps(
          runId,
          next.map((a) => ({
            stepId: a.id,
            type: `enqueue_job:${a.type === 'enqueue_job' ? a.config.type : ''}`,
            config: a.type === 'enqueue_job' ? a.config.input : {},
          })),
        );
      }
      runs.updateStep(runId, stepId, { status: 'succeeded', output: output ?? null, finishedAt: clock.now() }, 'succeeded');
      const resolvedConfig = jt && action.type === 'enqueue_job' ? { type: action.config.type, input: config } : config;
      for (const spec of stepEvents(action, { jobId, resolvedConfig, output }))
        emit(fx, cause, spec, `${runId}.${stepId}.${spec.type}`, { kind: 'job', id: jobId });
      emit(
        fx,
        cause,
        {
          type: runEventTypes.stepCompleted,
          subject: { kind: 'run', id: runId },
          payload: { runId, ruleId: run.ruleId, stepId, eventId: cause.id },
        },
        `${runId}.${stepId}.${runEventTypes.stepCompleted}`,
        { kind: 'run', id: runId },
      );
    }
    advanceNow(fx, loaded);
  }
  const stepFinished = (runId: string, stepId: string, jobId: string, output: unknown, error?: string) =>
    unit((fx) => finishStep(fx, runId, stepId, jobId, output, error));

  function beginNow(fx: Effects, runId: string): void {
    const loaded = load(runId)!;
    const { run, cause } = loaded;
    emit(
      fx,
      cause,
      {
        type: runEventTypes.started,
        subject: { kind: 'run', id: run.id },
        payload: { runId: run.id, ruleId: run.ruleId, eventId: cause.id, eventType: cause.type },
      },
      `${run.id}.${runEventTypes.started}`,
      { kind: 'run', id: run.id },
    );
    deps.observeFirstStep?.((clock.now() - cause.occurredAt) / 1000);
    advanceNow(fx, loaded);
  }
  const begin = (runId: string) => unit((fx) => beginNow(fx, runId));

  const approvalFlow = createApprovalFlow({
    store,
    clock,
    logger,
    notifier: deps.notifier,
    costs: deps.costs ?? {},
    admit,
    cancelRun: (runId, reason) => runs.setStatus(runId, 'cancelled', { reason }),
  });
  const { requestApproval, applyDecision } = approvalFlow;
  const firing = createFiring({ store, logger, unit, eventById, manualRuleOf, load, resumeNow, admitNow, requestApproval });
  const control = createRunControl({
    store,
    clock,
    logger,
    jobs: deps.jobs,
    unit,
    load,
    resumeNow,
    promoteWaiting,
    applyDecision,
    requestApproval,
    replay: firing.replay,
  });

  return {
    processEvent: firing.processEvent,
    decide: approvalFlow.decide,
    expireApprovals: approvalFlow.expireApprovals,
    approvals,
    begin,
    replay: firing.replay,
    cancel: control.cancel,
    recover: control.recover,
    stepFinished,
    advance,
    runs,
  };
}

export type Runner = ReturnType<typeof createRunner>;
