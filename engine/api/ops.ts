// Operator routes: GET /metrics (Prometheus, bearer token only) and the BullMQ
// dashboard at /admin/queues (bull-board), both for global admins only. The
// dashboard's page is opened in a browser once with ?token=…, exchanged for an
// HttpOnly cookie holding a signed session (never the token), since a browser
// cannot send a bearer header on every asset it loads. A token that is unknown
// and one that is not a global admin's get the same 401: no token oracle.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../auth/principal.js';
import { GreenlightError } from '../errors.js';
import type { EngineHost } from '../compose.js';
import type { Engine } from '../door.js';
import type { Env } from './http.js';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'gl_admin';

const refused = () =>
  new GreenlightError(
    'unauthorized',
    `Send a global admin token: "Authorization: Bearer <token>", or open ${DASHBOARD_PATH}?token=<token> once in a browser.`,
  );

/** The global admin a request speaks for, or null. `browser`: the dashboard's session cookie counts too. */
function globalAdmin(engine: Engine, c: Context<Env>, browser: boolean): Principal | null {
  const header = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const cookie = browser ? getCookie(c, COOKIE) : undefined;
  const principal = header ? engine.authenticate(header) : cookie ? (engine.web.openSession(cookie)?.principal ?? null) : null;
  return principal && principal.projectId === null && principal.role === 'admin' ? principal : null;
}

/** Bearer only: what scrapes /metrics never needs a URL token or a cookie. */
function bearerAdmin(engine: Engine): MiddlewareHandler<Env> {
  return async function bearerAdminMiddleware(c, next) {
    if (c.req.query('token') !== undefined)
      throw new GreenlightError(
        'validation_failed',
        'Send the token as "Authorization: Bearer <token>"; ?token= is for the queue dashboard only.',
      );
    const principal = globalAdmin(engine, c, false);
    if (!principal) throw refused();
    c.set('principal', principal);
    await next();
  };
}

/** The dashboard: the bearer header, its session cookie, or (its page only) a first visit with ?token=. */
function dashboardAdmin(engine: Engine): MiddlewareHandler<Env> {
  return async function dashboardAdminMiddleware(c, next) {
    const query = c.req.query('token');
    if (query !== undefined) {
      const url = new URL(c.req.url);
      const principal = url.pathname.replace(/\/$/, '') === DASHBOARD_PATH ? engine.authenticate(query) : null;
      if (!principal || principal.projectId !== null || principal.role !== 'admin') throw refused();
      const session = engine.web.sealSession(principal);
      setCookie(c, COOKIE, session.value, {
        httpOnly: true,
        sameSite: 'Strict',
        path: DASHBOARD_PATH,
        secure: url.protocol === 'https:',
        expires: new Date(session.expiresAt),
      });
      url.searchParams.delete('token');
      return c.redirect(url.pathname + url.search);
    }
    const principal = globalAdmin(engine, c, true);
    if (!principal) throw refused();
    c.set('principal', principal);
    await next();
  };
}

export function registerOpsRoutes(app: Hono<Env>, host: EngineHost): void {
  app.get('/metrics', bearerAdmin(host.engine), async (c) =>
    c.body(await host.metrics.render(), 200, { 'content-type': host.metrics.contentType }),
  );
  const queues = host.allQueues();
  if (queues.length === 0) return;
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  serverAdapter.setBasePath(DASHBOARD_PATH);
  const guard = dashboardAdmin(host.engine);
  app.use(`${DASHBOARD_PATH}/*`, guard);
  app.use(DASHBOARD_PATH, guard);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin() as unknown as Hono<Env>);
}
