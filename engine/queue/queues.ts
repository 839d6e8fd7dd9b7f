// The engine's BullMQ queues. The only module (with its siblings) that imports bullmq.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const EVENTS_QUEUE = 'events';

/** The engine's own jobs (events, step ends) retry passing faults, e.g. Redis going away mid-handler. */
export const engineJobOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface EventJobData {
  eventId: string;
  projectId: string;
  type: string;
  seq: number;
}

export interface EngineQueues {
  events: Queue<EventJobData>;
  /** Put stored events on the events queue; job id = event id, so a re-send adds nothing. */
  publishEvents(batch: EventJobData[]): Promise<void>;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): EngineQueues {
  const events = new Queue<EventJobData>(EVENTS_QUEUE, { connection, prefix });
  // Errors surface through publishEvents' rejections; without a listener they would be unhandled.
  events.on('error', () => {});
  return {
    events,
    async publishEvents(batch) {
      if (batch.length === 0) return;
      await events.addBulk(
        batch.map((e) => ({
          name: e.type,
          data: e,
          opts: { jobId: e.eventId, ...engineJobOptions },
        })),
      );
    },
    close: () => events.close(),
  };
}
