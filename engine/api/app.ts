// The engine's Hono app: /healthz, /api/openapi.json and the authenticated /api routes.
import { Hono } from 'hono';
import type { IncomingMessage } from 'node:http';
import { bodyLimit } from 'hono/body-limit';
import { GreenlightError } from '../errors.js';
import type { Engine } from '../index.js';
import { errorBody, handleError, MAX_BODY_BYTES, type Env, type RouteDoc } from './http.js';
import { openApiDocument } from './openapi.js';
import { registerRoutes } from './routes.js';
import { registerOpsRoutes } from './ops.js';

export { MAX_BODY_BYTES };

export function createApiApp(engine: Engine): Hono<Env> {
  const app = new Hono<Env>();
  const docs: RouteDoc[] = [];
  app.onError(handleError(engine));
  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}. See /api/openapi.json.`), 404));
  const tooLarge = () => {
    throw new GreenlightError('payload_too_large', `Body is over ${MAX_BODY_BYTES} bytes; send less (large files go through the file store, not the API).`);
  };
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  app.use('*', async (c, next) => {
    // On the Node server, judge by Content-Length alone: a chunked body is cut off at the same size
    // by readJson, which reads the IncomingMessage itself. Hono's bodyLimit first builds a WHATWG
    // Request for every request, which cost intake more CPU than storing the event.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming) return limit(c, next);
    const length = incoming.headers['content-length'];
    if (length !== undefined && Number(length) > MAX_BODY_BYTES) tooLarge();
    await next();
  });
  app.get('/healthz', async (c) => {
    const h = await engine.health();
    return c.json(h, h.ok ? 200 : 503);
  });
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(docs, '0.1.0')));
  registerRoutes(app, engine, docs);
  registerOpsRoutes(app, engine);
  return app;
}
