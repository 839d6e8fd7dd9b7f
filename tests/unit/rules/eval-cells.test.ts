// An eval grid's dry-run counts what the worker draws: one cell per prompt × LoRA × checkpoint
// (issue "A newcomer's first hour", item 7: two prompts × two checkpoints showed `jobs: 2`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from '../../../engine/rules/planner.js';
import { ruleInputSchema } from '../../../engine/rules/schema.js';

const noWorld = { halt: () => null, entity: () => null, recentlyFired: () => false };
const rule = (config: Record<string, unknown>) => ({
  id: 'r1',
  projectId: 'p',
  version: 1,
  enabled: true,
  definition: ruleInputSchema.parse({
    name: 'Eval',
    trigger: { event: 'eval_grid.requested' },
    actions: [{ type: 'run_eval_grid', config }],
  }),
});
const cells = (config: Record<string, unknown>) =>
  plan(
    [rule(config)],
    { projectId: 'p', type: 'eval_grid.requested', subject: { kind: 'project', id: 'p' }, payload: {}, depth: 0 },
    noWorld,
    {
      costs: { eval_grid: 0.5 },
    },
  ).summary;

describe('eval grid cells in a dry-run', () => {
  it('GIVEN prompts × LoRAs × checkpoints THEN jobs and cost count every cell', () => {
    assert.deepEqual(
      [cells({ prompts: ['a', 'b'], checkpointIds: ['c1', 'c2'] }).jobs, cells({ prompts: ['a', 'b'], checkpointIds: ['c1', 'c2'] }).cost],
      [4, 2],
    );
    assert.equal(cells({ prompts: ['a', 'b', 'c'], loraIds: ['l1', 'l2'], checkpointIds: ['c1', 'c2'] }).jobs, 12);
    assert.equal(cells({ prompts: ['a'], loraId: 'l1' }).jobs, 1);
  });

  it('GIVEN costs that do not add up in binary (0.1 × 3) THEN the summary says 0.3 (item 8)', () => {
    const summary = plan(
      [rule({ prompts: ['a', 'b', 'c'] })],
      { projectId: 'p', type: 'eval_grid.requested', subject: { kind: 'project', id: 'p' }, payload: {}, depth: 0 },
      noWorld,
      { costs: { eval_grid: 0.1 } },
    ).summary;
    assert.equal(summary.cost, 0.3);
    assert.deepEqual(summary.costByJobType, { eval_grid: 0.3 });
  });
});
