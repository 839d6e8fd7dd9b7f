// The specs page's routes: list the wishlists and their specs, add a wishlist (refined at
// once), and Generate on a spec (spec.generate_requested; a rule submits the job, which an
// admin approves). Each press redirects back with what it did.
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { isGreenlightError, type Engine, type Principal } from '../engine/index.js';
import { REVIEW_PATH, type Kit } from './kit.js';
import { SpecsPage } from './spec-pages.js';

export function mountSpecRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, signedIn, posted } = kit;
  const base = (projectId: string) => `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/specs`;
  const specsPage = (c: Context, p: Principal, projectId: string, extra: { notice?: string; error?: string; draft?: string } = {}) => {
    const lists = engine.specs.listSpecLists(p, projectId).slice(0, 20);
    const views = lists.map((list) => ({ list, specs: engine.specs.getSpecList(p, projectId, list.id).specs }));
    return page(
      c,
      <SpecsPage
        ctx={ctxOf(c, 'Specs', projectId)}
        projectId={projectId}
        lists={views}
        formKey={() => randomBytes(9).toString('base64url')}
        {...extra}
      />,
      extra.error ? 400 : 200,
    );
  };
  /** What a Generate press did, said from its event: which rules act on it and whether an admin must approve. */
  const noticeOf = (p: Principal, projectId: string, eventId: string): string | undefined => {
    const e = engine.events.get(p, projectId, eventId);
    if (e.type !== 'spec.generate_requested') return undefined;
    const what = `Asked for ${String(e.payload.count)} variant(s) of ${String(e.payload.name || e.payload.specId)}.`;
    try {
      const firings = engine.rules.dryRunAll(p, projectId, { eventId }).root.firings;
      if (firings.length === 0)
        return `${what} No enabled rule acts on spec.generate_requested yet: add one that enqueues generate with {"specId": "\${event.payload.specId}"}.`;
      return `${what} ${firings.map((f) => `Rule “${f.ruleName}”${f.approval?.required ? ' will generate them once an admin approves' : ' generates them'}`).join('; ')}.`;
    } catch (err) {
      if (isGreenlightError(err) && err.code === 'forbidden') return what;
      throw err;
    }
  };

  app.get(
    `${REVIEW_PATH}/projects/:projectId/specs`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const asked = c.req.query('asked');
      const notice = asked ? noticeOf(p, projectId, asked) : undefined;
      return specsPage(c, p, projectId, notice ? { notice } : {});
    }),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/spec-lists`,
    posted(async (c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const text = typeof form.text === 'string' ? form.text : '';
      try {
        const out = await engine.specs.addSpecList(p, projectId, { text }, 'web');
        return c.redirect(`${base(projectId)}#${out.specList.id}`, 303);
      } catch (err) {
        if (!isGreenlightError(err) || err.code !== 'validation_failed') throw err;
        return specsPage(c, p, projectId, { error: err.message, draft: text });
      }
    }),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/specs/:specId/generate`,
    posted((c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const count = typeof form.count === 'string' && form.count.trim() ? Number(form.count) : undefined;
      const key = typeof form.key === 'string' && form.key ? { idempotencyKey: `web.${p.id}.${form.key}` } : {};
      try {
        const { event } = engine.specs.requestGenerate(
          p,
          projectId,
          c.req.param('specId')!,
          { ...(count !== undefined ? { count } : {}), ...key },
          'web',
        );
        return c.redirect(`${base(projectId)}?asked=${encodeURIComponent(event.id)}`, 303);
      } catch (err) {
        if (!isGreenlightError(err) || err.code !== 'validation_failed') throw err;
        return specsPage(c, p, projectId, { error: err.message });
      }
    }),
  );
}
