// The planner's view of the world, read from the database: halts in force,
// entity facts (type, parent, manual override) and recent firings (debounce).
import { and, eq, gte, inArray } from 'drizzle-orm';
import type { HaltFacts, PlanWorld } from '../rules/matching.js';
import type { StoreContext } from './context.js';
import type { createEntitiesRepo } from './entities.js';
import type { createHaltsRepo } from './halts.js';
import { runs } from './schema.js';

function activeHalt(halts: ReturnType<typeof createHaltsRepo>, projectId: string, ruleId: string | null): HaltFacts | null {
  // Newest first, as before: the most recent halt in force explains the stop.
  const rows = halts.active();
  for (let i = rows.length - 1; i >= 0; i--) {
    const h = rows[i]!;
    if (
      h.scope === 'global' ||
      (h.scope === 'project' && h.projectId === projectId) ||
      (h.scope === 'rule' && ruleId !== null && h.ruleId === ruleId)
    )
      return { scope: h.scope, reason: h.reason };
  }
  return null;
}

export function dbWorld(
  ctx: StoreContext,
  repos: { entities: ReturnType<typeof createEntitiesRepo>; halts: ReturnType<typeof createHaltsRepo> },
): PlanWorld {
  const { db, clock } = ctx;
  const { entities } = repos;
  return {
    halt: (projectId, ruleId) => activeHalt(repos.halts, projectId, ruleId),
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
