// A dry-run request that is neither shape says what to send (issue "A newcomer's first hour", item 3:
// `{}` answered "Invalid dry-run request: (root): Invalid input").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dryRunInputSchema, runExactlyInputSchema } from '../../../engine/services/rules.js';
import { parseWith } from '../../../engine/validation.js';

const said = (schema: Parameters<typeof parseWith>[0], body: unknown) => {
  try {
    parseWith(schema, body, 'dry-run request');
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('dry-run request bodies', () => {
  it('GIVEN {} or an event without a type THEN the answer shows both shapes; a field error stays at its field', () => {
    for (const body of [{}, { event: { payload: {} } }, { nope: 1 }])
      assert.match(
        said(dryRunInputSchema, body),
        /^Invalid dry-run request: \(root\): give \{"event": \{"type": "variant\.approved", "payload": \{"variantId": "…"\}\}\} to plan on a sample event, or \{"eventId": "evt_…"\} to plan on a stored one/,
      );
    assert.match(said(runExactlyInputSchema, { event: { type: 'a.b' } }), /each with the "hash" of the dry-run it repeats/);
    assert.match(said(dryRunInputSchema, { event: { type: 'Bad Type' } }), /event\.type: must look like entity\.verb/);
    assert.equal(said(dryRunInputSchema, { event: { type: 'variant.approved' } }), 'accepted');
  });
});
