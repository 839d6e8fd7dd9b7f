// Admin approvals of a run: the request (a pending row and a notice to the
// chat), an admin's decision (never the requester's own, unless the project
// allows it), expiry with the default decision, and what each does to the run.
import type { Logger } from 'pino';
import { AuthError } from '../errors.js';
import type { Clock } from '../ids.js';
import { approvalGate, jobTypeOf } from '../rules/actions.js';
import { approvalOutcome } from '../rules/machine.js';
import type { RuleDefinition } from '../rules/schema.js';
import type { ApprovalRow } from '../store/approvals.js';
import type { EventRow } from '../store/events.js';
import type { RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { approvalText, type ApprovalNotice, type ChatNotifier } from './ports.js';

export interface ApprovalFlowDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  notifier: ChatNotifier;
  costs: Record<string, number>;
  /** Start an approved run (or let it wait under the project's concurrency limit). */
  admit: (runId: string, reason: string) => Promise<void>;
  cancelRun: (runId: string, reason: string) => void;
  /** A run with the rule version it runs and the event that caused it (null: no such run). */
  load: (runId: string) => { run: RunRow; def: RuleDefinition; cause: EventRow } | null;
}

export function createApprovalFlow(deps: ApprovalFlowDeps) {
  const { clock, logger } = deps;
  const { approvals, events, runs, projects } = deps.store;
  const settingsOf = (projectId: string) => projects.get(projectId)!.settings;

  async function applyDecision(a: ApprovalRow): Promise<void> {
    if (a.status !== 'pending')
      void deps.notifier
        .approvalDecided?.({ approvalId: a.id, projectId: a.projectId, status: a.status, decidedBy: a.decidedBy, decidedAt: a.decidedAt })
        ?.catch((err: unknown) => logger.warn({ err }, 'approvalDecided hook failed'));
    const run = runs.get(a.runId);
    if (!run || run.status !== 'awaiting_approval') return;
    const outcome = approvalOutcome(a.status, a.defaultDecision, a.decidedBy);
    if (!outcome) return;
    if (outcome.admit) await deps.admit(run.id, outcome.reason);
    else deps.cancelRun(run.id, outcome.reason);
  }

  /** What an approval request says: the rule, its cause, the steps it gates (what they submit) and their cost. */
  function noticeOf(approval: ApprovalRow, run: RunRow, def: RuleDefinition, cause: EventRow, steps: string[]): ApprovalNotice {
    const gated = def.actions.filter((a) => steps.includes(a.id)).map((a) => ({ id: a.id, jobType: jobTypeOf(a) }));
    return {
      approvalId: approval.id,
      projectId: run.projectId,
      runId: run.id,
      ruleId: run.ruleId,
      ruleName: def.name,
      event: { id: cause.id, type: cause.type, subject: { kind: cause.subjectKind, id: cause.subjectId } },
      requestedBy: approval.requestedBy,
      steps: gated,
      estimatedCost: gated.reduce((sum, s) => sum + (s.jobType ? (deps.costs[s.jobType] ?? 0) : 0), 0),
      expiresAt: approval.expiresAt,
    };
  }

  return {
    applyDecision,
    /** An approval's request as it was sent (the gate is the rule version's own), or null when its run is gone. */
    notice(approval: ApprovalRow): ApprovalNotice | null {
      const loaded = deps.load(approval.runId);
      return loaded ? noticeOf(approval, loaded.run, loaded.def, loaded.cause, approvalGate(loaded.def)?.steps ?? []) : null;
    },
    /** A pending approval for the run, and the request to the project's admins. */
    async requestApproval(run: RunRow, def: RuleDefinition, cause: EventRow, steps: string[]): Promise<void> {
      const root = events.get(run.projectId, cause.correlationId) ?? cause;
      const expiryMs = settingsOf(run.projectId).policies.approvalExpiryMs;
      const approval = approvals.create({
        // One per run: a request repeated after a crash finds the row and adds none.
        id: `apr_${run.id.replace(/^run_/, '')}`,
        projectId: run.projectId,
        runId: run.id,
        requestedBy: `${root.actor.kind}:${root.actor.id}`,
        expiresAt: expiryMs ? clock.now() + expiryMs : null,
        defaultDecision: 'deny',
      });
      const notice = noticeOf(approval, run, def, cause, steps);
      try {
        if (deps.notifier.approvalRequested) await deps.notifier.approvalRequested(notice);
        else await deps.notifier.notify({ projectId: run.projectId, channel: 'admin', text: approvalText(notice), runId: run.id });
      } catch (err) {
        logger.warn({ err, approvalId: approval.id }, 'could not post the approval request; it is still pending in the API');
      }
    },
    /** An admin's decision on a pending approval; the requester may not approve their own run unless the project allows it. */
    async decide(projectId: string, approvalId: string, decision: 'approve' | 'deny', who: string): Promise<ApprovalRow> {
      const pending = approvals.get(projectId, approvalId);
      if (decision === 'approve' && pending.requestedBy === who && !settingsOf(projectId).policies.allowSelfApproval)
        throw new AuthError(
          'forbidden',
          'You caused this run, so another admin must approve it (or set policies.allowSelfApproval on the project).',
        );
      const row = approvals.decide(projectId, approvalId, decision === 'approve' ? 'approved' : 'denied', who);
      await applyDecision(row);
      return row;
    },
    /** Apply each expired approval's default decision. */
    async expireApprovals(): Promise<number> {
      const due = approvals.expired(clock.now());
      for (const a of due) {
        try {
          await applyDecision(approvals.decide(a.projectId, a.id, 'expired', 'expiry'));
        } catch (err) {
          logger.warn({ err, approvalId: a.id }, 'approval expiry skipped');
        }
      }
      return due.length;
    },
  };
}
