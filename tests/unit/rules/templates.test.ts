import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTemplates, type TemplateContext } from '../../../engine/rules/templates.js';

const ctx: TemplateContext = {
  projectId: 'art',
  event: {
    id: 'evt_1',
    type: 'variant.approved',
    subject: { kind: 'variant', id: 'v1' },
    payload: { assetId: 'a1', tags: ['x'], deep: { n: 3 } },
    depth: 0,
  },
  steps: { cutout: { output: { alphaPaths: ['a.png', 'b.png'], dir: 'alpha' }, jobId: 'j1' } },
  previous: { input: { assetId: 'a1' }, output: { originalsDir: 'files/a1/original', count: 4 }, jobId: 'job-7' },
};

describe('placeholder resolution', () => {
  it('GIVEN a whole-string placeholder THEN the value keeps its type', () => {
    const r = resolveTemplates(
      { frames: '${steps.cutout.output.alphaPaths}', tags: '${event.payload.tags}', n: '${event.payload.deep.n}' },
      ctx,
    );
    assert.deepEqual(r.value, { frames: ['a.png', 'b.png'], tags: ['x'], n: 3 });
    assert.deepEqual(r.missing, []);
  });
  it('GIVEN placeholders inside text THEN they are interpolated', () => {
    const r = resolveTemplates({ path: 'projects/${projectId}/assets/${event.payload.assetId}/${event.subject.id}.png' }, ctx);
    assert.deepEqual(r.value, { path: 'projects/art/assets/a1/v1.png' });
  });
  it('GIVEN the job-chaining forms THEN they read the previous step', () => {
    const r = resolveTemplates(['$output.originalsDir/...', '$input.assetId', '$projectId', '$jobId', '$output.count'], ctx);
    assert.deepEqual(r.value, ['files/a1/original/...', 'a1', 'art', 'job-7', 4]);
  });
  it('GIVEN a missing value THEN it is reported with its placeholder, not thrown', () => {
    const r = resolveTemplates({ a: '${event.payload.nope}', b: 'x-${steps.none.output.y}' }, ctx);
    assert.deepEqual(
      r.missing.map((m) => m.placeholder),
      ['${event.payload.nope}', '${steps.none.output.y}'],
    );
  });
  it('GIVEN nextJobs THEN they are left for the worker to resolve', () => {
    const cfg = {
      specId: '${event.payload.assetId}',
      nextJobs: [{ type: 'bg_remove', input: { originalPath: '$output.originalsDir/x.png' } }],
    };
    const r = resolveTemplates(cfg, ctx);
    assert.deepEqual(r.value, { specId: 'a1', nextJobs: cfg.nextJobs });
  });
  it('GIVEN prototype paths THEN nothing leaks', () => {
    const r = resolveTemplates({ a: '${event.payload.constructor}', b: '${event.__proto__}' }, ctx);
    assert.deepEqual(r.value, { a: undefined, b: undefined });
    assert.equal(r.missing.length, 2);
  });
});
