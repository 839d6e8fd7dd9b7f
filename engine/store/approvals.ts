// Admin approvals of costly runs: who asked, who decided, when, and expiry.
import { and, asc, desc, eq, isNotNull, lte, ne } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../errors.js';
import type { StoreContext } from './context.js';
import { approvals, auditLog } from './schema.js';

export type ApprovalRow = typeof approvals.$inferSelect;

export function createApprovalsRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const repo = {
    create(row: Omit<ApprovalRow, 'decidedBy' | 'decidedAt' | 'createdAt' | 'status'>): ApprovalRow {
      db.insert(approvals)
        .values({ ...row, status: 'pending', createdAt: clock.now() })
        .onConflictDoNothing()
        .run();
      const stored = repo.get(row.projectId, row.id);
      ctx.changed({ kind: 'approval', projectId: stored.projectId, approvalId: stored.id, runId: stored.runId, status: stored.status });
      return stored;
    },
    get(projectId: string, id: string): ApprovalRow {
      const row = db
        .select()
        .from(approvals)
        .where(and(eq(approvals.id, id), eq(approvals.projectId, projectId)))
        .get();
      if (!row) throw new NotFoundError('approval', id);
      return row;
    },
    byRun(runId: string): ApprovalRow | undefined {
      return db.select().from(approvals).where(eq(approvals.runId, runId)).get();
    },
    pending(projectId: string): ApprovalRow[] {
      return db
        .select()
        .from(approvals)
        .where(and(eq(approvals.projectId, projectId), eq(approvals.status, 'pending')))
        .orderBy(asc(approvals.createdAt))
        .all();
    },
    /** The newest decided approvals of a project (approved, denied, expired). */
    decided(projectId: string, limit: number): ApprovalRow[] {
      return db
        .select()
        .from(approvals)
        .where(and(eq(approvals.projectId, projectId), ne(approvals.status, 'pending')))
        .orderBy(desc(approvals.decidedAt))
        .limit(limit)
        .all();
    },
    expired(now: number): ApprovalRow[] {
      return db
        .select()
        .from(approvals)
        .where(and(eq(approvals.status, 'pending'), isNotNull(approvals.expiresAt), lte(approvals.expiresAt, now)))
        .all();
    },
    /** Record a decision once; a second decision is a conflict that names the first. */
    decide(projectId: string, id: string, status: 'approved' | 'denied' | 'expired', by: string): ApprovalRow {
      return ctx.transaction(() => {
        const cur = repo.get(projectId, id);
        if (cur.status !== 'pending') throw new ConflictError(`Approval ${id} was already ${cur.status} by ${cur.decidedBy ?? 'nobody'}.`);
        const now = clock.now();
        db.update(approvals).set({ status, decidedBy: by, decidedAt: now }).where(eq(approvals.id, id)).run();
        db.insert(auditLog)
          .values({ projectId, actor: by, action: `approval.${status}`, target: id, details: { runId: cur.runId }, at: now })
          .run();
        ctx.changed({ kind: 'approval', projectId, approvalId: id, runId: cur.runId, status });
        return repo.get(projectId, id);
      });
    },
  };
  return repo;
}
