// /api routes for runs (the trigger log) and admin approvals.
import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Engine } from '../index.js';
import { defineRoute, type Env, type RouteDoc } from './http.js';

const P = '/api/projects/:projectId';
const runStatus = z.enum(['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled', 'halted', 'skipped']);
const runFilter = z.object({ ruleId: z.string().optional(), status: runStatus.optional(), subject: z.string().optional() }).strict();

export function registerRunRoutes(app: Hono<Env>, engine: Engine, docs: RouteDoc[], auth: MiddlewareHandler<Env>): void {
  const route = (doc: RouteDoc, handler: Parameters<typeof defineRoute>[4]) => defineRoute(app, docs, auth, doc, handler);

  route({ method: 'get', path: `${P}/runs`, summary: 'List runs (filters: ruleId, status, subject)', role: 'artist', status: 200 }, (c) => {
    const q = runFilter.safeParse(c.req.query());
    const filter = q.success ? q.data : {};
    const runs = engine.runs.list(c.get('principal'), c.req.param('projectId')!, {
      ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.subject ? { subjectId: filter.subject } : {}),
    });
    return c.json({ runs });
  });
  route({ method: 'get', path: `${P}/runs/:runId`, summary: 'A run with its steps, job ids, logs, causing event and downstream runs', role: 'artist', status: 200 }, (c) =>
    c.json(engine.runs.get(c.get('principal'), c.req.param('projectId')!, c.req.param('runId')!)),
  );
  route({ method: 'get', path: `${P}/approvals`, summary: 'Pending approvals', role: 'admin', status: 200 }, (c) =>
    c.json({ approvals: engine.approvals.list(c.get('principal'), c.req.param('projectId')!) }),
  );
  for (const decision of ['approve', 'deny'] as const) {
    route({ method: 'post', path: `${P}/approvals/:approvalId/${decision}`, summary: `${decision === 'approve' ? 'Approve' : 'Deny'} a costly run`, role: 'admin', status: 200 }, async (c) =>
      c.json(await engine.approvals.decide(c.get('principal'), c.req.param('projectId')!, c.req.param('approvalId')!, decision)),
    );
  }
}
