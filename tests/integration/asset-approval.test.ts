// Asset-level approval (issue "A newcomer's first hour", asset approval): a lead done choosing approves
// the asset; `asset.approved` carries the ids of its approved variants, so a rule cuts out exactly those
// and packs one atlas of the asset (the README's first MVP rule). On main before this, the route did not
// exist and `asset.approved` was only ever what a sender typed (no variants), so the README's example
// rule made one atlas per approved variant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliPrincipal } from '../../engine/index.js';
import { makeEngine, seedProject, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
let t: TestEngine;
let tokens: Awaited<ReturnType<typeof seedProject>>['tokens'];
const eventCount = () => (t.door.sql.prepare("SELECT count(*) AS n FROM events WHERE project_id = 'art'").get() as { n: number }).n;

const rule = {
  name: 'approved character atlas',
  trigger: { event: 'asset.approved' },
  actions: [
    {
      id: 'cutout',
      type: 'enqueue_job',
      config: { type: 'bg_remove', input: { assetId: '${event.payload.assetId}', variantIds: '${event.payload.variantIds}' } },
    },
    {
      id: 'atlas',
      type: 'enqueue_job',
      config: { type: 'pack_atlas', input: { assetIds: ['${event.payload.assetId}'], frames: '${steps.cutout.output.alphaPaths}' } },
    },
  ],
};

describe('asset approval', () => {
  before(async () => {
    t = await makeEngine();
    ({ tokens } = await seedProject(t));
    assert.equal((await t.call('POST', `${P}/assets`, { id: 'hero2', type: 'character', variants: [{ id: 'h2-v1' }] })).status, 201);
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN no approved variant THEN approving the asset is refused with what to do first, and nothing changes', async () => {
    const before = eventCount();
    const res = await t.call('POST', `${P}/assets/hero/review`, { decision: 'approve' }, tokens.lead);
    assert.equal(res.status, 409);
    assert.match(res.body.error.message, /no approved variant \(2 in all\): approve the ones to keep first/);
    assert.equal(eventCount(), before, 'no event stored');
    assert.equal((await t.call('GET', `${P}/assets/hero`)).body.asset.status, 'draft');
  });

  it('GIVEN an artist THEN the asset decision is the lead’s (403); a typo in the body names the field', async () => {
    assert.equal((await t.call('POST', `${P}/assets/hero/review`, { decision: 'approve' }, tokens.artist)).status, 403);
    const bad = await t.call('POST', `${P}/assets/hero/review`, { decision: 'aprove' }, tokens.lead);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'decision');
  });

  it('GIVEN approved variants THEN asset.approved carries exactly them, and the dry-run preview predicted that very event', async () => {
    assert.equal((await t.call('POST', `${P}/variants/hero-v2/review`, { decision: 'approve' }, tokens.artist)).status, 200);
    assert.equal((await t.call('POST', `${P}/variants/hero2-x/review`, { decision: 'approve' }, tokens.artist)).status, 404);
    const created = await t.call('POST', `${P}/rules`, rule, tokens.lead);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // What a dry-run "on hero" plans on, computed before the decision by the same builder that acts.
    const predicted = t.engine.rules.previewEvent(cliPrincipal, 'art', created.body.id, 'hero');
    const plan = t.engine.rules.dryRun(cliPrincipal, 'art', created.body.id, { event: predicted });
    const cut = plan.root.firings[0]!.steps!.find((s) => s.id === 'cutout')!;
    assert.deepEqual(
      (cut.config as { input: { variantIds: string[] } }).input.variantIds,
      ['hero-v2'],
      'the plan cuts out the approved variant only',
    );

    const { event } = t.engine.reviewAsset(cliPrincipal, 'art', 'hero', { decision: 'approve', idempotencyKey: 'k1' }, 'test');
    assert.deepEqual(
      { type: event.type, subject: { kind: event.subjectKind, id: event.subjectId }, payload: event.payload },
      {
        type: predicted.type,
        subject: predicted.subject,
        payload: predicted.payload,
      },
    );
    assert.deepEqual(event.payload.variantIds, ['hero-v2']);
    assert.equal(event.payload.assetType, 'character');
    assert.equal((await t.call('GET', `${P}/assets/hero`)).body.asset.status, 'approved');
    const twin = t.engine.reviewAsset(cliPrincipal, 'art', 'hero', { decision: 'approve', idempotencyKey: 'k1' }, 'test');
    assert.equal(twin.created, false, 'the same idempotency key twice is one decision');
    assert.equal(twin.event.id, event.id);
    // The same key for another decision is a reused key, not this decision's twin (nothing changes).
    const reused = await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'reject', idempotencyKey: 'k1' }, tokens.artist);
    assert.equal(reused.status, 409);
    assert.match(reused.body.error.message, /idempotencyKey 'k1' was already used for another event \(asset\.approved on hero\)/);
    assert.equal((await t.call('GET', `${P}/variants/hero-v1`)).body.status, 'pending');

    // Over HTTP, once more variants are chosen: the newest list, oldest variant first.
    assert.equal((await t.call('POST', `${P}/variants/hero-v1/review`, { decision: 'approve' }, tokens.artist)).status, 200);
    const res = await t.call('POST', `${P}/assets/hero/review`, { decision: 'approve', note: 'final pick' }, tokens.lead);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.variantIds, ['hero-v1', 'hero-v2']);
    assert.equal(res.body.type, 'asset.approved');
  });

  it('GIVEN a rule misspelling what asset.approved carries THEN it is refused with the closest field', async () => {
    const bad = structuredClone(rule);
    (bad.actions[0]!.config.input as Record<string, unknown>).variantIds = '${event.payload.variantIDs}';
    const res = await t.call('POST', `${P}/rules`, bad, tokens.lead);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body.error.details), /variantIds/);
  });
});
