// Runs and their steps: the durable record of each rule firing (the trigger log).
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { StoreContext } from './context.js';
import { rowReader, type Db } from './db.js';
import { runs, runSteps } from './schema.js';

export type RunRow = typeof runs.$inferSelect;
export type StepRow = typeof runSteps.$inferSelect;
export type RunStatus = RunRow['status'];
export type StepStatus = StepRow['status'];

/** The runner's hot path, prepared once per database (query building cost more than the queries). */
function prepare(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    get: rowReader(db, runs, 'id = ?'),
    steps: rowReader(db, runSteps, 'run_id = ?', 'position'),
    step: rowReader(db, runSteps, 'run_id = ? AND step_id = ?'),
    byKey: rowReader(db, runs, 'idempotency_key = ?'),
    byCorrelation: rowReader(db, runs, 'project_id = ? AND correlation_id = ?', 'created_at, rowid'),
    insertRun: db.$client.prepare(
      `INSERT INTO runs (id, project_id, rule_id, rule_version, event_id, subject_kind, subject_id, status, reason, idempotency_key, correlation_id, depth, plan_hash, created_at, started_at)
       VALUES (@id, @projectId, @ruleId, @ruleVersion, @eventId, @subjectKind, @subjectId, @status, @reason, @idempotencyKey, @correlationId, @depth, @planHash, @createdAt, @startedAt)
       ON CONFLICT DO NOTHING`,
    ),
    oldestPlanned: db
      .select()
      .from(runs)
      .where(and(eq(runs.projectId, p('projectId')), eq(runs.status, 'planned')))
      .orderBy(asc(runs.createdAt), asc(sql`rowid`))
      .limit(1)
      .prepare(),
    insertStep: db.$client.prepare(
      `INSERT INTO run_steps (run_id, step_id, position, type, status, config) VALUES (@runId, @stepId, @position, @type, 'pending', @config)
       ON CONFLICT DO NOTHING`,
    ),
    countRunning: db
      .select({ n: count() })
      .from(runs)
      .where(and(eq(runs.projectId, p('projectId')), eq(runs.status, 'running')))
      .prepare(),
    setStatus: db.$client.prepare(
      `UPDATE runs SET status = @status,
         reason = CASE WHEN @setReason THEN @reason ELSE reason END,
         error = CASE WHEN @setError THEN @error ELSE error END,
         started_at = CASE WHEN @status = 'running' THEN @now ELSE started_at END,
         finished_at = CASE WHEN @done THEN @now ELSE finished_at END
       WHERE id = @id`,
    ),
    updateStep: db.$client.prepare(
      `UPDATE run_steps SET status = @status, config = @config, job_ids = @jobIds, output = @output, error = @error, logs = @logs,
         started_at = @startedAt, finished_at = @finishedAt WHERE run_id = @runId AND step_id = @stepId`,
    ),
  };
}
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export function createRunsRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const q = prepare(db);
  const repo = {
    /** Insert a run and its pending steps, unless its idempotency key exists. */
    create(
      run: Omit<RunRow, 'createdAt' | 'startedAt' | 'finishedAt' | 'error'>,
      steps: { stepId: string; type: string }[],
    ): { run: RunRow; created: boolean } {
      return ctx.transaction(() => {
        const now = clock.now();
        const res = q.insertRun.run({ ...run, createdAt: now, startedAt: run.status === 'running' ? now : null });
        if (res.changes === 0) return { run: q.byKey.get(run.idempotencyKey)!, created: false };
        steps.forEach((s, position) => q.insertStep.run({ runId: run.id, stepId: s.stepId, position, type: s.type, config: null }));
        if (ctx.listening()) ctx.changed({ kind: 'run', projectId: run.projectId, runId: run.id, ruleId: run.ruleId, status: run.status });
        return { run: repo.get(run.id)!, created: true };
      });
    },
    get(id: string): RunRow | undefined {
      return q.get.get(id);
    },
    /** Append steps (follow-up jobs) after the run's last one; a step id already there is left alone. */
    addSteps(runId: string, steps: { stepId: string; type: string; config: unknown }[]): void {
      if (steps.length === 0) return;
      ctx.transaction(() => {
        let position = (q.steps.all(runId).at(-1)?.position ?? -1) + 1;
        for (const s of steps) q.insertStep.run({ runId, stepId: s.stepId, position: position++, type: s.type, config: json(s.config) });
      });
    },
    steps(runId: string): StepRow[] {
      return q.steps.all(runId);
    },
    setStatus(id: string, status: RunStatus, patch: { error?: string | null; reason?: string | null } = {}): void {
      const done = ['succeeded', 'failed', 'cancelled', 'skipped', 'halted'].includes(status) ? 1 : 0;
      q.setStatus.run({
        id,
        status,
        now: clock.now(),
        done,
        setReason: 'reason' in patch ? 1 : 0,
        reason: patch.reason ?? null,
        setError: 'error' in patch ? 1 : 0,
        error: patch.error ?? null,
      });
      if (ctx.listening()) {
        const r = q.get.get(id);
        if (r) ctx.changed({ kind: 'run', projectId: r.projectId, runId: id, ruleId: r.ruleId, status });
      }
    },
    /**
     * Patch a step and add a log line; its new row. `known`: the row as the caller read it in this
     * transaction (and its run's project), which spares reading it again.
     */
    updateStep(
      runId: string,
      stepId: string,
      patch: Partial<Omit<StepRow, 'runId' | 'stepId'>>,
      log?: string,
      known?: { row: StepRow; projectId: string },
    ): StepRow | undefined {
      const cur = known?.row ?? q.step.get(runId, stepId);
      if (!cur) return undefined;
      const next = { ...cur, ...patch, logs: log ? [...cur.logs, { at: clock.now(), msg: log }] : cur.logs };
      q.updateStep.run({
        runId,
        stepId,
        status: next.status,
        config: json(next.config),
        jobIds: JSON.stringify(next.jobIds),
        output: json(next.output),
        error: next.error ?? null,
        logs: JSON.stringify(next.logs),
        startedAt: next.startedAt ?? null,
        finishedAt: next.finishedAt ?? null,
      });
      if (ctx.listening() && patch.status !== undefined && patch.status !== cur.status) {
        const projectId = known?.projectId ?? q.get.get(runId)?.projectId;
        if (projectId) ctx.changed({ kind: 'step', projectId, runId, stepId, status: patch.status });
      }
      return next;
    },
    list(projectId: string, filter: { ruleId?: string; status?: RunStatus; subjectId?: string; limit?: number }): RunRow[] {
      const conds = [eq(runs.projectId, projectId)];
      if (filter.ruleId) conds.push(eq(runs.ruleId, filter.ruleId));
      if (filter.status) conds.push(eq(runs.status, filter.status));
      if (filter.subjectId) conds.push(eq(runs.subjectId, filter.subjectId));
      return db
        .select()
        .from(runs)
        .where(and(...conds))
        .orderBy(desc(runs.createdAt))
        .limit(filter.limit ?? 100)
        .all();
    },
    /** Per rule: runs and failures since `since` (ms; default all), and the last run ever (when, outcome). */
    statsByRule(
      projectId: string,
      since = 0,
    ): Map<string, { runs: number; failures: number; lastRunAt: number | null; lastStatus: RunStatus | null }> {
      const rows = db.$client
        .prepare(
          `SELECT rule_id AS ruleId, sum(created_at >= @since) AS runs, sum(status = 'failed' AND created_at >= @since) AS failures,
             max(created_at) AS lastRunAt,
             (SELECT status FROM runs r2 WHERE r2.rule_id = runs.rule_id AND r2.status != 'skipped' ORDER BY created_at DESC, rowid DESC LIMIT 1) AS lastStatus
           FROM runs WHERE project_id = @projectId AND status != 'skipped' GROUP BY rule_id`,
        )
        .all({ projectId, since }) as { ruleId: string; runs: number; failures: number; lastRunAt: number; lastStatus: RunStatus }[];
      return new Map(rows.map((r) => [r.ruleId, { runs: r.runs, failures: r.failures, lastRunAt: r.lastRunAt, lastStatus: r.lastStatus }]));
    },
    countByStatus(): { status: string; n: number }[] {
      return db.select({ status: runs.status, n: count() }).from(runs).groupBy(runs.status).all();
    },
    countRunning(projectId: string): number {
      return q.countRunning.get({ projectId })?.n ?? 0;
    },
    oldestPlanned(projectId: string): RunRow | undefined {
      return q.oldestPlanned.get({ projectId });
    },
    /** Every run of one chain (same correlation id), oldest first. */
    byCorrelation(projectId: string, correlationId: string): RunRow[] {
      return q.byCorrelation.all(projectId, correlationId);
    },
    /** Every run in one status, across projects, oldest first (start-up recovery). */
    byStatus(status: RunStatus): RunRow[] {
      return db.select().from(runs).where(eq(runs.status, status)).orderBy(asc(runs.createdAt)).all();
    },
    /** The runs one level below `run` in its chain (fired by the events its steps emitted), newest first. */
    downstreamOf(run: RunRow): RunRow[] {
      return db
        .select()
        .from(runs)
        .where(and(eq(runs.projectId, run.projectId), eq(runs.correlationId, run.correlationId), eq(runs.depth, run.depth + 1)))
        .orderBy(desc(runs.createdAt))
        .all();
    },
    byEvent(eventId: string): RunRow[] {
      return db.select().from(runs).where(eq(runs.eventId, eventId)).orderBy(asc(runs.createdAt)).all();
    },
  };
  return repo;
}
