// Admin pages of the review web: the approvals inbox and the halt switch. Plain forms, like the
// review pages; the engine checks the admin role on every decision.
import type { ApprovalNotice, ApprovalRow, HaltStatus } from '../engine/index.js';
import { Alert, when } from './cards.js';
import { Layout, type PageContext } from './pages.js';

export interface InboxItem {
  approval: ApprovalRow;
  /** The request as sent: rule, cause, the steps it gates and their cost (null: its run is gone). */
  notice: ApprovalNotice | null;
}

const ruleOf = (i: InboxItem) => i.notice?.ruleName ?? i.approval.runId;

export function ApprovalsPage(props: { ctx: PageContext; projectId: string; items: InboxItem[]; error?: string | undefined }) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const pending = props.items.filter((i) => i.approval.status === 'pending');
  const decided = props.items.filter((i) => i.approval.status !== 'pending');
  return (
    <Layout ctx={props.ctx}>
      <p>
        <a href={base}>← {props.projectId}</a>
      </p>
      <h1>Approvals</h1>
      {props.error ? <Alert>{props.error}</Alert> : null}
      <h2>Waiting ({pending.length})</h2>
      {pending.length === 0 ? <p>No run is waiting for an approval.</p> : null}
      <ul class="assets">
        {pending.map((i) => (
          <li>
            <div>
              <p>
                <strong>{ruleOf(i)}</strong> on <code>{i.notice ? `${i.notice.event.type}` : '?'}</code>
                {i.notice ? ` (${i.notice.event.subject.kind} ${i.notice.event.subject.id})` : ''} · requested by {i.approval.requestedBy}
              </p>
              <p>
                Will submit:{' '}
                {i.notice && i.notice.steps.length > 0
                  ? i.notice.steps.map((s) => (s.jobType ? `${s.id} (${s.jobType} job)` : s.id)).join(', ')
                  : '—'}{' '}
                · estimated cost {i.notice ? i.notice.estimatedCost : '?'}
              </p>
              <p class="muted">
                {i.approval.expiresAt ? `Expires ${when(i.approval.expiresAt)} (then: ${i.approval.defaultDecision})` : 'Never expires'} ·{' '}
                {i.approval.id}
              </p>
            </div>
            <form method="post" action={`${base}/approvals/${encodeURIComponent(i.approval.id)}`} class="buttons">
              <input type="hidden" name="_csrf" value={props.ctx.session?.csrf ?? ''} />
              <button name="decision" value="approve">
                Approve
              </button>
              <button name="decision" value="deny">
                Deny
              </button>
            </form>
          </li>
        ))}
      </ul>
      <h2>Decided</h2>
      <ul class="decisions">
        {decided.map((i) => (
          <li>
            <strong>{ruleOf(i)}</strong> — {i.approval.status} by {i.approval.decidedBy ?? '—'} at {when(i.approval.decidedAt)}
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function HaltPage(props: { ctx: PageContext; projectId: string; halts: HaltStatus[]; error?: string | undefined }) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const csrf = props.ctx.session?.csrf ?? '';
  const own = props.halts.find((h) => h.scope === 'project');
  return (
    <Layout ctx={props.ctx}>
      <p>
        <a href={base}>← {props.projectId}</a>
      </p>
      <h1>Automation</h1>
      {props.error ? <Alert>{props.error}</Alert> : null}
      {own ? (
        <>
          <p>
            <span class="badge bad">Halted</span> by {own.createdBy} at {when(own.createdAt)}: {own.reason}. {own.held} firings held.
          </p>
          <form method="post" action={`${base}/resume`} class="stack">
            <input type="hidden" name="_csrf" value={csrf} />
            <label class="check">
              <input type="checkbox" name="discard" value="1" /> Discard the held firings instead of replaying them
            </label>
            <button type="submit">Resume</button>
          </form>
        </>
      ) : (
        <>
          <p>
            <span class="badge ok">Running</span> Rules fire and jobs run.
          </p>
          <form method="post" action={`${base}/halt`} class="stack">
            <input type="hidden" name="_csrf" value={csrf} />
            <label>
              Reason <input type="text" name="reason" required maxlength={500} />
            </label>
            <button type="submit" class="danger">
              Emergency halt
            </button>
          </form>
        </>
      )}
    </Layout>
  );
}
