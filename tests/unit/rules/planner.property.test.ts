// Property tests of the dry-run planner on random rule sets, events and world state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findCycles, ruleSuccessors } from '../../../engine/rules/graph.js';
import type { EntityFacts, PlanWorld } from '../../../engine/rules/matching.js';
import { plan, type FiringNode, type PlannedEvent } from '../../../engine/rules/planner.js';
import { ruleInputSchema, type RuleRecord } from '../../../engine/rules/schema.js';

const eventTypes = [
  'variant.approved',
  'bg_remove.completed',
  'atlas.ready',
  'export.completed',
  'job.completed',
  'custom.ping',
  'run.completed',
];
const actionArb = fc.oneof(
  fc
    .constantFrom('bg_remove', 'pack_atlas', 'export', 'generate')
    // Fields each job takes (rules refuse unknown ones), from what every event has: its subject.
    .map((type) => ({
      type: 'enqueue_job',
      config: {
        type,
        input: {
          bg_remove: { assetId: '${event.subject.id}', variantId: 'v1' },
          pack_atlas: { atlasId: '${event.subject.id}' },
          export: { exportId: '${event.subject.id}' },
          generate: { assetId: '${event.subject.id}' },
        }[type],
      },
    })),
  fc.constant({ type: 'apply_tags', config: { variantId: 'v1', add: ['auto'] } }),
  fc.constant({ type: 'notify', config: { text: 'hi ${event.type}' } }),
);
const ruleArb = fc.record({
  trigger: fc.constantFrom(...eventTypes),
  actions: fc.array(actionArb, { minLength: 1, maxLength: 2 }),
  maxDepth: fc.integer({ min: 1, max: 6 }),
  debounceMs: fc.constantFrom(0, 0, 1000),
  scope: fc.constantFrom({ project: true }, { assetType: 'character' }, { assetType: 'prop' }),
  condOn: fc.boolean(),
  enabled: fc.boolean(),
});
const worldArb = fc.record({
  halted: fc.constantFrom<string | null>(null, 'r0', 'r1'),
  override: fc.boolean(),
  recent: fc.constantFrom<string | null>(null, 'r0', 'r2'),
  assetType: fc.constantFrom('character', 'prop'),
});
type WorldSpec = { halted: string | null; override: boolean; recent: string | null; assetType: string };

type RawRule = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;
function toRules(raw: RawRule[]): RuleRecord[] {
  return raw.map((r, i) => ({
    id: `r${i}`,
    projectId: 'p',
    version: 1,
    enabled: r.enabled || i === 0,
    definition: ruleInputSchema.parse({
      name: `rule ${i}`,
      trigger: { event: r.trigger },
      scope: r.scope,
      conditions: r.condOn ? { all: [{ field: 'subject.kind', op: 'neq', value: 'run' }] } : { all: [] },
      actions: r.actions,
      maxDepth: r.maxDepth,
      debounceMs: r.debounceMs,
    }),
  }));
}

function world(w: WorldSpec): PlanWorld {
  return {
    halt: (_p, ruleId) => (w.halted === ruleId ? { scope: 'rule', reason: 'test' } : null),
    entity: (_p, kind, id): EntityFacts | null =>
      kind === 'variant' && id === 'v1'
        ? { kind, id, assetId: 'a1', manualOverride: false }
        : kind === 'asset' && id === 'a1'
          ? { kind, id, assetType: w.assetType, manualOverride: w.override }
          : null,
    recentlyFired: (_p, ruleId) => w.recent === ruleId,
  };
}

const root = { projectId: 'p', type: 'variant.approved', subject: { kind: 'variant', id: 'v1' }, payload: { assetId: 'a1' }, depth: 0 };
const opts = { costs: { generate: 4 }, maxFirings: 200 };

function walk(ev: PlannedEvent, visit: (f: FiringNode, ev: PlannedEvent) => void): void {
  for (const f of ev.firings) {
    visit(f, ev);
    for (const s of f.steps ?? []) for (const c of s.emits) walk(c, visit);
    for (const c of f.runEvents ?? []) walk(c, visit);
  }
}

