// The outbox publisher: moves stored-but-unpublished events onto the BullMQ
// events queue in order, in batches. A kick after each insert keeps latency
// low; a poll catches rows written by other processes (the CLI) and retries
// while Redis is away. Nothing is lost: a row stays unpublished until the
// queue has it, and a re-send of the same event id adds nothing.
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
  kick(): void;
  /** Drain until nothing is pending (or publishing fails). Resolves when the pass ends. */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  readonly failing: boolean;
}

export function createOutbox(o: OutboxOptions): Outbox {
  const events = o.store.events;
  const batchSize = o.batchSize ?? 500;
  let running: Promise<void> | null = null;
  let again = false;
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

  async function pass(): Promise<void> {
    for (;;) {
      again = false;
      const rows = events.unpublished(batchSize);
      if (rows.length === 0) return;
      try {
        await withTimeout(
          o.publish(rows.map((r) => ({ eventId: r.id, projectId: r.projectId, type: r.type, seq: r.seq }))),
          o.publishTimeoutMs ?? 3000,
        );
      } catch (err) {
        if (!failing) o.logger.warn({ err, pending: rows.length }, 'outbox: cannot publish events, keeping them stored and retrying');
        failing = true;
        return;
      }
      events.markPublished(
        rows.map((r) => r.id),
        o.clock.now(),
      );
      if (failing) o.logger.info('outbox: publishing again');
      failing = false;
      if (rows.length < batchSize && !again) return;
    }
  }

  const drain = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
      if (again && !failing && !stopped) void drain();
    });
    return running;
  };

  return {
    kick() {
      if (!stopped) void drain();
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
      await running;
    },
    get failing() {
      return failing;
    },
  };
}
