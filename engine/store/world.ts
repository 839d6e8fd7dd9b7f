// The planner's view of the world, read from the database: halts in force,
// entity facts (type, parent, manual override) and recent firings (debounce).
import { and, desc, eq, gte, inArray, isNull, or } from 'drizzle-orm';
import type { Clock } from '../ids.js';
import type { HaltFacts, PlanWorld } from '../rules/matching.js';
import type { Db } from './db.js';
import { createEntitiesRepo } from './entities.js';
import { halts, runs } from './schema.js';

export function activeHalt(db: Db, projectId: string, ruleId: string | null): HaltFacts | null {
  const scopes = [and(eq(halts.scope, 'global')), and(eq(halts.scope, 'project'), eq(halts.projectId, projectId))];
  if (ruleId) scopes.push(and(eq(halts.scope, 'rule'), eq(halts.ruleId, ruleId)));
  const row = db
    .select()
    .from(halts)
    .where(and(isNull(halts.resumedAt), or(...scopes)))
    .orderBy(desc(halts.createdAt))
    .get();
  return row ? { scope: row.scope, reason: row.reason } : null;
}

export function dbWorld(db: Db, clock: Clock): PlanWorld {
  const entities = createEntitiesRepo(db, clock);
  return {
    halt: (projectId, ruleId) => activeHalt(db, projectId, ruleId),
    entity: (projectId, kind, id) => entities.facts(projectId, kind, id),
    recentlyFired(projectId, ruleId, subject, windowMs) {
      const since = clock.now() - windowMs;
      const row = db
        .select({ id: runs.id })
        .from(runs)
        .where(
          and(
            eq(runs.projectId, projectId),
            eq(runs.ruleId, ruleId),
            eq(runs.subjectKind, subject.kind),
            eq(runs.subjectId, subject.id),
            gte(runs.createdAt, since),
            // Only firings that went ahead count: held, skipped and cancelled ones do not debounce.
            inArray(runs.status, ['planned', 'awaiting_approval', 'running', 'succeeded', 'failed']),
          ),
        )
        .get();
      return row !== undefined;
    },
  };
}
