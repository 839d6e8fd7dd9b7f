// /api routes for runs (the trigger log) and admin approvals.
import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Engine } from '../door.js';
import { parseWith } from '../validation.js';
import { defineRoute, readJson, type Env, type RouteDoc } from './http.js';

const P = '/api/projects/:projectId';
const runStatus = z.enum(['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled', 'halted', 'skipped']);
export const haltInputSchema = z
  .object({ reason: z.string().min(1, 'say why (it is shown to everyone)').max(500), cancelInFlight: z.boolean().default(false) })
  .strict();
export const resumeInputSchema = z.object({ discard: z.boolean().default(false) }).strict();
const runFilter = z.object({
  ruleId: z.string().min(1).max(128).optional(),
  status: runStatus.optional(),
  subject: z.string().min(1).max(128).optional(),
});

/** A row as the API shows it: its times (`createdAt`, `startedAt` … as stored, ms) in ISO 8601, as rules and events have them. */
function iso(row: object): Record<string, unknown> {
  const out = { ...row } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (k.endsWith('At') && typeof v === 'number') out[k] = new Date(v).toISOString();
  return out;
}

export function registerRunRoutes(app: Hono<Env>, engine: Engine, docs: RouteDoc[], auth: MiddlewareHandler<Env>): void {
  const route = (doc: RouteDoc, handler: Parameters<typeof defineRoute>[4]) => defineRoute(app, docs, auth, doc, handler);

  route(
    {
      method: 'get',
      path: `${P}/runs`,
      summary: 'List runs (filters: ruleId, status, subject)',
      role: 'artist',
      status: 200,
      query: runFilter,
    },
    (c) => {
      const filter = c.get('query') as z.output<typeof runFilter>;
      const runs = engine.runs.list(c.get('principal'), c.req.param('projectId')!, {
        ...(filter.ruleId ? { ruleId: filter.ruleId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.subject ? { subjectId: filter.subject } : {}),
      });
      return c.json({ runs: runs.map(iso) });
    },
  );
  route(
    {
      method: 'get',
      path: `${P}/runs/:runId`,
      summary: 'A run with its steps, job ids, logs, causing event and downstream runs',
      role: 'artist',
      status: 200,
    },
    (c) => {
      const d = engine.runs.get(c.get('principal'), c.req.param('projectId')!, c.req.param('runId')!);
      return c.json({
        ...d,
        run: iso(d.run),
        steps: d.steps.map(iso),
        approval: d.approval && iso(d.approval),
        downstream: d.downstream.map(iso),
      });
    },
  );
  route({ method: 'get', path: `${P}/approvals`, summary: 'Pending approvals', role: 'admin', status: 200 }, (c) =>
    c.json({ approvals: engine.approvals.list(c.get('principal'), c.req.param('projectId')!).map(iso) }),
  );
  route(
    {
      method: 'post',
      path: `${P}/runs/:runId/cancel`,
      summary: 'Cancel one run: pending steps never start, waiting jobs are removed',
      role: 'admin',
      status: 200,
    },
    async (c) => c.json(iso(await engine.runs.cancel(c.get('principal'), c.req.param('projectId')!, c.req.param('runId')!))),
  );

  // Emergency halt and resume, at three scopes.
  const scopes = [
    {
      base: '/api',
      what: 'everything',
      role: 'global admin' as const,
      scope: () => ({ scope: 'global' as const, projectId: null, ruleId: null }),
    },
    {
      base: P,
      what: 'one project',
      role: 'admin' as const,
      scope: (c: { req: { param(k: string): string | undefined } }) => ({
        scope: 'project' as const,
        projectId: c.req.param('projectId')!,
        ruleId: null,
      }),
    },
    {
      base: `${P}/rules/:ruleId`,
      what: 'one rule',
      role: 'admin' as const,
      scope: (c: { req: { param(k: string): string | undefined } }) => ({
        scope: 'rule' as const,
        projectId: c.req.param('projectId')!,
        ruleId: c.req.param('ruleId')!,
      }),
    },
  ];
  for (const s of scopes) {
    route(
      { method: 'post', path: `${s.base}/halt`, summary: `Emergency halt: ${s.what}`, role: s.role, body: haltInputSchema, status: 200 },
      async (c) => {
        const input = parseWith(haltInputSchema, await readJson(c), 'halt request');
        return c.json(await engine.halts.halt(c.get('principal'), s.scope(c), input.reason, input.cancelInFlight));
      },
    );
    route(
      {
        method: 'post',
        path: `${s.base}/resume`,
        summary: `Resume after a halt of ${s.what} (replay held events, or discard them)`,
        role: s.role,
        body: resumeInputSchema,
        status: 200,
      },
      async (c) => {
        const input = parseWith(resumeInputSchema, await readJson(c), 'resume request');
        return c.json(await engine.halts.resume(c.get('principal'), s.scope(c), input.discard));
      },
    );
  }
  route({ method: 'get', path: '/api/halts', summary: 'Active halts with held counts', role: 'global admin', status: 200 }, (c) =>
    c.json({ halts: engine.halts.status(c.get('principal'), null) }),
  );
  route(
    { method: 'get', path: `${P}/halts`, summary: 'Halts in force for this project, with held counts', role: 'artist', status: 200 },
    (c) => {
      const projectId = c.req.param('projectId')!;
      // A project that does not exist is a 404, not "no halts" (a global admin passes the role check for any id).
      engine.entities.getProject(c.get('principal'), projectId);
      return c.json({ halts: engine.halts.status(c.get('principal'), projectId) });
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    route(
      {
        method: 'post',
        path: `${P}/approvals/:approvalId/${decision}`,
        summary: `${decision === 'approve' ? 'Approve' : 'Deny'} a costly run`,
        role: 'admin',
        status: 200,
      },
      async (c) =>
        c.json(iso(await engine.approvals.decide(c.get('principal'), c.req.param('projectId')!, c.req.param('approvalId')!, decision))),
    );
  }
}
