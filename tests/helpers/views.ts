// The largest views the bots render, for the platforms' limit tests: an approval of 100 steps (pending and
// expired), a halt panel of 60 halts, a list of 500 rules, a log of 200 failed runs.
import { approvalView } from '../../bot/views/approval.js';
import { haltPanel } from '../../bot/views/halt.js';
import { ruleListView, ruleLogView } from '../../bot/views/rules.js';
import type { View } from '../../bot/views/view.js';

const long = (n: number) => 'x'.repeat(n);

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
  ];
}
