// Worker-queue plumbing for runs: each job-type step is a BullMQ flow — the
// work job on its type's queue (gpu-worker consumes it) under a parent on the
// engine's `steps` queue, which becomes ready once the work job has finished,
// failed or not. Redis keeps that link, so a step's end is never missed while
// the engine is down. Also the engine's own consumers (events, steps).
import { DelayedError, FlowProducer, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { jobTypes } from '../jobs/contracts.js';
import type { Redis } from 'ioredis';
import type { JobType, WorkJobData } from '../jobs/contracts.js';
import { engineJobOptions, EVENTS_QUEUE, eventsOfJob, type EventJobData, type EventRef } from './queues.js';
import { workerLockDefaults } from '../jobs/contracts.js';
import { isConnectionError } from '../jobs/redis-watch.js';
import { isGreenlightError } from '../errors.js';

/**
 * The engine's own consumers: the workers' 3 s lock, and a stalled check every second — BullMQ moves a
 * stalled job on its second look, so a killed engine's job is taken up ~2 s after the lock lapses
 * (measured 4.1 s after restart with the workers' 2 s check).
 */
export const engineLockDefaults = { ...workerLockDefaults, stalledInterval: 1000 } as const;

export const STEPS_QUEUE = 'steps';
/** call_webhook steps: jobs the engine itself runs (one HTTP attempt each; BullMQ retries with backoff). */
export const WEBHOOKS_QUEUE = 'webhooks';
/**
 * notify steps: chat posts the engine delivers from a queue of its own, so a slow, paced or failing chat API
 * never holds the event path (a channel's pacing delays its own jobs, never a consumer slot).
 */
export const NOTIFY_QUEUE = 'notify';
/** Where a step's job goes: a worker queue (its job type) or one of the engine's own (webhooks, notify). */
export type StepQueue = JobType | typeof WEBHOOKS_QUEUE | typeof NOTIFY_QUEUE;

export type { WorkJobData };

export interface StepDone {
  runId: string;
  stepId: string;
  jobId: string;
  output?: unknown;
  error?: string;
}

export interface JobQueues {
  /**
   * Submit one step's work job; the same jobId twice adds nothing while the job is stored. `ensure` (a
   * resubmit after a crash) first asks whether the step's flow exists, since a finished child may have
   * been removed while its parent still waits to be read: adding it again would run it twice. `delayMs`:
   * the work job waits that long before it is taken up (a notify job's channel slot).
   */
  submit(queue: StepQueue, jobId: string, data: WorkJobData, ensure?: boolean, delayMs?: number): Promise<void>;
  /**
   * Submit several new steps' jobs in one MULTI/EXEC (FlowProducer.addBulk); same rules as submit without ensure.
   * Nothing is added if the connection fails or Redis refuses the transaction. Redis does not roll back a script
   * that errs inside EXEC, and BullMQ 6.7 ignores such per-entry errors; this flow shape (a `.done` parent with
   * one new child) has no error code to give there.
   */
  submitMany(items: Submission[]): Promise<void>;
  /** Remove a job that has not started; true if it was removed. Active jobs finish. */
  cancel(jobType: JobType, jobId: string): Promise<boolean>;
  /** Jobs per queue and state, for metrics. */
  depths(extra: string[]): Promise<{ queue: string; state: string; n: number }[]>;
  /** The Queue objects, for the operators' dashboard. */
  all(extra: string[]): Queue[];
  /** Pause / resume every worker queue (the global emergency halt). */
  pauseAll(): Promise<void>;
  resumeAll(): Promise<void>;
  close(): Promise<void>;
}

/** A webhook's attempts: `retries` (default 2) more after the first, 200 ms × 2^n apart. */
function webhookJobOptions(config: Record<string, unknown>) {
  const retries = typeof config.retries === 'number' && config.retries >= 0 ? Math.min(Math.floor(config.retries), 10) : 2;
  return { ...workJobOptions, attempts: retries + 1, backoff: { type: 'exponential', delay: 200 } };
}

/** A chat post's attempts: a chat API that is down for about a minute loses nothing. */
const notifyJobOptions = { attempts: 6, backoff: { type: 'exponential', delay: 1000 } } as const;

export const workJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/** One new step's job, for submitMany. */
export interface Submission {
  queue: StepQueue;
  jobId: string;
  data: WorkJobData;
  delayMs?: number;
}

export function createJobQueues(connection: Redis, prefix: string): JobQueues {
  /** A step's flow: its work job under a parent on the steps queue. */
  const flowOf = ({ queue: jobType, jobId, data, delayMs = 0 }: Submission) => {
    const childOpts =
      jobType === WEBHOOKS_QUEUE
        ? webhookJobOptions(data.input)
        : jobType === NOTIFY_QUEUE
          ? { ...workJobOptions, ...notifyJobOptions }
          : workJobOptions;
    return {
      name: `${data.runId}.${data.stepId}`,
      queueName: STEPS_QUEUE,
      prefix,
      data: { runId: data.runId, stepId: data.stepId, jobId },
      opts: { jobId: `${jobId}.done`, ...engineJobOptions },
      children: [
        {
          name: jobType,
          queueName: jobType,
          prefix,
          data,
          opts: { jobId, ...childOpts, ...(delayMs > 0 ? { delay: delayMs } : {}), ignoreDependencyOnFailure: true },
        },
      ],
    };
  };
  const flows = new FlowProducer({ connection, prefix });
  flows.on('error', () => {
    // The shared producer connection's errors are logged where it is made (runtime.ts); queues re-emit each one.
  });
  const queues = new Map<JobType, Queue>();
  let stepsQueue: Queue | undefined;
  const queue = (t: JobType) => {
    let q = queues.get(t);
    if (!q) {
      q = new Queue(t, { connection, prefix });
      q.on('error', () => {
        // The shared producer connection's errors are logged where it is made (runtime.ts); queues re-emit each one.
      });
      queues.set(t, q);
    }
    return q;
  };
  const quiet = (q: Queue) =>
    q.on('error', () => {
      // As above. Without a listener BullMQ prints each one to stderr, at every reconnect attempt.
    });
  queue.steps = () => (stepsQueue ??= quiet(new Queue(STEPS_QUEUE, { connection, prefix })));
  const others = new Map<string, Queue>();
  const named = (n: string) => {
    let q = others.get(n);
    if (!q) others.set(n, (q = quiet(new Queue(n, { connection, prefix }))));
    return q;
  };
  return {
    async cancel(jobType, jobId) {
      const job = await queue(jobType).getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized' && state !== 'waiting-children') return false;
      // Remove the step's parent with it, so nothing is left waiting for a job that will never run.
      const parent = await queue.steps().getJob(`${jobId}.done`);
      if (parent) await parent.remove({ removeChildren: true });
      else await job.remove();
      return true;
    },
    all(extra) {
      return [...extra.map((n) => named(n)), queue.steps(), named(WEBHOOKS_QUEUE), named(NOTIFY_QUEUE), ...jobTypes.map((t) => queue(t))];
    },
    async depths(extra) {
      const out: { queue: string; state: string; n: number }[] = [];
      for (const q of [
        ...extra.map((n) => named(n)),
        queue.steps(),
        named(WEBHOOKS_QUEUE),
        named(NOTIFY_QUEUE),
        ...jobTypes.map((t) => queue(t)),
      ]) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'waiting-children', 'prioritized');
        for (const [state, n] of Object.entries(counts)) out.push({ queue: q.name, state, n });
      }
      return out;
    },
    async pauseAll() {
      await Promise.all(jobTypes.map((t) => queue(t).pause()));
    },
    async resumeAll() {
      await Promise.all(jobTypes.map((t) => queue(t).resume()));
    },
    async submit(jobType, jobId, data, ensure = false, delayMs = 0) {
      if (ensure && (await queue.steps().getJob(`${jobId}.done`))) return;
      await flows.add(flowOf({ queue: jobType, jobId, data, delayMs }));
    },
    async submitMany(items) {
      if (items.length === 1) await flows.add(flowOf(items[0]!));
      else if (items.length > 1) await flows.addBulk(items.map(flowOf));
    },
    async close() {
      await Promise.all([flows.close(), stepsQueue?.close(), ...[...queues.values(), ...others.values()].map((q) => q.close())]);
    },
  };
}

