// Fuzz (#17): random and adversarial JSON at every public JSON route and at the CLI's --payload / --input.
// The routes come from the app's own /api/openapi.json (method, path, role, body schema), so a route added
// later is fuzzed without touching this file. Every answer: never a 5xx, a status the document lists for the
// route, the documented error shape when refused, nothing written when refused, Object.prototype untouched;
// afterwards the engine still answers. Fixed seed: a failure names its route and body, and replays.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../engine/index.js';
import { openDb } from '../../engine/testing.js';
import { ADMIN, makeEngine, seedProject, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const SEED = 17_017;
/** Schema-shaped random bodies per route with a body (plus the hand-written cases below). */
const RANDOM_RUNS = 30;
const MiB = 1024 * 1024;

type Json = Record<string, any>;
interface Route {
  method: string;
  path: string;
  role: string;
  body: Json | null;
  statuses: number[];
}
/** Strings worth trying, by the property they go in ('' for any). */
type Vocabulary = Record<string, string[]>;
interface Answer {
  status: number;
  text: string;
}

// What a refusal's code answers with (engine/errors.ts httpStatusOf, the API's contract).
const statusOfCode: Record<string, number> = {
  validation_failed: 400,
  bad_json: 400,
  config_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  dry_run_required: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
};

// JSON text that JSON.stringify cannot write (or overflows writing): built as text.
const nest = (levels: number, leaf = '1') => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
const nestArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const wide = (keys: number) => `{${Array.from({ length: keys }, (_, i) => `"k${i}":${i}`).join(',')}}`;
const q = (s: string) => JSON.stringify(s);

/** Values that have broken JSON readers somewhere: as JSON text. */
const oddValues = [
  '1e309',
  '-1e309',
  '-0',
  '123456789012345678901234567890',
  '1e-400',
  '9007199254740993',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"a\\u0000b"',
  q('\u202e\u200b\u200d\ufeff\u2066rtl'),
  '""',
  q('x'.repeat(5000)),
  '"__proto__"',
  '"constructor"',
  '"../../etc/passwd"',
  '"${event.payload.__proto__}"',
  'null',
  'true',
  '[]',
  '{}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
  nest(MAX_JSON_DEPTH + 36),
  nestArrays(8),
];
const oddKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''];
const oddArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...oddValues) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map(q) },
);

/**
 * JSON text shaped by a route's JSON Schema (from the OpenAPI document). With `odd`, a node is now and then
 * swapped for an odd value and an object given an odd or repeated key; without, the body is well-formed and
 * often valid, so the checks behind the schema (ids, state, the planner) run too.
 */
