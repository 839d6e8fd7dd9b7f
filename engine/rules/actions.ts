// What each action type does, as data the planner and the runner share: the
// job it enqueues (if any), whether it is costly, and the events it emits on
// success. Pure: no queue, no store.
import {
  costlyJobTypes,
  jobCompletionEventType,
  jobCompletionEvents,
  jobTypes,
  type JobEventSpec,
  type JobType,
} from '../jobs/contracts.js';
import { generateFromSpec, type SpecSource } from '../specs/generation.js';
import { resolveTemplates, type TemplateContext } from './templates.js';
import type { Action } from './schema.js';

/** The job an action becomes, or null for engine-side actions. */
export function jobTypeOf(action: Action): JobType | null {
  switch (action.type) {
    case 'enqueue_job':
      return action.config.type;
    case 'export':
      return 'export';
    case 'run_eval_grid':
      return 'eval_grid';
    case 'apply_tags':
    case 'set_status':
    case 'notify':
    case 'call_webhook':
      return null;
  }
}

/** The input a job-type action submits (after placeholder resolution). */
export function jobInputOf(action: Action, resolvedConfig: Record<string, unknown>): Record<string, unknown> {
  if (action.type === 'enqueue_job') return (resolvedConfig.input as Record<string, unknown> | undefined) ?? {};
  return resolvedConfig;
}

export function isCostly(action: Action): boolean {
  const jt = jobTypeOf(action);
  return jt !== null && costlyJobTypes.has(jt);
}

/** How many jobs an action submits (what its cost counts): an eval grid, one per cell. */
export function jobCountOf(action: Action, resolvedConfig: Record<string, unknown>): number {
  if (action.type !== 'run_eval_grid') return jobTypeOf(action) ? 1 : 0;
  // One cell per prompt × LoRA × checkpoint, as the worker draws them.
  const prompts = resolvedConfig.prompts;
  const count = (list: unknown) => (Array.isArray(list) && list.length > 0 ? list.length : 1);
  return (Array.isArray(prompts) ? prompts.length : 1) * count(resolvedConfig.loraIds) * count(resolvedConfig.checkpointIds);
}

/** Static view: the event types an action can emit on success (for the chain graph). */
export function emittedTypesOf(action: Action): string[] {
  const jt = jobTypeOf(action);
  if (jt) return ['job.completed', jobCompletionEventType[jt]];
  switch (action.type) {
    case 'apply_tags':
      return ['variant.tagged'];
    case 'set_status':
      return [action.config.variantId !== undefined ? 'variant.status_changed' : 'asset.status_changed'];
    case 'call_webhook':
      return ['webhook.delivered'];
    default:
      return [];
  }
}

export interface StepEffectContext {
  jobId: string;
  resolvedConfig: Record<string, unknown>;
  /** The step's output: real after it ran, an Unknown while planning. */
  output: unknown;
}

/** The events one step emits on success: the same function for planning and running. */
export function stepEvents(action: Action, ctx: StepEffectContext): JobEventSpec[] {
  const jt = jobTypeOf(action);
  if (jt) return jobCompletionEvents(jt, { jobId: ctx.jobId, input: jobInputOf(action, ctx.resolvedConfig), output: ctx.output });
  const c = ctx.resolvedConfig;
  switch (action.type) {
    case 'apply_tags':
      return [{ type: 'variant.tagged', subject: { kind: 'variant', id: c.variantId ?? c.assetId }, payload: { ...c } }];
    case 'set_status':
      return c.variantId !== undefined
        ? [{ type: 'variant.status_changed', subject: { kind: 'variant', id: c.variantId }, payload: { ...c } }]
        : [{ type: 'asset.status_changed', subject: { kind: 'asset', id: c.assetId }, payload: { ...c } }];
    case 'call_webhook':
      return [{ type: 'webhook.delivered', subject: { kind: 'job', id: ctx.jobId }, payload: { url: c.url, output: ctx.output } }];
    default:
      return [];
  }
}