describe('dry-run planner properties', () => {
  it('GIVEN random rules THEN no rule fires at or past its maxDepth, and every emitted event is at most maxDepth deep', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 5 }), worldArb, (raw, w) => {
        const rules = toRules(raw);
        const p = plan(rules, root, world(w), opts);
        walk(p.root, (f, ev) => {
          const rule = rules.find((r) => r.id === f.ruleId)!;
          if (f.decision === 'fire') {
            assert.ok(ev.depth < rule.definition.maxDepth, `${f.ruleId} fired at depth ${ev.depth}`);
            for (const s of f.steps ?? []) for (const c of s.emits) assert.ok(c.depth <= rule.definition.maxDepth);
          }
          if (ev.depth >= rule.definition.maxDepth && f.reason !== 'halted' && f.reason !== 'truncated')
            assert.equal(f.reason, 'depth_limit');
        });
      }),
      { numRuns: 150 },
    );
  });

  it('GIVEN random rules THEN every rule that can reach itself is in a reported cycle, and every reported cycle is real', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 5 }), (raw) => {
        const rules = toRules(raw);
        const succ = ruleSuccessors(rules);
        const reaches = (from: string, to: string) => {
          const seen = new Set<string>();
          const stack = [...(succ.get(from) ?? [])];
          while (stack.length) {
            const n = stack.pop()!;
            if (n === to) return true;
            if (!seen.has(n)) {
              seen.add(n);
              stack.push(...(succ.get(n) ?? []));
            }
          }
          return false;
        };
        const cycles = findCycles(rules);
        const inCycle = new Set(cycles.flat());
        for (const r of rules) assert.equal(inCycle.has(r.id), reaches(r.id, r.id), `rule ${r.id}`);
        for (const c of cycles) {
          assert.equal(c[0], c[c.length - 1]);
          for (let i = 0; i + 1 < c.length; i++) assert.ok(succ.get(c[i]!)!.includes(c[i + 1]!), `edge ${c[i]}→${c[i + 1]}`);
        }
        // And every repeat the planner meets on a chain is marked and listed.
        const p = plan(rules, root, world({ halted: null, override: false, recent: null, assetType: 'character' }), opts);
        walk(p.root, (f) => {
          const repeats = f.chain.slice(0, -1).includes(f.ruleId);
          if (f.decision === 'fire') assert.equal(f.cycle !== undefined, repeats);
          if (f.cycle) assert.ok(p.cycles.some((c) => c.includes(f.ruleId)));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('GIVEN a plan THEN its hash changes when and only when a rule version, the event, or state it read changes', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), worldArb, worldArb, fc.nat(), (raw, w1, w2, pick) => {
        const rules = toRules(raw);
        const p1 = plan(rules, root, world(w1), opts);
        assert.equal(plan(rules, root, world(w1), opts).hash, p1.hash, 'same inputs, same hash');
        // A rule version changes.
        const bumped = rules.map((r, i) => (i === pick % rules.length ? { ...r, version: r.version + 1 } : r));
        assert.notEqual(plan(bumped, root, world(w1), opts).hash, p1.hash);
        // The event changes.
        assert.notEqual(plan(rules, { ...root, payload: { assetId: 'a1', extra: pick } }, world(w1), opts).hash, p1.hash);
        // The state changes: the hash moves exactly when an answer the plan read differs.
        const p2 = plan(rules, root, world(w2), opts);
        const readDiffers = Object.keys(p1.reads).some((k) => JSON.stringify(p1.reads[k]) !== JSON.stringify(replay(k, w2)));
        assert.equal(p2.hash !== p1.hash, readDiffers);
      }),
      { numRuns: 200 },
    );
  });
});

/** Answer one recorded read key against another world. */
function replay(key: string, w: WorldSpec): unknown {
  const [kind, , a, b, c] = key.split('/');
  const wd = world(w);
  if (kind === 'halt') return wd.halt('p', a!);
  if (kind === 'entity') return wd.entity('p', a!, b!);
  return wd.recentlyFired('p', a!, { kind: b!, id: c! }, 0);
}
