// Specs (issue "Specs"): a project's catalogs imported, versioned and mirrored to the seed's layout;
// a wishlist refined into AssetSpecs with questions for what cannot be read; `spec.refined` firing a
// rule whose dry-run predicted it; generate from a spec with the policy's LoRA order and the metadata
// written beside each variant (real gpu-worker on real Redis); the SPEC_REFINER_URL hook. On main
// before this, none of the routes existed and a spec was only a type and a prompt.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { catalogFromFiles, cliPrincipal } from '../../engine/index.js';
import { loadWorkerConfig } from '../../gpu-worker/config.js';
import { startWorker, type RunningWorker } from '../../gpu-worker/worker.js';
import { makeEngine, seedProject, stopTestRedis, testRedis, waitFor, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
const fixture = path.resolve('tests/fixtures/catalog');
const readDir = (dir: string) =>
  catalogFromFiles((rel) => (fs.existsSync(path.join(dir, rel)) ? JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) : undefined));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-specs-'));
const projectDir = path.join(dataDir, 'projects/art');
let t: TestEngine;
let worker: RunningWorker;
let tokens: Awaited<ReturnType<typeof seedProject>>['tokens'];
const count = (sql: string) => (t.door.sql.prepare(sql).get() as { n: number }).n;

const wishlist = [
  '3 knight characters, side view, 64 px, warm palette; 1 health potion prop',
  '- two spooky slime enemies, top-down',
  '* a treasure chest item in wood, isometric',
  '4x sword icon 32x32, icy palette',
  'floor tile x2, 16 px',
  'an explosion effect 96x96 px',
  '1. a pair of coin pickups',
  'Hero portrait, front view, 256 × 256',
  'a pair of cute ghost npcs, three-quarter view, toxic palette',
  'a glowing thing',
  'some barrels, purple palette',
].join('\n');

