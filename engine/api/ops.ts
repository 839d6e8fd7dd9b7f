// Operator routes: GET /metrics (Prometheus) and the BullMQ dashboard at
// /admin/queues (bull-board), both for global admins only. The dashboard is
// opened in a browser once with ?token=…, which sets an HttpOnly cookie, since
// a browser cannot send a bearer header on every asset it loads.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { authorizeGlobalAdmin } from '../auth/principal.js';
import { GreenlightError } from '../errors.js';
import type { EngineHost } from '../compose.js';
import type { Engine } from '../door.js';
import type { Env } from './http.js';

export const DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'gl_admin';

function adminOnly(engine: Engine): MiddlewareHandler<Env> {
  return async function adminOnlyMiddleware(c, next) {
    const header = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const query = c.req.query('token');
    const token = header ?? query ?? getCookie(c, COOKIE);
    const principal = token ? engine.authenticate(token) : null;
    if (!principal)
      throw new GreenlightError(
        'unauthorized',
        `Send a global admin token: "Authorization: Bearer <token>", or open ${DASHBOARD_PATH}?token=<token> once in a browser.`,
      );
    authorizeGlobalAdmin(principal);
    if (query) {
      setCookie(c, COOKIE, query, { httpOnly: true, sameSite: 'Strict', path: DASHBOARD_PATH });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(url.pathname + url.search);
    }
    c.set('principal', principal);
    await next();
  };
}

export function registerOpsRoutes(app: Hono<Env>, host: EngineHost): void {
  const guard = adminOnly(host.engine);
  app.get('/metrics', guard, async (c) => c.body(await host.metrics.render(), 200, { 'content-type': host.metrics.contentType }));
  const queues = host.allQueues();
  if (queues.length === 0) return;
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  serverAdapter.setBasePath(DASHBOARD_PATH);
  app.use(`${DASHBOARD_PATH}/*`, guard);
  app.use(DASHBOARD_PATH, guard);
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin() as unknown as Hono<Env>);
}
