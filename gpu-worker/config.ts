// The worker's one configuration object, parsed once from the environment
// with zod. Shares GREENLIGHT_DATA_DIR / REDIS_URL / GREENLIGHT_QUEUE_PREFIX
// with the engine, so one .env serves both on a single host.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { jobTypes, type JobType } from '../engine/jobs/contracts.js';

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const workerEnvSchema = z.object({
  /** Where project files live (data/projects/<projectId>/…). Default ./data. */
  GREENLIGHT_DATA_DIR: z.string().min(1).default('./data'),
  /** Redis for BullMQ. `greenlight start` passes its own; `greenlight worker` needs it. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** BullMQ key prefix; must match the engine's. Default "greenlight". */
  GREENLIGHT_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('greenlight'),
  /** Jobs run at once on this host (one worker thread each). Default: CPU cores, at most 4. */
  GREENLIGHT_WORKER_CONCURRENCY: intFrom(1, 64).optional(),
  /** Comma-separated job types this host takes. Default: all of them. */
  GREENLIGHT_WORKER_QUEUES: z.string().optional(),
  /** Jobs of one project running at once across all worker hosts. Default 1. */
  ASSETGEN_WORKER_PROJECT_CONCURRENCY: intFrom(1, 1000).default(1),
  /** A project slot held by a worker that died is freed after this long (ms). Default 30000. */
  ASSETGEN_WORKER_PROJECT_LOCK_TTL_MS: intFrom(1000, 3_600_000).default(30_000),
  /** ONNX segmentation model for bg_remove's "model" method. Unset: that method is unavailable. */
  GREENLIGHT_BG_MODEL_PATH: z.string().min(1).optional(),
  /** ComfyUI base URL for the comfyui provider, e.g. http://127.0.0.1:8188. */
  COMFYUI_URL: z.string().url('must be a URL like http://127.0.0.1:8188').optional(),
  /** Use the GPU (onnxruntime CUDA provider) when present: on | off. Default on. */
  GREENLIGHT_WORKER_GPU: z.enum(['on', 'off']).default('on'),
  /** How long SIGTERM / SIGINT waits for running jobs (ms), as for the engine; then they are abandoned (retried elsewhere). Default 10000. */
  GREENLIGHT_SHUTDOWN_TIMEOUT_MS: intFrom(100, 3_600_000).default(10_000),
});

export interface WorkerConfig {
  dataDir: string;
  redisUrl: string | undefined;
  prefix: string;
  concurrency: number;
  queues: JobType[];
  projectConcurrency: number;
  projectLockTtlMs: number;
  shutdownTimeoutMs: number;
  settings: { comfyuiUrl?: string; bgModelPath?: string; gpu: boolean };
}

export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerConfigError';
  }
}

export function parseQueues(raw: string | undefined, field = 'GREENLIGHT_WORKER_QUEUES'): JobType[] {
  if (!raw) return [...jobTypes];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((q) => !(jobTypes as readonly string[]).includes(q));
  if (bad.length || list.length === 0)
    throw new WorkerConfigError(
      `${field}: unknown job type(s) ${bad.join(', ') || '(none)'}; use a comma-separated list of ${jobTypes.join(', ')}`,
    );
  return list as JobType[];
}

export function loadWorkerConfig(env: Record<string, string | undefined>, cwd: string): WorkerConfig {
  const parsed = workerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WorkerConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    dataDir: path.resolve(cwd, e.GREENLIGHT_DATA_DIR),
    redisUrl: e.REDIS_URL,
    prefix: e.GREENLIGHT_QUEUE_PREFIX,
    concurrency: e.GREENLIGHT_WORKER_CONCURRENCY ?? Math.max(1, Math.min(4, os.availableParallelism())),
    queues: parseQueues(e.GREENLIGHT_WORKER_QUEUES),
    projectConcurrency: e.ASSETGEN_WORKER_PROJECT_CONCURRENCY,
    projectLockTtlMs: e.ASSETGEN_WORKER_PROJECT_LOCK_TTL_MS,
    shutdownTimeoutMs: e.GREENLIGHT_SHUTDOWN_TIMEOUT_MS,
    settings: { comfyuiUrl: e.COMFYUI_URL, bgModelPath: e.GREENLIGHT_BG_MODEL_PATH, gpu: e.GREENLIGHT_WORKER_GPU === 'on' },
  };
}
