// An admin approval request, and the same message once decided or expired.
import type { ApprovalNotice, ApprovalOutcome } from '../../engine/index.js';
import { actionIds, packValue } from './ids.js';
import { when, who, type Block, type View } from './view.js';

export function approvalView(n: ApprovalNotice, outcome: ApprovalOutcome | null): View {
  const submits = n.steps.map((s) => (s.jobType ? `${s.id} (${s.jobType})` : s.id)).join(', ');
  const blocks: Block[] = [
    { kind: 'heading', text: 'Approval needed' },
    {
      kind: 'fields',
      fields: [
        { label: 'Rule', value: n.ruleName },
        { label: 'Event', value: `${n.event.type} on ${n.event.subject.kind} ${n.event.subject.id}` },
        { label: 'Caused by', value: who(n.requestedBy) },
        { label: 'Will submit', value: submits || '—' },
        { label: 'Estimated cost', value: String(n.estimatedCost) },
        { label: 'Expires', value: n.expiresAt ? when(n.expiresAt) : 'never' },
      ],
    },
  ];
  let state: string;
  if (!outcome) {
    state = 'pending';
    const value = packValue(n.projectId, n.approvalId);
    blocks.push({
      kind: 'actions',
      controls: [
        { kind: 'button', actionId: actionIds.approval('approve'), label: 'Approve', value, tone: 'primary' },
        { kind: 'button', actionId: actionIds.approval('deny'), label: 'Deny', value, tone: 'danger' },
      ],
    });
  } else if (outcome.status === 'expired') {
    state = 'expired';
    blocks.push({ kind: 'context', text: `⌛ Expired at ${when(outcome.decidedAt)}: nobody decided, so the default (deny) applied.` });
  } else {
    state = outcome.status;
    const by = outcome.decidedBy === 'cancel' ? 'the run was cancelled' : who(outcome.decidedBy);
    blocks.push({
      kind: 'context',
      text: `${outcome.status === 'approved' ? '✅ Approved' : '🚫 Denied'} by ${by} at ${when(outcome.decidedAt)}`,
    });
  }
  blocks.push({ kind: 'context', text: `approval ${n.approvalId} · run ${n.runId}` });
  return { fallback: `Approval ${state}: ${n.ruleName} wants to run ${submits}`, blocks };
}
