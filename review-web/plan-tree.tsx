// A dry-run plan drawn as a tree: the event, the rules it fires or skips (with
// the reason), each firing's approval gate, steps with their resolved inputs,
// the events each step emits and the rules those fire in turn, down to depth.
// Nested lists: readable without CSS or JS, and by a screen reader.
import type { FiringNode, Plan, PlannedEvent, StepNode } from '../engine/index.js';

const short = (v: unknown, max = 600) => {
  const s = JSON.stringify(v, null, 1) ?? 'undefined';
  return s.length > max ? `${s.slice(0, max)}…` : s;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function EventNode(props: { ev: PlannedEvent; ruleHref: (id: string) => string | null; draftId: string }) {
  const { ev } = props;
  return (
    <li class={`plan-event${ev.branch === 'failure' ? ' failure' : ''}`}>
      <span class="badge">event</span> <code>{ev.type}</code> on {ev.subject.kind} <code>{String(ev.subject.id)}</code>
      <span class="muted"> · depth {ev.depth}</span>
      {ev.firings.length > 0 ? (
        <ul>
          {ev.firings.map((f) => (
            <Firing f={f} ruleHref={props.ruleHref} draftId={props.draftId} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Firing(props: { f: FiringNode; ruleHref: (id: string) => string | null; draftId: string }) {
  const { f } = props;
  const href = f.ruleId === props.draftId ? null : props.ruleHref(f.ruleId);
  const name = href ? <a href={href}>{f.ruleName}</a> : <strong>{f.ruleName}</strong>;
  if (f.decision === 'skip')
    return (
      <li class="plan-firing skip">
        <span class="badge bad">skips</span> {name} — {f.reason?.replace(/_/g, ' ')}
        {f.detail ? `: ${f.detail}` : ''}
      </li>
    );
  return (
    <li class="plan-firing">
      <span class="badge ok">fires</span> {name}
      <span class="muted">
        {' '}
        · {f.mode ?? 'sequential'} · ends {f.outcome ?? 'succeeded'}
        {f.outcomeDetail ? ` (${f.outcomeDetail})` : ''}
        {f.uncertain ? ' · depends on a job’s output' : ''}
      </span>
      {f.approval ? (
        <p class="gate">
          ◆ Waits for an admin’s approval ({f.approval.reason === 'costly' ? 'costly work' : 'always'}; gates {f.approval.steps.join(', ')})
          — planned as {f.approval.decision}
          {f.approval.assumed ? ' (assumed)' : ''}
        </p>
      ) : null}
      {f.cycle ? <p class="error">Cycle: {f.cycle.join(' → ')}</p> : null}
      <ol class="plan-steps">
        {(f.steps ?? []).map((s) => (
          <Step s={s} ruleHref={props.ruleHref} draftId={props.draftId} />
        ))}
      </ol>
    </li>
  );
}

function Step(props: { s: StepNode; ruleHref: (id: string) => string | null; draftId: string }) {
  const { s } = props;
  return (
    <li class="plan-step">
      <strong>{s.id}</strong> {s.jobType ? `${s.jobType} job` : s.type}
      <span class="muted">
        {' '}
        · {plural(s.jobs, 'job')} · cost {Number(s.cost.toFixed(2))}
        {s.needsApproval ? ' · behind the approval' : ''}
      </span>
      {s.wouldFail ? <p class="error">Would fail: {s.wouldFail}</p> : null}
      {s.missing?.length ? (
        <p class="error">Unresolved: {s.missing.map((m) => `${m.placeholder} (no ${m.path} in the event or earlier steps)`).join('; ')}</p>
      ) : null}
      <details>
        <summary>Inputs as resolved</summary>
        <pre>{short(s.config)}</pre>
      </details>
      {s.emits.length > 0 ? (
        <ul>
          {s.emits.map((e) => (
            <EventNode ev={e} ruleHref={props.ruleHref} draftId={props.draftId} />
          ))}
        </ul>
      ) : null}
      {s.onFailure?.some((e) => e.firings.length > 0) ? (
        <details>
          <summary>If it fails</summary>
          <ul>
            {s.onFailure.map((e) => (
              <EventNode ev={e} ruleHref={props.ruleHref} draftId={props.draftId} />
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}

/** The summary line and the tree. */
export function PlanTree(props: { plan: Plan; ruleHref: (id: string) => string | null; draftId: string }) {
  const { summary } = props.plan;
  return (
    <div class="plan">
      <p>
        <strong>
          {plural(summary.firings, 'firing')}, {plural(summary.jobs, 'job')}, {plural(summary.approvals, 'approval gate')}, cost{' '}
          {Number(summary.cost.toFixed(2))}
        </strong>
        {summary.skips ? ` · ${plural(summary.skips, 'skip')}` : ''}
        {summary.stops ? ` · ${plural(summary.stops, 'stop')} (depth or cycle)` : ''}
        {summary.truncated ? ' · cut short (too many firings)' : ''}
        <span class="muted"> · plan {props.plan.hash.slice(0, 12)}</span>
      </p>
      <ul class="plan-tree">
        <EventNode ev={props.plan.root} ruleHref={props.ruleHref} draftId={props.draftId} />
      </ul>
      {props.plan.stops.length > 0 ? (
        <ul class="muted">
          {props.plan.stops.map((s) => (
            <li>
              Stopped at {s.ruleId} on {s.eventType} (depth {s.depth}): {s.reason.replace(/_/g, ' ')}
              {s.detail ? ` — ${s.detail}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The steps a plan says would fail or cannot fill a placeholder, root firings and down the chain: "rule / step: why". */
export function planProblems(plan: Plan): string[] {
  const out: string[] = [];
  const visit = (ev: PlannedEvent, depth: number) => {
    if (depth > 60) return;
    for (const f of ev.firings)
      for (const s of f.steps ?? []) {
        if (s.wouldFail) out.push(`${f.ruleName} / ${s.id}: ${s.wouldFail}`);
        else if (s.missing?.length) out.push(`${f.ruleName} / ${s.id}: nothing for ${s.missing.map((m) => m.placeholder).join(', ')}`);
        for (const e of s.emits) visit(e, depth + 1);
      }
  };
  visit(plan.root, 0);
  return out;
}
