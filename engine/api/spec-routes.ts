// /api routes for a project's catalog, its spec lists (wishlists) and the specs
// they were refined into.
import type { Hono, MiddlewareHandler } from 'hono';
import type { Engine } from '../door.js';
import { catalogSchema } from '../specs/catalog.js';
import { specGenerateInputSchema, specListInputSchema } from '../specs/spec.js';
import { defineRoute, readJson, type Env, type RouteDoc } from './http.js';

const P = '/api/projects/:projectId';

export function registerSpecRoutes(app: Hono<Env>, engine: Engine, docs: RouteDoc[], auth: MiddlewareHandler<Env>): void {
  const route = (doc: RouteDoc, handler: Parameters<typeof defineRoute>[4]) => defineRoute(app, docs, auth, doc, handler);
  const who = (c: { get(k: 'principal'): Env['Variables']['principal'] }) => c.get('principal');

  route(
    {
      method: 'get',
      path: `${P}/catalog`,
      summary: 'The catalog in force (asset types, tag groups, palettes, models, defaults)',
      role: 'artist',
      status: 200,
    },
    (c) => c.json(engine.specs.getCatalog(who(c), c.req.param('projectId')!)),
  );
  route(
    {
      method: 'put',
      path: `${P}/catalog`,
      summary: 'Import a new catalog version (the whole catalog; parts left out are empty)',
      role: 'admin',
      body: catalogSchema,
      status: 200,
    },
    async (c) => c.json(engine.specs.importCatalog(who(c), c.req.param('projectId')!, await readJson(c))),
  );
  route(
    {
      method: 'post',
      path: `${P}/spec-lists`,
      summary: 'Take a wishlist and refine it into specs (what cannot be read comes back as questions)',
      role: 'lead',
      body: specListInputSchema,
      status: 201,
    },
    async (c) => c.json(await engine.specs.addSpecList(who(c), c.req.param('projectId')!, await readJson(c)), 201),
  );
  route({ method: 'get', path: `${P}/spec-lists`, summary: 'The spec lists, newest first', role: 'artist', status: 200 }, (c) =>
    c.json({ specLists: engine.specs.listSpecLists(who(c), c.req.param('projectId')!) }),
  );
  route({ method: 'get', path: `${P}/spec-lists/:specListId`, summary: 'A spec list with its specs', role: 'artist', status: 200 }, (c) =>
    c.json(engine.specs.getSpecList(who(c), c.req.param('projectId')!, c.req.param('specListId')!)),
  );
  route(
    {
      method: 'post',
      path: `${P}/specs/:specId/generate`,
      summary: 'Ask for variants of a spec: stores spec.generate_requested (a rule submits the job, behind admin approval)',
      role: 'lead',
      body: specGenerateInputSchema,
      status: 200,
    },
    async (c) => {
      const { event, created } = engine.specs.requestGenerate(who(c), c.req.param('projectId')!, c.req.param('specId')!, await readJson(c));
      return c.json({ eventId: event.id, type: event.type, duplicate: !created, payload: event.payload });
    },
  );
  route({ method: 'get', path: `${P}/specs`, summary: 'The specs, newest first', role: 'artist', status: 200 }, (c) =>
    c.json({ specs: engine.specs.listSpecs(who(c), c.req.param('projectId')!) }),
  );
  route(
    { method: 'get', path: `${P}/specs/:specId`, summary: 'A spec (its AssetSpec body when refined)', role: 'artist', status: 200 },
    (c) => c.json(engine.specs.getSpec(who(c), c.req.param('projectId')!, c.req.param('specId')!)),
  );
}
