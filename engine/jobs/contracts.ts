// Job contracts: one zod schema for each job type's input and output, and the
// events a finished job emits. Shared with gpu-worker, so this file imports
// nothing from the rest of engine except errors/validation.
import { z } from 'zod';

export const jobTypes = ['generate', 'bg_remove', 'pack_atlas', 'export', 'eval_grid'] as const;
export type JobType = (typeof jobTypes)[number];
export const jobTypeSchema = z.enum(jobTypes);

/** Ids usable in file paths and BullMQ job ids: no ':' and no path separators. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'use 1-128 letters, digits, "_", "-" or "."');

const nextJob = z.object({ type: jobTypeSchema, input: z.record(z.string(), z.unknown()) });

export const jobInputSchemas = {
  generate: z.looseObject({
    specId: idSchema.optional(),
    assetId: idSchema.optional(),
    prompt: z.string().max(4000).optional(),
    count: z.number().int().min(1).max(64).default(4),
    seed: z.number().int().optional(),
    provider: z.string().default('procedural'),
    checkpointName: z.string().optional(),
    nextJobs: z.array(nextJob).max(20).optional(),
  }),
  bg_remove: z.looseObject({
    assetId: idSchema.optional(),
    variantId: idSchema.optional(),
    originalPath: z.string().optional(),
    threshold: z.number().min(0).max(1).optional(),
    feather: z.number().min(0).max(64).optional(),
    erode: z.number().int().min(0).max(64).optional(),
    method: z.enum(['classic', 'model']).default('classic'),
  }),
  pack_atlas: z.looseObject({
    atlasId: idSchema.optional(),
    assetIds: z.array(idSchema).optional(),
    frames: z.array(z.string()).optional(),
    maxSize: z.union([z.literal(1024), z.literal(2048), z.literal(4096)]).default(2048),
  }),
  export: z.looseObject({
    exportId: idSchema.optional(),
    assetIds: z.array(idSchema).optional(),
    atlasIds: z.array(idSchema).optional(),
    profileId: z.string().default('custom'),
  }),
  eval_grid: z.looseObject({
    prompts: z.array(z.string().max(4000)).min(1).max(64),
    loraId: z.string().optional(),
    loraIds: z.array(z.string()).optional(),
    checkpointId: z.string().optional(),
    releaseId: z.string().optional(),
  }),
} satisfies Record<JobType, z.ZodType>;

export const jobOutputSchemas = {
  generate: z.looseObject({ variantIds: z.array(z.string()), originalsDir: z.string().optional(), contactSheet: z.string().optional() }),
  bg_remove: z.looseObject({ alphaPaths: z.array(z.string()), trim: z.unknown().optional() }),
  pack_atlas: z.looseObject({ atlasId: z.string(), pages: z.array(z.string()) }),
  export: z.looseObject({ exportId: z.string(), bundlePath: z.string(), manifestPath: z.string().optional() }),
  eval_grid: z.looseObject({ sheetPath: z.string().optional(), jobIds: z.array(z.string()).optional() }),
} satisfies Record<JobType, z.ZodType>;

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

const passThroughIds = ['assetId', 'variantId', 'specId', 'atlasId', 'exportId'] as const;

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

function subjectForJob(jobType: JobType, input: Record<string, unknown>, jobId: string): { kind: string; id: unknown } {
  switch (jobType) {
    case 'pack_atlas':
      return { kind: 'atlas', id: input.atlasId ?? jobId };
    case 'export':
      return { kind: 'export', id: input.exportId ?? jobId };
    case 'bg_remove':
      return input.variantId !== undefined
        ? { kind: 'variant', id: input.variantId }
        : { kind: 'asset', id: input.assetId ?? jobId };
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
