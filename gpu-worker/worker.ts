// `greenlight worker`: one BullMQ worker per job queue this host takes. The
// main thread only coordinates — validates the job, takes a per-project slot,
// relays progress, renews locks — while the processor runs in a worker thread.
// Bad input fails at once (UnrecoverableError); other faults retry with backoff.
// close() drains: it stops taking jobs and waits for running ones, until its signal
// (the shutdown deadline) aborts; then it says what it abandoned.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { workJobDataSchema, workerLockDefaults, type JobType } from '../engine/jobs/contracts.js';
import { isConnectionError, watchRedis } from '../engine/jobs/redis-watch.js';
import { settledBefore, type StopOutcome } from '../engine/jobs/stopping.js';
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
  /**
   * Stop taking jobs, wait for the running ones, close threads and connections. When `signal` aborts it
   * stops waiting, ends the threads (their jobs go back to the queue once their locks lapse) and says so.
   */
  close(options?: { signal?: AbortSignal }): Promise<StopOutcome>;
}

export interface WorkerOptions {
  config: WorkerConfig;
  redisUrl: string;
  logger: WorkerLogger;
  /** How long a job waits before trying again for a busy project's slot (ms). Default 250-500, jittered. */
  slotRetryMs?: () => number;
  /** Log Redis going away and coming back (default true); `greenlight start` says it once, for its engine. */
  watchRedis?: boolean;
}

export function startWorker(opts: WorkerOptions): RunningWorker {
  const { config, logger } = opts;
  const pool = createThreadPool(config.concurrency);
  const control = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  control.on('error', () => {
    // Reported by state, not by attempt: the watch below (or the engine's, under `greenlight start`).
  });
  const watch = opts.watchRedis === false ? null : watchRedis(control, logger, { label: 'worker: ', meanwhile: 'running jobs carry on' });
  const slots = createProjectSlots(control, config.prefix, config.projectConcurrency, config.projectLockTtlMs);
  const retryIn = opts.slotRetryMs ?? (() => 250 + Math.floor(Math.random() * 250));
  const connections: Redis[] = [];
  let running = 0;

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
    running++;
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
      running--;
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
    w.on('error', (err) => isConnectionError(err) || logger.error({ queue, err: err.message }, 'worker error'));
    return w;
  });
  logger.info({ queues: config.queues, concurrency: config.concurrency, projectConcurrency: config.projectConcurrency }, 'worker started');

  return {
    queues: config.queues,
    pool,
    async close({ signal } = {}) {
      const out: StopOutcome = { abandoned: [], failed: [] };
      const closing = Promise.all(workers.map((w) => w.close()));
      if (!(await settledBefore(`BullMQ workers close (${config.queues.join(', ')})`, closing, signal, out)) && running > 0)
        out.abandoned.push(`${running} running job(s), retried once their locks lapse`);
      await pool.close();
      watch?.stop();
      for (const c of connections) c.disconnect();
      control.disconnect();
      return out;
    },
  };
}