describe('specs: catalogs, wishlists, refinement, generate from a spec', () => {
  before(async () => {
    t = await makeEngine({ consume: true, dataDir });
    ({ tokens } = await seedProject(t));
    const config = loadWorkerConfig({ GREENLIGHT_DATA_DIR: dataDir, GREENLIGHT_QUEUE_PREFIX: t.prefix }, process.cwd());
    worker = startWorker({ config, redisUrl: (await testRedis()).url, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await worker.close();
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a bad catalog THEN 400 names each path, nothing changes; a lead may not import', async () => {
    const bad = await t.call(
      'PUT',
      `${P}/catalog`,
      { assetTypes: [{ id: 'prop', name: 'Prop', loraId: 'missing' }], palettes: [{ id: 'p', name: 'P', colors: ['red'] }] },
      tokens.admin,
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path).sort(), ['assetTypes.0.loraId', 'palettes.0.colors.0']);
    assert.equal((await t.call('PUT', `${P}/catalog`, readDir(fixture), tokens.lead)).status, 403);
    const now = await t.call('GET', `${P}/catalog`, undefined, tokens.artist);
    assert.equal(now.body.version, 0, 'still no catalog');
    assert.equal(fs.existsSync(path.join(projectDir, 'project.json')), false, 'no file written');
  });

  it('GIVEN the seed-layout catalog THEN import → v1 with files and chips; export → import round-trips to the same catalog (v2)', async () => {
    const first = await t.call('PUT', `${P}/catalog`, readDir(fixture), tokens.admin);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.version, 1);
    assert.deepEqual(first.body.files, [
      'project.json',
      'catalogs/asset-types.json',
      'catalogs/tag-groups.json',
      'catalogs/palettes.json',
      'catalogs/checkpoints.json',
      'catalogs/loras.json',
    ]);
    assert.equal(JSON.parse(fs.readFileSync(path.join(projectDir, 'project.json'), 'utf8')).catalogVersion, 1);
    assert.deepEqual((await t.call('GET', P)).body.settings.tagGroups, {
      mood: ['heroic', 'spooky', 'cute'],
      material: ['metal', 'wood', 'glass'],
    });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-catalog-out-'));
    t.engine.specs.exportCatalog(cliPrincipal, 'art', out);
    const again = await t.call('PUT', `${P}/catalog`, readDir(out), tokens.admin);
    assert.equal(again.body.version, 2);
    assert.deepEqual(again.body.catalog, first.body.catalog, 'what export wrote imports back to the same catalog');
    const got = await t.call('GET', `${P}/catalog`, undefined, tokens.artist);
    assert.deepEqual(
      got.body.versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('GIVEN a wishlist of 11 lines THEN specs per asset, questions for the unclear lines, files and one spec.refined each', async () => {
    const res = await t.call('POST', `${P}/spec-lists`, { text: wishlist, references: ['https://example.com/board'] }, tokens.lead);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { specList, specs, questions } = res.body;
    assert.equal(specList.status, 'needs_answers');
    assert.equal(specs.length, 19);
    assert.deepEqual(
      questions.map((q: { line: number; field: string }) => `${q.line}:${q.field}`),
      ['10:assetType', '11:palette', '11:assetType'],
    );
    const types = Object.fromEntries(
      ['knight', 'health potion', 'slime', 'treasure chest', 'sword', 'tile', 'explosion', 'coin', 'portrait', 'ghost'].map((s) => [
        s,
        specs.filter((x: { body: { subject: string } }) => x.body.subject === s).map((x: { assetType: string }) => x.assetType),
      ]),
    );
    assert.deepEqual(types, {
      knight: ['character', 'character', 'character'],
      'health potion': ['prop'],
      slime: ['character', 'character'],
      'treasure chest': ['prop'],
      sword: ['ui_icon', 'ui_icon', 'ui_icon', 'ui_icon'],
      tile: ['tile', 'tile'],
      explosion: ['vfx_frame'],
      coin: ['prop', 'prop'],
      portrait: ['character'],
      ghost: ['character', 'character'],
    });
    assert.equal(count(`SELECT count(*) AS n FROM events WHERE project_id = 'art' AND type = 'spec.refined'`), 19);
    const stored = JSON.parse(fs.readFileSync(path.join(projectDir, `spec-lists/${specList.id}.json`), 'utf8'));
    assert.equal(stored.text, wishlist, 'the raw intake is kept as written');
    assert.deepEqual(stored.references, ['https://example.com/board']);
    for (const s of specs) assert.ok(fs.existsSync(path.join(projectDir, `specs/${s.id}.json`)), s.id);
    const one = await t.call('GET', `${P}/spec-lists/${specList.id}`, undefined, tokens.artist);
    assert.equal(one.body.specs.length, 19);
    const first = (await t.call('GET', `${P}/specs/${specs[0].id}`, undefined, tokens.artist)).body;
    assert.deepEqual(
      [first.specListId, first.body.source],
      [specList.id, { line: 1, text: '3 knight characters, side view, 64 px, warm palette' }],
    );
    const empty = await t.call('POST', `${P}/spec-lists`, { text: '' }, tokens.lead);
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.details[0].message, /one asset \(or "3 knights"\) per line/);
  });

  it('GIVEN a rule on spec.refined THEN the refined spec fires it, the dry-run predicted the event and the job, and generate uses the spec', async () => {
    const rule = await t.call(
      'POST',
      `${P}/rules`,
      {
        name: 'generate refined props',
        trigger: { event: 'spec.refined' },
        conditions: { all: [{ field: 'payload.assetType', op: 'eq', value: 'prop' }] },
        requiresApproval: 'never',
        actions: [{ id: 'gen', type: 'enqueue_job', config: { type: 'generate', input: { specId: '${event.payload.specId}', count: 2 } } }],
      },
      tokens.lead,
    );
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    // Shown first on a spec refined earlier: its preview is exactly the spec.refined stored for it (one builder).
    const potion = (await t.call('GET', `${P}/specs`)).body.specs.find(
      (s: { body: { subject: string } | null }) => s.body?.subject === 'health potion',
    );
    const shown = t.engine.rules.previewEvent(cliPrincipal, 'art', rule.body.id, potion.id);
    const storedRow = t.door.sql.prepare("SELECT id FROM events WHERE type = 'spec.refined' AND subject_id = ?").get(potion.id) as {
      id: string;
    };
    const stored = t.engine.events.get(cliPrincipal, 'art', storedRow.id);
    assert.deepEqual(
      { type: stored.type, subject: stored.subject, payload: stored.payload },
      { type: shown.type, subject: shown.subject, payload: shown.payload },
    );
    const dry = await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: shown }, tokens.lead);
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.equal(
      dry.body.root.firings[0].steps[0].config.input.prompt,
      potion.body.prompt.positive,
      'the plan shows the prompt the job gets',
    );
    assert.equal((await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, tokens.lead)).status, 200);

    const res = await t.call('POST', `${P}/spec-lists`, { text: 'a health potion prop, isometric' }, tokens.lead);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const spec = res.body.specs[0];
    // What a dry-run on the new spec plans: computed by the same builder and step machine as the run.
    const predicted = t.engine.rules.previewEvent(cliPrincipal, 'art', rule.body.id, spec.id);
    const plan = t.engine.rules.dryRun(cliPrincipal, 'art', rule.body.id, { event: predicted });
    const planned = (plan.root.firings[0]!.steps![0]!.config as { input: Record<string, unknown> }).input;
    assert.equal(planned.prompt, spec.body.prompt.positive);
    // (spec.refined events of the earlier list still queued may fire it too: this spec's run is the one to read.)
    const ofSpec = `FROM runs WHERE rule_id = '${rule.body.id}' AND subject_id = '${spec.id}'`;
    await waitFor(() => count(`SELECT count(*) AS n ${ofSpec} AND status = 'succeeded'`) === 1, 30_000, 'the generate run');
    const step = t.door.sql.prepare(`SELECT config FROM run_steps WHERE run_id = (SELECT id ${ofSpec})`).get() as { config: string };
    assert.deepEqual(JSON.parse(step.config), planned, 'the job got exactly what the dry-run showed');
    assert.deepEqual(planned.loraNames, ['lora_baseline_props'], 'LoRAs by the policy');
    const asset = (await t.call('GET', `${P}/assets/${spec.id}`)).body;
    assert.equal(asset.asset.specId, spec.id);
    assert.equal(asset.asset.type, 'prop');
    assert.equal(asset.variants.length, 2);
    const metaFiles = fs.readdirSync(path.join(projectDir, `files/images/${spec.id}/original`)).filter((f) => f.endsWith('.json'));
    assert.equal(metaFiles.length, 2);
    const meta = JSON.parse(fs.readFileSync(path.join(projectDir, `files/images/${spec.id}/original`, metaFiles[0]!), 'utf8'));
    assert.deepEqual(
      {
        specId: meta.specId,
        seed: meta.seed,
        prompt: meta.prompt,
        checkpointName: meta.checkpointName,
        loraNames: meta.loraNames,
        hashes: meta.modelHashes,
      },
      {
        specId: spec.id,
        seed: spec.body.generationParams.seed,
        prompt: spec.body.prompt.positive,
        checkpointName: 'ckpt_sd15_demo',
        loraNames: ['lora_baseline_props'],
        hashes: { ckpt_sd15_demo: 'a1b2c3d4' },
      },
    );
    assert.deepEqual([meta.width, meta.height, meta.steps, meta.sampler, meta.cfg], [64, 64, 30, 'dpmpp_2m', 6.5]);
  });

  it('GIVEN a Generate press on a spec THEN spec.generate_requested fires the README’s generate rule, which waits for an admin as costly work does', async () => {
    // The rule as README's Specs section writes it, so the documented example stays true.
    const readme = fs.readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Specs: catalogs'));
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!);
    assert.equal(example.trigger.event, 'spec.generate_requested');
    const rule = await t.call('POST', `${P}/rules`, example, tokens.lead);
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    // A character: the props rule of the test before (spec.refined events still queued may reach it) never acts on it.
    const knight = (await t.call('GET', `${P}/specs`)).body.specs.find((s: { name: string }) => s.name === 'knight 2');
    const shown = t.engine.rules.previewEvent(cliPrincipal, 'art', rule.body.id, knight.id);
    const dry = await t.call('POST', `${P}/rules/${rule.body.id}/dry-run`, { event: shown }, tokens.lead);
    assert.equal(dry.body.root.firings[0].approval.required, true, JSON.stringify(dry.body.root.firings[0]));
    assert.equal((await t.call('POST', `${P}/rules/${rule.body.id}/enable`, undefined, tokens.lead)).status, 200);

    assert.equal((await t.call('POST', `${P}/specs/${knight.id}/generate`, { count: 1 }, tokens.artist)).status, 403);
    const press = await t.call('POST', `${P}/specs/${knight.id}/generate`, { count: 1, idempotencyKey: 'press-1' }, tokens.lead);
    assert.equal(press.status, 200, JSON.stringify(press.body));
    assert.deepEqual(
      { ...press.body.payload, requestedBy: 'x' },
      { ...shown.payload, count: 1, requestedBy: 'x' },
      'the preview is the press',
    );
    const twice = await t.call('POST', `${P}/specs/${knight.id}/generate`, { count: 1, idempotencyKey: 'press-1' }, tokens.lead);
    assert.deepEqual([twice.status, twice.body.duplicate, twice.body.eventId], [200, true, press.body.eventId]);
    assert.equal((await t.call('POST', `${P}/specs/nope/generate`, {}, tokens.lead)).status, 404);
    const potion = (await t.call('GET', `${P}/specs`)).body.specs.find((s: { name: string }) => s.name === 'health potion');
    const reused = await t.call('POST', `${P}/specs/${potion.id}/generate`, { idempotencyKey: 'press-1' }, tokens.lead);
    assert.equal(reused.status, 409, 'a key already used for another spec is not that spec’s twin');
    assert.equal((await t.call('POST', `${P}/specs/${knight.id}/generate`, null, tokens.lead)).status, 400);

    const ofRule = `FROM runs WHERE rule_id = '${rule.body.id}'`;
    await waitFor(() => count(`SELECT count(*) AS n ${ofRule} AND status = 'awaiting_approval'`) === 1, 10_000, 'the run to wait');
    const [approval] = (await t.call('GET', `${P}/approvals`, undefined, tokens.admin)).body.approvals;
    assert.equal((await t.call('POST', `${P}/approvals/${approval.id}/approve`, {}, tokens.admin)).status, 200);
    await waitFor(() => count(`SELECT count(*) AS n ${ofRule} AND status = 'succeeded'`) === 1, 30_000, 'the approved generate run');
    const asset = (await t.call('GET', `${P}/assets/${knight.id}`)).body;
    assert.deepEqual([asset.asset.type, asset.variants.length], ['character', 1]);
  });
});