export interface EngineConsumers {
  close(): Promise<void>;
}

/** The engine's consumers: stored events → runner, finished steps → runner. */
export function startEngineConsumers(
  connection: Redis,
  prefix: string,
  handlers: {
    /**
     * One events job: a run of one project's events (or, from an earlier release, one event). An error carrying
     * `eventIds` names the events still to do: the job keeps only those for its retry.
     */
    onEvent(data: EventJobData | EventRef): Promise<void>;
    onStepDone(done: StepDone): Promise<void>;
    /** One delivery attempt of a call_webhook step (`attempt` from 1); its output, or throws. */
    onWebhook(data: WorkJobData, jobId: string, attempt: number): Promise<unknown>;
    /** A notify step's chat post: its output, or a time to come back at (its channel's next slot), or throws. */
    onNotify(data: WorkJobData, jobId: string): Promise<{ output: unknown } | { delayUntil: number }>;
  },
  onError: (err: Error, where: string) => void,
): EngineConsumers {
  // Workers block on Redis: they need connections of their own that wait and retry.
  // Concurrency is a trade measured in the bench: the events consumer shares the CPU with intake
  // (16 → intake ~500/s; 2 → ~800/s but chain p50 at 50/s rose from 9 to ~35 ms); 4 sits between.
  const conns = [0, 1, 2, 3].map(() => connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }));
  for (const c of conns)
    c.on('error', () => {
      // The Worker on this connection re-emits its errors as its own 'error', which onError logs.
    });
  const events = new Worker<EventJobData | EventRef>(
    EVENTS_QUEUE,
    async (job) => {
      try {
        await handlers.onEvent(job.data);
      } catch (err) {
        const { projectId, events: all } = eventsOfJob(job.data);
        const ids = (err as { eventIds?: unknown }).eventIds;
        const left = new Set(Array.isArray(ids) ? (ids as string[]) : []);
        // Its retry handles only what is left: the rest is done, and deciding it again could differ (a rule changed).
        if (left.size > 0 && left.size < all.length)
          await job.updateData({ projectId, events: all.filter((e) => left.has(e.eventId)) }).catch((e: unknown) => {
            // Redis away: the retry handles them all, which changes nothing for those already done bar a rule edited since.
            onError(e as Error, `event job ${job.id}: could not narrow it to ${left.size} events`);
          });
        throw err;
      }
    },
    {
      connection: conns[0]!,
      prefix,
      concurrency: 4,
      // A killed engine's event is handed to the next engine within ~5 s (BullMQ's defaults: 30 s + 30 s).
      ...engineLockDefaults,
    },
  );
  const steps = new Worker(
    STEPS_QUEUE,
    async (job: Job<{ runId: string; stepId: string; jobId: string }>) => {
      const [values, failures] = await Promise.all([job.getChildrenValues(), job.getIgnoredChildrenFailures()]);
      const failed = Object.values(failures)[0];
      const output = Object.values(values)[0];
      await handlers.onStepDone({ ...job.data, ...(failed !== undefined ? { error: failed } : { output }) });
    },
    { connection: conns[1]!, prefix, concurrency: 8, ...engineLockDefaults },
  );
  // Webhooks run here, not on a gpu-worker: each job is one attempt, so no consumer sleeps between retries.
  const webhooks = new Worker<WorkJobData>(
    WEBHOOKS_QUEUE,
    async (job) => {
      try {
        return await handlers.onWebhook(job.data, job.id!, job.attemptsMade + 1);
      } catch (err) {
        if ((err as Error).name === 'WebhookRefused') throw new UnrecoverableError((err as Error).message);
        throw err;
      }
    },
    { connection: conns[2]!, prefix, concurrency: 8, ...engineLockDefaults },
  );
  // Chat posts: a paced channel moves its own job to later (DelayedError), so no slot waits on pacing.
  const notify = new Worker<WorkJobData>(
    NOTIFY_QUEUE,
    async (job, token) => {
      let r: Awaited<ReturnType<typeof handlers.onNotify>>;
      try {
        r = await handlers.onNotify(job.data, job.id!);
      } catch (err) {
        // Bad input (the step machine checked it already) cannot get better by retrying; a chat outage can.
        if (isGreenlightError(err)) throw new UnrecoverableError(err.message);
        throw err;
      }
      if ('output' in r) return r.output;
      await job.moveToDelayed(r.delayUntil, token);
      throw new DelayedError();
    },
    { connection: conns[3]!, prefix, concurrency: 16, ...engineLockDefaults },
  );
  // "Redis is away" is said once by the runtime's watch (redis-watch.ts), not by each worker at each reconnect.
  const report = (where: string) => (err: Error) => (isConnectionError(err) ? undefined : onError(err, where));
  webhooks.on('error', report('webhooks worker'));
  events.on('error', report('events worker'));
  steps.on('error', report('steps worker'));
  notify.on('error', report('notify worker'));
  notify.on('failed', (job, err) => onError(err, `notify ${job?.id}`));
  events.on('failed', (job, err) => onError(err, `event ${job?.id}`));
  steps.on('failed', (job, err) => onError(err, `step ${job?.id}`));
  return {
    async close() {
      await Promise.all([events.close(), steps.close(), webhooks.close(), notify.close()]);
      for (const c of conns) c.disconnect();
    },
  };
}
