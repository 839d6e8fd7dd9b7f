// The events table doubles as the outbox: a row is written (durably) before
// anything else, and `published_at` stays null until it is on the queue.
// Intake is the hot path, so its statements are prepared once per database.
import { and, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { StoreContext } from './context.js';
import type { StoredEvent } from './changes.js';
import { rowReader, type Db } from './db.js';
import { events } from './schema.js';

export type EventRow = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;

function prepare(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    insert: db.$client.prepare(
      `INSERT INTO events (id, project_id, type, subject_kind, subject_id, payload, actor, source, correlation_id, causation_id, depth, idempotency_key, occurred_at, published_at)
       VALUES (@id, @projectId, @type, @subjectKind, @subjectId, @payload, @actor, @source, @correlationId, @causationId, @depth, @idempotencyKey, @occurredAt, @publishedAt)
       ON CONFLICT (project_id, idempotency_key) DO NOTHING`,
    ),
    byKey: db
      .select()
      .from(events)
      .where(and(eq(events.projectId, p('projectId')), eq(events.idempotencyKey, p('key'))))
      .prepare(),
    get: rowReader(db, events, 'id = ? AND project_id = ?'),
    // Pending rows only (the partial index), less those of projects whose batch is on its way (a JSON array).
    unpublished: db.$client.prepare(
      `SELECT id, project_id AS projectId, type, seq FROM events
        WHERE published_at IS NULL AND project_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
    ),
    // One statement for any batch: the ids go in as one JSON array (a query built per call cost the outbox more than the update).
    markPublished: db.$client.prepare('UPDATE events SET published_at = ? WHERE id IN (SELECT value FROM json_each(?))'),
  };
}

/** A stored event as the change feed and the bots' hooks see it. */
export function storedEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    projectId: row.projectId,
    type: row.type,
    subject: { kind: row.subjectKind, id: row.subjectId },
    payload: row.payload,
    actor: row.actor,
    correlationId: row.correlationId,
    depth: row.depth,
    occurredAt: row.occurredAt,
  };
}

export function createEventsRepo(ctx: StoreContext) {
  const { db } = ctx;
  const s = prepare(db);
  const findByKey = (projectId: string, key: string): EventRow | undefined => s.byKey.get({ projectId, key });
  return {
    /** Insert unless the idempotency key was seen; either way return the stored row. */
    insert(row: NewEvent): { row: EventRow; created: boolean } {
      const full = { causationId: null, depth: 0, publishedAt: null, ...row };
      // No RETURNING: reading the row back would decode the JSON just written.
      const res = s.insert.run({ ...full, payload: JSON.stringify(full.payload), actor: JSON.stringify(full.actor) });
      if (res.changes === 1 && ctx.listening()) {
        const stored = { ...full, seq: Number(res.lastInsertRowid) };
        ctx.changed({ kind: 'event', projectId: stored.projectId, event: storedEvent(stored) });
      }
      return res.changes === 1
        ? { row: { ...full, seq: Number(res.lastInsertRowid) }, created: true }
        : { row: findByKey(row.projectId, row.idempotencyKey)!, created: false };
    },
    findByKey,
    get(projectId: string, id: string): EventRow | undefined {
      return s.get.get(id, projectId);
    },
    /** The oldest unpublished events, but none of the `except` projects': only what the queue job needs, no JSON decoding. */
    unpublished(limit: number, except: readonly string[] = []): { id: string; projectId: string; type: string; seq: number }[] {
      return s.unpublished.all(JSON.stringify(except), limit) as { id: string; projectId: string; type: string; seq: number }[];
    },
    markPublished(ids: string[], at: number): void {
      if (ids.length > 0) s.markPublished.run(at, JSON.stringify(ids));
    },
    /** The newest events of these types in a project (review decisions for the web's home page). */
    recentOfTypes(projectId: string, types: string[], limit: number): EventRow[] {
      return db
        .select()
        .from(events)
        .where(and(eq(events.projectId, projectId), inArray(events.type, types)))
        .orderBy(desc(events.seq))
        .limit(limit)
        .all();
    },
    count(projectId: string): number {
      return db.select({ n: count() }).from(events).where(eq(events.projectId, projectId)).get()?.n ?? 0;
    },
  };
}
