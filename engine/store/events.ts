// The events table doubles as the outbox: a row is written (durably) before
// anything else, and `published_at` stays null until it is on the queue.
import { and, asc, count, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from './db.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;

export function createEventsRepo(db: Db) {
  const findByKey = (projectId: string, key: string) =>
    db.select().from(events).where(and(eq(events.projectId, projectId), eq(events.idempotencyKey, key))).get();
  return {
    /** Insert unless the idempotency key was seen; either way return the stored row. */
    insert(row: NewEvent): { row: EventRow; created: boolean } {
      const res = db.insert(events).values(row).onConflictDoNothing({ target: [events.projectId, events.idempotencyKey] }).run();
      return { row: findByKey(row.projectId, row.idempotencyKey)!, created: res.changes > 0 };
    },
    findByKey,
    get(projectId: string, id: string): EventRow | undefined {
      return db.select().from(events).where(and(eq(events.id, id), eq(events.projectId, projectId))).get();
    },
    unpublished(limit: number): EventRow[] {
      return db.select().from(events).where(isNull(events.publishedAt)).orderBy(asc(events.seq)).limit(limit).all();
    },
    markPublished(ids: string[], at: number): void {
      if (ids.length > 0) db.update(events).set({ publishedAt: at }).where(inArray(events.id, ids)).run();
    },
    count(projectId: string): number {
      return db.select({ n: count() }).from(events).where(eq(events.projectId, projectId)).get()?.n ?? 0;
    },
  };
}
