// The review web, served by the engine's Hono server under /review, on the
// engine's interface only. Sign-in: a chat card's signed link (exchanged once
// for a session cookie) or an API token. Every unsafe request passes Hono's
// csrf() origin check and carries the session's form token; pages send a
// Content-Security-Policy without inline scripts. Decisions are plain forms
// (POST, then 303 back to the page).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import { isGreenlightError, type Engine, type Principal } from '../engine/index.js';
import { mountAdminRoutes } from './admin-routes.js';
import { mountImages } from './images.js';
import { REVIEW_PATH, type Form, type Kit } from './kit.js';
import { ErrorPage, HomePage, SignInPage, type PageContext } from './pages.js';
import { mountReviewRoutes } from './review-routes.js';
import { mountBuilderRoutes } from './builder-routes.js';
import { mountRulesRoutes } from './rules-routes.js';
import { mountRunsRoutes } from './runs-routes.js';
import { mountSpecRoutes } from './spec-routes.js';

export { REVIEW_PATH };

const COOKIE = 'gl_review';
const STATIC_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'static');
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The fingerprinted static files: name → { url, body, type }. */
function staticAssets() {
  const out = new Map<string, { url: string; body: Buffer; type: string }>();
  for (const [key, file, type] of [
    ['css', 'review.css', 'text/css; charset=utf-8'],
    ['automationCss', 'automation.css', 'text/css; charset=utf-8'],
    ['js', 'review.js', 'text/javascript; charset=utf-8'],
    ['builderJs', 'builder.js', 'text/javascript; charset=utf-8'],
  ] as const) {
    const body = fs.readFileSync(path.join(STATIC_DIR, file));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const [base, ext] = file.split('.');
    out.set(key, { url: `${REVIEW_PATH}/static/${base}.${hash}.${ext}`, body, type });
  }
  return out;
}

