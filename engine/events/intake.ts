// Event intake: validate, store durably (the outbox row), then let the
// publisher move it onto the queue. The same idempotency key twice gives the
// first event back and creates nothing.
import type { Clock } from '../ids.js';
import { newId } from '../ids.js';
import type { EventRow } from '../store/events.js';
import type { Store } from '../store/store.js';
import { inferSubject, type EventInput } from './schema.js';

export interface Actor {
  kind: 'token' | 'chat' | 'cli' | 'engine';
  id: string;
}

export function toApiEvent(row: EventRow) {
  return {
    id: row.id,
    projectId: row.projectId,
    type: row.type,
    subject: { kind: row.subjectKind, id: row.subjectId },
    payload: row.payload,
    actor: row.actor,
    source: row.source,
    correlationId: row.correlationId,
    causationId: row.causationId,
    depth: row.depth,
    idempotencyKey: row.idempotencyKey,
    occurredAt: new Date(row.occurredAt).toISOString(),
    published: row.publishedAt !== null,
  };
}

export function buildEventRow(projectId: string, input: EventInput, actor: Actor, source: string, now: number) {
  const id = newId('evt');
  const subject = input.subject ?? inferSubject(input.type, input.payload, projectId);
  return {
    id,
    projectId,
    type: input.type,
    subjectKind: subject.kind,
    subjectId: subject.id,
    payload: input.payload,
    actor,
    source,
    correlationId: input.correlationId ?? id,
    causationId: input.causationId ?? null,
    depth: input.depth ?? 0,
    idempotencyKey: input.idempotencyKey ?? id,
    occurredAt: now,
    publishedAt: null as number | null,
  };
}

export function createIntake(deps: { store: Store; clock: Clock; onStored: (source: string, row?: EventRow) => void }) {
  const events = deps.store.events;
  return {
    /** Store one event (or find its twin by idempotency key). The caller has checked the project exists. */
    accept(projectId: string, input: EventInput, actor: Actor, source: string): { row: EventRow; created: boolean } {
      const res = events.insert(buildEventRow(projectId, input, actor, source, deps.clock.now()));
      if (res.created) deps.onStored(source, res.row);
      return res;
    },
  };
}