function shapedArb(schema: Json, root: Json, words: Vocabulary, odd: boolean, key = '', depth = 0): fc.Arbitrary<string> {
  const inner = (s: Json, d = depth + 1, k = key) => shapedArb(s, root, words, odd, k, d);
  const node = (s: Json) => (odd ? fc.oneof({ weight: 12, arbitrary: inner(s) }, { weight: 1, arbitrary: oddArb }) : inner(s));
  const sometimes = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: odd ? 1 : 0, arbitrary: arb });
  if (depth > 6) return odd ? oddArb : fc.constant('{}');
  if (typeof schema.$ref === 'string') return inner(root.$defs[schema.$ref.replace('#/$defs/', '')]);
  if ('const' in schema) return fc.constant(JSON.stringify(schema.const));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum.map((e: unknown) => JSON.stringify(e)));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((s) => inner(s, depth)));
  switch (schema.type) {
    case 'object': {
      const required = new Set<string>(schema.required ?? []);
      const props = Object.entries<Json>(schema.properties ?? {}).map(([key, s]) => {
        const entry = (
          odd ? fc.oneof({ weight: 12, arbitrary: inner(s, depth + 1, key) }, { weight: 1, arbitrary: oddArb }) : inner(s, depth + 1, key)
        ).map((v) => `${q(key)}:${v}`);
        return required.has(key) ? entry : fc.option(entry, { nil: null, freq: 2 });
      });
      const extra =
        typeof schema.additionalProperties === 'object'
          ? fc.uniqueArray(
              fc.tuple(fc.oneof(fc.constantFrom(...words['']!), fc.string({ maxLength: 8 })), node(schema.additionalProperties)),
              { maxLength: 2, selector: ([k]) => k },
            )
          : fc.constant([] as [string, string][]);
      const keys = [...oddKeys, ...Object.keys(schema.properties ?? {})];
      return fc
        .tuple(fc.tuple(...props), extra, sometimes(fc.tuple(fc.constantFrom(...keys), oddArb)))
        .map(
          ([own, more, o]) =>
            `{${[...own.filter((e): e is string => e !== null), ...more.map(([k, v]) => `${q(k)}:${v}`), ...(o ? [`${q(o[0])}:${o[1]}`] : [])].join(',')}}`,
        );
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc
        .array(node(schema.items ?? {}), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) })
        .map((a) => `[${a.join(',')}]`);
    }
    case 'string': {
      let matching: fc.Arbitrary<string> = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 24, 24) });
      try {
        if (schema.pattern) matching = fc.stringMatching(new RegExp(schema.pattern));
      } catch {
        // fast-check cannot generate every regular expression (lookahead): plain strings and the vocabulary then.
      }
      const own = words[key];
      return fc
        .oneof(
          { weight: own ? (odd ? 3 : 12) : 1, arbitrary: fc.constantFrom(...(own ?? words['']!)) },
          { weight: 2, arbitrary: matching },
          { weight: odd ? 2 : 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
        )
        .map(q);
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? 100_000;
      return fc
        .oneof(
          { weight: 4, arbitrary: fc.integer({ min, max }) },
          { weight: 1, arbitrary: fc.constantFrom(min, max) },
          { weight: odd ? 1 : 0, arbitrary: fc.constantFrom(min - 1, max + 1) },
        )
        .map(String);
    }
    case 'boolean':
      return fc.boolean().map(String);
    case 'null':
      return fc.constant('null');
    default:
      return fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v));
  }
}

/** Hand-written bodies for every route with a body: [name, body, content type?, expected status?]. */
type Case = [name: string, body: string | Uint8Array<ArrayBuffer>, type: string | null, expected: number | null];
function adversarialCases(route: Route): Case[] {
  const fields = Object.keys(route.body?.properties ?? {}).concat(
    ...((route.body?.anyOf ?? []) as Json[]).map((s) => Object.keys(s.properties ?? {})),
  );
  const cases: Case[] = [
    ['nested 100 deep', nest(100), null, 400],
    ['nested 10,000 deep', nest(10_000), null, 400],
    ['arrays nested 10,000 deep', nestArrays(10_000), null, 400],
    ['50,000 keys', wide(50_000), null, 400],
    ['over 1 MiB', `{"a":"${'x'.repeat(MiB)}"}`, null, 413],
    ['a key twice', `{${q(fields[0] ?? 'a')}:1,${q(fields[0] ?? 'a')}:2}`, null, 400],
    ['raw prototype keys', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{}}', null, 400],
    ['malformed', '{"a":1,', null, 400],
    ['NaN', '{"a":NaN}', null, 400],
    // The strict UTF-8 decoder drops a leading byte order mark, as RFC 8259 lets a reader do.
    ['byte order mark', '\ufeff{}', null, null],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), null, 400],
    ['not JSON by type', '{}', 'text/plain', 415],
    ['form type', 'a=1', 'application/x-www-form-urlencoded', 415],
    ['no content type (fetch then says text/plain)', '{"a":1}', '', 415],
    ['a +json type', '{}', 'application/vnd.greenlight+json; charset=utf-8', null],
    ...['null', '[]', '"x"', '1e309', '-0', 'true'].map((t): [string, string, null, number] => [`top-level ${t}`, t, null, 400]),
  ];
  for (const field of new Set(fields))
    for (const v of [
      'null',
      '-0',
      '1e309',
      '123456789012345678901234567890',
      '"\\ud800"',
      '"\\u0000"',
      '[]',
      '{"__proto__":{"polluted":true}}',
      nest(70),
    ])
      cases.push([`${field}: ${v.slice(0, 24)}`, `{${q(field)}:${v}}`, null, null]);
  return cases;
}

// Not %2e%2e: a dot segment is resolved by the URL itself, into another route.
const junkIds = ['%', '%ZZ', '%00', 'a%2Fb', '%ED%A0%80', '%FF', 'x'.repeat(3000), '__proto__', 'constructor', 'toString'];

