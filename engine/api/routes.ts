// The /api routes. Each handler reads input, calls one engine use-case (which
// authorizes and validates), and shapes the answer.
import type { Hono } from 'hono';
import { z } from 'zod';
import { eventAcceptedSchema, eventInputSchema, eventSchema } from '../events/schema.js';
import { assetReviewInputSchema, reviewInputSchema } from '../events/review.js';
import type { Engine } from '../door.js';
import { ValidationError } from '../errors.js';
import { ruleInputSchema } from '../rules/schema.js';
import {
  assetInputSchema,
  overrideInputSchema,
  projectInputSchema,
  settingsInputSchema,
  specInputSchema,
  tokenInputSchema,
} from '../services/entities.js';
import { chatRoleInputSchema } from '../services/chat.js';
import { automationDryRunInputSchema, dryRunInputSchema, runExactlyInputSchema, toApiRule } from '../services/rules.js';
import { bearerAuth, defineRoute, readJson, type Env, type RouteDoc } from './http.js';
import { registerRunRoutes } from './runs-routes.js';
import { registerSpecRoutes } from './spec-routes.js';

const P = '/api/projects/:projectId';
const ruleOut = z.object({
  id: z.string(),
  version: z.number(),
  enabled: z.boolean(),
  name: z.string(),
  definition: z.record(z.string(), z.unknown()),
});
const saved = z.object({
  id: z.string(),
  version: z.number(),
  warnings: z.array(z.object({ code: z.string(), message: z.string(), cycle: z.array(z.string()).optional() })),
});
const planOut = z.object({
  hash: z.string(),
  root: z.record(z.string(), z.unknown()),
  summary: z.record(z.string(), z.unknown()),
  stops: z.array(z.unknown()),
  cycles: z.array(z.array(z.string())),
});

const tokenOut = (t: {
  id: string;
  projectId: string | null;
  role: string;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}) => ({
  id: t.id,
  projectId: t.projectId,
  role: t.role,
  label: t.label,
  createdAt: new Date(t.createdAt).toISOString(),
  revokedAt: t.revokedAt === null ? null : new Date(t.revokedAt).toISOString(),
});

