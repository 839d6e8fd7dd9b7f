// `greenlight worker`: one BullMQ worker per job queue this host takes. The
// main thread only coordinates — validates the job, takes a per-project slot,
// relays progress, renews locks — while the processor runs in a worker thread.
// Bad input fails at once (UnrecoverableError); other faults retry with backoff.
// close() drains: it stops taking jobs and waits for running ones.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { workJobDataSchema, workerLockDefaults, type JobType } from '../engine/jobs/contracts.js';
import type { WorkerConfig } from './config.js';
import { isJobInputError } from './errors.js';
import { createThreadPool, type ThreadPool } from './pool.js';
import { createProjectSlots } from './semaphore.js';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RunningWorker {
  queues: JobType[];
  pool: ThreadPool;
  /** Stop taking jobs, wait for the running ones, close threads and connections. */
  close(): Promise<void>;
}

export interface WorkerOptions {
  config: WorkerConfig;
  redisUrl: string;
  logger: WorkerLogger;
  /** How long a job waits before trying again for a busy project's slot (ms). Default 250-500, jittered. */
  slotRetryMs?: () => number;
}

export function startWorker(opts: WorkerOptions): RunningWorker {
  const { config, logger } = opts;
  const pool = createThreadPool(config.concurrency);
  const control = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  control.on('error', (err) => logger.warn({ err: err.message }, 'worker redis connection error'));
  const slots = createProjectSlots(control, config.prefix, config.projectConcurrency, config.projectLockTtlMs);
  const retryIn = opts.slotRetryMs ?? (() => 250 + Math.floor(Math.random() * 250));
  const connections: Redis[] = [];

  const handle = async (job: Job, token?: string): Promise<Record<string, unknown>> => {
    const parsed = workJobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `job data is not a work job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const data = parsed.data;
    const holder = `${job.queueName}:${job.id}`;
    if (!(await slots.acquire(data.projectId, holder))) {
      // The project is at its limit: wait (not an attempt, not a failure) and try again.
      await job.moveToDelayed(Date.now() + retryIn(), token);
      throw new DelayedError();
    }
    const renewal = setInterval(
      () => {
        slots.renew(data.projectId, holder).then(
          (held) => held || logger.warn({ jobId: job.id, projectId: data.projectId }, 'project slot lease expired while the job ran'),
          (err: Error) => logger.warn({ err: err.message }, 'could not renew the project slot'),
        );
      },
      Math.max(500, Math.floor(config.projectLockTtlMs / 3)),
    );
    let lastProgress = 0;
    try {
      return await pool.run({
        type: job.queueName,
        input: data.input,
        projectId: data.projectId,
        jobId: job.id ?? job.name,
        dataDir: config.dataDir,
        settings: config.settings,
        onProgress: (fraction, message) => {
          const now = Date.now();
          if (now - lastProgress < 200 && fraction < 1) return;
          lastProgress = now;
          job.updateProgress({ fraction: Number(fraction.toFixed(3)), message }).catch(() => {
            // Progress is advisory and throttled: the next update (or the job's result) replaces a lost one.
          });
        },
      });
    } catch (err) {
      if (isJobInputError(err)) throw new UnrecoverableError((err as Error).message);
      throw err;
    } finally {
      clearInterval(renewal);
      await slots
        .release(data.projectId, holder)
        .catch((err: Error) =>
          logger.warn(
            { err: err.message, projectId: data.projectId },
            'could not release the project slot; it frees when its lease expires',
          ),
        );
    }
  };

  const workers = config.queues.map((queue) => {
    const connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => {
      // The Worker below re-emits this connection's errors as its own 'error' (logged there); this
      // listener only keeps ioredis quiet before the Worker attaches and after it closes.
    });
    connections.push(connection);
    const w = new Worker(queue, handle, { connection, prefix: config.prefix, concurrency: config.concurrency, ...workerLockDefaults });
    w.on('failed', (job, err) =>
      logger.warn(
        {
          queue,
          jobId: job?.id,
          err: err.message,
          final: err.name === 'UnrecoverableError' || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1),
        },
        'job failed',
      ),
    );
    w.on('completed', (job) => logger.info({ queue, jobId: job.id }, 'job completed'));
    w.on('error', (err) => logger.error({ queue, err: err.message }, 'worker error'));
    return w;
  });
  logger.info({ queues: config.queues, concurrency: config.concurrency, projectConcurrency: config.projectConcurrency }, 'worker started');

  return {
    queues: config.queues,
    pool,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await pool.close();
      for (const c of connections) c.disconnect();
      control.disconnect();
    },
  };
}
