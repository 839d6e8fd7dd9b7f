// The rules list's routes: the page, enable / disable / dry-run per rule, and
// import / export as JSON. Each goes through the same engine calls as the API
// and chat (the engine checks the lead role on every change).
import type { Context, Hono } from 'hono';
import { isGreenlightError, type Engine, type Principal } from '../engine/index.js';
import { REVIEW_PATH, type Kit } from './kit.js';
import { GraphPage } from './graph-page.js';
import { layoutGraph } from './graph-layout.js';
import { RulesPage, type RuleNotice } from './rules-pages.js';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function mountRulesRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, signedIn, posted, failure } = kit;
  const listPage = (c: Context, p: Principal, projectId: string, notice?: RuleNotice, importText?: string) =>
    page(
      c,
      <RulesPage
        ctx={ctxOf(c, 'Rules', projectId)}
        projectId={projectId}
        rules={engine.rules.listWithStats(p, projectId, Date.now() - WEEK_MS)}
        halts={engine.halts.status(p, projectId)}
        // Cosmetic: artists see no buttons; the engine refuses a change from them anyway.
        canEdit={p.role !== 'artist'}
        notice={notice}
        importText={importText}
      />,
      notice?.error ? 400 : 200,
    );
  const back = (projectId: string, ruleId?: string) =>
    `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/rules${ruleId ? `#rule-${encodeURIComponent(ruleId)}` : ''}`;
  /** An engine refusal of a change, said at the rule it is about (its status: 400, or 409 for a dry-run first). */
  const refusal = (c: Context, p: Principal, projectId: string, ruleId: string | null, err: unknown, importText?: string) => {
    if (!isGreenlightError(err) || err.code === 'unauthorized' || err.code === 'forbidden' || err.code === 'not_found')
      return failure(c, err);
    const details = err.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
    const notice = {
      ruleId,
      text: `${err.message}${details ? ` (${details})` : ''}`,
      error: true,
      offerDryRun: err.code === 'dry_run_required',
    };
    return listPage(c, p, projectId, notice, importText);
  };

  app.get(
    `${REVIEW_PATH}/projects/:projectId/rules`,
    signedIn((c, p) => listPage(c, p, c.req.param('projectId')!)),
  );
  for (const action of ['enable', 'disable'] as const)
    app.post(
      `${REVIEW_PATH}/projects/:projectId/rules/:ruleId/${action}`,
      posted((c, p) => {
        const projectId = c.req.param('projectId')!;
        const ruleId = c.req.param('ruleId')!;
        try {
          engine.rules.setEnabled(p, projectId, ruleId, action === 'enable');
        } catch (err) {
          return refusal(c, p, projectId, ruleId, err);
        }
        return c.redirect(back(projectId, ruleId), 303);
      }),
    );
  // The rule's own preview event (the engine's one event builder), planned by the one step machine.
  app.post(
    `${REVIEW_PATH}/projects/:projectId/rules/:ruleId/dry-run`,
    posted((c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const ruleId = c.req.param('ruleId')!;
      const target = typeof form.target === 'string' && form.target.trim() ? form.target.trim() : null;
      try {
        const event = engine.rules.previewEvent(p, projectId, ruleId, target);
        const plan = engine.rules.dryRun(p, projectId, ruleId, { event });
        const { summary } = plan;
        const rule = engine.rules.get(p, projectId, ruleId);
        const skip = plan.root.firings.find((f) => f.ruleId === ruleId && f.decision === 'skip');
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
        const text =
          `Dry-run of version ${rule.version} on ${target ? `${event.subject.kind} ${target}` : `a sample ${event.type}`}: ` +
          `${plural(summary.firings, 'firing')}, ${plural(summary.jobs, 'job')}, ${plural(summary.approvals, 'approval')}, cost ${Number(summary.cost.toFixed(2))}` +
          `${skip ? ` — it skips this event (${skip.reason}${skip.detail ? `: ${skip.detail}` : ''}); give a variant or asset it applies to` : ''}. ` +
          `${rule.enabled ? '' : 'It can be enabled now.'}`;
        return listPage(c, p, projectId, { ruleId, text });
      } catch (err) {
        return refusal(c, p, projectId, ruleId, err);
      }
    }),
  );
  // The chain graph: laid out here, drawn as SVG; ?run= lights the rules that run's chain fired.
  app.get(
    `${REVIEW_PATH}/projects/:projectId/rules/graph`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const graph = engine.rules.graph(p, projectId);
      const halts = engine.halts.status(p, projectId);
      const all = halts.some((h) => h.scope !== 'rule');
      const halted = new Set(
        graph.nodes.flatMap((n) => (n.kind === 'rule' && n.ruleId && (all || halts.some((h) => h.ruleId === n.ruleId)) ? [n.ruleId] : [])),
      );
      const runId = c.req.query('run') ?? null;
      const lit = new Set<string>();
      if (runId) {
        // The run and what it set off, breadth first (a chain is at most maxDepth long; bounded anyway).
        const queue = [runId];
        for (let i = 0; i < queue.length && i < 200; i++) {
          const detail = engine.runs.get(p, projectId, queue[i]!);
          lit.add(detail.run.ruleId);
          queue.push(...detail.downstream.map((d) => d.id));
        }
      }
      const laid = layoutGraph(graph);
      return page(
        c,
        <GraphPage
          ctx={ctxOf(c, 'Chain graph', projectId)}
          projectId={projectId}
          graph={laid}
          halted={halted}
          lit={lit}
          runId={runId}
          cycles={graph.cycles}
        />,
      );
    }),
  );
  app.get(
    `${REVIEW_PATH}/projects/:projectId/rules/export`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const rules = engine.rules.list(p, projectId).map((r) => r.definition);
      c.header('content-disposition', `attachment; filename="${projectId}-rules.json"`);
      c.header('cache-control', 'no-store');
      return c.json(rules);
    }),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/rules/import`,
    posted((c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const text = typeof form.json === 'string' ? form.json : '';
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        const notice = {
          ruleId: null,
          text: `json: not valid JSON (${(err as Error).message}); paste one rule or an array of rules.`,
          error: true,
        };
        return listPage(c, p, projectId, notice, text);
      }
      const list = Array.isArray(parsed) ? parsed : [parsed];
      const made: string[] = [];
      for (const [i, body] of list.entries()) {
        try {
          made.push(engine.rules.create(p, projectId, body).row.name);
        } catch (err) {
          // The ones before it are in: say which failed and where, and keep the text to fix.
          const prefix =
            list.length > 1 ? `rule ${i + 1} of ${list.length}${made.length ? ` (imported before it: ${made.join(', ')})` : ''}: ` : '';
          if (isGreenlightError(err) && err.code === 'validation_failed') {
            const details = err.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
            return listPage(
              c,
              p,
              projectId,
              { ruleId: null, text: `${prefix}${err.message}${details ? ` (${details})` : ''}`, error: true },
              text,
            );
          }
          return refusal(c, p, projectId, null, err, text);
        }
      }
      return listPage(c, p, projectId, {
        ruleId: null,
        text: `Imported ${made.length} rule${made.length === 1 ? '' : 's'} (disabled): ${made.join(', ')}. Dry-run each, then enable it.`,
      });
    }),
  );
}
