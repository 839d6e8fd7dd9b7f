// The runner: what happens to a run once it has fired (firing.ts decides that) —
// admission under the project's limit, its steps in order (or in parallel), the
// events each finished step emits one level deeper (how chains form), cancel.
import type { Logger } from 'pino';
import { GreenlightError } from '../errors.js';
import type { Clock } from '../ids.js';
import type { JobType } from '../jobs/contracts.js';
import { NOTIFY_QUEUE, WEBHOOKS_QUEUE, type JobQueues } from '../queue/jobs.js';
import { actionOfStep, jobTypeOf } from '../rules/actions.js';
import {
  advanceRun,
  beginRun,
  stepEnded,
  type RunFacts,
  type Start,
  type Step as MachineResult,
  type World as MachineWorld,
} from '../rules/machine.js';
import type { RuleDefinition } from '../rules/schema.js';
import { actionDefaultsFor } from '../services/specs.js';
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
  faults?: { afterCommit?: (effects: readonly Effect[]) => void; afterSubmit?: (effect: Effect) => void };
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
  const actionDefaults = actionDefaultsFor(store);

  const { eventById, manualRuleOf, emit } = createEmitter(store, clock);
  const { unit } = createUnits({
    store,
    onStored: deps.onStored,
    // A chat post is added delayed to its channel's slot (the notify queue's pacing), not taken up to be put back.
    // A resubmit after a crash (ensure) takes no slot: its flow is likely in Redis already; if not, it paces itself.
    submit: (jobType, jobId, data, ensure) =>
      deps.jobs.submit(
        jobType,
        jobId,
        data,
        ensure,
        jobType === NOTIFY_QUEUE && !ensure ? deps.actions.notifyDelay({ projectId: data.projectId, jobId, config: data.input }) : 0,
      ),
    submitMany: (items) =>
      deps.jobs.submitMany(
        items.map(({ jobType, jobId, data }) => ({
          queue: jobType,
          jobId,
          data,
          delayMs: jobType === NOTIFY_QUEUE ? deps.actions.notifyDelay({ projectId: data.projectId, jobId, config: data.input }) : 0,
        })),
      ),
    ...(deps.faults?.afterCommit ? { afterCommit: deps.faults.afterCommit } : {}),
    ...(deps.faults?.afterSubmit ? { afterSubmit: deps.faults.afterSubmit } : {}),
    runAction: (e) => deps.actions.run(e.action, { projectId: e.projectId, runId: e.runId, jobId: e.jobId, config: e.config }),
    stepFinished: (...args) => stepFinished(...args),
    backToPending: (runId, stepId, why) => runs.updateStep(runId, stepId, { status: 'pending' }, why),
  });

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

  const factsOf = ({ run, def, cause }: Loaded): RunFacts => ({
    runId: run.id,
    ruleId: run.ruleId,
    projectId: run.projectId,
    def,
    cause: {
      id: cause.id,
      type: cause.type,
      subject: { kind: cause.subjectKind, id: cause.subjectId },
      payload: cause.payload,
      depth: cause.depth,
    },
    defaults: actionDefaults(run.projectId),
  });
  const worldOf = (run: RunRow): MachineWorld => ({ halted: () => world.halt(run.projectId, run.ruleId) !== null });

  /** The effect a started step leaves until its unit has committed. */
  function effectOf(run: RunRow, s: Start, ensure = false): Effect {
    // A chat post goes out from the notify queue: the event path never waits on a chat API.
    if (s.kind === 'engine' && s.action.type === 'notify')
      return {
        kind: 'submit',
        runId: run.id,
        stepId: s.stepId,
        jobType: NOTIFY_QUEUE,
        jobId: s.jobId,
        data: { projectId: run.projectId, runId: run.id, stepId: s.stepId, input: s.config },
        ...(ensure ? { ensure } : {}),
      };
    if (s.kind === 'engine')
      return {
        kind: 'engine',
        runId: run.id,
        stepId: s.stepId,
        jobId: s.jobId,
        action: s.action,
        projectId: run.projectId,
        config: s.config,
      };
    const input = s.kind === 'job' ? s.input : s.config;
    return {
      kind: 'submit',
      runId: run.id,
      stepId: s.stepId,
      jobType: s.kind === 'job' ? s.jobType : WEBHOOKS_QUEUE,
      jobId: s.jobId,
      data: { projectId: run.projectId, runId: run.id, stepId: s.stepId, input },
      ...(ensure ? { ensure } : {}),
    };
  }

  /** Perform what the step machine decided: rows now (this unit's transaction), effects after its commit. */
  function apply(fx: Effects, { run, cause }: Loaded, step: MachineResult, read: StepRow[]): void {
    const now = clock.now();
    // The step rows as this unit read them, kept current as it writes them (no read back per write).
    const rows = new Map(read.map((r) => [r.stepId, r]));
    const updateStep = (stepId: string, patch: Partial<StepRow>, log: string) => {
      const row = rows.get(stepId);
      const next = runs.updateStep(run.id, stepId, patch, log, row ? { row, projectId: run.projectId } : undefined);
      if (next) rows.set(stepId, next);
    };
    for (const o of step.ops) {
      switch (o.op) {
        case 'start':
          updateStep(
            o.start.stepId,
            { status: 'running', config: o.start.kind === 'job' ? o.start.input : o.start.config, jobIds: [o.start.jobId], startedAt: now },
            o.log,
          );
          fx.after.push(effectOf(run, o.start));
          break;
        case 'fail':
          updateStep(o.stepId, { status: 'failed', error: o.error, jobIds: [o.jobId], finishedAt: now }, `failed: ${o.error}`);
          break;
        case 'succeed':
          updateStep(o.stepId, { status: 'succeeded', output: o.output ?? null, finishedAt: now }, 'succeeded');
          break;
        case 'output':
          deps.onJobOutput?.(run.projectId, o.jobType, o.input, o.output);
          break;
        case 'add':
          runs.addSteps(run.id, o.steps);
          break;
        case 'emit':
          emit(fx, cause, o.event, o.event.key, o.event.fallback);
          break;
        case 'end':
          runs.setStatus(run.id, o.status, o.error ? { error: o.error } : {});
          promoteWaiting(fx, run.projectId);
          break;
      }
    }
  }

  /** Start whatever the run can start now; finish it when nothing is left. */
  function advanceNow(fx: Effects, loaded: Loaded | null): void {
    if (!loaded || loaded.run.status !== 'running') return;
    const read = runs.steps(loaded.run.id);
    apply(fx, loaded, advanceRun(factsOf(loaded), read, worldOf(loaded.run)), read);
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
      const jt = jobTypeOf(action);
      const config = (s.config ?? {}) as Record<string, unknown>;
      const start: Start = jt
        ? { kind: 'job', stepId: s.stepId, jobId, jobType: jt, input: config, action }
        : action.type === 'call_webhook'
          ? { kind: 'webhook', stepId: s.stepId, jobId, config, action }
          : { kind: 'engine', stepId: s.stepId, jobId, config, action };
      fx.after.push(effectOf(run, start, start.kind !== 'engine' || action.type === 'notify'));
    }
    advanceNow(fx, loaded);
  }

  /** A step ended (its job finished, or the engine ran it): record, emit, go on. */
  function finishStep(fx: Effects, runId: string, stepId: string, jobId: string, output: unknown, error?: string): void {
    const loaded = load(runId);
    if (!loaded) return;
    const steps = runs.steps(runId);
    const step = steps.find((s) => s.stepId === stepId);
    if (!step || step.status === 'cancelled') return;
    // Already recorded (a redelivery): make sure the run moved on, and that what it started was performed.
    if (step.status === 'succeeded' || step.status === 'failed') return resumeNow(fx, loaded);
    if (loaded.run.status !== 'running') return;
    const outcome = error !== undefined ? { error } : { output };
    apply(fx, loaded, stepEnded(factsOf(loaded), steps, worldOf(loaded.run), stepId, jobId, outcome), steps);
  }
  const stepFinished = (runId: string, stepId: string, jobId: string, output: unknown, error?: string) =>
    unit((fx) => finishStep(fx, runId, stepId, jobId, output, error));

  function beginNow(fx: Effects, runId: string): void {
    const loaded = load(runId)!;
    deps.observeFirstStep?.((clock.now() - loaded.cause.occurredAt) / 1000);
    const read = runs.steps(runId);
    apply(fx, loaded, beginRun(factsOf(loaded), read, worldOf(loaded.run)), read);
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
    load,
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
    processEvents: firing.processEvents,
    decide: approvalFlow.decide,
    notice: approvalFlow.notice,
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
