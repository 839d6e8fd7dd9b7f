// The events the runner itself emits (run.*, job.*, typed job ends), each one
// level deeper than its cause, and the reads that go with them: a run's cause
// and chain root (cached), and whether any rule listens to a type.
import type { Clock } from '../ids.js';
import { buildEventRow } from '../events/intake.js';
import { idSchema } from '../jobs/contracts.js';
import type { EventRow } from '../store/events.js';
import type { Store } from '../store/store.js';
import type { Effects } from './units.js';

export interface EmitSpec {
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
}

export function createEmitter(store: Store, clock: Clock) {
  const { events, rules } = store;

  /**
   * Recently read events (causes and chain roots), newest last. A run reads its cause in every unit;
   * an event's row never changes except published_at, which the runner does not read.
   */
  const recent = new Map<string, EventRow>();
  function eventById(projectId: string, id: string): EventRow | undefined {
    const key = `${projectId}/${id}`;
    const hit = recent.get(key);
    if (hit) return hit;
    const row = events.get(projectId, id);
    if (row) {
      if (recent.size >= 2000) recent.delete(recent.keys().next().value!);
      recent.set(key, row);
    }
    return row;
  }

  /**
   * "Run exactly this" (root event source run:<ruleId>): at the root only that rule fires, and it
   * counts as enabled down the whole chain — just as the single-rule dry-run planned it.
   */
  function manualRuleOf(ev: EventRow): { manual: string | null; isRoot: boolean } {
    const root = ev.correlationId === ev.id ? ev : eventById(ev.projectId, ev.correlationId);
    return { manual: root?.source.startsWith('run:') ? root.source.slice(4) : null, isRoot: root?.id === ev.id };
  }

  function listens(cause: EventRow, type: string): boolean {
    const records = rules.records(cause.projectId);
    // Cheap first: most engine events (run.*, job.*) have no rule at all, enabled or not.
    if (!records.some((r) => 'event' in r.definition.trigger && r.definition.trigger.event === type)) return false;
    const { manual } = manualRuleOf(cause);
    return records.some((r) => (r.enabled || r.id === manual) && 'event' in r.definition.trigger && r.definition.trigger.event === type);
  }

  return {
    eventById,
    manualRuleOf,
    /** Store an event the engine itself emits; its key makes a redelivery add nothing. */
    emit(fx: Effects, cause: EventRow, spec: EmitSpec, key: string, fallback: { kind: string; id: string }): void {
      const subject =
        typeof spec.subject.id === 'string' && idSchema.safeParse(spec.subject.id).success
          ? (spec.subject as { kind: string; id: string })
          : fallback;
      const row = buildEventRow(
        cause.projectId,
        {
          type: spec.type,
          payload: spec.payload,
          subject,
          idempotencyKey: key,
          correlationId: cause.correlationId,
          causationId: cause.id,
          depth: cause.depth + 1,
        },
        { kind: 'engine', id: 'runner' },
        'engine',
        clock.now(),
      );
      // Nobody listens (no enabled rule, nor the chain's manual one, triggers on this type): keep it for
      // the trigger log, but mark it published instead of queueing work that would fire nothing.
      if (!listens(cause, spec.type)) row.publishedAt = clock.now();
      const res = events.insert(row);
      if (res.created) fx.stored.push(res.row);
    },
  };
}