export function mountReviewWeb(app: Hono<any>, engine: Engine, o: { dataDir: string; publicUrl: string | null; logger: Logger }): void {
  const assets = staticAssets();
  const byUrl = new Map([...assets.values()].map((a) => [a.url, a]));
  const thumbDir = path.join(o.dataDir, 'cache', 'thumbs');
  const secure = o.publicUrl?.startsWith('https://') ?? false;
  const origin = o.publicUrl ? new URL(o.publicUrl).origin : null;

  const sessionOf = (c: Context) => {
    const raw = getCookie(c, COOKIE);
    return raw ? engine.web.openSession(raw) : null;
  };
  const ctxOf = (c: Context, title: string, projectId: string | null = null): PageContext => {
    const s = sessionOf(c);
    return {
      title,
      assets: {
        css: assets.get('css')!.url,
        js: assets.get('js')!.url,
        automationCss: assets.get('automationCss')!.url,
        builderJs: assets.get('builderJs')!.url,
      },
      session: s ? { who: s.principal.id, role: s.principal.role, projectId: s.principal.projectId, csrf: s.csrf } : null,
      halts: projectId && s ? engine.chat.halts(projectId) : [],
      live: projectId && s ? `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/live` : null,
    };
  };
  const page = (c: Context, body: unknown, status = 200) => {
    c.header('content-security-policy', CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', 'no-store');
    return c.html(String(body), status as 200);
  };
  const signIn = (c: Context, p: Principal, next: string) => {
    const s = engine.web.sealSession(p);
    setCookie(c, COOKIE, s.value, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure || new URL(c.req.url).protocol === 'https:',
      path: REVIEW_PATH,
      expires: new Date(s.expiresAt),
    });
    return c.redirect(next.startsWith(`${REVIEW_PATH}/`) ? next : homeOf(p), 303);
  };
  const homeOf = (p: Principal) => (p.projectId ? `${REVIEW_PATH}/projects/${encodeURIComponent(p.projectId)}` : `${REVIEW_PATH}/sign-in`);
  /** A failure as a page: engine errors keep their status and message. */
  const failure = (c: Context, err: unknown) => {
    if (isGreenlightError(err)) {
      const status = err.code === 'unauthorized' ? 401 : err.code === 'forbidden' ? 403 : err.code === 'not_found' ? 404 : 400;
      const heading = status === 401 ? 'Sign in again' : status === 403 ? 'Not allowed' : status === 404 ? 'Not found' : 'Cannot do that';
      return page(c, <ErrorPage ctx={ctxOf(c, heading)} heading={heading} message={err.message} />, status);
    }
    o.logger.error({ err }, 'review web: request failed');
    return page(c, <ErrorPage ctx={ctxOf(c, 'Error')} heading="Something went wrong" message="It was logged. Try again." />, 500);
  };
  /** The signed-in principal, or the sign-in page. */
  const who = (c: Context): Principal | Response => {
    const s = sessionOf(c);
    if (s) return s.principal;
    return page(c, <SignInPage ctx={ctxOf(c, 'Sign in')} next={new URL(c.req.url).pathname} error="Sign in to see this page." />, 401);
  };
  /** Forms carry the session's token; with csrf()'s origin check it stops cross-site posts. */
  const formToken = async (c: Context): Promise<Record<string, string | string[]> | Response> => {
    const form = await c.req.parseBody({ all: true });
    const s = sessionOf(c);
    const token = form._csrf;
    if (!s || typeof token !== 'string' || token !== s.csrf)
      return page(
        c,
        <ErrorPage
          ctx={ctxOf(c, 'Refused')}
          heading="Refused"
          message="This form is stale or did not come from this site: reload the page and try again."
        />,
        403,
      );
    return form as Record<string, string | string[]>;
  };

  /** A route for a signed-in principal: the sign-in form without a session, engine errors as pages. */
  const signedIn =
    (handler: (c: Context, p: Principal) => Response | Promise<Response>) =>
    async (c: Context): Promise<Response> => {
      const p = who(c);
      if (p instanceof Response) return p;
      try {
        return await handler(c, p);
      } catch (err) {
        return failure(c, err);
      }
    };
  /** A form post by a signed-in principal, its form token checked first. */
  const posted = (handler: (c: Context, p: Principal, form: Form) => Response | Promise<Response>) =>
    signedIn(async (c, p) => {
      const form = await formToken(c);
      return form instanceof Response ? form : handler(c, p, form);
    });

  app.use(`${REVIEW_PATH}/*`, csrf(origin ? { origin } : {}));
  app.get('/', (c) => c.redirect(REVIEW_PATH, 302));
  app.get(REVIEW_PATH, (c) => {
    const s = sessionOf(c);
    return s ? c.redirect(homeOf(s.principal), 302) : page(c, <SignInPage ctx={ctxOf(c, 'Sign in')} />);
  });
  app.get(`${REVIEW_PATH}/static/:file`, (c) => {
    const a = byUrl.get(new URL(c.req.url).pathname);
    if (!a) return c.notFound();
    c.header('content-type', a.type);
    c.header('cache-control', 'public, max-age=31536000, immutable');
    return c.body(new Uint8Array(a.body));
  });
  app.get(`${REVIEW_PATH}/sign-in`, (c) => page(c, <SignInPage ctx={ctxOf(c, 'Sign in')} next={c.req.query('next')} />));
  app.post(`${REVIEW_PATH}/sign-in`, async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const p = token ? engine.authenticate(token) : null;
    if (!p)
      return page(
        c,
        <SignInPage ctx={ctxOf(c, 'Sign in')} error="That token is unknown or revoked. Ask an admin for a project token." />,
        401,
      );
    const project = typeof form.project === 'string' && form.project.trim() ? form.project.trim() : null;
    const principal = p.projectId ? p : { ...p, projectId: project };
    return signIn(c, principal, typeof form.next === 'string' ? form.next : '');
  });
  app.get(`${REVIEW_PATH}/link`, (c) => {
    try {
      const { principal, path: next } = engine.web.redeemLink(c.req.query('t') ?? '');
      return signIn(c, principal, next);
    } catch (err) {
      return failure(c, err);
    }
  });
  app.post(`${REVIEW_PATH}/sign-out`, async (c) => {
    const form = await formToken(c);
    if (form instanceof Response) return form;
    deleteCookie(c, COOKIE, { path: REVIEW_PATH });
    return c.redirect(`${REVIEW_PATH}/sign-in`, 303);
  });

  app.get(
    `${REVIEW_PATH}/projects/:projectId`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const list = engine.entities.listAssets(p, projectId);
      const decisions = engine.entities.recentDecisions(p, projectId, 20);
      return page(c, <HomePage ctx={ctxOf(c, projectId, projectId)} projectId={projectId} assets={list} decisions={decisions} />);
    }),
  );

  const kit: Kit = { page, ctxOf, sessionOf, signedIn, posted, failure, who };
  mountReviewRoutes(app, engine, kit);
  mountAdminRoutes(app, engine, kit);
  mountBuilderRoutes(app, engine, kit);
  mountRulesRoutes(app, engine, kit);
  mountRunsRoutes(app, engine, kit);
  mountSpecRoutes(app, engine, kit);

  // Live: one SSE stream per tab from the engine's change feed (this project's decisions, halts and approvals),
  // a heartbeat every 15 s; a reconnect (Last-Event-ID) is told to resync, since the stream keeps no history.
  app.get(
    `${REVIEW_PATH}/projects/:projectId/live`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      engine.entities.getProject(p, projectId);
      return streamSSE(c, async (stream) => {
        let id = 0;
        const send = (event: string, data: unknown) => stream.writeSSE({ id: String(++id), event, data: JSON.stringify(data) });
        if (c.req.header('last-event-id')) await send('resync', {});
        const unsubscribe = engine.changes.subscribe(
          (change) => {
            const data =
              change.kind === 'event'
                ? { kind: 'event', type: change.event.type, subject: change.event.subject.id }
                : { kind: change.kind, ...('status' in change ? { status: change.status } : {}) };
            void send('change', data).catch(() => undefined); // the tab went away; onAbort unsubscribes
          },
          { projectId, kinds: ['event', 'halt', 'approval'] },
        );
        const beat = setInterval(
          () =>
            void stream.writeSSE({ event: 'ping', data: '' }).catch(() => {
              // The tab went away: onAbort stops the heartbeat.
            }),
          15_000,
        );
        await new Promise<void>((resolve) =>
          stream.onAbort(() => {
            clearInterval(beat);
            unsubscribe();
            resolve();
          }),
        );
      });
    }),
  );

  mountImages(app, engine, { base: REVIEW_PATH, thumbDir, who, failure });
}
