// Review web II, the rule builder through app.request(), as a browser without JavaScript posts it:
// structural edits (conditions nested, steps added / moved / removed) answer with the form changed;
// a bad rule comes back with each error at its control and nothing saved; a good one saves with the
// definition the form says; "Use this JSON" fills the form; dry-run shows the plan tree; Enable and
// "Run exactly this" hold only for the plan hash shown; artists see it read-only and are refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { mountReviewWeb } from '../../review-web/app.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
const B = '/review/projects/art/rules/builder';
const ORIGIN = 'http://localhost';
let t: TestEngine;
let dataDir: string;
let leadCookie: string;
let artistCookie: string;
let csrf: string;

const cookieOf = (res: Response) => /gl_review=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
const get = (url: string, cookie: string) => t.app.request(url, { headers: { cookie: `gl_review=${cookie}` } });
const post = (url: string, fields: Record<string, string>, cookie: string, accept = 'text/html') =>
  t.app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, accept, cookie: `gl_review=${cookie}` },
    body: new URLSearchParams(fields).toString(),
  });
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const signIn = async (token: string) =>
  cookieOf(
    await t.app.request('/review/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: new URLSearchParams({ token }).toString(),
    }),
  )!;
const ruleCount = () => (t.door.sql.prepare('SELECT count(*) AS n FROM rules WHERE deleted_at IS NULL').get() as { n: number }).n;
/** The value a rendered control holds (input value, selected option or textarea text). */
function valueOf(html: string, name: string): string | null {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const input = new RegExp(`<input[^>]*name="${esc}"[^>]*value="([^"]*)"`).exec(html);
  if (input) return input[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const select = new RegExp(`<select[^>]*name="${esc}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (select) return /<option value="([^"]*)" selected/.exec(select[1]!)?.[1] ?? null;
  return null;
}
/** The error said at a control: its message, and the control marked invalid. */
function errorAt(html: string, name: string): string | null {
  const id = `ctl-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const marked = new RegExp(`id="${id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="${id}"`).test(html);
  const msg = new RegExp(`<small class="field-error" id="err-${id}"[^>]*>([^<]*)</small>`).exec(html)?.[1] ?? null;
  return marked && msg
    ? msg
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
    : null;
}

/** The seed's first MVP rule as the form posts it. */
const cutoutForm = () => ({
  _csrf: csrf,
  ruleId: '',
  name: 'Approved character → cut-out → atlas',
  'trigger.kind': 'event',
  'trigger.event': 'variant.approved',
  'scope.kind': 'assetType',
  'scope.assetType': 'character',
  'c.join': 'all',
  'c.0.field': 'payload.tags',
  'c.0.op': 'contains',
  'c.0.value': 'quality:high',
  'a.0.key': 'enqueue_job:bg_remove',
  'a.0.id': 'cutout',
  'a.0.f.variantId': '${event.subject.id}',
  'a.0.f.threshold': '0.08',
  'a.1.key': 'enqueue_job:pack_atlas',
  'a.1.id': 'atlas',
  'a.1.f.assetIds': '${event.payload.assetId}',
  'a.1.f.frames': '${steps.cutout.output.alphaPaths}',
  'a.1.f.trim': 'true',
  mode: 'sequential',
  debounceMs: '5000',
  maxDepth: '',
  requiresApproval: 'auto',
});

describe('review web: the rule builder', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-web-builder-'));
    t = await makeEngine({ dataDir });
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: null, logger: pino({ level: 'silent' }) });
    assert.equal((await t.call('POST', '/api/projects', { id: 'art', name: 'Art' })).status, 201);
    const lead = (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    const artist = (await t.call('POST', `${P}/tokens`, { role: 'artist' })).body.token;
    assert.equal((await t.call('POST', `${P}/assets`, { id: 'knight', type: 'character', variants: [{ id: 'knight-1' }] })).status, 201);
    assert.equal((await t.call('POST', `${P}/variants/knight-1/review`, { decision: 'tag', tags: ['quality:high'] }, lead)).status, 200);
    leadCookie = await signIn(lead);
    artistCookie = await signIn(artist);
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN the new-rule page THEN every built-in trigger is offered with its one line, and each job type with its input fields and defaults', async () => {
    const html = await (await get('/review/projects/art/rules/new', leadCookie)).text();
    csrf = csrfOf(html);
    assert.match(html, /<option value="atlas.ready"[^>]*>atlas.ready — A sprite atlas was packed; its id is the subject.<\/option>/);
    assert.match(html, /<option value="enqueue_job:bg_remove"[^>]*>Remove background<\/option>/);
    assert.match(html, /<form method="post" action="\/review\/projects\/art\/rules\/builder" id="builder"/);
    // A step added without JavaScript: the form comes back with its fields, defaults shown.
    const added = await (
      await post(B, { ...cutoutForm(), 'a.2.key': '', addKey: 'enqueue_job:bg_remove', _op: 'add-action' }, leadCookie)
    ).text();
    assert.equal(valueOf(added, 'a.2.key'), 'enqueue_job:bg_remove');
    assert.match(added, /<code>threshold<\/code> <span class="muted">\(default auto\)<\/span>/);
    assert.match(added, /<code>method<\/code>[\s\S]*?<option value="" selected="">default \(classic\)<\/option>/);
    assert.equal(valueOf(added, 'a.2.id'), 'bg_remove', 'a fresh step id');
    assert.equal(valueOf(added, 'a.0.f.threshold'), '0.08', 'what was typed stays');
    assert.equal(ruleCount(), 0, 'nothing saved by an edit');
  });

  it('GIVEN conditions WHEN a group is nested, a condition added and one removed THEN the form says so; steps move up and down', async () => {
    const nested = await (await post(B, { ...cutoutForm(), _op: 'add-group:c' }, leadCookie)).text();
    assert.equal(valueOf(nested, 'c.1.join'), 'any');
    assert.equal(valueOf(nested, 'c.1.0.field'), 'payload.assetType');
    const inner = await (
      await post(
        B,
        {
          ...cutoutForm(),
          'c.1.join': 'any',
          'c.1.0.field': 'payload.status',
          'c.1.0.op': 'eq',
          'c.1.0.value': 'approved',
          _op: 'add-cond:c.1',
        },
        leadCookie,
      )
    ).text();
    assert.equal(valueOf(inner, 'c.1.1.field'), 'payload.assetType');
    assert.equal(valueOf(inner, 'c.1.0.value'), 'approved');
    const removed = await (
      await post(B, { ...cutoutForm(), 'c.1.join': 'all', 'c.1.0.field': 'x', 'c.1.0.op': 'eq', _op: 'remove-cond:c.0' }, leadCookie)
    ).text();
    assert.equal(valueOf(removed, 'c.0.join'), 'all', 'the group moved up to first');
    assert.equal(valueOf(removed, 'c.1.field'), null);
    const moved = await (await post(B, { ...cutoutForm(), _op: 'down:0' }, leadCookie)).text();
    assert.equal(valueOf(moved, 'a.0.key'), 'enqueue_job:pack_atlas');
    assert.equal(valueOf(moved, 'a.1.id'), 'cutout');
    const gone = await (await post(B, { ...cutoutForm(), _op: 'remove-action:0' }, leadCookie)).text();
    assert.equal(valueOf(gone, 'a.0.id'), 'atlas');
    assert.equal(valueOf(gone, 'a.1.key'), null);
  });

  it('GIVEN bad fields WHEN saved THEN each error is at its control (the engine’s zod path mapped), the summary links them, and nothing is saved', async () => {
    const bad = {
      ...cutoutForm(),
      'c.0.op': 'gt',
      'c.0.value': 'true',
      'a.2.key': 'notify',
      'a.2.f.channel': 'review',
      'trigger.event': 'variant.approved',
      _op: 'save',
    };
    const res = await post(B, bad, leadCookie);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(errorAt(html, 'c.0.value') ?? '', /op "gt" needs a number or string value/);
    assert.match(errorAt(html, 'a.2.f.text') ?? '', /actions\.2\.config\.text: Invalid input: expected string/);
    assert.match(html, /Nothing was saved: fix the fields marked below/);
    assert.match(html, /<a href="#ctl-c-0-value">/);
    assert.equal(valueOf(html, 'a.2.key'), 'notify', 'what was typed is kept to fix');
    // A value the form itself cannot read (not a number) is refused before the engine is asked.
    const local = await post(B, { ...cutoutForm(), 'a.0.f.threshold': 'lots', _op: 'save' }, leadCookie);
    assert.equal(local.status, 400);
    assert.match(errorAt(await local.text(), 'a.0.f.threshold') ?? '', /threshold: a number or auto \(default auto\), or a placeholder/);
    // A custom trigger type that is not entity.verb: at the custom field.
    const custom = await post(B, { ...cutoutForm(), 'trigger.kind': 'custom', 'trigger.custom': 'Build Done', _op: 'save' }, leadCookie);
    assert.match(errorAt(await custom.text(), 'trigger.custom') ?? '', /must look like entity.verb/);
    assert.equal(ruleCount(), 0, 'nothing saved');
  });

  it('GIVEN an artist THEN the builder is read-only and a save is refused', async () => {
    const html = await (await get('/review/projects/art/rules/new', artistCookie)).text();
    assert.match(html, /Read-only: leads and admins edit rules/);
    assert.match(html, /<fieldset disabled="">/);
    const res = await post(B, { ...cutoutForm(), _csrf: csrfOf(html), _op: 'save' }, artistCookie);
    assert.equal(res.status, 403);
    assert.equal(ruleCount(), 0);
  });

  it('GIVEN a good form WHEN saved THEN the rule is what the form says; its page shows it back; JSON fills the form; dry-run → plan tree; Enable and Run hold only for that plan', async () => {
    const res = await post(B, { ...cutoutForm(), _op: 'save' }, leadCookie);
    assert.equal(res.status, 303);
    const id = /rules\/([^/]+)\/edit\?done=saved$/.exec(res.headers.get('location') ?? '')?.[1];
    assert.ok(id, res.headers.get('location') ?? '');
    const rule = t.engine.rules.get(t.engine.authenticate((await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token)!, 'art', id);
    assert.deepEqual(rule.definition, {
      name: 'Approved character → cut-out → atlas',
      trigger: { event: 'variant.approved' },
      scope: { assetType: 'character' },
      conditions: { all: [{ field: 'payload.tags', op: 'contains', value: 'quality:high' }] },
      actions: [
        { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}', threshold: 0.08 } } },
        {
          id: 'atlas',
          type: 'enqueue_job',
          config: {
            type: 'pack_atlas',
            input: { assetIds: '${event.payload.assetId}', frames: '${steps.cutout.output.alphaPaths}', trim: true },
          },
        },
      ],
      mode: 'sequential',
      debounceMs: 5000,
      maxDepth: 10,
      requiresApproval: 'auto',
    });
    assert.equal(rule.enabled, false);
    const edit = await (await get(`/review/projects/art/rules/${id}/edit?done=saved`, leadCookie)).text();
    assert.match(edit, /Saved as version 1 \(disabled until dry-run\)/);
    assert.equal(valueOf(edit, 'scope.assetType'), 'character');
    assert.equal(valueOf(edit, 'a.1.f.frames'), '${steps.cutout.output.alphaPaths}');
    assert.equal(valueOf(edit, 'c.0.value'), 'quality:high');

    // The JSON view → the form (no JavaScript: the "Use this JSON" button).
    const json = JSON.stringify({ ...rule.definition, name: 'From JSON', scope: { project: true } });
    const filled = await (await post(B, { ...cutoutForm(), ruleId: id, json, _op: 'from-json' }, leadCookie)).text();
    assert.equal(valueOf(filled, 'name'), 'From JSON');
    assert.match(filled, /<input type="radio" name="scope.kind" value="project" checked=""/);
    const broken = await post(B, { ...cutoutForm(), json: '{"name": ', _op: 'from-json' }, leadCookie);
    assert.equal(broken.status, 400);
    assert.match(errorAt(await broken.text(), 'json') ?? '', /json: not usable \(.*\); the form above is unchanged/);

    // While typing (builder.js): the JSON and every problem, as JSON.
    const sync = await (await post(B, { ...cutoutForm(), 'c.0.op': 'in', _op: 'sync' }, leadCookie, 'application/json')).json();
    assert.deepEqual(JSON.parse(sync.json).conditions, { all: [{ field: 'payload.tags', op: 'in', value: ['quality:high'] }] });
    assert.deepEqual(sync.problems, {});

    // Dry-run the saved version on the knight's variant: the tree, with the plan's hash to enable.
    const dry = await (
      await post(B, { ...cutoutForm(), ruleId: id, 'dry.source': 'sample', 'dry.target': 'knight-1', _op: 'dry-run' }, leadCookie)
    ).text();
    assert.match(dry, /If this trigger fires, here is what would happen/);
    assert.match(dry, /<span class="badge">event<\/span> <code>variant.approved<\/code> on variant <code>knight-1<\/code>/);
    assert.ok(
      dry.includes(
        `<span class="badge ok">fires</span> <a href="/review/projects/art/rules/${id}/edit">Approved character → cut-out → atlas</a>`,
      ),
    );
    assert.match(dry, /<strong>cutout<\/strong> bg_remove job/);
    assert.match(dry, /<code>atlas.ready<\/code>/, 'what the atlas step emits');
    const hash = /name="hash" value="([0-9a-f]+)"/.exec(dry)?.[1];
    assert.ok(hash);
    const wrong = await post(B, { ...cutoutForm(), ruleId: id, 'dry.target': 'knight-1', hash: 'f'.repeat(32), _op: 'enable' }, leadCookie);
    assert.equal(wrong.status, 409);
    assert.match(await wrong.text(), /The plan changed since that preview/);
    assert.equal(t.engine.rules.get(t.engine.authenticate(await lead())!, 'art', id).enabled, false, 'not enabled on a stale hash');
    const changed = await post(B, { ...cutoutForm(), ruleId: id, name: 'Other', hash, _op: 'enable' }, leadCookie);
    assert.equal(changed.status, 409);
    assert.match(await changed.text(), /The form differs from the saved version: save it, dry-run it/);
    const on = await post(B, { ...cutoutForm(), ruleId: id, 'dry.target': 'knight-1', hash, _op: 'enable' }, leadCookie);
    assert.equal(on.status, 303);
    assert.equal(t.engine.rules.get(t.engine.authenticate(await lead())!, 'art', id).enabled, true);
    const ran = await post(B, { ...cutoutForm(), ruleId: id, 'dry.target': 'knight-1', hash: 'f'.repeat(32), _op: 'run' }, leadCookie);
    assert.equal(ran.status, 409, 'run holds only for the plan shown');

    // A draft differing from the saved version previews as a draft, with no Enable / Run.
    const draft = await (
      await post(B, { ...cutoutForm(), ruleId: id, 'c.0.value': 'quality:low', 'dry.target': 'knight-1', _op: 'dry-run' }, leadCookie)
    ).text();
    assert.match(draft, /A preview of the form as it is now \(not saved\)/);
    assert.match(
      draft,
      /<span class="badge bad">skips<\/span> <strong>Approved character → cut-out → atlas<\/strong> — conditions false: payload.tags contains &quot;quality:low&quot; was false/,
    );
    assert.doesNotMatch(draft, /name="hash"/);
  });

  it('GIVEN a schedule THEN its next three times are shown; GIVEN real events of the trigger THEN the dry-run picker offers them, the field picker their fields with the operators that fit', async () => {
    const sched = await (
      await post(
        B,
        { ...cutoutForm(), 'trigger.kind': 'schedule', 'trigger.schedule': '0 3 * * *', 'trigger.timezone': '', _op: 'check' },
        leadCookie,
      )
    ).text();
    const next = /Next: ([^<]*) UTC/.exec(sched)?.[1]?.split(' · ') ?? [];
    assert.equal(next.length, 3);
    for (const n of next) assert.match(n, /^\d{4}-\d{2}-\d{2} 03:00$/);
    const bad = await post(B, { ...cutoutForm(), 'trigger.kind': 'schedule', 'trigger.schedule': '61 * * * *', _op: 'check' }, leadCookie);
    assert.match(errorAt(await bad.text(), 'trigger.schedule') ?? '', /not a valid cron expression/);

    // A real approval: offered to dry-run on, and its payload's fields (typed) to write conditions with.
    const approved = await t.call('POST', `${P}/variants/knight-1/review`, { decision: 'approve' }, await lead());
    assert.equal(approved.status, 200);
    const html = await (await post(B, { ...cutoutForm(), 'c.0.field': 'payload.tags', _op: 'refresh' }, leadCookie)).text();
    assert.match(html, new RegExp(`<option value="event:${approved.body.eventId}">variant.approved on variant knight-1 · `));
    assert.match(html, /<option value="payload.tags">array<\/option>/);
    const ops = /<select name="c.0.op"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
    assert.deepEqual(
      [...ops.matchAll(/value="(\w+)"/g)].map((m) => m[1]),
      ['contains', 'exists'],
      'an array field: contains or present',
    );
    const dry = await (
      await post(B, { ...cutoutForm(), 'dry.source': `event:${approved.body.eventId}`, _op: 'dry-run' }, leadCookie)
    ).text();
    assert.match(dry, /<code>variant.approved<\/code> on variant <code>knight-1<\/code>/);
    assert.match(dry, /<span class="badge ok">fires<\/span>/);
  });
});

async function lead(): Promise<string> {
  return (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token as string;
}
