// The step machine: what a run does next, given its rule, its steps so far and
// what the world says (a step's output or failure, a halt, an approval). Pure:
// it returns an ordered list of operations and the steps as they stand after
// them. The runner performs the operations on rows, queues and events; the
// dry-run planner drives the same machine with predicted outcomes. What the
// two show can only differ where the world answers differently.
import { jobInputSchemas, type JobType } from '../jobs/contracts.js';
import {
  actionOfStep,
  followUps,
  jobInputOf,
  jobTypeOf,
  runEventTypes,
  stepEvents,
  stepJobId,
  withDefaults,
  type ActionDefaults,
} from './actions.js';
import type { Action, RuleDefinition } from './schema.js';
import { resolveTemplates, type Missing, type TemplateContext } from './templates.js';
import { isUnknown } from './values.js';

export type MachineStepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/** A run step as the machine sees it (a StepRow carries these fields). */
export interface MachineStep {
  stepId: string;
  /** The action type, or `enqueue_job:<jobType>` for a nextJobs follow-up. */
  type: string;
  status: MachineStepStatus;
  config: unknown;
  output: unknown;
  error: string | null;
  jobIds: string[];
}

export interface RunFacts {
  runId: string;
  ruleId: string;
  projectId: string;
  def: RuleDefinition;
  /** The event that fired the run. */
  cause: { id: string; type: string; subject: { kind: string; id: string }; payload: Record<string, unknown>; depth: number };
  defaults: ActionDefaults;
}

/** A step's effect once the unit that decided it has committed. */
export type Start =
  | { kind: 'job'; stepId: string; jobId: string; jobType: JobType; input: Record<string, unknown>; action: Action }
  | { kind: 'webhook'; stepId: string; jobId: string; config: Record<string, unknown>; action: Action }
  | { kind: 'engine'; stepId: string; jobId: string; config: Record<string, unknown>; action: Action };

export interface Emission {
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
  /** Idempotency key: a redelivered unit stores the event once. */
  key: string;
  /** The subject used when the spec's own is not a valid id. */
  fallback: { kind: string; id: string };
  /** The step whose end emits it; null for the run's own lifecycle events. */
  stepId: string | null;
}

export type Op =
  | { op: 'start'; start: Start; log: string }
  | { op: 'fail'; stepId: string; jobId: string; error: string; missing?: Missing[] }
  | { op: 'succeed'; stepId: string; jobId: string; output: unknown }
  /** A job's output becomes rows (variants, atlases, exports) before its events go out. */
  | { op: 'output'; stepId: string; jobType: JobType; input: Record<string, unknown>; output: unknown }
  | { op: 'add'; steps: { stepId: string; type: string; config: unknown }[] }
  | { op: 'emit'; event: Emission }
  | { op: 'end'; status: 'succeeded' | 'failed'; error?: string };

export interface World {
  /** Whether the run's rule (or its project) is halted now: a halted run starts nothing new. */
  halted: () => boolean;
}

export type Outcome = { output: unknown } | { error: string };

export interface Step {
  ops: Op[];
  steps: MachineStep[];
  /** Whether the run has ended (its 'end' op is in ops). */
  ended: boolean;
}

/** A rule's own steps, all pending: what a new run starts from. */
export function initialSteps(def: RuleDefinition): MachineStep[] {
  return def.actions.map((a) => ({ stepId: a.id, type: a.type, status: 'pending', config: null, output: null, error: null, jobIds: [] }));
}

const hasUnknown = (v: unknown): boolean =>
  isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : v !== null && typeof v === 'object' && Object.values(v).some(hasUnknown));

const nonEmpty = (v: unknown) => isUnknown(v) || (typeof v === 'string' && v !== '');
const strings = (v: unknown) =>
  v === undefined || isUnknown(v) || (Array.isArray(v) && v.every((x) => typeof x === 'string' || isUnknown(x)));

/**
 * Why an engine action's resolved config cannot run, or null. The engine action checks the same
 * before it touches anything; the planner shows the step as failing instead of succeeding.
 */
export function engineActionProblem(type: string, c: Record<string, unknown>): string | null {
  const need = (field: string) =>
    `config.${field} must be a non-empty string after placeholders resolve (got ${JSON.stringify(c[field]) ?? 'nothing'})`;
  switch (type) {
    case 'apply_tags':
      if (!nonEmpty(c.variantId)) return need('variantId');
      if (!strings(c.add)) return 'config.add must be a list of strings';
      if (!strings(c.remove)) return 'config.remove must be a list of strings';
      return null;
    case 'set_status':
      if (!nonEmpty(c.status)) return need('status');
      if (c.variantId !== undefined) return nonEmpty(c.variantId) ? null : need('variantId');
      return nonEmpty(c.assetId) ? null : need('assetId');
    case 'notify':
      return nonEmpty(c.text) ? null : need('text');
    case 'call_webhook':
      return nonEmpty(c.url) ? null : need('url');
    default:
      return null;
  }
}

