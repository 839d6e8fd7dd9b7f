// The export profiles the engine offers and validates (engine/jobs/inputs.ts) are exactly the ones
// every worker has built in: a project's default can never name one the worker lacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportProfileIds } from '../../../engine/jobs/contracts.js';
import { builtInProfiles } from '../../../gpu-worker/processors/profiles.js';

describe('export profile ids', () => {
  it('GIVEN the engine’s list and the worker’s built-in profiles THEN they are the same ids', () => {
    assert.deepEqual(Object.keys(builtInProfiles).sort(), [...exportProfileIds].sort());
    for (const [id, p] of Object.entries(builtInProfiles)) assert.equal(p.id, id);
  });
});