/** The run-level events every firing emits (rules may trigger on them; depth applies). */
export const runEventTypes = {
  started: 'run.started',
  stepCompleted: 'run.step.completed',
  completed: 'run.completed',
  failed: 'run.failed',
} as const;

/** Deterministic id for a step's side effect (BullMQ job id): rule + event + step, no ':'. */
export function stepJobId(ruleId: string, eventId: string, stepId: string): string {
  return `${ruleId}.${eventId}.${stepId}`.replace(/:/g, '_');
}

/** Which steps put a run behind an admin approval, and why (shared by planner and runner). */
export function approvalGate(def: {
  requiresApproval: 'auto' | 'always' | 'never';
  actions: Action[];
}): { reason: 'always' | 'costly'; steps: string[] } | null {
  if (def.requiresApproval === 'never') return null;
  if (def.requiresApproval === 'always') return { reason: 'always', steps: def.actions.map((a) => a.id) };
  const costly = def.actions.filter(isCostly).map((a) => a.id);
  return costly.length > 0 ? { reason: 'costly', steps: costly } : null;
}

export interface ActionDefaults {
  /** The project's default export profile (settings.policies.defaultExportProfile). */
  exportProfile: string;
  /** A refined spec of the project with the catalog in force, for a generate job that names its `specId`. */
  specOf?: (specId: string) => SpecSource | null;
}

/**
 * Fill what an action leaves to the project: the same for planning and running. A generate job that names a
 * refined spec gets the spec's prompt, size, seed, variants and models (what the job gives itself wins).
 */
export function withDefaults(action: Action, config: Record<string, unknown>, defaults: ActionDefaults): Record<string, unknown> {
  if (action.type === 'export' && config.profileId === undefined) return { ...config, profileId: defaults.exportProfile };
  if (action.type === 'enqueue_job' && action.config.type === 'export') {
    const input = (config.input ?? {}) as Record<string, unknown>;
    if (input.profileId === undefined) return { ...config, input: { ...input, profileId: defaults.exportProfile } };
  }
  if (action.type === 'enqueue_job' && action.config.type === 'generate' && defaults.specOf) {
    const input = (config.input ?? {}) as Record<string, unknown>;
    const source = typeof input.specId === 'string' ? defaults.specOf(input.specId) : null;
    if (source) return { ...config, input: generateFromSpec(source, input) };
  }
  return config;
}

/**
 * The seed's job chaining: a job input's `nextJobs` become follow-up steps of
 * the same run once that job is done, their `$output.* / $input.* / $projectId
 * / $jobId` read from it. Ids are `<stepId>-next<N>`; planner and runner both
 * append them after the rule's own steps.
 */
export function followUps(action: Action, input: Record<string, unknown>, ctx: TemplateContext): Action[] {
  if (action.type !== 'enqueue_job' || !Array.isArray(input.nextJobs)) return [];
  return input.nextJobs.flatMap((nj: unknown, i: number): Action[] => {
    if (typeof nj !== 'object' || nj === null) return [];
    const { type, input: raw } = nj as { type?: unknown; input?: unknown };
    if (typeof type !== 'string' || !(jobTypes as readonly string[]).includes(type)) return [];
    const { value } = resolveTemplates(raw ?? {}, ctx);
    return [
      { id: `${action.id}-next${i + 1}`, type: 'enqueue_job', config: { type: type as JobType, input: value as Record<string, unknown> } },
    ];
  });
}

/** A run step's action: the rule's own, or a follow-up stored as type `enqueue_job:<jobType>`. */
export function actionOfStep(actions: Action[], step: { stepId: string; type: string; config: unknown }): Action {
  const own = actions.find((a) => a.id === step.stepId);
  if (own) return own;
  const jobType = step.type.slice('enqueue_job:'.length) as JobType;
  return { id: step.stepId, type: 'enqueue_job', config: { type: jobType, input: (step.config ?? {}) as Record<string, unknown> } };
}
