// HTTP plumbing shared by every route: the error shape, JSON body reading,
// bearer-token auth, and a route table the OpenAPI document is built from.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { authorizeGlobalAdmin, authorizeRole, type Principal } from '../auth/principal.js';
import { GreenlightError, httpStatusOf, isGreenlightError, ValidationError, type ErrorCode, type ErrorDetail } from '../errors.js';
import { issuesToDetails } from '../validation.js';
import type { Logger } from 'pino';
import type { Engine } from '../door.js';
import { textBoundsProblem } from '../json-bounds.js';

export type Env = { Variables: { principal: Principal; query: Record<string, unknown> } };

/** Largest request body the API reads (the rest answers 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  role: 'none' | 'artist' | 'lead' | 'admin' | 'global admin';
  body?: z.ZodType;
  /** The query parameters the route takes (strings); none declared: it takes none. */
  query?: z.ZodObject;
  status: number;
  response?: z.ZodType;
}

export function errorBody(code: ErrorCode | string, message: string, details?: unknown) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

const codeForStatus: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

/** The one error handler: known errors keep their code; anything else is a 500 without a stack. */
export function handleError(logger: Logger) {
  return function onError(err: Error, c: Context): Response {
    if (isGreenlightError(err)) {
      const status = httpStatusOf(err.code);
      if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="greenlight"');
      return c.json(errorBody(err.code, err.message, err.details), status);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return c.json(errorBody(codeForStatus[status] ?? 'internal', err.message || 'request refused'), status);
    }
    logger.error({ err, path: c.req.path }, 'unhandled error in request');
    return c.json(errorBody('internal', 'Internal error; it was logged. Try again, and report it if it persists.'), 500);
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The raw body, decoded strictly as UTF-8 (invalid bytes are a 400, never U+FFFD: two distinct keys must not
 * collapse into one). On Node, read straight from the IncomingMessage: building a WHATWG Request just to read
 * a small JSON body cost ~10% of intake CPU.
 */
async function bodyText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  let bytes: Uint8Array;
  if (!incoming || incoming.readableEnded || incoming.readableDidRead) bytes = new Uint8Array(await c.req.arrayBuffer());
  else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new GreenlightError('payload_too_large', `Body is over ${MAX_BODY_BYTES} bytes; send less.`);
      chunks.push(chunk);
    }
    bytes = Buffer.concat(chunks);
  }
  if (bytes.length > MAX_BODY_BYTES) throw new GreenlightError('payload_too_large', `Body is over ${MAX_BODY_BYTES} bytes; send less.`);
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new GreenlightError('bad_json', 'Body is not valid UTF-8: send the JSON encoded as UTF-8.', { cause: err });
  }
}

/** application/json, or a +json type, with any parameters. */
const isJsonType = (type: string | undefined) => !!type && /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type.trim());

/**
 * Read a JSON body; empty means {}. Refused: a body that is not `application/json` (415), invalid UTF-8,
 * malformed JSON, a key given twice in one object, nesting past MAX_JSON_DEPTH (400, naming where).
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await bodyText(c);
  if (text.trim() === '') return {};
  if (!isJsonType(c.req.header('content-type')))
    throw new GreenlightError(
      'unsupported_media_type',
      `Send the body as JSON with Content-Type: application/json (got ${c.req.header('content-type') ? `'${c.req.header('content-type')}'` : 'none'}).`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new GreenlightError(
      'bad_json',
      `Malformed JSON body: ${(err as Error).message}. Send one JSON object with Content-Type: application/json.`,
      { cause: err },
    );
  }
  const problem = textBoundsProblem(text);
  if (problem) throw new GreenlightError('bad_json', `JSON body refused at ${problem.path}: ${problem.message}.`, { details: [problem] });
  return value;
}

export function bearerAuth(engine: Engine): MiddlewareHandler<Env> {
  return async function bearerAuthMiddleware(c, next) {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      throw new GreenlightError(
        'unauthorized',
        'Missing bearer token: send "Authorization: Bearer <token>" (create one with `greenlight token create`).',
      );
    const principal = engine.authenticate(m[1]!);
    if (!principal) throw new GreenlightError('unauthorized', 'Unknown or revoked token.');
    c.set('principal', principal);
    await next();
  };
}

/**
 * The route's query, checked: a parameter it does not take, one given twice, or a bad value is a 400 naming the
 * parameter (a typo must never widen a filter to everything).
 */
function checkedQuery(c: Context<Env>, doc: RouteDoc): Record<string, unknown> {
  const params = new URL(c.req.url).searchParams;
  const takes = doc.query ? Object.keys(doc.query.shape) : [];
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!takes.includes(key))
      details.push({
        path: `query.${key}`,
        message: takes.length > 0 ? `unknown parameter; this route takes ${takes.join(', ')}` : 'this route takes no query parameters',
      });
    else if (seen.has(key)) details.push({ path: `query.${key}`, message: 'given twice: give it once' });
    seen.add(key);
  }
  if (details.length === 0 && doc.query) {
    const parsed = doc.query.safeParse(Object.fromEntries(params));
    if (parsed.success) return parsed.data as Record<string, unknown>;
    details.push(...issuesToDetails(parsed.error).map((d) => ({ ...d, path: `query.${d.path}` })));
  }
  if (details.length > 0) throw new ValidationError(`Invalid query: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  return {};
}

/** Register a route and its documentation together, so the OpenAPI document cannot drift. */
export function defineRoute(
  app: Hono<Env>,
  docs: RouteDoc[],
  auth: MiddlewareHandler<Env>,
  doc: RouteDoc,
  handler: (c: Context<Env>) => Response | Promise<Response>,
): void {
  docs.push(doc);
  const checked = (c: Context<Env>) => {
    // The route's role first: a token that may not call it is told so (403) before its body is even read.
    if (doc.role === 'global admin') authorizeGlobalAdmin(c.get('principal'));
    else if (doc.role !== 'none') authorizeRole(c.get('principal'), c.req.param('projectId') ?? null, doc.role);
    c.set('query', checkedQuery(c, doc));
    return handler(c);
  };
  // Auth per route, so an unknown route is a 404 rather than a 401.
  if (doc.role === 'none') app.on(doc.method.toUpperCase(), doc.path, checked);
  else app.on(doc.method.toUpperCase(), doc.path, auth, checked);
}
