// Differential test: for random rule sets and events, the dry-run plan equals
// the chain that actually ran on real Redis — the same rules at the same
// depths, and the same recorded skips.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Queue } from 'bullmq';
import type { FiringNode, PlannedEvent } from '../../engine/index.js';
import { makeEngine, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { testWorkers } from '../helpers/workers.js';

const types = ['variant.tagged', 'variant.status_changed', 'bg_remove.completed', 'atlas.ready', 'job.completed', 'run.completed'];
const action = fc.constantFrom(
  { type: 'apply_tags', config: { variantId: 'v1', add: ['auto'] } },
  { type: 'set_status', config: { variantId: 'v1', status: 'approved' } },
  { type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1' } } },
  { type: 'enqueue_job', config: { type: 'pack_atlas', input: { assetIds: ['a1'], frames: '${event.payload.output.alphaPaths}' } } },
  { type: 'export', config: { assetIds: ['a1'] } },
);
const ruleArb = fc.record({
  trigger: fc.constantFrom(...types),
  actions: fc.array(action, { minLength: 1, maxLength: 2 }),
  maxDepth: fc.integer({ min: 1, max: 3 }),
  scope: fc.constantFrom({ project: true }, { assetType: 'character' }, { assetType: 'prop' }),
  condition: fc.constantFrom(null, { field: 'depth', op: 'lt', value: 2 }, { field: 'payload.jobType', op: 'eq', value: 'bg_remove' }),
  debounceMs: fc.constantFrom(0, 0, 60_000),
  mode: fc.constantFrom('sequential', 'parallel'),
});
const cases = fc.sample(fc.tuple(fc.array(ruleArb, { minLength: 2, maxLength: 4 }), fc.constantFrom(...types.slice(0, 2))), {
  numRuns: 20,
  seed: 20261122,
});

type Fact = string;
function planned(ev: PlannedEvent, out: Fact[] = []): Fact[] {
  const visit = (f: FiringNode) => {
    if (f.decision === 'fire') out.push(`${f.depth} ${f.ruleId} fire`);
    else if (['depth_limit', 'debounced', 'manual_override', 'halted'].includes(f.reason!))
      out.push(`${f.depth} ${f.ruleId} skip:${f.reason}`);
    for (const s of f.steps ?? []) for (const c of s.emits) planned(c, out);
    for (const c of f.runEvents ?? []) planned(c, out);
  };
  ev.firings.forEach(visit);
  return out;
}

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
    for (const q of Object.keys(outputs)) {
      await workers.add(q, () => outputs[q], { concurrency: 4 });
    }
  });
  after(async () => {
    await workers.close();
    await t.close();
    await stopTestRedis();
  });

  it('GIVEN random rule sets and events THEN the plan and the real chain fire the same rules at the same depths with the same skips', async () => {
    const queues = ['events', 'steps', 'bg_remove', 'pack_atlas', 'export'].map(
      (n) => new Queue(n, { connection: workers.conns[0]!, prefix: t.prefix }),
    );
    let n = 0;
    let totalFired = 0;
    let totalSkips = 0;
    for (const [generated, rootType] of cases) {
      // The first rule always listens to the root event, so every case starts a chain.
      const raw = generated.map((r, i) => (i === 0 ? { ...r, trigger: rootType, scope: { project: true }, condition: null } : r));
      const projectId = `diff${n++}`;
      const P = `/api/projects/${projectId}`;
      assert.equal(
        (await t.call('POST', '/api/projects', { id: projectId, name: projectId, settings: { limits: { maxConcurrentRuns: 100 } } }))
          .status,
        201,
      );
      // Entity ids are global: each case gets its own asset and variant.
      const own = <T>(x: T): T =>
        JSON.parse(JSON.stringify(x).replaceAll('"v1"', `"${projectId}-v1"`).replaceAll('"a1"', `"${projectId}-a1"`));
      assert.equal((await t.call('POST', `${P}/assets`, own({ id: 'a1', type: 'character', variants: [{ id: 'v1' }] }))).status, 201);
      const ids: string[] = [];
      for (const [i, r] of raw.entries()) {
        const body = {
          name: `r${i}`,
          trigger: { event: r.trigger },
          scope: r.scope,
          conditions: r.condition ? { all: [r.condition] } : { all: [] },
          actions: r.actions,
          maxDepth: r.maxDepth,
          debounceMs: r.debounceMs,
          mode: r.actions.some((a) => JSON.stringify(a).includes('$')) ? 'sequential' : r.mode,
        };
        const created = await t.call('POST', `${P}/rules`, own(body));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        await t.call('POST', `${P}/rules/${created.body.id}/dry-run`, { event: { type: rootType, payload: {} } });
        await t.call('POST', `${P}/rules/${created.body.id}/enable`);
        ids.push(created.body.id);
      }
      const sample = own({ type: rootType, subject: { kind: 'variant', id: 'v1' }, payload: { variantId: 'v1', assetId: 'a1' } });
      const plan = await t.call('POST', `${P}/automation/dry-run`, { event: sample });
      assert.equal(plan.status, 200);
      const emitted = await t.call('POST', `${P}/automation/events`, sample);
      // Quiet: nothing unpublished, no queue work, no run still going — three polls in a row.
      let quiet = 0;
      await waitFor(
        async () => {
          const busy =
            (t.door.sql.prepare('SELECT count(*) AS n FROM events WHERE published_at IS NULL').get() as { n: number }).n +
            (
              t.door.sql
                .prepare("SELECT count(*) AS n FROM runs WHERE project_id = ? AND status IN ('planned', 'running')")
                .get(projectId) as { n: number }
            ).n;
          const counts = await Promise.all(
            queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized')),
          );
          const queued = counts.reduce((s, c) => s + Object.values(c).reduce((a, b) => a + b, 0), 0);
          quiet = busy + queued === 0 ? quiet + 1 : 0;
          return quiet >= 3;
        },
        30_000,
        `case ${projectId} to settle`,
      );
      const ran = (
        t.door.sql
          .prepare('SELECT rule_id, depth, status, reason FROM runs WHERE project_id = ? AND correlation_id = ?')
          .all(projectId, emitted.body.id) as { rule_id: string; depth: number; status: string; reason: string | null }[]
      ).map((r) => `${r.depth} ${r.rule_id} ${r.status === 'skipped' ? `skip:${r.reason!.split(':')[0]}` : 'fire'}`);
      assert.ok(!plan.body.summary.truncated, 'plan not truncated');
      totalFired += ran.filter((r) => r.endsWith('fire')).length;
      totalSkips += ran.filter((r) => r.includes('skip')).length;
      assert.deepEqual(ran.sort(), planned(plan.body.root).sort(), `case ${projectId}: rules ${JSON.stringify(raw)}`);
    }
    await Promise.all(queues.map((q) => q.close()));
    console.log(`differential: ${cases.length} cases, ${totalFired} firings and ${totalSkips} recorded skips compared`);
    assert.ok(totalFired >= cases.length, 'the cases exercise real chains');
  });
});
