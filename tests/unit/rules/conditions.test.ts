import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateConditions, evaluateLeaf } from '../../../engine/rules/conditions.js';
import { conditionGroupSchema, conditionSchema } from '../../../engine/rules/schema.js';
import { Unknown } from '../../../engine/rules/values.js';

const event = {
  type: 'variant.approved',
  subject: { kind: 'variant', id: 'v1' },
  depth: 2,
  payload: { tags: ['quality:high', 'style:pixel'], score: 0.8, name: 'hero_idle_01', size: 512, meta: { frames: 8 }, nothing: null },
};
const check = (field: string, op: string, value?: unknown) =>
  evaluateConditions(conditionGroupSchema.parse({ all: [{ field, op, ...(value === undefined ? {} : { value }) }] }), event).result;

describe('condition operators', () => {
  const cases: [string, string, unknown, 'true' | 'false'][] = [
    ['payload.size', 'eq', 512, 'true'],
    ['payload.size', 'eq', 256, 'false'],
    ['payload.meta', 'eq', { frames: 8 }, 'true'],
    ['payload.size', 'neq', 256, 'true'],
    ['payload.size', 'neq', 512, 'false'],
    ['payload.name', 'in', ['a', 'hero_idle_01'], 'true'],
    ['payload.name', 'in', ['a', 'b'], 'false'],
    ['payload.name', 'nin', ['a', 'b'], 'true'],
    ['payload.name', 'nin', ['hero_idle_01'], 'false'],
    ['payload.tags', 'contains', 'quality:high', 'true'],
    ['payload.tags', 'contains', 'quality:low', 'false'],
    ['payload.name', 'contains', 'idle', 'true'],
    ['payload.name', 'contains', 'walk', 'false'],
    ['payload.score', 'exists', undefined, 'true'],
    ['payload.missing', 'exists', undefined, 'false'],
    ['payload.nothing', 'exists', undefined, 'false'],
    ['payload.missing', 'exists', false, 'true'],
    ['payload.score', 'gt', 0.5, 'true'],
    ['payload.score', 'gt', 0.8, 'false'],
    ['payload.score', 'gte', 0.8, 'true'],
    ['payload.score', 'lt', 0.8, 'false'],
    ['payload.score', 'lte', 0.8, 'true'],
    ['payload.name', 'gt', 'hero', 'true'],
    ['payload.name', 'gt', 5, 'false'],
    ['depth', 'lt', 3, 'true'],
    ['payload.meta.frames', 'eq', 8, 'true'],
    ['payload.name', 'matches', '^hero_(idle|walk)_\\d+$', 'true'],
    ['payload.name', 'matches', '^villain', 'false'],
    ['payload.size', 'matches', '512', 'false'],
    ['subject.kind', 'eq', 'variant', 'true'],
  ];
  for (const [field, op, value, expected] of cases) {
    it(`GIVEN ${field} ${op} ${JSON.stringify(value)} THEN ${expected}`, () => assert.equal(check(field, op, value), expected));
  }

  it('GIVEN nested all/any groups THEN they combine as AND / OR', () => {
    const g = conditionGroupSchema.parse({
      any: [
        { field: 'payload.size', op: 'eq', value: 1 },
        {
          all: [
            { field: 'payload.score', op: 'gt', value: 0.5 },
            { field: 'payload.tags', op: 'contains', value: 'style:pixel' },
          ],
        },
      ],
    });
    assert.equal(evaluateConditions(g, event).result, 'true');
    assert.equal(evaluateConditions({ any: [] }, event).result, 'false');
    assert.equal(evaluateConditions({ all: [] }, event).result, 'true');
  });

  it('GIVEN a field that is only known after a job runs THEN the result is unknown, not a guess', () => {
    const planned = { payload: { output: new Unknown('steps.cutout.output') } };
    assert.equal(evaluateConditions({ all: [{ field: 'payload.output.count', op: 'gt', value: 1 }] }, planned).result, 'unknown');
    assert.equal(
      evaluateConditions(
        {
          all: [
            { field: 'payload.output.count', op: 'gt', value: 1 },
            { field: 'payload.x', op: 'exists' },
          ],
        },
        planned,
      ).result,
      'false',
    );
  });

  it('GIVEN a prototype path THEN it is refused at parse time', () => {
    assert.equal(conditionSchema.safeParse({ field: 'payload.__proto__.x', op: 'exists' }).success, false);
  });

  it('GIVEN malformed patterns or ones RE2 cannot run in linear time THEN matches is refused with the reason', () => {
    for (const [value, reason] of [
      ['(', /does not compile as RE2/],
      ['(a)\\1', /backreferences/],
      ['^(?=a)a', /lookaround/],
      ['a'.repeat(201), /at most 200 characters/],
    ] as const) {
      const parsed = conditionSchema.safeParse({ field: 'payload.name', op: 'matches', value });
      assert.equal(parsed.success, false, value);
      assert.match(JSON.stringify(parsed.error?.issues), reason, value);
    }
    assert.equal(conditionSchema.safeParse({ field: 'payload.name', op: 'in', value: 'x' }).success, false);
  });

  it('GIVEN patterns that backtrack catastrophically in JavaScript THEN they are accepted and answer at once on long input', () => {
    // On a backtracking engine each of these takes hours on these inputs (^(a|a)*$ doubles per character).
    for (const [pattern, value, want] of [
      ['^(a|a)*$', `${'a'.repeat(40)}b`, 'false'],
      ['(a+)+$', `${'a'.repeat(5000)}!`, 'false'],
      ['^(x+x+)+y$', 'x'.repeat(10_000), 'false'],
      ['^(a|aa)+$', 'a'.repeat(10_000), 'true'],
    ] as const) {
      const c = conditionSchema.parse({ field: 'payload.name', op: 'matches', value: pattern });
      const started = performance.now();
      assert.equal(evaluateLeaf(c, { payload: { name: value } }), want, pattern);
      // Linear: milliseconds; a generous bound that a backtracking engine misses by orders of magnitude.
      assert.ok(performance.now() - started < 1000, `${pattern}: ${performance.now() - started} ms`);
    }
  });
});
