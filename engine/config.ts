// The engine's one configuration object: parsed from the environment once, at
// start-up, with zod. Nothing else in the code reads process.env.
import path from 'node:path';
import { z } from 'zod';
import { GreenlightError } from './errors.js';
import { formatPath, jsonText } from './validation.js';

const port = z.coerce.number().int().min(0).max(65535);

const jobCosts = jsonText('must be JSON like {"generate": 4, "bg_remove": 0.2}').pipe(z.record(z.string(), z.number().nonnegative()));

export const envSchema = z.object({
  /** HTTP port for the API, webhooks and review web. Default 8787; 0 picks a free port. */
  PORT: port.default(8787),
  /** Interface to listen on. Default 127.0.0.1 (loopback only). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the SQLite database, files and a private Redis live. Default ./data. */
  GREENLIGHT_DATA_DIR: z.string().min(1).default('./data'),
  /** Redis for BullMQ, e.g. redis://127.0.0.1:6379. Unset: start a private redis-server under the data dir. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Bootstrap token with admin rights on every project. Unset: one is generated and printed once. */
  GREENLIGHT_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Estimated cost units per job type for dry-run, JSON. Default {"generate":4,"eval_grid":4,"bg_remove":0.2,"pack_atlas":0.1,"export":0.05}. */
  GREENLIGHT_JOB_COSTS: jobCosts.optional(),
  /** BullMQ key prefix, so several installs can share one Redis. Default "greenlight". */
  GREENLIGHT_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('greenlight'),
  /** Secret for the HMAC-SHA256 signature (X-Greenlight-Signature) on call_webhook requests. Unset: requests go unsigned. */
  GREENLIGHT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Signs review links and the review web's session cookies. Unset: one is generated and kept under the data dir. */
  GREENLIGHT_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * How long SIGTERM / SIGINT waits for running jobs and connections to close (ms). Then the process
   * says what it abandoned and exits 1. `greenlight worker` reads it too. Default 10000.
   */
  GREENLIGHT_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * An external spec refiner (e.g. an LLM service): POST {projectId, specList, catalog} → {specs, questions}, the
   * built-in refiner's contract, validated the same way. Unset: the built-in, deterministic refiner.
   */
  SPEC_REFINER_URL: z.url({ error: 'must be a URL like http://127.0.0.1:9000/refine' }).optional(),
  /** pino log level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface EngineConfig {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | undefined;
  adminToken: string | undefined;
  jobCosts: Record<string, number>;
  queuePrefix: string;
  webhookSecret: string | undefined;
  sessionSecret: string | undefined;
  shutdownTimeoutMs: number;
  specRefinerUrl: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export const defaultJobCosts: Record<string, number> = {
  generate: 4,
  eval_grid: 4,
  bg_remove: 0.2,
  pack_atlas: 0.1,
  export: 0.05,
};

/** Parse the environment; a bad value throws naming the variable and what it should be. */
export function loadConfig(env: Record<string, string | undefined>, cwd: string): EngineConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new GreenlightError('config_invalid', `Invalid configuration:\n${lines.join('\n')}\nFix the variable(s) above and start again.`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.GREENLIGHT_DATA_DIR),
    redisUrl: e.REDIS_URL,
    adminToken: e.GREENLIGHT_ADMIN_TOKEN,
    jobCosts: { ...defaultJobCosts, ...(e.GREENLIGHT_JOB_COSTS ?? {}) },
    queuePrefix: e.GREENLIGHT_QUEUE_PREFIX,
    webhookSecret: e.GREENLIGHT_WEBHOOK_SECRET,
    sessionSecret: e.GREENLIGHT_SESSION_SECRET,
    shutdownTimeoutMs: e.GREENLIGHT_SHUTDOWN_TIMEOUT_MS,
    specRefinerUrl: e.SPEC_REFINER_URL,
    logLevel: e.LOG_LEVEL,
  };
}