/** Why a job input fails its job type's schema (the worker would refuse it), or null; unknown values are not judged. */
export function jobInputProblem(jobType: JobType, input: Record<string, unknown>): string | null {
  if (hasUnknown(input)) return null;
  const parsed = jobInputSchemas[jobType].safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `${jobType} input ${issue.path.length > 0 ? `field ${issue.path.join('.')}` : ''}: ${issue.message}`.replace('input :', 'input:');
}

function contextOf(f: RunFacts, steps: MachineStep[]): TemplateContext {
  const ctx: TemplateContext = { projectId: f.projectId, event: f.cause, steps: {} };
  for (const s of steps) {
    if (s.status !== 'succeeded') continue;
    const action = actionOfStep(f.def.actions, s);
    const state = { input: jobTypeOf(action) ? s.config : undefined, output: s.output, jobId: s.jobIds[0] };
    ctx.steps[s.stepId] = state;
    if (f.def.mode === 'sequential') ctx.previous = state;
  }
  return ctx;
}

const runPayload = (f: RunFacts) => ({ runId: f.runId, ruleId: f.ruleId, eventId: f.cause.id, eventType: f.cause.type });
const runEvent = (f: RunFacts, type: string, extra: Record<string, unknown> = {}, stepId: string | null = null): Emission => ({
  type,
  subject: { kind: 'run', id: f.runId },
  payload: { ...runPayload(f), ...extra },
  key: stepId ? `${f.runId}.${stepId}.${type}` : `${f.runId}.${type}`,
  fallback: { kind: 'run', id: f.runId },
  stepId,
});

