// The engine's Hono app: /healthz, /api/openapi.json and the authenticated /api routes.
import { Hono } from 'hono';
import type { IncomingMessage } from 'node:http';
import { bodyLimit } from 'hono/body-limit';
import { GreenlightError } from '../errors.js';
import type { EngineHost } from '../compose.js';
import { errorBody, handleError, MAX_BODY_BYTES, type Env, type RouteDoc } from './http.js';
import { openApiDocument } from './openapi.js';
import { registerRoutes } from './routes.js';
import { registerOpsRoutes } from './ops.js';

export { MAX_BODY_BYTES };

export function createApiApp(host: EngineHost): Hono<Env> {
  const { engine } = host;
  const app = new Hono<Env>();
  const docs: RouteDoc[] = [];
  app.onError(handleError(host.logger));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}. See /api/openapi.json.`), 404));
  const tooLarge = () => {
    throw new GreenlightError(
      'payload_too_large',
      `Body is over ${MAX_BODY_BYTES} bytes; send less (large files go through the file store, not the API).`,
    );
  };
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  app.use('*', async (c, next) => {
    // On the Node server a sized request is judged by its Content-Length alone: Hono's bodyLimit
    // first builds a WHATWG Request, which cost intake more CPU than storing the event. A body
    // sent chunked still goes through bodyLimit, whatever route reads it (and off Node, everything does).
    const headers = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers;
    if (!headers || headers['transfer-encoding'] !== undefined) return limit(c, next);
    if (Number(headers['content-length'] ?? 0) > MAX_BODY_BYTES) tooLarge();
    await next();
  });
  app.get('/healthz', async (c) => {
    const h = await engine.health();
    return c.json(h, h.ok ? 200 : 503);
  });
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(docs, '0.1.0')));
  registerRoutes(app, engine, docs);
  registerOpsRoutes(app, host);
  return app;
}
