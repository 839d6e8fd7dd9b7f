// The trigger log's routes: the runs list (filters checked: a bad one is an
// error on the page, never a wider list), a run's page, and an admin's cancel.
import type { Context, Hono } from 'hono';
import type { ApiEvent, Engine, Principal } from '../engine/index.js';
import { REVIEW_PATH, type Kit } from './kit.js';
import { RunPage, RunsPage, runStatuses } from './runs-pages.js';

export function mountRunsRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, signedIn, posted } = kit;

  app.get(
    `${REVIEW_PATH}/projects/:projectId/runs`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const q = (k: string) => c.req.query(k)?.trim() || undefined;
      const filter = { rule: q('rule'), status: q('status'), subject: q('subject') };
      const rules = engine.rules.listWithStats(p, projectId);
      const error =
        filter.status && !(runStatuses as readonly string[]).includes(filter.status)
          ? `status: '${filter.status}' is not a run status; choose one of ${runStatuses.join(', ')}.`
          : filter.rule && !rules.some((r) => r.id === filter.rule)
            ? `rule: '${filter.rule}' is not a rule of ${projectId}; choose one from the list.`
            : undefined;
      const runs = error
        ? []
        : engine.runs.list(p, projectId, {
            ...(filter.rule ? { ruleId: filter.rule } : {}),
            ...(filter.status ? { status: filter.status as (typeof runStatuses)[number] } : {}),
            ...(filter.subject ? { subjectId: filter.subject } : {}),
          });
      return page(
        c,
        <RunsPage ctx={ctxOf(c, 'Runs', projectId)} projectId={projectId} runs={runs} rules={rules} filter={filter} error={error} />,
        error ? 400 : 200,
      );
    }),
  );

  /** A stored event, or null when it is gone (its project was pruned): the chain shown stops there. */
  const eventOrNull = (p: Principal, projectId: string, eventId: string): ApiEvent | null => {
    try {
      return engine.events.get(p, projectId, eventId);
    } catch {
      return null;
    }
  };
  const runPage = (c: Context, p: Principal, projectId: string, runId: string) => {
    const detail = engine.runs.get(p, projectId, runId);
    // The cause, then its causes (a bounded walk: a chain is at most maxDepth long).
    const causes: ApiEvent[] = [];
    for (let e = detail.event; e && causes.length < 20;) {
      causes.push(e);
      e = e.causationId ? eventOrNull(p, projectId, e.causationId) : null;
    }
    const rule = engine.rules.list(p, projectId).find((r) => r.id === detail.run.ruleId);
    const open = ['planned', 'awaiting_approval', 'running', 'halted'].includes(detail.run.status);
    const media = (file: string) =>
      `${REVIEW_PATH}/files/${encodeURIComponent(projectId)}/${file.split('/').map(encodeURIComponent).join('/')}`;
    return page(
      c,
      <RunPage
        ctx={ctxOf(c, rule?.name ?? 'Run', projectId)}
        projectId={projectId}
        run={detail.run}
        ruleName={rule?.name ?? detail.run.ruleId}
        steps={detail.steps}
        causes={causes}
        downstream={detail.downstream}
        // Cosmetic: the engine refuses a cancel from anyone but an admin.
        canCancel={open && p.role === 'admin'}
        isAdmin={p.role === 'admin' && p.projectId === null}
        fileUrl={media}
        jobTypeOf={(stepId) => {
          const a = (rule?.definition.actions as { id: string; type: string; config?: { type?: string } }[] | undefined)?.find(
            (x) => x.id === stepId,
          );
          return a?.type === 'enqueue_job' ? (a.config?.type ?? null) : null;
        }}
      />,
    );
  };
  app.get(
    `${REVIEW_PATH}/projects/:projectId/runs/:runId`,
    signedIn((c, p) => runPage(c, p, c.req.param('projectId')!, c.req.param('runId')!)),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/runs/:runId/cancel`,
    posted(async (c, p) => {
      const projectId = c.req.param('projectId')!;
      const runId = c.req.param('runId')!;
      await engine.runs.cancel(p, projectId, runId);
      return c.redirect(`${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/runs/${encodeURIComponent(runId)}`, 303);
    }),
  );
}
