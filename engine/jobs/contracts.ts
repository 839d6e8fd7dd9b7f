// Job contracts: one zod schema for each job type's input and output, and the
// events a finished job emits. Shared with gpu-worker, so this file imports
// nothing from the rest of engine except errors/validation.

import { createHash } from 'node:crypto';

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

/**
 * A readable id for what a job makes (an atlas, an export) when its input names none: what it is of
 * (the first asset, or atlas for an export), then a short hash of the job id — path- and BullMQ-safe,
 * never cut (it was the last 40 characters of the job id: `atlas-rule_x.evt_y.atlas`, `export-ule_…`).
 */
export function idFromJob(base: string, jobId: string): string {
  const readable =
    base
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 80) || 'out';
  return `${readable}-${createHash('sha256').update(jobId).digest('hex').slice(0, 8)}`;
}

/**
 * The id of what a pack_atlas / export job writes: the one the input names, else a readable one.
 * The worker names its folder with it, the typed event names it as its subject, the engine's row has it.
 */
export function outputIdOf(kind: 'atlas' | 'export', input: Record<string, unknown>, jobId: string): string {
  const given = kind === 'atlas' ? input.atlasId : input.exportId;
  if (typeof given === 'string' && given !== '') return given;
  const first = (v: unknown) => (Array.isArray(v) && typeof v[0] === 'string' && v[0] !== '' ? v[0] : null);
  const of = kind === 'atlas' ? first(input.assetIds) : (first(input.atlasIds) ?? first(input.assetIds));
  return idFromJob(of ? `${of}${kind === 'export' ? '-export' : ''}` : kind, jobId);
}

function subjectForJob(jobType: JobType, input: Record<string, unknown>, jobId: string): { kind: string; id: unknown } {
  switch (jobType) {
    case 'pack_atlas':
      return { kind: 'atlas', id: outputIdOf('atlas', input, jobId) };
    case 'export':
      return { kind: 'export', id: outputIdOf('export', input, jobId) };
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
