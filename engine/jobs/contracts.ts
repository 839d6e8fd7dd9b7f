// Job contracts: one zod schema for each job type's input and output, and the
// events a finished job emits. Shared with gpu-worker, so this file imports
// nothing from the rest of engine except errors/validation.

export {
  idSchema,
  jobTypes,
  jobTypeSchema,
  jobInputSchemas,
  jobOutputSchemas,
  workJobDataSchema,
  atlasFormats,
  exportProfileSchema,
  exportProfileIds,
  type AtlasFormat,
  type ExportProfile,
  type JobType,
  type JobInput,
  type JobOutput,
  type WorkJobData,
} from './inputs.js';
import type { JobType } from './inputs.js';

/** The typed event each job type emits on success, beside the generic `job.completed`. */
export const jobCompletionEventType: Readonly<Record<JobType, string>> = {
  generate: 'generate.completed',
  bg_remove: 'bg_remove.completed',
  pack_atlas: 'atlas.ready',
  export: 'export.completed',
  eval_grid: 'eval_grid.completed',
};

/** Job types that submit GPU-costly generation work: `requiresApproval: auto` gates them. */
export const costlyJobTypes: ReadonlySet<JobType> = new Set(['generate', 'eval_grid']);

const passThroughIds = ['assetId', 'assetIds', 'variantId', 'specId', 'atlasId', 'exportId'] as const;

export interface JobEventSpec {
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
}

/**
 * The events a completed job emits. `output` may be a planner placeholder
 * (unknown until the job runs): values are only copied, never inspected.
 */
export function jobCompletionEvents(
  jobType: JobType,
  ctx: { jobId: string; input: Record<string, unknown>; output: unknown },
): JobEventSpec[] {
  const ids: Record<string, unknown> = {};
  for (const key of passThroughIds) if (ctx.input[key] !== undefined) ids[key] = ctx.input[key];
  const payload = { ...ids, jobType, jobId: ctx.jobId, input: ctx.input, output: ctx.output };
  const typedSubject = subjectForJob(jobType, ctx.input, ctx.jobId);
  return [
    { type: 'job.completed', subject: { kind: 'job', id: ctx.jobId }, payload },
    { type: jobCompletionEventType[jobType], subject: typedSubject, payload },
  ];
}

/** An id for a job's output (atlas, export) derived from the job id: path- and BullMQ-safe. */
export function idFromJob(prefix: string, jobId: string): string {
  return `${prefix}-${jobId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(-40)}`;
}

/**
 * The id of what a pack_atlas / export job writes: the one the input names, else one from the job id.
 * The worker names its folder with it, the typed event names it as its subject, the engine's row has it.
 */
export function outputIdOf(kind: 'atlas' | 'export', given: unknown, jobId: string): string {
  return typeof given === 'string' && given !== '' ? given : idFromJob(kind, jobId);
}

function subjectForJob(jobType: JobType, input: Record<string, unknown>, jobId: string): { kind: string; id: unknown } {
  switch (jobType) {
    case 'pack_atlas':
      return { kind: 'atlas', id: outputIdOf('atlas', input.atlasId, jobId) };
    case 'export':
      return { kind: 'export', id: outputIdOf('export', input.exportId, jobId) };
    case 'bg_remove':
      return input.variantId !== undefined ? { kind: 'variant', id: input.variantId } : { kind: 'asset', id: input.assetId ?? jobId };
    case 'generate':
      return input.assetId !== undefined ? { kind: 'asset', id: input.assetId } : { kind: 'spec', id: input.specId ?? jobId };
    case 'eval_grid':
      return { kind: 'job', id: jobId };
  }
}

/**
 * Worker lock settings: a killed worker's job is picked up by another within
 * ~5 s at worst (lock 3 s + a check every 2 s; BullMQ's defaults, 30 s + 30 s, took ~60 s here). CPU-heavy
 * processors must run sandboxed so a busy event loop cannot miss a renewal.
 */
export const workerLockDefaults = { lockDuration: 3000, stalledInterval: 2000, maxStalledCount: 2 } as const;
