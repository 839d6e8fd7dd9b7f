// The outbox publisher: moves stored-but-unpublished events onto the BullMQ
// events queue, in batches, each project's in order. A kick after each insert
// keeps latency low; a poll catches rows written by other processes (the CLI)
// and retries while Redis is away. Nothing is lost: a row stays unpublished
// until the queue has it, and a re-send of the same event id adds nothing.
// Projects do not queue behind each other here: while one project's batch is
// on its way, another project's events go out in a batch of their own.
import type { Logger } from 'pino';
import type { Clock } from '../ids.js';
import type { EventJobData } from '../queue/queues.js';
import type { Store } from '../store/store.js';

export interface OutboxOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  publish: (batch: EventJobData[]) => Promise<void>;
  pollMs?: number;
  batchSize?: number;
  publishTimeoutMs?: number;
}

export interface Outbox {
  /** A row was stored (of `projectId`, when the caller knows): publish it soon. */
  kick(projectId?: string): void;
  /** Drain until nothing is pending (or publishing fails). Resolves when every pass in flight has ended. */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  readonly failing: boolean;
}

export function createOutbox(o: OutboxOptions): Outbox {
  const events = o.store.events;
  const batchSize = o.batchSize ?? 500;
  /** Passes in flight, and the projects whose batch is on its way: only one batch per project at a time (its order). */
  const passes = new Set<Promise<void>>();
  const sending = new Set<string>();
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> => {
    let t: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`publish timed out after ${ms} ms`)), ms))),
    ]).finally(() => clearTimeout(t));
  };

  /**
   * Publish what is pending for projects with no batch on its way, batch after batch, until none is left; the
   * rows a kick found busy are picked up here once their project's batch is out (the selects after each batch).
   */
  async function pass(): Promise<void> {
    for (;;) {
      const rows = events.unpublished(batchSize, [...sending]);
      if (rows.length === 0) return;
      const projects = new Set(rows.map((r) => r.projectId));
      for (const p of projects) sending.add(p);
      try {
        await withTimeout(
          o.publish(rows.map((r) => ({ eventId: r.id, projectId: r.projectId, type: r.type, seq: r.seq }))),
          o.publishTimeoutMs ?? 3000,
        );
      } catch (err) {
        if (!failing) o.logger.warn({ err, pending: rows.length }, 'outbox: cannot publish events, keeping them stored and retrying');
        failing = true;
        return;
      } finally {
        for (const p of projects) sending.delete(p);
      }
      events.markPublished(
        rows.map((r) => r.id),
        o.clock.now(),
      );
      if (failing) o.logger.info('outbox: publishing again');
      failing = false;
    }
  }

  const drain = (): Promise<void> => {
    const p: Promise<void> = pass().finally(() => passes.delete(p));
    passes.add(p);
    return Promise.all([...passes]).then(() => undefined);
  };

  return {
    kick(projectId) {
      // A project whose batch is on its way: that pass selects again once it is out, so nothing to start here.
      if (!stopped && !(projectId !== undefined && sending.has(projectId))) void drain();
    },
    drain,
    start() {
      stopped = false;
      timer = setInterval(() => void drain(), o.pollMs ?? 500);
      timer.unref();
      void drain();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...passes]);
    },
    get failing() {
      return failing;
    },
  };
}
