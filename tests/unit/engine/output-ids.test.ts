// Ids of what a job makes when its input names none (issue "A newcomer's first hour", item 5): readable
// (what it is of, then a short hash of the job id), never cut, path-safe, the same for the worker's
// folder and the event's subject.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobCompletionEvents, outputIdOf } from '../../../engine/jobs/contracts.js';

const jobId = 'rule_xkxvbkn0kx0t.evt_6jbwchhq4639.atlas';

describe('output ids', () => {
  it('GIVEN a pack_atlas or export job without an id THEN a readable one: the asset (or atlas), a short hash; never cut', () => {
    assert.match(outputIdOf('atlas', { assetIds: ['hero'] }, jobId), /^hero-[0-9a-f]{8}$/);
    assert.match(outputIdOf('atlas', {}, jobId), /^atlas-[0-9a-f]{8}$/);
    assert.match(outputIdOf('export', { atlasIds: ['hero-1a2b3c4d'] }, 'rule_ep16wy.evt_1.bundle'), /^hero-1a2b3c4d-export-[0-9a-f]{8}$/);
    assert.match(outputIdOf('export', { assetIds: ['slime'] }, jobId), /^slime-export-[0-9a-f]{8}$/);
    assert.equal(outputIdOf('atlas', { atlasId: 'sheet', assetIds: ['hero'] }, jobId), 'sheet', 'a named id is kept');
    const long = 'a'.repeat(70);
    assert.ok(outputIdOf('atlas', { assetIds: [long] }, jobId).startsWith(`${long}-`), 'not cut');
    assert.match(outputIdOf('atlas', { assetIds: ['../x y'] }, jobId), /^_x_y-[0-9a-f]{8}$/, 'path-safe, no leading dot');
    assert.notEqual(outputIdOf('atlas', { assetIds: ['hero'] }, 'job-1'), outputIdOf('atlas', { assetIds: ['hero'] }, 'job-2'));
  });

  it('GIVEN the completion event THEN its subject is the same id the worker names its folder with', () => {
    const input = { assetIds: ['hero'] };
    const [, typed] = jobCompletionEvents('pack_atlas', { jobId, input, output: {} });
    assert.deepEqual(typed!.subject, { kind: 'atlas', id: outputIdOf('atlas', input, jobId) });
  });
});
