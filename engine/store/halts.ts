// Emergency halts (everything, one project, one rule) and what they hold.
import { and, asc, eq, isNull } from 'drizzle-orm';
import { ConflictError } from '../errors.js';
import { newId } from '../ids.js';
import type { StoreContext } from './context.js';
import { auditLog, halts, runs } from './schema.js';

export type HaltRow = typeof halts.$inferSelect;
export interface HaltScope {
  scope: 'global' | 'project' | 'rule';
  projectId: string | null;
  ruleId: string | null;
}

const sameScope = (s: HaltScope) =>
  and(
    isNull(halts.resumedAt),
    eq(halts.scope, s.scope),
    s.projectId ? eq(halts.projectId, s.projectId) : isNull(halts.projectId),
    s.ruleId ? eq(halts.ruleId, s.ruleId) : isNull(halts.ruleId),
  );

/** Active halts are cached (every decision reads them); the store drops them on a halt written here or elsewhere. */
export function createHaltsRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const activeCache = ctx.cache('halts', (): { rows: HaltRow[] | null } => ({ rows: null }));
  const runsInScope = (status: 'halted' | 'running', s: HaltScope) => {
    const conds = [eq(runs.status, status)];
    if (s.projectId) conds.push(eq(runs.projectId, s.projectId));
    if (s.ruleId) conds.push(eq(runs.ruleId, s.ruleId));
    return db
      .select()
      .from(runs)
      .where(and(...conds))
      .orderBy(asc(runs.createdAt))
      .all();
  };
  const repo = {
    active(): HaltRow[] {
      const c = activeCache();
      c.rows ??= db.select().from(halts).where(isNull(halts.resumedAt)).orderBy(asc(halts.createdAt)).all();
      return c.rows;
    },
    find(s: HaltScope): HaltRow | undefined {
      return db.select().from(halts).where(sameScope(s)).get();
    },
    create(s: HaltScope, reason: string, cancelInFlight: boolean, by: string): HaltRow {
      return ctx.write(['halts'], () => {
        const existing = repo.find(s);
        if (existing)
          throw new ConflictError(
            `Already halted (${s.scope}) since ${new Date(existing.createdAt).toISOString()} by ${existing.createdBy}: ${existing.reason}`,
          );
        const row: HaltRow = {
          id: newId('halt'),
          ...s,
          reason,
          cancelInFlight,
          createdBy: by,
          createdAt: clock.now(),
          resumedAt: null,
          resumedBy: null,
        };
        db.insert(halts).values(row).run();
        ctx.changed({ kind: 'halt', projectId: s.projectId, ruleId: s.ruleId, halted: true });
        db.insert(auditLog)
          .values({
            projectId: s.projectId,
            actor: by,
            action: 'halt',
            target: `${s.scope}/${s.projectId ?? '*'}/${s.ruleId ?? '*'}`,
            details: { reason, cancelInFlight },
            at: row.createdAt,
          })
          .run();
        return row;
      });
    },
    resume(s: HaltScope, by: string, discard: boolean): HaltRow {
      return ctx.write(['halts'], () => {
        const existing = repo.find(s);
        if (!existing) throw new ConflictError(`Nothing to resume: no active ${s.scope} halt here.`);
        const now = clock.now();
        db.update(halts).set({ resumedAt: now, resumedBy: by }).where(eq(halts.id, existing.id)).run();
        ctx.changed({ kind: 'halt', projectId: s.projectId, ruleId: s.ruleId, halted: false });
        db.insert(auditLog)
          .values({
            projectId: s.projectId,
            actor: by,
            action: 'resume',
            target: `${s.scope}/${s.projectId ?? '*'}/${s.ruleId ?? '*'}`,
            details: { haltId: existing.id, discard },
            at: now,
          })
          .run();
        return { ...existing, resumedAt: now, resumedBy: by };
      });
    },
    /** Held firings (runs in status 'halted'), oldest first, within a scope. */
    held: (s: HaltScope) => runsInScope('halted', s),
    /** Runs still going within a scope. */
    inFlight: (s: HaltScope) => runsInScope('running', s),
    /** Active halts (a project's own, its rules', the global one; or all) with how many firings each holds. */
    status(projectId: string | null): (HaltRow & { held: number })[] {
      return repo
        .active()
        .filter((h) => projectId === null || h.scope === 'global' || h.projectId === projectId)
        .map((h) => ({ ...h, held: runsInScope('halted', { scope: h.scope, projectId: h.projectId, ruleId: h.ruleId }).length }));
    },
  };
  return repo;
}
