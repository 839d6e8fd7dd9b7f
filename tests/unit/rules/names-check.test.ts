// Typos a rule is refused for, each at its path with the closest valid name (issue "A newcomer's
// first hour", item 4): a job input field, a placeholder into the event or an earlier step, a
// condition field, a profile given where a profile id goes. A custom event's payload is not checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest } from '../../../engine/rules/names-check.js';
import { ruleInputSchema } from '../../../engine/rules/schema.js';

const problems = (rule: Record<string, unknown>) => {
  const r = ruleInputSchema.safeParse({ name: 'r', trigger: { event: 'variant.approved' }, ...rule });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const job = (type: string, input: Record<string, unknown>) => [{ id: 'cut', type: 'enqueue_job', config: { type, input } }];

describe('typos in a rule', () => {
  it('GIVEN an unknown job input field THEN refused at its path with the closest field', () => {
    assert.deepEqual(problems({ actions: job('bg_remove', { variantId: 'v', treshold: 0.1 }) }), [
      'actions.0.config.input.treshold: bg_remove has no input field "treshold": did you mean "threshold"?',
    ]);
    assert.deepEqual(problems({ actions: job('export', { atlasIds: ['a'], profile: 'godot' }) }), [
      'actions.0.config.input.profile: "profile" is a whole profile object; to name one ("godot"), use "profileId"',
    ]);
    assert.deepEqual(problems({ actions: job('bg_remove', { variantId: 'v', nextJobs: [] }) }), [], 'follow-ups are an input of every job');
  });

  it('GIVEN a placeholder the event or an earlier step never carries THEN refused with the closest name', () => {
    assert.deepEqual(problems({ actions: job('bg_remove', { variantId: '${event.subjct.id}' }) }), [
      'actions.0.config.input.variantId: ${event.subjct.id}: the event has no "subjct": did you mean "subject"?',
    ]);
    assert.deepEqual(problems({ actions: job('bg_remove', { assetId: '${event.payload.asset_id}' }) }), [
      'actions.0.config.input.assetId: ${event.payload.asset_id}: variant.approved events carry no payload.asset_id: did you mean "assetId"?',
    ]);
    assert.deepEqual(
      problems({
        actions: [
          ...job('bg_remove', { variantId: '${event.subject.id}' }),
          { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${steps.cut.output.alphaPath}' } } },
        ],
      }),
      [
        'actions.1.config.input.frames: ${steps.cut.output.alphaPath}: a bg_remove step\'s output has no "alphaPath": did you mean "alphaPaths"?',
      ],
    );
    // atlas.ready: the atlas id is the subject, and payload.atlasId when the input named it.
    assert.deepEqual(
      problems({
        trigger: { event: 'atlas.ready' },
        actions: [{ id: 'x', type: 'export', config: { atlasIds: ['${event.subject.id}', '${event.payload.atlasId}'] } }],
      }),
      [],
    );
  });

  it('GIVEN a condition field the event never carries THEN refused; a custom event’s payload is the sender’s', () => {
    assert.deepEqual(problems({ conditions: [{ field: 'payload.tag', op: 'contains', value: 'x' }], actions: job('bg_remove', {}) }), [
      'conditions.all.0.field: payload.tag: variant.approved events carry no payload.tag: did you mean "tags"?',
    ]);
    assert.deepEqual(
      problems({
        trigger: { event: 'build.finished' },
        conditions: [{ field: 'payload.anything', op: 'exists' }],
        actions: job('bg_remove', { variantId: '${event.payload.whatever}' }),
      }),
      [],
    );
  });

  it('GIVEN names THEN closest finds a near one and nothing far', () => {
    assert.equal(closest('varient.approved', ['variant.approved', 'variant.rejected']), 'variant.approved');
    assert.equal(closest('zzz', ['variant.approved']), null);
  });
});
