// Cron-triggered rules through BullMQ job schedulers: one scheduler per
// enabled schedule rule on the engine's `schedules` queue; each firing becomes
// a stored `schedule.fired` event for that rule.
import { engineLockDefaults } from './jobs.js';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isConnectionError } from '../jobs/redis-watch.js';

export const SCHEDULES_QUEUE = 'schedules';

export interface ScheduleSpec {
  ruleId: string;
  projectId: string;
  pattern: string;
  tz?: string;
}

export interface ScheduleFiring {
  ruleId: string;
  projectId: string;
  /** The scheduler's job id for this firing: the event's idempotency key, so a redelivery adds nothing. */
  key: string;
}

export function createSchedules(connection: Redis, prefix: string) {
  const queue = new Queue(SCHEDULES_QUEUE, { connection, prefix });
  queue.on('error', () => {
    // The shared producer connection's errors are logged where it is made (runtime.ts); queues re-emit each one.
  });
  let worker: Worker | null = null;
  let workerConn: Redis | null = null;
  return {
    /** Make the schedulers match `wanted` exactly: upsert each, remove the rest. */
    async sync(wanted: ScheduleSpec[]): Promise<void> {
      const ids = new Set(wanted.map((w) => `rule.${w.ruleId}`));
      for (const w of wanted)
        await queue.upsertJobScheduler(
          `rule.${w.ruleId}`,
          { pattern: w.pattern, ...(w.tz ? { tz: w.tz } : {}) },
          { name: 'fire', data: { ruleId: w.ruleId, projectId: w.projectId } },
        );
      for (const s of await queue.getJobSchedulers(0, -1)) if (s.key && !ids.has(s.key)) await queue.removeJobScheduler(s.key);
    },
    list: () => queue.getJobSchedulers(0, -1),
    consume(onFire: (f: ScheduleFiring) => Promise<void>, onError: (err: Error) => void): void {
      workerConn = connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
      workerConn.on('error', () => {
        // The Worker on this connection re-emits its errors as its own 'error', which onError logs.
      });
      worker = new Worker<{ ruleId: string; projectId: string }>(SCHEDULES_QUEUE, (job) => onFire({ ...job.data, key: String(job.id) }), {
        connection: workerConn,
        prefix,
        ...engineLockDefaults,
      });
      // "Redis is away" is said once by the runtime's watch (redis-watch.ts), not at each reconnect.
      worker.on('error', (err) => (isConnectionError(err) ? undefined : onError(err)));
    },
    async close(): Promise<void> {
      await worker?.close();
      workerConn?.disconnect();
      await queue.close();
    },
  };
}