/** One machine pass over a working copy of the steps. */
function pass(f: RunFacts, from: MachineStep[], world: World) {
  const steps = from.map((s) => ({ ...s }));
  const ops: Op[] = [];
  let ended = false;
  const find = (id: string) => steps.find((s) => s.stepId === id)!;

  function end(status: 'succeeded' | 'failed', error?: string): void {
    const type = status === 'succeeded' ? runEventTypes.completed : runEventTypes.failed;
    ops.push({ op: 'emit', event: runEvent(f, type, error ? { error } : {}) });
    ops.push({ op: 'end', status, ...(error ? { error } : {}) });
    ended = true;
  }

  function start(step: MachineStep): void {
    const action = actionOfStep(f.def.actions, step);
    const jobId = stepJobId(f.ruleId, f.cause.id, action.id);
    // A rule's own step is resolved here, once; a nextJobs follow-up was resolved once when it was added (followUps),
    // and what it holds now is data (event and output values), never templates to resolve again.
    const own = f.def.actions.some((a) => a.id === step.stepId);
    const { value, missing } = own
      ? resolveTemplates(action.config, contextOf(f, steps))
      : { value: action.config, missing: [] as Missing[] };
    const config = withDefaults(action, value as Record<string, unknown>, f.defaults);
    if (missing.length > 0) return failed(step, jobId, `placeholder ${missing[0]!.placeholder} has no value`, missing);
    const jt = jobTypeOf(action);
    const input = jt ? jobInputOf(action, config) : config;
    const problem = jt ? jobInputProblem(jt, input) : engineActionProblem(action.type, config);
    if (problem) return failed(step, jobId, problem);
    Object.assign(step, { status: 'running', config: input, jobIds: [jobId] });
    if (jt)
      ops.push({
        op: 'start',
        start: { kind: 'job', stepId: step.stepId, jobId, jobType: jt, input, action },
        log: `submitted ${jt} job ${jobId}`,
      });
    else if (action.type === 'call_webhook')
      ops.push({ op: 'start', start: { kind: 'webhook', stepId: step.stepId, jobId, config, action }, log: `submitted webhook ${jobId}` });
    else
      ops.push({
        op: 'start',
        start: { kind: 'engine', stepId: step.stepId, jobId, config, action },
        log: `running ${action.type} in the engine`,
      });
  }

  function failed(step: MachineStep, jobId: string, error: string, missing?: Missing[]): void {
    Object.assign(step, { status: 'failed', error, jobIds: step.jobIds.length > 0 ? step.jobIds : [jobId] });
    ops.push({ op: 'fail', stepId: step.stepId, jobId, error, ...(missing ? { missing } : {}) });
    const jt = jobTypeOf(actionOfStep(f.def.actions, step));
    if (jt)
      ops.push({
        op: 'emit',
        event: {
          type: 'job.failed',
          subject: { kind: 'job', id: jobId },
          payload: { jobType: jt, jobId, runId: f.runId, ruleId: f.ruleId, stepId: step.stepId, error },
          key: `${f.runId}.${step.stepId}.job.failed`,
          fallback: { kind: 'job', id: jobId },
          stepId: step.stepId,
        },
      });
  }

  function succeeded(step: MachineStep, jobId: string, output: unknown): void {
    const action = actionOfStep(f.def.actions, step);
    const jt = jobTypeOf(action);
    const config = (step.config ?? {}) as Record<string, unknown>;
    if (jt) {
      ops.push({ op: 'output', stepId: step.stepId, jobType: jt, input: config, output });
      // The context as it was before this step succeeded, plus the step itself as `previous`.
      const next = followUps(action, config, { ...contextOf(f, steps), previous: { input: config, output, jobId } });
      if (next.length > 0) {
        const added = next.map((a) => ({
          stepId: a.id,
          type: `enqueue_job:${a.type === 'enqueue_job' ? a.config.type : ''}`,
          config: a.type === 'enqueue_job' ? a.config.input : {},
        }));
        ops.push({ op: 'add', steps: added });
        for (const a of added) steps.push({ ...a, status: 'pending', output: null, error: null, jobIds: [] });
      }
    }
    Object.assign(step, { status: 'succeeded', output: output ?? null });
    ops.push({ op: 'succeed', stepId: step.stepId, jobId, output });
    const resolvedConfig = jt && action.type === 'enqueue_job' ? { type: action.config.type, input: config } : config;
    for (const spec of stepEvents(action, { jobId, resolvedConfig, output }))
      ops.push({
        op: 'emit',
        event: { ...spec, key: `${f.runId}.${step.stepId}.${spec.type}`, fallback: { kind: 'job', id: jobId }, stepId: step.stepId },
      });
    ops.push({ op: 'emit', event: runEvent(f, runEventTypes.stepCompleted, { stepId: step.stepId }, step.stepId) });
  }

  /**
   * Start what can start; end the run when nothing is left. Sequential: one step at a time, the first
   * failure ends the run. Parallel: every pending step starts at once and each branch (a step and its
   * nextJobs follow-ups) runs to its end whatever the others do; the run ends failed if any step failed.
   */
  function advance(): void {
    for (;;) {
      if (ended) return;
      const failure = steps.find((s) => s.status === 'failed');
      const running = steps.some((s) => s.status === 'running');
      const pending = steps.filter((s) => s.status === 'pending');
      if (f.def.mode === 'sequential' && failure) {
        if (!running) end('failed', `step ${failure.stepId}: ${failure.error}`);
        return;
      }
      if (pending.length === 0) {
        if (!running) {
          if (failure) end('failed', `step ${failure.stepId}: ${failure.error}`);
          else end('succeeded');
        }
        return;
      }
      if (f.def.mode === 'sequential' && running) return;
      if (world.halted()) return; // a halted run starts nothing new; resume advances it
      const toStart = f.def.mode === 'sequential' ? pending.slice(0, 1) : pending;
      for (const s of toStart) start(s);
      // Steps that failed as they started (a missing placeholder, a refused input) may end the run now.
      if (!toStart.some((s) => s.status === 'failed')) return;
    }
  }

  return {
    steps,
    ops,
    find,
    advance,
    begin(): void {
      ops.push({ op: 'emit', event: runEvent(f, runEventTypes.started) });
      advance();
    },
    ended(stepId: string, jobId: string, outcome: Outcome): void {
      const step = find(stepId);
      if ('error' in outcome) failed(step, jobId, outcome.error);
      else succeeded(step, jobId, outcome.output);
      advance();
    },
    result: (): Step => ({ ops, steps, ended }),
  };
}

/** A new run is admitted: it emits run.started and starts its first step(s). */
export function beginRun(f: RunFacts, steps: MachineStep[], world: World): Step {
  const m = pass(f, steps, world);
  m.begin();
  return m.result();
}

/** Start whatever the run can start now (after a resume, or a redelivery); end it if nothing is left. */
export function advanceRun(f: RunFacts, steps: MachineStep[], world: World): Step {
  const m = pass(f, steps, world);
  m.advance();
  return m.result();
}

/** A running step ended with an output or an error: record it, emit what it emits, go on. */
export function stepEnded(f: RunFacts, steps: MachineStep[], world: World, stepId: string, jobId: string, outcome: Outcome): Step {
  const m = pass(f, steps, world);
  m.ended(stepId, jobId, outcome);
  return m.result();
}

/** What an approval decision does to the run waiting on it. */
export function approvalOutcome(
  status: 'pending' | 'approved' | 'denied' | 'expired',
  defaultDecision: 'approve' | 'deny',
  decidedBy: string | null,
): { admit: true; reason: string } | { admit: false; reason: string } | null {
  if (status === 'pending') return null;
  if (status === 'approved' || (status === 'expired' && defaultDecision === 'approve'))
    return { admit: true, reason: status === 'expired' ? 'approval expired (default: approve)' : `approved by ${decidedBy}` };
  return { admit: false, reason: status === 'expired' ? 'approval expired (default: deny)' : `denied by ${decidedBy}` };
}
