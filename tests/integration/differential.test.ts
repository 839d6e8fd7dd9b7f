// Differential test: for random rule sets (approvals required or not, failing
// jobs, certain failures, nextJobs, parallel mode, halted rules, cycles) and a
// root event, the dry-run plan's tree equals the tree that ran on real Redis,
// BullMQ and SQLite — firings with how their runs ended, steps with their
// status, every emitted event, recorded skips with their reasons — node for
// node. Approval decisions and job failures are injected the same way into
// both: the plan is told them through the dry-run's `assume`, the real run gets
// them from admins deciding through the API and from workers failing the jobs
// whose input says `originalPath: 'FAIL'` (a follow-up: `fail: true`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Queue, UnrecoverableError } from 'bullmq';
import type { FiringNode, PlannedEvent } from '../../engine/index.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';
import { plannedFacts, ranFacts, settle } from '../helpers/plan-facts.js';
import { testWorkers } from '../helpers/workers.js';

/** A job the test's workers fail: a rule step's input names originalPath FAIL (a real field: rules refuse unknown ones); a follow-up says fail: true. */
const failsByDesign = (input: Record<string, unknown>) => input.fail === true || input.originalPath === 'FAIL';

const CASES = 320;
const types = [
  'variant.tagged',
  'variant.status_changed',
  'bg_remove.completed',
  'atlas.ready',
  'export.completed',
  'job.completed',
  'job.failed',
  'run.completed',
  'run.failed',
  'run.step.completed',
];
const actions = {
  tag: { type: 'apply_tags', config: { variantId: 'v1', add: ['auto'] } },
  // Certain failure: the engine action needs a variantId.
  tagAsset: { type: 'apply_tags', config: { assetId: 'a1', add: ['auto'] } },
  status: { type: 'set_status', config: { variantId: 'v1', status: 'approved' } },
  notify: { type: 'notify', config: { text: 'saw ${event.type}' } },
  cut: { type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1' } } },
  cutFails: { type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1', originalPath: 'FAIL' } } },
  cutThenPack: {
    type: 'enqueue_job',
    config: { type: 'bg_remove', input: { variantId: 'v1', nextJobs: [{ type: 'pack_atlas', input: { assetIds: ['a1'] } }] } },
  },
  cutThenFailingExport: {
    type: 'enqueue_job',
    config: { type: 'bg_remove', input: { variantId: 'v1', nextJobs: [{ type: 'export', input: { assetIds: ['a1'], fail: true } }] } },
  },
  // Certain failure unless the event carries a job output: a missing placeholder.
  packFrames: {
    type: 'enqueue_job',
    config: { type: 'pack_atlas', input: { assetIds: ['a1'], frames: '${event.payload.output.alphaPaths}' } },
  },
  // Certain failure: the job input's schema refuses maxSize 999.
  packBad: { type: 'enqueue_job', config: { type: 'pack_atlas', input: { assetIds: ['a1'], maxSize: 999 } } },
  export: { type: 'export', config: { assetIds: ['a1'] } },
} as const;
type ActionName = keyof typeof actions;
const conditions = [
  null,
  { field: 'depth', op: 'lt', value: 2 },
  { field: 'payload.jobType', op: 'eq', value: 'bg_remove' },
  { field: 'payload.stepId', op: 'exists' },
  { field: 'payload.eventType', op: 'eq', value: 'variant.tagged' },
];
const ruleArb = fc.record({
  trigger: fc.constantFrom(...types),
  actions: fc.array(fc.constantFrom(...(Object.keys(actions) as ActionName[])), { minLength: 1, maxLength: 3 }),
  maxDepth: fc.integer({ min: 1, max: 3 }),
  scope: fc.constantFrom({ project: true }, { project: true }, { assetType: 'character' }, { assetType: 'prop' }),
  condition: fc.constantFrom(...conditions),
  debounceMs: fc.constantFrom(0, 0, 60_000),
  mode: fc.constantFrom('sequential', 'parallel'),
  requiresApproval: fc.constantFrom('never', 'never', 'auto', 'always'),
  decision: fc.constantFrom('approved', 'denied'),
});
const caseArb = fc.record({
  rules: fc.array(ruleArb, { minLength: 2, maxLength: 4 }),
  root: fc.constantFrom('variant.tagged', 'variant.status_changed'),
  /** A halted rule (by index), or none. */
  halt: fc.constantFrom(null, null, 0, 1, 2),
  /** 'decide': admins decide each approval as the rule says; 'expire': every approval expires (default deny). */
  approvals: fc.constantFrom('decide', 'decide', 'expire'),
});
const cases = fc.sample(caseArb, { numRuns: CASES, seed: 20261201 });

let t: TestEngine;
let workers: ReturnType<typeof testWorkers>;

describe('dry-run equals what runs', () => {
  before(async () => {
    t = await makeEngine({ consume: true });
    workers = testWorkers(t.prefix);
    const outputs: Record<string, unknown> = {
      bg_remove: { alphaPaths: ['a.png'] },
      pack_atlas: { atlasId: 'atl', pages: [] },
      export: { exportId: 'e', bundlePath: 'b.zip' },
    };
    for (const q of Object.keys(outputs))
      await workers.add(
        q,
        (job) => {
          if (failsByDesign((job.data as { input: Record<string, unknown> }).input)) throw new UnrecoverableError('injected failure');
          return outputs[q];
        },
        { concurrency: 8 },
      );
  });
  after(async () => {
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it(`GIVEN ${CASES} random rule sets, approvals, failures and halts THEN the plan's tree equals the executed tree node for node`, async () => {
    const queues = ['events', 'steps', 'webhooks', 'bg_remove', 'pack_atlas', 'export'].map(
      (n) => new Queue(n, { connection: workers.conns[0]!, prefix: t.prefix }),
    );
    interface Prepared {
      projectId: string;
      sample: unknown;
      plan: PlannedEvent;
      decisions: Map<string, 'approved' | 'denied'>;
      rules: unknown;
      rootId?: string;
    }
    const prepared: Prepared[] = [];
    // Each case in a project of its own, all set up first, then every root event at once.
    for (const [n, c] of cases.entries()) {
      const projectId = `diff${n}`;
      const P = `/api/projects/${projectId}`;
      const settings = {
        limits: { maxConcurrentRuns: 100 },
        policies: { allowSelfApproval: true, ...(c.approvals === 'expire' ? { approvalExpiryMs: 1 } : {}) },
      };
      assert.equal((await t.call('POST', '/api/projects', { id: projectId, name: projectId, settings })).status, 201);
      // Entity ids are global: each case gets its own asset and variant.
      const own = <T>(x: T): T =>
        JSON.parse(JSON.stringify(x).replaceAll('"v1"', `"${projectId}-v1"`).replaceAll('"a1"', `"${projectId}-a1"`));
      assert.equal((await t.call('POST', `${P}/assets`, own({ id: 'a1', type: 'character', variants: [{ id: 'v1' }] }))).status, 201);
      // The first rule always listens to the root event, so every case starts a chain.
      const raw = c.rules.map((r, i) => (i === 0 ? { ...r, trigger: c.root, scope: { project: true }, condition: null } : r));
      const decisions = new Map<string, 'approved' | 'denied'>();
      const assume: { approvals: Record<string, string>; failSteps: string[] } = { approvals: {}, failSteps: [] };
      for (const [i, r] of raw.entries()) {
        // Rules refuse a payload field the trigger's event never carries (run.*, variant.*, job.failed have no output,
        // a job event no eventType). Such a condition is always false (the field is absent): it becomes one that is
        // always false and valid; the missing-placeholder failure becomes the schema's, certain just the same.
        const known = t.engine.rules.vocabulary().eventTypes.find((e) => e.type === r.trigger);
        const carries = (field: string) => !known?.strict || known.payload.includes(field);
        const list = r.actions.map((a) => actions[a === 'packFrames' && !carries('output') ? 'packBad' : a]);
        const condition =
          r.condition && r.condition.field.startsWith('payload.') && !carries(r.condition.field.slice(8))
            ? { field: 'depth', op: 'lt', value: 0 }
            : r.condition;
        const body = {
          name: `r${i}`,
          trigger: { event: r.trigger },
          scope: r.scope,
          conditions: condition ? { all: [condition] } : { all: [] },
          actions: list,
          maxDepth: r.maxDepth,
          debounceMs: r.debounceMs,
          requiresApproval: r.requiresApproval,
          mode: r.mode,
        };
        const created = await t.call('POST', `${P}/rules`, own(body));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const id = created.body.id as string;
        await t.call('POST', `${P}/rules/${id}/dry-run`, { event: { type: c.root, payload: {} } });
        assert.equal((await t.call('POST', `${P}/rules/${id}/enable`)).status, 200);
        decisions.set(id, r.decision as 'approved' | 'denied');
        assume.approvals[id] = c.approvals === 'expire' ? 'expired' : r.decision;
        list.forEach((a, k) => {
          const input = (a.config as { input?: { fail?: boolean; nextJobs?: { input: { fail?: boolean } }[] } }).input;
          if (input && failsByDesign(input)) assume.failSteps.push(`${id}/step${k + 1}`);
          input?.nextJobs?.forEach((nj, j) => nj.input.fail && assume.failSteps.push(`${id}/step${k + 1}-next${j + 1}`));
        });
        if (c.halt === i) assert.equal((await t.call('POST', `${P}/rules/${id}/halt`, { reason: 'differential' })).status, 200);
      }
      const sample = own({ type: c.root, subject: { kind: 'variant', id: 'v1' }, payload: { variantId: 'v1', assetId: 'a1' } });
      const plan = await t.call('POST', `${P}/automation/dry-run`, { event: sample, assume });
      assert.equal(plan.status, 200, JSON.stringify(plan.body));
      assert.ok(!plan.body.summary.truncated, 'plan not truncated');
      prepared.push({ projectId, sample, plan: plan.body.root, decisions, rules: raw });
    }
    for (const p of prepared) {
      const emitted = await t.call('POST', `/api/projects/${p.projectId}/automation/events`, p.sample);
      assert.equal(emitted.status, 202);
      p.rootId = emitted.body.id;
    }
    const decisionOf = new Map(prepared.flatMap((p) => [...p.decisions].map(([rule, d]) => [`${p.projectId}/${rule}`, d] as const)));
    // Admins decide what comes up (expiring projects wait for the engine's expiry).
    await settle(
      t,
      queues,
      async () => {
        const pending = t.door.sql
          .prepare(`SELECT a.id, a.project_id, r.rule_id FROM approvals a JOIN runs r ON r.id = a.run_id WHERE a.status = 'pending'`)
          .all() as { id: string; project_id: string; rule_id: string }[];
        for (const a of pending) {
          const d = decisionOf.get(`${a.project_id}/${a.rule_id}`);
          const expiring = cases[Number(a.project_id.slice(4))]!.approvals === 'expire';
          if (!d || expiring) continue;
          const res = await t.call('POST', `/api/projects/${a.project_id}/approvals/${a.id}/${d === 'approved' ? 'approve' : 'deny'}`);
          assert.equal(res.status, 200, JSON.stringify(res.body));
        }
      },
      120_000,
    );
    const totals = { facts: 0, fired: 0, skips: 0, failedSteps: 0, approvals: 0, cancelled: 0, halted: 0, followUps: 0, cycles: 0 };
    for (const p of prepared) {
      const want = plannedFacts(p.plan);
      const got = ranFacts(t, p.projectId, p.rootId!);
      assert.deepEqual(got, want, `case ${p.projectId}: rules ${JSON.stringify(p.rules)}`);
      totals.facts += got.length;
      totals.fired += got.filter((f) => f.startsWith('F') && f.includes(' fire:')).length;
      totals.skips += got.filter((f) => f.includes(' skip:')).length;
      totals.halted += got.filter((f) => f.endsWith('skip:halted')).length;
      totals.cancelled += got.filter((f) => f.endsWith('fire:cancelled')).length;
      totals.failedSteps += got.filter((f) => f.startsWith('S') && f.endsWith('failed')).length;
      totals.followUps += got.filter((f) => f.startsWith('S') && f.includes('-next')).length;
      const walk = (ev: PlannedEvent): FiringNode[] =>
        ev.firings.flatMap((f) => [f, ...(f.steps ?? []).flatMap((s) => s.emits.flatMap(walk)), ...(f.runEvents ?? []).flatMap(walk)]);
      const firings = walk(p.plan);
      totals.approvals += firings.filter((f) => f.decision === 'fire' && f.approval).length;
      totals.cycles += firings.filter((f) => f.cycle).length;
    }
    await Promise.all(queues.map((q) => q.close()));
    console.log(`differential: ${prepared.length} cases compared node for node: ${JSON.stringify(totals)}`);
    // The cases exercise what they claim to: each kind of node occurs.
    for (const [k, v] of Object.entries(totals)) assert.ok(v > 0, `some case has ${k}`);
  });
});
