// Ports the engine calls out through; the chat bots (and tests) implement them.
// Every hook is told after the fact (the row is committed); implementations
// queue their work and return quickly, and a failing one never fails the engine.

/** What an approval request shows an admin. */
export interface ApprovalNotice {
  approvalId: string;
  projectId: string;
  runId: string;
  ruleId: string;
  ruleName: string;
  event: { id: string; type: string; subject: { kind: string; id: string } };
  requestedBy: string;
  /** The steps the approval gates, with the job each submits. */
  steps: { id: string; jobType: string | null }[];
  estimatedCost: number;
  expiresAt: number | null;
}

export interface ApprovalOutcome {
  approvalId: string;
  projectId: string;
  status: 'approved' | 'denied' | 'expired';
  decidedBy: string | null;
  decidedAt: number | null;
}

export type { StoredEvent } from '../store/changes.js';

/** Posts chat messages for a project (the Slack / Discord bots implement this). */
export interface ChatNotifier {
  notify(message: { projectId: string; channel: 'review' | 'admin'; text: string; runId?: string }): Promise<void>;
  /** How far apart its posts to one channel go (ms; Slack: 1000): the notify queue paces each channel's posts to it. */
  readonly postSpacingMs?: number;
  approvalRequested?(notice: ApprovalNotice): Promise<void>;
  approvalDecided?(outcome: ApprovalOutcome): Promise<void>;
}

/** Until a bot is connected, notifications go to the log. */
export function logNotifier(log: (msg: string, data: Record<string, unknown>) => void): ChatNotifier {
  return {
    async notify(m) {
      log('notify (no chat connected)', m);
    },
  };
}

/**
 * One notifier over every attached one (bots attach after the engine exists).
 * Hooks other than notify() are isolated: one bot's failure is logged, not thrown.
 */
export function fanOutNotifier(fallback: ChatNotifier, onError: (err: unknown, hook: string) => void) {
  const attached = new Set<ChatNotifier>();
  const each = (hook: string, call: (n: ChatNotifier) => unknown) => {
    for (const n of attached) {
      try {
        const r = call(n);
        if (r instanceof Promise) r.catch((err: unknown) => onError(err, hook));
      } catch (err) {
        onError(err, hook);
      }
    }
  };
  const notifier: Required<ChatNotifier> = {
    get postSpacingMs() {
      return Math.max(0, ...[...attached].map((n) => n.postSpacingMs ?? 0));
    },
    async notify(m) {
      if (attached.size === 0) return fallback.notify(m);
      await Promise.all([...attached].map((n) => n.notify(m)));
    },
    async approvalRequested(notice) {
      if (attached.size === 0)
        return fallback.notify({ projectId: notice.projectId, channel: 'admin', text: approvalText(notice), runId: notice.runId });
      each('approvalRequested', (n) =>
        n.approvalRequested
          ? n.approvalRequested(notice)
          : n.notify({ projectId: notice.projectId, channel: 'admin', text: approvalText(notice), runId: notice.runId }),
      );
    },
    async approvalDecided(outcome) {
      each('approvalDecided', (n) => n.approvalDecided?.(outcome));
    },
  };
  return {
    notifier,
    /** Whether any bot is attached (callers skip building hook arguments on hot paths when none is). */
    listening: () => attached.size > 0,
    attach(n: ChatNotifier): () => void {
      attached.add(n);
      return () => attached.delete(n);
    },
  };
}

export function approvalText(n: ApprovalNotice): string {
  return `Approval needed: rule "${n.ruleName}" wants to run ${n.steps.map((s) => s.id).join(', ')} for ${n.event.type} on ${n.event.subject.kind} ${n.event.subject.id} (requested by ${n.requestedBy}). Approval ${n.approvalId}.`;
}
