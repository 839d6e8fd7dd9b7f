// The outbox publisher: moves stored-but-unpublished events onto the BullMQ
// events queue, in batches, each project's in order. A kick after each insert
// keeps latency low; a poll catches rows written by other processes (the CLI)
// and retries while Redis is away. Nothing is lost: a row stays unpublished
// until the queue has it, and a re-send of the same event id adds nothing.
// Projects do not queue behind each other here: while one project's batch is
// on its way, another project's events go out in a batch of their own. With
// the consumer in this process, a project whose last batch is still being
// handled waits for it (or holdMs), so it holds at most one of the consumer's
// slots, leaving the rest to others. A flooding project (events from outside
// at floodRate/s or more) publishes at most one batch per floodGapMs while
// another project stored events in the last second: its burst goes out as
// batches of several events, each handled in far fewer Redis calls and
// transactions than one per event. Below that rate, or alone, nothing waits.
import type { Logger } from 'pino';
import type { Clock } from '../ids.js';
import { EVENTS_PER_JOB, type EventRef } from '../queue/queues.js';
import type { Store } from '../store/store.js';

export interface OutboxOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  publish: (batch: EventRef[]) => Promise<void>;
  pollMs?: number;
  /** How long a project's published batch may hold its next one back at most (a lost settle). Default 250 ms. */
  holdMs?: number;
  /** Events a second from outside (not engine-emitted) that make a project a flood. Default 100. */
  floodRate?: number;
  /**
   * A flooding project's least time between two batches. Default 50 ms: at 200 events/s, batches of ~10 (the
   * fairness bench: engine CPU per flood event 1.31-1.36 ms vs 1.50-1.52 at 20 ms, B's p99 ratio no worse).
   */
  floodGapMs?: number;
  batchSize?: number;
  publishTimeoutMs?: number;
}

export interface Outbox {
  /** A row was stored (of `projectId`, when the caller knows; `source` 'engine' when the engine emitted it): publish it soon. */
  kick(projectId?: string, source?: string): void;
  /**
   * Drain until nothing is pending (or publishing fails), held projects' events too. Resolves when every pass
   * in flight has ended.
   */
  drain(): Promise<void>;
  /** `hold`: the consumer runs in this process and calls settled() as it ends each project's job. */
  start(options?: { hold?: boolean }): void;
  /** The consumer has handled (or given up on, for now) one of the project's jobs: its next batch may go. */
  settled(projectId: string): void;
  stop(): Promise<void>;
  readonly failing: boolean;
}

/** The first `n` rows of each project, in the order given. */
function perProject<R extends { projectId: string }>(rows: R[], n: number): R[] {
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const k = (seen.get(r.projectId) ?? 0) + 1;
    seen.set(r.projectId, k);
    return k <= n;
  });
}

/** Another project stored an event this recently: a flood yields to it. */
const OTHERS_ACTIVE_MS = 1000;

