// The largest views the bots render, for the platforms' limit tests: an approval of 100 steps (pending and
// expired), a halt panel of 60 halts, a list of 500 rules, a log of 200 failed runs, a spec list of 200
// specs and 200 questions, every text at its longest.
import { approvalView } from '../../bot/views/approval.js';
import { haltPanel } from '../../bot/views/halt.js';
import { ruleListView, ruleLogView } from '../../bot/views/rules.js';
import { specPreviewView } from '../../bot/views/specs.js';
import type { ApiSpec } from '../../engine/index.js';
import type { View } from '../../bot/views/view.js';

const long = (n: number) => 'x'.repeat(n);

/** A refined spec with every field at the schema's longest (ids of 128, names of 200, prompts of 4000). */
export function longestSpec(i: number): ApiSpec {
  const id = `${String(i).padStart(3, '0')}${long(125)}`;
  return {
    id,
    projectId: 'art',
    assetType: long(128),
    prompt: { positive: long(4000), negative: '' },
    params: {},
    manualOverride: false,
    specListId: 'sl_1',
    name: long(200),
    createdAt: 1,
    body: {
      name: `*${long(199)}`,
      assetType: long(128),
      subject: long(500),
      checkpointId: long(128),
      style: long(500),
      scenario: long(500),
      palette: { id: long(128), name: long(200), colors: [] },
      camera: long(64),
      prompt: { positive: `\`${long(3999)}`, negative: long(4000) },
      tags: [],
      generationParams: { width: 2048, height: 2048, steps: 200, sampler: 'x', cfg: 30, seed: 1, seedRule: 'fixed', variants: 64 },
      baselineProfileId: null,
      loraPolicy: { selection: 'baseline-first', loraIds: Array.from({ length: 16 }, () => long(128)) },
      styleConsistency: { mode: 'strict', paletteId: null },
      qualityContract: { transparentBackground: true, minCoverage: 0 },
      fields: {},
      source: { line: i + 1, text: long(2000) },
    },
  };
}

export const largestSpecPreview = () =>
  specPreviewView({
    projectId: long(128),
    specListId: `sl_${long(20)}`,
    specs: Array.from({ length: 200 }, (_, i) => longestSpec(i)),
    questions: Array.from({ length: 200 }, (_, i) => ({ line: i + 1, text: long(2000), field: 'assetType', question: long(1000) })),
    by: '<@U123>',
  });

export function largestViews(): View[] {
  const notice = {
    approvalId: 'apr_1',
    projectId: 'art',
    runId: 'run_1',
    ruleId: 'r',
    ruleName: long(500),
    event: { id: 'e', type: 'spec.refined', subject: { kind: 'spec', id: long(128) } },
    requestedBy: 'token:tok_1',
    steps: Array.from({ length: 100 }, (_, i) => ({ id: `gen${i}`, jobType: 'generate' })),
    estimatedCost: 400,
    expiresAt: 1,
  };
  return [
    approvalView(notice, null),
    approvalView(notice, { approvalId: 'apr_1', projectId: 'art', status: 'expired', decidedBy: 'expiry', decidedAt: 2 }),
    haltPanel(
      'art',
      Array.from({ length: 60 }, () => ({
        scope: 'rule' as const,
        ruleId: long(100),
        reason: long(600),
        createdBy: 'slack:U1',
        createdAt: 1,
        held: 3,
      })),
    ),
    ruleListView(
      'art',
      Array.from({ length: 500 }, (_, i) => ({ id: `r${i}`, name: long(150), version: 3, enabled: true, trigger: '`variant.approved`' })),
    ),
    ruleLogView(
      { id: 'r', name: 'n', version: 1, enabled: true, trigger: 't' },
      Array.from({ length: 200 }, (_, i) => ({
        id: `run${i}`,
        status: 'failed',
        subject: 'variant v',
        reason: null,
        error: long(3000),
        createdAt: 1,
      })),
    ),
    largestSpecPreview(),
  ];
}
