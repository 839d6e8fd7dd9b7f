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

/** A stored event as the outbox hands it to the queue: what finding its row needs. */
export interface EventRef {
  eventId: string;
  projectId: string;
  type: string;
  seq: number;
}

/**
 * One events-queue job: a run of one project's stored events, oldest first. A project's burst goes as
 * few jobs (one Redis add, one pickup, one transaction per chunk), not one per event.
 */
export interface EventJobData {
  projectId: string;
  events: { eventId: string; type: string; seq: number }[];
}

/** The most events one job carries. */
export const EVENTS_PER_JOB = 64;

/** A job of an earlier release (one event each) still in Redis after an upgrade reads as a run of one. */
export function eventsOfJob(data: EventJobData | EventRef): EventJobData {
  return 'events' in data ? data : { projectId: data.projectId, events: [{ eventId: data.eventId, type: data.type, seq: data.seq }] };
}

export interface EngineQueues {
  events: Queue<EventJobData>;
  /**
   * Put stored events on the events queue, each project's as jobs of their own (at most EVENTS_PER_JOB
   * events each, in order); a job's id names its first and last event, so a re-send of the same run adds
   * nothing (a re-send that grew carries some events twice: handling an event again changes nothing).
   */
  publishEvents(batch: EventRef[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Fair shares between projects: each events job's BullMQ priority grows with its project's recent rate (events,
 * decayed by half each second; 1 + log2 of it), so a project's burst queues behind its own earlier events
 * and never in front of a quiet project's: 1 for a project sending about one a second, 9 at 200/s. Within
 * one rate band a project's events keep their order; priorities only tell projects apart.
 */
export function fairPriority(now: () => number = Date.now) {
  const recent = new Map<string, { n: number; at: number }>();
  return (projectId: string, events = 1): number => {
    const t = now();
    const r = recent.get(projectId);
    const n = (r ? r.n * 0.5 ** ((t - r.at) / 1000) : 0) + events;
    if (!r && recent.size >= 10_000) recent.clear(); // bounded: a forgotten rate only makes one event eager
    recent.set(projectId, { n, at: t });
    return Math.min(2_000_000, 1 + Math.floor(Math.log2(n)));
  };
}

export function createQueues(connection: Redis, prefix: string): EngineQueues {
  const events = new Queue<EventJobData>(EVENTS_QUEUE, { connection, prefix });
  const priorityOf = fairPriority();
  const jobsOf = (batch: EventRef[]) => {
    const byProject = new Map<string, EventRef[]>();
    for (const e of batch) {
      const list = byProject.get(e.projectId);
      if (list) list.push(e);
      else byProject.set(e.projectId, [e]);
    }
    const out: { projectId: string; events: EventRef[] }[] = [];
    for (const [projectId, list] of byProject)
      for (let i = 0; i < list.length; i += EVENTS_PER_JOB) out.push({ projectId, events: list.slice(i, i + EVENTS_PER_JOB) });
    return out;
  };
  // Errors surface through publishEvents' rejections; without a listener they would be unhandled.
  events.on('error', () => {});
  return {
    events,
    async publishEvents(batch) {
      if (batch.length === 0) return;
      const jobs = jobsOf(batch).map(({ projectId, events: list }) => ({
        name: list.length === 1 ? list[0]!.type : `${list.length} events`,
        data: { projectId, events: list.map(({ eventId, type, seq }) => ({ eventId, type, seq })) },
        opts: {
          jobId: list.length === 1 ? list[0]!.eventId : `${list[0]!.eventId}.${list.at(-1)!.eventId}.${list.length}`,
          priority: priorityOf(projectId, list.length),
          ...engineJobOptions,
        },
      }));
      // One job (a project's batch: the usual case) is one script call; addBulk's pipeline costs the engine
      // thread more than the add itself (ioredis copies every loaded script onto each new pipeline).
      if (jobs.length === 1) await events.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts);
      else await events.addBulk(jobs);
    },
    close: () => events.close(),
  };
}
