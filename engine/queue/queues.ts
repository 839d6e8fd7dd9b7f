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

/**
 * Fair shares between projects: each event's BullMQ priority grows with its project's recent rate (events,
 * decayed by half each second; 1 + log2 of it), so a project's burst queues behind its own earlier events
 * and never in front of a quiet project's: 1 for a project sending about one a second, 9 at 200/s. Within
 * one rate band a project's events keep their order; priorities only tell projects apart.
 */
export function fairPriority(now: () => number = Date.now) {
  const recent = new Map<string, { n: number; at: number }>();
  return (projectId: string): number => {
    const t = now();
    const r = recent.get(projectId);
    const n = (r ? r.n * 0.5 ** ((t - r.at) / 1000) : 0) + 1;
    if (!r && recent.size >= 10_000) recent.clear(); // bounded: a forgotten rate only makes one event eager
    recent.set(projectId, { n, at: t });
    return Math.min(2_000_000, 1 + Math.floor(Math.log2(n)));
  };
}

export function createQueues(connection: Redis, prefix: string): EngineQueues {
  const events = new Queue<EventJobData>(EVENTS_QUEUE, { connection, prefix });
  const priorityOf = fairPriority();
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
          opts: { jobId: e.eventId, priority: priorityOf(e.projectId), ...engineJobOptions },
        })),
      );
    },
    close: () => events.close(),
  };
}