export function createOutbox(o: OutboxOptions): Outbox {
  const events = o.store.events;
  const batchSize = o.batchSize ?? 500;
  /** Passes in flight, and the projects whose batch is on its way: only one batch per project at a time (its order). */
  const passes = new Set<Promise<void>>();
  const sending = new Set<string>();
  // Holds, rates and gaps are scheduling: they run on the monotonic clock, not the engine's (a test's may stand still).
  /** Projects whose published batch the consumer has not settled yet, and since when (hold mode only). */
  const handling = new Map<string, number>();
  const holdMs = o.holdMs ?? 250;
  let hold = false;
  const held = (projectId: string, now: number) => now - (handling.get(projectId) ?? -Infinity) < holdMs;
  /** A pass in `ms`, remembered in `timers` under the project until it has fired. */
  const wakeLater = (timers: Map<string, NodeJS.Timeout>, projectId: string, ms: number) =>
    timers.set(
      projectId,
      setTimeout(() => {
        timers.delete(projectId);
        void drain();
      }, ms).unref(),
    );
  /** A hold that lapses (no settle came: a re-send the queue already had, a job removed by hand) wakes a pass. */
  const holdTimers = new Map<string, NodeJS.Timeout>();
  const holdFor = (projectId: string, now: number) => {
    handling.set(projectId, now);
    clearTimeout(holdTimers.get(projectId));
    wakeLater(holdTimers, projectId, holdMs + 1);
  };
  /** Each project's rate of events from outside (decayed by half each second), and when its last batch went. */
  const rates = new Map<string, { n: number; at: number }>();
  const lastBatch = new Map<string, number>();
  const gaps = new Map<string, NodeJS.Timeout>();
  const floodGapMs = o.floodGapMs ?? 50;
  /** The decayed count a steady floodRate/s holds at (rate / ln 2). */
  const floodCount = (o.floodRate ?? 100) / Math.LN2;
  const countOf = (projectId: string, now: number) => {
    const r = rates.get(projectId);
    return r ? r.n * 0.5 ** ((now - r.at) / 1000) : 0;
  };
  /**
   * The project that stored an event last (any source), and the last one before it that was another project:
   * enough to tell any project whether someone else is using the engine.
   */
  let lastActive: { projectId: string; at: number }[] = [];
  const active = (projectId: string, now: number) => {
    const [latest] = lastActive;
    if (latest?.projectId === projectId) latest.at = now;
    else lastActive = latest ? [{ projectId, at: now }, latest] : [{ projectId, at: now }];
  };
  const othersActive = (projectId: string, now: number) =>
    lastActive.some((a) => a.projectId !== projectId && now - a.at < OTHERS_ACTIVE_MS);
  /** A flood waits out its gap only while another project has work: alone, batching it would only delay it. */
  const flooding = (projectId: string, now: number) => countOf(projectId, now) >= floodCount && othersActive(projectId, now);
  const gated = (projectId: string, now: number) => now - (lastBatch.get(projectId) ?? -Infinity) < floodGapMs && flooding(projectId, now);
  /** Come back for a flooding project's next batch when its gap has passed. */
  const afterGap = (projectId: string, now: number) => {
    if (gaps.has(projectId) || stopped) return;
    wakeLater(gaps, projectId, Math.max(1, Math.ceil((lastBatch.get(projectId) ?? now) + floodGapMs - now) + 1));
  };
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
  async function pass(force: boolean): Promise<void> {
    for (;;) {
      const now = performance.now();
      for (const p of handling.keys()) if (!held(p, now)) handling.delete(p); // a settle that never came
      for (const [p, at] of lastBatch) if (now - at >= floodGapMs) lastBatch.delete(p); // its gap is over
      const inGap = force ? [] : [...lastBatch.keys()].filter((p) => gated(p, now));
      // Each comes back when its gap ends (a timer can fire a little before its time: this one then re-arms).
      for (const p of inGap) afterGap(p, now);
      const busy = force ? [...sending] : [...sending, ...handling.keys(), ...inGap];
      // Holding, a project sends one job's worth at a time (its next once this one is handled): one slot, in order.
      const rows = hold ? perProject(events.unpublished(batchSize, busy), EVENTS_PER_JOB) : events.unpublished(batchSize, busy);
      if (rows.length === 0) return;
      const projects = new Set(rows.map((r) => r.projectId));
      if (hold) for (const p of projects) holdFor(p, now);
      for (const p of projects) {
        if (!flooding(p, now)) {
          lastBatch.delete(p);
          continue;
        }
        lastBatch.set(p, now);
        afterGap(p, now);
      }
      for (const p of projects) sending.add(p);
      try {
        await withTimeout(
          o.publish(rows.map((r) => ({ eventId: r.id, projectId: r.projectId, type: r.type, seq: r.seq }))),
          o.publishTimeoutMs ?? 3000,
        );
      } catch (err) {
        for (const p of projects) handling.delete(p);
        if (!failing) o.logger.warn({ err, pending: rows.length }, 'outbox: cannot publish events, keeping them stored and retrying');
        failing = true;
        return;
      } finally {
        for (const p of projects) sending.delete(p);
      }
      // The hold runs from when the batch is on the queue (unless it was handled already).
      for (const p of projects) if (handling.has(p)) holdFor(p, performance.now());
      events.markPublished(
        rows.map((r) => r.id),
        o.clock.now(),
      );
      if (failing) o.logger.info('outbox: publishing again');
      failing = false;
    }
  }

  const drain = (force = false): Promise<void> => {
    const p: Promise<void> = pass(force).finally(() => passes.delete(p));
    passes.add(p);
    return Promise.all([...passes]).then(() => undefined);
  };

  return {
    kick(projectId, source) {
      const now = performance.now();
      if (projectId !== undefined) active(projectId, now);
      if (projectId !== undefined && source !== 'engine') {
        if (!rates.has(projectId) && rates.size >= 10_000) rates.clear(); // bounded: a forgotten rate only skips a gap
        rates.set(projectId, { n: countOf(projectId, now) + 1, at: now });
      }
      // A project whose batch is on its way, being handled or in its gap: that pass, its settle or its gap's end selects again.
      if (stopped) return;
      if (projectId !== undefined && (sending.has(projectId) || held(projectId, now))) return;
      if (projectId !== undefined && gated(projectId, now)) return afterGap(projectId, now);
      void drain();
    },
    settled(projectId) {
      clearTimeout(holdTimers.get(projectId));
      holdTimers.delete(projectId);
      if (handling.delete(projectId) && !stopped) void drain();
    },
    drain: () => drain(true),
    start(options = {}) {
      stopped = false;
      hold = options.hold === true;
      timer = setInterval(() => void drain(), o.pollMs ?? 500);
      timer.unref();
      void drain();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const t of [...gaps.values(), ...holdTimers.values()]) clearTimeout(t);
      gaps.clear();
      holdTimers.clear();
      await Promise.all([...passes]);
    },
    get failing() {
      return failing;
    },
  };
}
