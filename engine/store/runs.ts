// Runs and their steps: the durable record of each rule firing (the trigger log).
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Clock } from '../ids.js';
import type { Db } from './db.js';
import { runs, runSteps } from './schema.js';

export type RunRow = typeof runs.$inferSelect;
export type StepRow = typeof runSteps.$inferSelect;
export type RunStatus = RunRow['status'];
export type StepStatus = StepRow['status'];

export function createRunsRepo(db: Db, clock: Clock) {
  const repo = {
    /** Insert a run and its pending steps, unless its idempotency key exists. */
    create(run: Omit<RunRow, 'createdAt' | 'startedAt' | 'finishedAt' | 'error'>, steps: { stepId: string; type: string }[]): { run: RunRow; created: boolean } {
      return db.transaction(() => {
        const now = clock.now();
        const res = db.insert(runs).values({ ...run, createdAt: now, startedAt: run.status === 'running' ? now : null }).onConflictDoNothing().run();
        if (res.changes === 0) return { run: db.select().from(runs).where(eq(runs.idempotencyKey, run.idempotencyKey)).get()!, created: false };
        steps.forEach((s, position) => db.insert(runSteps).values({ runId: run.id, stepId: s.stepId, position, type: s.type, status: 'pending' }).run());
        return { run: repo.get(run.id)!, created: true };
      });
    },
    get(id: string): RunRow | undefined {
      return db.select().from(runs).where(eq(runs.id, id)).get();
    },
    steps(runId: string): StepRow[] {
      return db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.position)).all();
    },
    setStatus(id: string, status: RunStatus, patch: { error?: string | null; reason?: string | null } = {}): void {
      const now = clock.now();
      const done = ['succeeded', 'failed', 'cancelled', 'skipped', 'halted'].includes(status);
      db.update(runs)
        .set({ status, ...patch, ...(status === 'running' ? { startedAt: now } : {}), ...(done ? { finishedAt: now } : {}) })
        .where(eq(runs.id, id))
        .run();
    },
    updateStep(runId: string, stepId: string, patch: Partial<Omit<StepRow, 'runId' | 'stepId'>>, log?: string): void {
      db.transaction(() => {
        const cur = db.select().from(runSteps).where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId))).get();
        if (!cur) return;
        const logs = log ? [...cur.logs, { at: clock.now(), msg: log }] : cur.logs;
        db.update(runSteps).set({ ...patch, logs }).where(and(eq(runSteps.runId, runId), eq(runSteps.stepId, stepId))).run();
      });
    },
    list(projectId: string, filter: { ruleId?: string; status?: RunStatus; subjectId?: string; limit?: number }): RunRow[] {
      const conds = [eq(runs.projectId, projectId)];
      if (filter.ruleId) conds.push(eq(runs.ruleId, filter.ruleId));
      if (filter.status) conds.push(eq(runs.status, filter.status));
      if (filter.subjectId) conds.push(eq(runs.subjectId, filter.subjectId));
      return db.select().from(runs).where(and(...conds)).orderBy(desc(runs.createdAt)).limit(filter.limit ?? 100).all();
    },
    /** Per rule: run count, failures, and the last run (skipped firings not counted). */
    statsByRule(projectId: string): Map<string, { runs: number; failures: number; lastRunAt: number | null; lastStatus: RunStatus | null }> {
      const rows = db.$client
        .prepare(
          `SELECT rule_id AS ruleId, count(*) AS runs, sum(status = 'failed') AS failures, max(created_at) AS lastRunAt,
             (SELECT status FROM runs r2 WHERE r2.rule_id = runs.rule_id AND r2.status != 'skipped' ORDER BY created_at DESC, rowid DESC LIMIT 1) AS lastStatus
           FROM runs WHERE project_id = ? AND status != 'skipped' GROUP BY rule_id`,
        )
        .all(projectId) as { ruleId: string; runs: number; failures: number; lastRunAt: number; lastStatus: RunStatus }[];
      return new Map(rows.map((r) => [r.ruleId, { runs: r.runs, failures: r.failures, lastRunAt: r.lastRunAt, lastStatus: r.lastStatus }]));
    },
    countByStatus(): { status: string; n: number }[] {
      return db.select({ status: runs.status, n: count() }).from(runs).groupBy(runs.status).all();
    },
    countRunning(projectId: string): number {
      return db.select({ n: count() }).from(runs).where(and(eq(runs.projectId, projectId), eq(runs.status, 'running'))).get()?.n ?? 0;
    },
    oldestPlanned(projectId: string): RunRow | undefined {
      return db.select().from(runs).where(and(eq(runs.projectId, projectId), eq(runs.status, 'planned'))).orderBy(asc(runs.createdAt), asc(sql`rowid`)).get();
    },
    byEvent(eventId: string): RunRow[] {
      return db.select().from(runs).where(eq(runs.eventId, eventId)).orderBy(asc(runs.createdAt)).all();
    },
  };
  return repo;
}