describe('fuzz: every public JSON route, random and adversarial input', () => {
  let t: TestEngine;
  let tokens: { artist: string; lead: string; admin: string };
  let routes: Route[];
  let errorCodes: string[];
  let real: Record<string, string>;
  let words: Vocabulary;
  const sent = new Map<string, number>();
  let accepted = 0;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).join();
  const started = Date.now();

  /** Every row of every table: a refusal must leave this exactly as it was. */
  const snapshot = () => {
    const tables = t.door.sql
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
      .all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, JSON.stringify(t.door.sql.prepare(`SELECT * FROM "${name}"`).all())]));
  };
  /** The snapshot once the outbox has published what earlier accepted requests stored (it writes published_at). */
  const settled = async () => {
    await t.door.outbox.drain();
    return snapshot();
  };
  const tokenFor = (role: string) => (role === 'global admin' ? ADMIN : role === 'none' ? null : tokens[role as keyof typeof tokens]);
  const urlOf = (route: Route, ids: Record<string, string> = {}) =>
    route.path.replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? real[k] ?? 'nothing');

  async function send(
    route: Route,
    url: string,
    init: { body?: string | Uint8Array<ArrayBuffer>; type?: string | null; token?: string | null } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    const token = init.token === undefined ? tokenFor(route.role) : init.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined && init.type !== '') headers['content-type'] = init.type ?? 'application/json';
    const res = await t.app.request(url, {
      method: route.method.toUpperCase(),
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const key = `${route.method.toUpperCase()} ${route.path}`;
    sent.set(key, (sent.get(key) ?? 0) + 1);
    if (res.status < 400) accepted++;
    return { status: res.status, text: await res.text() };
  }

  /** The invariants of every answer; `what` names the case in a failure. */
  function check(route: Route, what: string, answer: Answer, before: Record<string, string>, expected: number | null = null) {
    const where = `${route.method.toUpperCase()} ${route.path} ← ${what.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 300)}`;
    assert.ok(answer.status < 500, `a 5xx: ${where}`);
    if (expected !== null) assert.equal(answer.status, expected, where);
    assert.ok(
      route.statuses.includes(answer.status),
      `status not in the route's OpenAPI responses (${route.statuses.join(', ')}): ${where}`,
    );
    assert.equal(Object.getOwnPropertyNames(Object.prototype).join(), prototypeKeys, `Object.prototype changed: ${where}`);
    assert.equal(({} as Json).polluted, undefined, `Object.prototype polluted: ${where}`);
    if (answer.status < 400) return;
    const body = JSON.parse(answer.text) as Json;
    assert.deepEqual(Object.keys(body), ['error'], where);
    const { code, message, details, ...rest } = body.error as Json;
    assert.deepEqual(rest, {}, `extra fields in the error: ${where}`);
    assert.ok(errorCodes.includes(code), `unknown error code: ${where}`);
    assert.equal(statusOfCode[code], answer.status, `code ${code} with status ${answer.status}: ${where}`);
    assert.ok(typeof message === 'string' && message.length > 0, where);
    if (details !== undefined) {
      assert.ok(Array.isArray(details) && details.length > 0, where);
      for (const d of details as Json[])
        assert.ok(typeof d.path === 'string' && typeof d.message === 'string' && Object.keys(d).length === 2, where);
    }
    const now = snapshot();
    for (const table of Object.keys(before)) assert.equal(now[table], before[table], `refused, yet table ${table} changed: ${where}`);
  }

  before(async () => {
    t = await makeEngine();
    ({ tokens } = await seedProject(t));
    const rule = await t.call('POST', '/api/projects/art/rules', {
      name: 'fuzz target',
      trigger: { event: 'custom.fuzz' },
      actions: [{ type: 'notify', config: { text: 'hi' } }],
    });
    const spec = await t.call('POST', '/api/projects/art/specs', {
      id: 'hero-spec',
      assetType: 'character',
      prompt: { positive: 'a hero' },
    });
    const event = await t.call('POST', '/api/projects/art/automation/events', { type: 'custom.fuzz', payload: { assetId: 'hero' } });
    assert.deepEqual([rule.status, spec.status, event.status], [201, 201, 202]);
    real = { projectId: 'art', ruleId: rule.body.id, variantId: 'hero-v1', assetId: 'hero', id: 'hero', eventId: event.body.id };
    const types = ['custom.fuzz', 'variant.approved', 'asset_approved', 'character'];
    words = {
      '': [...Object.values(real), ...types, 'x', 'hero-v2'],
      type: types,
      event: types,
      eventId: [event.body.id],
      id: ['fresh-id', 'hero', 'hero-v2', 'hero-spec'],
      assetType: ['character', 'prop'],
      schedule: ['0 3 * * *', '*/5 * * * *'],
      timezone: ['UTC', 'Europe/Paris'],
      url: ['http://127.0.0.1:9/hook'],
      member: ['slack:U1', 'discord:role:7'],
      field: ['payload.assetId', 'subject.id'],
      entityId: ['hero', 'hero-v1'],
      variantId: ['hero-v1'],
      assetId: ['hero'],
      specId: ['hero-spec'],
      text: ['hi ${event.type}'],
    };

    const doc = (await t.call('GET', '/api/openapi.json', undefined, null)).body as Json;
    errorCodes = doc.components.schemas.Error.properties.error.properties.code.enum;
    routes = Object.entries<Json>(doc.paths).flatMap(([p, methods]) =>
      Object.entries<Json>(methods).map(([method, op]) => ({
        method,
        path: p,
        role: /Role: (.+)\.$/.exec(op.description)![1]!,
        body: op.requestBody?.content['application/json'].schema ?? null,
        statuses: Object.keys(op.responses).map(Number),
      })),
    );
    assert.ok(routes.filter((r) => r.body).length >= 15, 'the route table has the body routes');
  });
  after(async () => {
    routes ??= [];
    const bodyRoutes = routes.filter((r) => r.body).length;
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${total} requests (${accepted} accepted) over ${routes.length} routes (${bodyRoutes} with a body) in ${((Date.now() - started) / 1000).toFixed(1)} s; per route: ${[...sent].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN deep, wide, odd-unicode, huge-number, prototype-key, twice-keyed and wrongly typed bodies at every route with a body THEN each is refused with the documented error shape and nothing is written', async () => {
    for (const route of routes.filter((r) => r.body))
      for (const [name, body, type, expected] of adversarialCases(route)) {
        const before = await settled();
        check(route, name, await send(route, urlOf(route), { body, type }), before, expected);
      }
  });

  it("GIVEN random bodies shaped by each route's own schema, with odd values swapped in THEN never a 5xx, and every refusal has the error shape and writes nothing", async () => {
    for (const route of routes.filter((r) => r.body)) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(shapedArb(route.body!, route.body!, words, false), shapedArb(route.body!, route.body!, words, true)),
          async (body) => {
            const before = await settled();
            check(route, body, await send(route, urlOf(route), { body }), before);
          },
        ),
        { seed: SEED, numRuns: RANDOM_RUNS },
      );
    }
  });

  const lower: Record<string, string> = { lead: 'artist', admin: 'lead', 'global admin': 'admin' };
  it('GIVEN no token, an unknown token or a role too low THEN 401 / 403 (400 where the body is read first) with the error shape, nothing written', async () => {
    for (const route of routes.filter((r) => r.role !== 'none')) {
      const body = route.body ? '{"__proto__":{"polluted":true}}' : undefined;
      for (const [token, expected] of [
        [null, 401],
        ['gl_not-a-token', 401],
        ...(lower[route.role] ? [[tokenFor(lower[route.role]!), null]] : []),
      ] as [string | null, number | null][]) {
        const before = await settled();
        const answer = await send(route, urlOf(route), { body, token });
        check(route, `token ${token}`, answer, before, expected);
        if (expected === null) assert.ok([400, 403].includes(answer.status), `role too low: ${route.path} ${answer.status}`);
      }
    }
  });

  it("GIVEN a role too low and a body that breaks the schema THEN 403, not the schema's complaint", async () => {
    for (const route of routes.filter((r) => r.body && lower[r.role])) {
      const answer = await send(route, urlOf(route), { body: '{}', token: tokenFor(lower[route.role]!) });
      assert.equal(answer.status, 403, `${route.method} ${route.path}: ${answer.text.slice(0, 200)}`);
    }
  });

  it('GIVEN junk in a path id or an unknown query parameter on every route THEN a 4xx with the error shape, never an answer about something else', async () => {
    for (const route of routes) {
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const body = route.body ? '{}' : undefined;
      for (const param of params)
        for (const junk of junkIds)
          for (const token of [tokenFor(route.role), ADMIN]) {
            const before = await settled();
            const answer = await send(route, urlOf(route, { [param]: junk }), { body, token });
            check(route, `${param}=${junk.slice(0, 20)}`, answer, before);
            assert.ok(
              answer.status >= 400,
              `${route.method} ${route.path} with ${param}=${junk.slice(0, 20)} answered ${answer.status}: ${answer.text.slice(0, 200)}`,
            );
          }
      for (const query of ['__proto__=1', 'constructor=a&constructor=b', '%ZZ=%ZZ', `status=${'x'.repeat(5000)}`]) {
        const before = await settled();
        const answer = await send(route, `${urlOf(route)}?${query}`, { body });
        check(route, `?${query.slice(0, 30)}`, answer, before, 400);
      }
    }
  });

  it('GIVEN an id that is taken (in this project or another) or given twice in one request THEN 409 / 400 naming it, never a 500', async () => {
    assert.equal((await t.call('POST', '/api/projects', { id: 'fuzz-other', name: 'Other' })).status, 201);
    for (const [url, body, status, message] of [
      [
        '/api/projects/art/specs',
        { id: 'hero-spec', assetType: 'prop', prompt: { positive: 'again' } },
        409,
        /Spec id 'hero-spec' is taken/,
      ],
      [
        '/api/projects/fuzz-other/specs',
        { id: 'hero-spec', assetType: 'prop', prompt: { positive: 'p' } },
        409,
        /Spec id 'hero-spec' is taken/,
      ],
      [
        '/api/projects/art/assets',
        { type: 'prop', variants: [{ id: 'twin' }, { id: 'twin' }] },
        400,
        /variants\.1\.id: variant id 'twin' is given twice/,
      ],
    ] as const) {
      const before = await settled();
      const route = routes.find((r) => r.method === 'post' && r.path === url.replace(/projects\/[^/]+/, 'projects/{projectId}'))!;
      const answer = await send(route, url, { body: JSON.stringify(body), token: ADMIN });
      check(route, JSON.stringify(body), answer, before, status);
      assert.match(answer.text, message);
    }
  });

  it('GIVEN all of that THEN the engine still answers: a project reads, an event is stored', async () => {
    assert.equal((await t.call('GET', '/api/projects/art')).status, 200);
    const before = (t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const ok = await t.call('POST', '/api/projects/art/automation/events', { type: 'custom.after_fuzz', payload: { n: 1 } });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.equal((t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, before + 1);
  });

  // Found by this file: each was stored altered (U+FFFD, null, or the key dropped); now refused, naming where.
  it('GIVEN a lone surrogate (\\ud800) in a string or key, a number past double range (1e309) or a __proto__ key THEN 400 naming it, nothing stored', async () => {
    for (const [body, where, reason] of [
      ['{"type":"custom.x","idempotencyKey":"k\\ud800"}', 'idempotencyKey', /lone UTF-16 surrogate/],
      ['{"type":"custom.x","payload":{"k\\udbff":1}}', 'payload', /key holds a lone UTF-16 surrogate/],
      ['{"type":"custom.x","payload":{"n":1e309}}', 'payload.n', /beyond what JSON stores/],
      ['{"type":"custom.x","payload":{"__proto__":{"a":1},"q":1}}', 'payload.__proto__', /__proto__ is not taken/],
    ] as const) {
      const before = await settled();
      const res = await t.app.request('/api/projects/art/automation/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 400, body);
      const error = ((await res.json()) as Json).error;
      assert.equal(error.details[0].path, where, body);
      assert.match(error.details[0].message, reason, body);
      assert.deepEqual(await settled(), before, `${body}: nothing stored`);
    }
  });
});

describe('fuzz: the CLI --payload and --input', () => {
  const bin = path.resolve('bin/greenlight.mjs');
  let dataDir: string;
  let files: string;
  const cli = (args: string[]) => {
    const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), GREENLIGHT_DATA_DIR: dataDir };
    const res = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 30_000 });
    return { code: res.status, out: res.stdout, err: res.stderr };
  };
  const file = (name: string, text: string | Uint8Array) => {
    fs.writeFileSync(path.join(files, name), text);
    return `@${path.join(files, name)}`;
  };
  /** What the CLI wrote: rows of the data dir's database and files under projects/. */
  const stored = () => {
    const db = openDb(path.join(dataDir, 'greenlight.db'), { migrate: false });
    try {
      const events = (db.$client.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      const dir = path.join(dataDir, 'projects');
      return { events, files: fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).length : 0 };
    } finally {
      db.$client.close();
    }
  };

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-fuzz-cli-'));
    files = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-fuzz-files-'));
    const made = cli(['project', 'create', 'fuzz', '--name', 'Fuzz']);
    assert.equal(made.code, 0, made.err);
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(files, { recursive: true, force: true });
  });

  it('GIVEN adversarial JSON to `event emit --payload` and `job run --input` THEN a non-zero exit, a one-line reason on stderr without a stack, and nothing stored', () => {
    const emit = (payload: string) => ['event', 'emit', 'fuzz', 'custom.fuzz', '--payload', payload];
    const job = (input: string) => ['job', 'run', 'generate', '--project', 'fuzz', '--input', input];
    const cases: [string[], RegExp][] = [
      [emit('{"a":1,'), /not valid JSON/],
      [emit(nest(10_000)), /nested deeper than 64 levels/],
      [emit(file('arrays.json', nestArrays(100))), /nested deeper than 64 levels/],
      [emit('{"k":1,"k":2}'), /given twice/],
      [emit('[1]'), /must be a JSON object like \{"key": "value"\}, not an array/],
      [emit('1e309'), /must be a JSON object .*not number/],
      [emit('"\\ud800"'), /must be a JSON object .*not string/],
      [emit('null'), /must be a JSON object .*not null/],
      [emit('{"n":1e309}'), /payload\.n: is a number beyond what JSON stores/],
      [emit(file('wide.json', wide(150_000))), /more than 100000 values/],
      [job('[]'), /must be a JSON object/],
      [job('{"assetId":"hero","count":1e309}'), /count: |beyond what JSON stores/],
      [job('{"assetId":"hero","count":123456789012345678901234567890}'), /count: /],
      [job('{"assetId":"hero","width":"64"}'), /width: /],
      [job('{"__proto__":{"count":2},"assetId":"../../etc"}'), /assetId: /],
      [job('{"assetId":"\\ud800"}'), /assetId: /],
      [job(nestArrays(100)), /nested deeper than 64 levels/],
    ];
    const before = stored();
    for (const [args, reason] of cases) {
      const what = args.join(' ').slice(0, 120);
      const r = cli(args);
      assert.notEqual(r.code, 0, what);
      assert.equal(r.out, '', what);
      const first = r.err.split('\n')[0]!;
      assert.match(first, /^(greenlight|error)\b/, `${what}: ${r.err.slice(0, 300)}`);
      assert.ok(first.length < 1000, `${what}: a ${first.length}-character error line`);
      assert.match(r.err, reason, `${what}: ${r.err.slice(0, 300)}`);
      assert.doesNotMatch(r.err, /\n\s+at /, `${what}: a stack trace: ${r.err.slice(0, 500)}`);
    }
    assert.deepEqual(stored(), before, 'nothing stored');
    const ok = cli(emit('{"after":"fuzz"}'));
    assert.equal(ok.code, 0, ok.err);
    assert.equal(stored().events, before.events + 1, 'the CLI still stores a good event');
  });

  it('GIVEN `--payload @file` that is missing, a folder, or not UTF-8 THEN a one-line reason without a stack, nothing stored', () => {
    const before = stored();
    for (const payload of [
      `@${path.join(files, 'missing.json')}`,
      `@${files}`,
      file('latin1.json', Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
    ]) {
      const r = cli(['event', 'emit', 'fuzz', 'custom.fuzz', '--payload', payload]);
      assert.notEqual(r.code, 0, payload);
      assert.doesNotMatch(r.err, /\n\s+at /, `${payload}: ${r.err.slice(0, 300)}`);
      assert.match(r.err, /no such file|a folder, not a file|not valid UTF-8/, payload);
    }
    assert.deepEqual(stored(), before);
  });
});