describe('specs: the SPEC_REFINER_URL hook', () => {
  let hook: http.Server;
  let answer: (body: Record<string, unknown>) => { status: number; body: unknown };
  const received: Record<string, unknown>[] = [];
  let h: TestEngine;
  const spec = (assetType: string) => ({
    name: 'lamp',
    assetType,
    subject: 'lamp',
    checkpointId: null,
    style: 's',
    scenario: '',
    palette: null,
    camera: null,
    prompt: { positive: 'a lamp', negative: '' },
    tags: [],
    generationParams: { width: 64, height: 64, steps: 20, sampler: 'euler', cfg: 7, seed: 5, seedRule: 'fixed', variants: 2 },
    baselineProfileId: null,
    loraPolicy: { selection: 'baseline-first', loraIds: [] },
    styleConsistency: { mode: 'off', paletteId: null },
    qualityContract: { transparentBackground: true, minCoverage: 0 },
    fields: {},
    source: { line: 1, text: 'a lamp' },
  });
  before(async () => {
    hook = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        received.push(body);
        const a = answer(body);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/refine`;
    h = await makeEngine({ redisUrl: null, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gl-hook-')), env: { SPEC_REFINER_URL: url } });
    await h.call('POST', '/api/projects', { id: 'art', name: 'Art' });
    assert.equal((await h.call('PUT', `${P}/catalog`, readDir(fixture))).status, 200);
  });
  after(async () => {
    await h.close();
    hook.close();
  });
  const specCount = () => (h.door.sql.prepare("SELECT count(*) AS n FROM specs WHERE project_id = 'art'").get() as { n: number }).n;

  it('GIVEN a refiner that answers by the contract THEN its specs and questions are stored, and it got the list and the catalog', async () => {
    answer = () => ({
      status: 200,
      body: { specs: [spec('prop')], questions: [{ line: 2, text: 'x', field: 'assetType', question: 'which?' }] },
    });
    const res = await h.call('POST', `${P}/spec-lists`, { text: 'a lamp prop\nx' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.specList.refiner.endsWith('/refine'), true);
    assert.equal(res.body.specs[0].body.subject, 'lamp');
    assert.equal(res.body.questions[0].question, 'which?');
    const got = received.at(-1)!;
    assert.equal((got.specList as { text: string }).text, 'a lamp prop\nx');
    assert.equal((got.catalog as { assetTypes: unknown[] }).assetTypes.length, 5);
  });

  it('GIVEN a refiner answering outside the contract or the catalog, or an error THEN 503 with the paths, nothing stored', async () => {
    const before = specCount();
    answer = () => ({ status: 200, body: { specs: [spec('dragon')], questions: [] } });
    const wrongType = await h.call('POST', `${P}/spec-lists`, { text: 'a dragon' });
    assert.equal(wrongType.status, 503);
    assert.equal(wrongType.body.error.details[0].path, 'specs.0.assetType');
    assert.match(wrongType.body.error.message, /no asset type 'dragon' in the project catalog/);
    answer = () => ({ status: 200, body: { specs: [{ ...spec('prop'), prompt: {} }] } });
    const bad = await h.call('POST', `${P}/spec-lists`, { text: 'a lamp' });
    assert.equal(bad.status, 503);
    assert.ok(bad.body.error.details.some((d: { path: string }) => d.path === 'questions'));
    answer = () => ({ status: 500, body: { oops: true } });
    assert.equal((await h.call('POST', `${P}/spec-lists`, { text: 'a lamp' })).status, 503);
    assert.equal(specCount(), before, 'nothing stored');
    assert.equal((h.door.sql.prepare('SELECT count(*) AS n FROM spec_lists').get() as { n: number }).n, 1);
  });
});