export function registerRoutes(app: Hono<Env>, engine: Engine, docs: RouteDoc[]): void {
  const auth = bearerAuth(engine);
  const route = (doc: RouteDoc, handler: Parameters<typeof defineRoute>[4]) => defineRoute(app, docs, auth, doc, handler);
  registerRunRoutes(app, engine, docs, auth);
  registerSpecRoutes(app, engine, docs, auth);
  const who = (c: { get(k: 'principal'): Env['Variables']['principal'] }) => c.get('principal');

  route(
    { method: 'post', path: '/api/projects', summary: 'Create a project', role: 'global admin', body: projectInputSchema, status: 201 },
    async (c) => {
      const row = engine.entities.createProject(who(c), await readJson(c));
      return c.json(row, 201);
    },
  );
  route({ method: 'get', path: '/api/projects', summary: 'Every project', role: 'global admin', status: 200 }, (c) =>
    c.json({ projects: engine.entities.listProjects(who(c)) }),
  );
  route(
    { method: 'get', path: `${P}/tokens`, summary: "A project's API tokens (never the tokens themselves)", role: 'admin', status: 200 },
    (c) => c.json({ tokens: engine.entities.listTokens(who(c), c.req.param('projectId')!).map(tokenOut) }),
  );
  route({ method: 'post', path: `${P}/tokens/:tokenId/revoke`, summary: 'Revoke an API token at once', role: 'admin', status: 200 }, (c) =>
    c.json(tokenOut(engine.entities.revokeToken(who(c), c.req.param('projectId')!, c.req.param('tokenId')!))),
  );
  route(
    {
      method: 'patch',
      path: `${P}/settings`,
      summary: "Change a project's settings (e.g. policies.defaultExportProfile); limits and policies merge",
      role: 'admin',
      body: settingsInputSchema,
      status: 200,
    },
    async (c) => c.json(engine.entities.updateSettings(who(c), c.req.param('projectId')!, await readJson(c))),
  );
  route({ method: 'get', path: P, summary: 'Read a project', role: 'artist', status: 200 }, (c) =>
    c.json(engine.entities.getProject(who(c), c.req.param('projectId')!)),
  );
  route(
    {
      method: 'post',
      path: `${P}/tokens`,
      summary: 'Create an API token (shown once)',
      role: 'admin',
      body: tokenInputSchema,
      status: 201,
    },
    async (c) => {
      const { token, row } = engine.entities.createToken(who(c), c.req.param('projectId')!, await readJson(c));
      return c.json({ id: row.id, token, role: row.role, projectId: row.projectId }, 201);
    },
  );

  route(
    {
      method: 'put',
      path: `${P}/chat-roles`,
      summary: 'Give a chat member (slack:U…, slack:group:S…, discord:…) a role, or remove it (role null)',
      role: 'admin',
      body: chatRoleInputSchema,
      status: 200,
    },
    async (c) => c.json(engine.chat.setRole(who(c), c.req.param('projectId')!, await readJson(c))),
  );
  route({ method: 'post', path: `${P}/specs`, summary: 'Create a spec', role: 'lead', body: specInputSchema, status: 201 }, async (c) =>
    c.json(engine.entities.createSpec(who(c), c.req.param('projectId')!, await readJson(c)), 201),
  );
  route(
    { method: 'post', path: `${P}/assets`, summary: 'Create an asset with variants', role: 'lead', body: assetInputSchema, status: 201 },
    async (c) => c.json(engine.entities.createAsset(who(c), c.req.param('projectId')!, await readJson(c)), 201),
  );
  route({ method: 'get', path: `${P}/assets/:assetId`, summary: 'Read an asset and its variants', role: 'artist', status: 200 }, (c) =>
    c.json(engine.entities.getAsset(who(c), c.req.param('projectId')!, c.req.param('assetId')!)),
  );
  for (const [plural, kind] of [
    ['assets', 'asset'],
    ['specs', 'spec'],
    ['atlases', 'atlas'],
  ] as const) {
    route(
      {
        method: 'patch',
        path: `${P}/${plural}/:id`,
        summary: `Set or clear manual override on a ${kind}`,
        role: 'lead',
        body: overrideInputSchema,
        status: 200,
      },
      async (c) => c.json(engine.entities.setOverride(who(c), c.req.param('projectId')!, kind, c.req.param('id')!, await readJson(c))),
    );
  }
  route({ method: 'get', path: `${P}/variants/:variantId`, summary: 'Read a variant', role: 'artist', status: 200 }, (c) =>
    c.json(engine.entities.getVariant(who(c), c.req.param('projectId')!, c.req.param('variantId')!)),
  );
  route(
    {
      method: 'post',
      path: `${P}/variants/:variantId/review`,
      summary: 'Approve / reject / regenerate / select a variant',
      role: 'artist',
      body: reviewInputSchema,
      status: 200,
    },
    async (c) => {
      const projectId = c.req.param('projectId')!;
      const variantId = c.req.param('variantId')!;
      const { event, created } = engine.review(who(c), projectId, variantId, await readJson(c));
      return c.json({
        eventId: event.id,
        type: event.type,
        duplicate: !created,
        variant: engine.entities.getVariant(who(c), projectId, variantId),
      });
    },
  );

  route(
    {
      method: 'post',
      path: `${P}/assets/:assetId/review`,
      summary: 'Approve an asset once its variants are chosen: emits asset.approved with the approved variant ids (409 if none)',
      role: 'lead',
      body: assetReviewInputSchema,
      status: 200,
    },
    async (c) => {
      const { event, created } = engine.reviewAsset(who(c), c.req.param('projectId')!, c.req.param('assetId')!, await readJson(c));
      return c.json({ eventId: event.id, type: event.type, duplicate: !created, variantIds: event.payload.variantIds });
    },
  );

  route(
    {
      method: 'post',
      path: `${P}/automation/events`,
      summary: 'Emit an event (stored, then queued)',
      role: 'lead',
      body: eventInputSchema,
      status: 202,
      response: eventAcceptedSchema,
    },
    async (c) => {
      const { row, created } = engine.events.emit(who(c), c.req.param('projectId')!, await readJson(c));
      return c.json({ id: row.id, duplicate: !created }, 202);
    },
  );
  route(
    { method: 'get', path: `${P}/events/:eventId`, summary: 'Read a stored event', role: 'artist', status: 200, response: eventSchema },
    (c) => c.json(engine.events.get(who(c), c.req.param('projectId')!, c.req.param('eventId')!)),
  );
  route(
    {
      method: 'post',
      path: `${P}/automation/dry-run`,
      summary: 'Dry-run every enabled rule (plus an optional draft) for an event',
      role: 'lead',
      body: automationDryRunInputSchema,
      status: 200,
      response: planOut,
    },
    async (c) => c.json(engine.rules.dryRunAll(who(c), c.req.param('projectId')!, await readJson(c))),
  );

  route(
    {
      method: 'get',
      path: `${P}/rules/chain-graph`,
      summary: 'The chain graph of the project rules, cycles marked',
      role: 'artist',
      status: 200,
    },
    (c) => c.json(engine.rules.graph(who(c), c.req.param('projectId')!)),
  );
  route(
    {
      method: 'get',
      path: `${P}/rules`,
      summary: 'List rules',
      role: 'artist',
      status: 200,
      response: z.object({ rules: z.array(ruleOut) }),
    },
    (c) => c.json({ rules: engine.rules.listWithStats(who(c), c.req.param('projectId')!) }),
  );
  route(
    {
      method: 'get',
      path: '/api/rule-vocabulary',
      summary:
        'What a rule may say: event types (one line, payload fields), action and job types with their fields and defaults, operators',
      role: 'artist',
      status: 200,
    },
    (c) => c.json(engine.rules.vocabulary()),
  );
  route(
    {
      method: 'post',
      path: `${P}/rules/check`,
      summary: 'Check a rule without saving it: its definition with defaults (and a schedule’s next times), or every problem by path',
      role: 'lead',
      body: ruleInputSchema,
      status: 200,
    },
    async (c) => {
      // Over HTTP a rule that does not hold is a 400 with the documented error shape, like every other route.
      const r = engine.rules.check(who(c), c.req.param('projectId')!, await readJson(c));
      if (!r.ok) throw new ValidationError(r.message, r.problems);
      return c.json({ definition: r.definition, ...(r.nextTimes ? { nextTimes: r.nextTimes } : {}) });
    },
  );
  route(
    {
      method: 'post',
      path: `${P}/rules`,
      summary: 'Create a rule (disabled until dry-run and enabled)',
      role: 'lead',
      body: ruleInputSchema,
      status: 201,
      response: saved,
    },
    async (c) => {
      const { row, warnings } = engine.rules.create(who(c), c.req.param('projectId')!, await readJson(c));
      return c.json({ id: row.id, version: row.version, warnings }, 201);
    },
  );
  route({ method: 'get', path: `${P}/rules/:ruleId`, summary: 'Read a rule', role: 'artist', status: 200, response: ruleOut }, (c) =>
    c.json(toApiRule(engine.rules.get(who(c), c.req.param('projectId')!, c.req.param('ruleId')!))),
  );
  route(
    {
      method: 'put',
      path: `${P}/rules/:ruleId`,
      summary: 'Replace a rule (new version)',
      role: 'lead',
      body: ruleInputSchema,
      status: 200,
      response: saved,
    },
    async (c) => {
      const { row, warnings } = engine.rules.update(who(c), c.req.param('projectId')!, c.req.param('ruleId')!, await readJson(c));
      return c.json({ id: row.id, version: row.version, warnings });
    },
  );
  route({ method: 'delete', path: `${P}/rules/:ruleId`, summary: 'Delete a rule', role: 'lead', status: 204 }, (c) => {
    engine.rules.remove(who(c), c.req.param('projectId')!, c.req.param('ruleId')!);
    return c.body(null, 204);
  });
  for (const on of [true, false]) {
    route(
      {
        method: 'post',
        path: `${P}/rules/:ruleId/${on ? 'enable' : 'disable'}`,
        summary: on ? 'Enable a rule (needs a dry-run of its version)' : 'Disable a rule',
        role: 'lead',
        status: 200,
        response: ruleOut,
      },
      (c) => c.json(toApiRule(engine.rules.setEnabled(who(c), c.req.param('projectId')!, c.req.param('ruleId')!, on))),
    );
  }
  route(
    {
      method: 'post',
      path: `${P}/rules/:ruleId/run`,
      summary: 'Run exactly the plan a dry-run showed (409 if anything it read changed)',
      role: 'lead',
      body: runExactlyInputSchema,
      status: 202,
    },
    async (c) => c.json(engine.rules.run(who(c), c.req.param('projectId')!, c.req.param('ruleId')!, await readJson(c)), 202),
  );
  route(
    {
      method: 'post',
      path: `${P}/rules/:ruleId/dry-run`,
      summary: 'Dry-run one rule for an event',
      role: 'lead',
      body: dryRunInputSchema,
      status: 200,
      response: planOut,
    },
    async (c) => c.json(engine.rules.dryRun(who(c), c.req.param('projectId')!, c.req.param('ruleId')!, await readJson(c))),
  );
}
