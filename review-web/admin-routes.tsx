// Admins' pages: the approvals inbox and the halt switch. Plain forms; the
// engine checks the admin role on every call.
import type { Context, Hono } from 'hono';
import { isGreenlightError, type ApprovalNotice, type Engine, type Principal } from '../engine/index.js';
import { ApprovalsPage, HaltPage } from './admin-pages.js';
import { REVIEW_PATH, type Kit } from './kit.js';

export function mountAdminRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, signedIn, posted } = kit;
  const inbox = (c: Context, p: Principal, projectId: string, error?: string) => {
    const items = [...engine.approvals.list(p, projectId), ...engine.approvals.decided(p, projectId, 20)].map((approval) => {
      let notice: ApprovalNotice | null = null;
      try {
        notice = engine.approvals.notice(p, projectId, approval.id);
      } catch (err) {
        // Without Redis there is no runner to read the request from: the approval is still listed.
        if (!isGreenlightError(err) || err.code !== 'unavailable') throw err;
      }
      return { approval, notice };
    });
    return page(
      c,
      <ApprovalsPage ctx={ctxOf(c, 'Approvals', projectId)} projectId={projectId} items={items} error={error} />,
      error ? 400 : 200,
    );
  };
  app.get(
    `${REVIEW_PATH}/projects/:projectId/approvals`,
    signedIn((c, p) => inbox(c, p, c.req.param('projectId')!)),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/approvals/:approvalId`,
    posted(async (c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const decision = form.decision === 'approve' ? 'approve' : form.decision === 'deny' ? 'deny' : null;
      if (!decision) return inbox(c, p, projectId, 'decision: choose Approve or Deny.');
      await engine.approvals.decide(p, projectId, c.req.param('approvalId')!, decision);
      return c.redirect(`${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/approvals`, 303);
    }),
  );
  const haltPage = (c: Context, p: Principal, projectId: string, error?: string) =>
    page(
      c,
      <HaltPage ctx={ctxOf(c, 'Automation', projectId)} projectId={projectId} halts={engine.halts.status(p, projectId)} error={error} />,
      error ? 400 : 200,
    );
  app.get(
    `${REVIEW_PATH}/projects/:projectId/halt`,
    signedIn((c, p) => haltPage(c, p, c.req.param('projectId')!)),
  );
  for (const action of ['halt', 'resume'] as const)
    app.post(
      `${REVIEW_PATH}/projects/:projectId/${action}`,
      posted(async (c, p, form) => {
        const projectId = c.req.param('projectId')!;
        const scope = { scope: 'project' as const, projectId, ruleId: null };
        if (action === 'halt') {
          const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
          if (!reason) return haltPage(c, p, projectId, 'reason: say why automation must stop (everyone sees it).');
          await engine.halts.halt(p, scope, reason, false);
        } else await engine.halts.resume(p, scope, form.discard === '1');
        return c.redirect(`${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/halt`, 303);
      }),
    );
}
