// The trigger log: runs with filters (rule, status, subject), and each run's
// page — the causing event and its causes up to the human decision that began
// the chain, the steps with status, timings, logs, job ids and outputs
// (pictures shown), the runs it set off; admins cancel. Live like every page.
import type { ApiEvent, ApiRule, RunRow, StepRow } from '../engine/index.js';
import { Alert, when } from './cards.js';
import { Layout, type PageContext } from './pages.js';

export const runStatuses = ['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled', 'halted', 'skipped'] as const;
const tone = (s: string) => (s === 'succeeded' ? 'ok' : s === 'failed' || s === 'cancelled' ? 'bad' : '');
const took = (a: number | null, b: number | null) => (a && b ? `${((b - a) / 1000).toFixed(2)} s` : '—');

export function RunsPage(props: {
  ctx: PageContext;
  projectId: string;
  runs: RunRow[];
  rules: ApiRule[];
  filter: { rule?: string | undefined; status?: string | undefined; subject?: string | undefined };
  error?: string | undefined;
}) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const nameOf = new Map(props.rules.map((r) => [r.id, r.name]));
  return (
    <Layout ctx={props.ctx} automation>
      <p>
        <a href={`${base}/rules`}>← Rules</a>
      </p>
      <h1>Runs</h1>
      <form method="get" action={`${base}/runs`} class="buttons filters" aria-label="Filter runs">
        <label>
          Rule{' '}
          <select name="rule">
            <option value="">any</option>
            {props.rules.map((r) => (
              <option value={r.id} selected={props.filter.rule === r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select name="status">
            <option value="">any</option>
            {runStatuses.map((s) => (
              <option value={s} selected={props.filter.status === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Subject <input type="text" name="subject" value={props.filter.subject ?? ''} placeholder="variant, asset … id" />
        </label>
        <button type="submit">Filter</button>
      </form>
      {props.error ? <Alert>{props.error}</Alert> : null}
      {props.runs.length === 0 ? <p>No run matches.</p> : null}
      <ul class="rules">
        {props.runs.map((r) => (
          <li class="rule">
            <a href={`${base}/runs/${encodeURIComponent(r.id)}`}>
              <strong>{nameOf.get(r.ruleId) ?? r.ruleId}</strong>
            </a>{' '}
            on {r.subjectKind} <code>{r.subjectId}</code> <span class={`badge ${tone(r.status)}`}>{r.status}</span>{' '}
            <span class="muted">
              {when(r.createdAt)} · depth {r.depth}
              {r.error ? ` · ${r.error}` : r.reason ? ` · ${r.reason}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function RunPage(props: {
  ctx: PageContext;
  projectId: string;
  run: RunRow;
  ruleName: string;
  steps: StepRow[];
  /** The causing event first, then its causes, up to the first (a human decision, an API call …). */
  causes: ApiEvent[];
  downstream: RunRow[];
  canCancel: boolean;
  isAdmin: boolean;
  /** A project file's URL in the review web (the output pictures). */
  fileUrl: (path: string) => string;
  /** The job type a rule's own enqueue_job step submits (follow-ups carry it in their type). */
  jobTypeOf: (stepId: string) => string | null;
}) {
  const { run } = props;
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const pictures = (output: unknown): string[] => {
    const out: string[] = [];
    const walk = (v: unknown, depth: number) => {
      if (depth > 4 || out.length >= 4) return;
      if (typeof v === 'string' && /\.(png|webp|jpe?g)$/i.test(v) && !v.startsWith('/') && !v.includes('..')) out.push(v);
      else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
      else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
    };
    walk(output, 0);
    return out;
  };
  return (
    <Layout ctx={props.ctx} automation>
      <p>
        <a href={`${base}/runs`}>← Runs</a> ·{' '}
        <a href={`${base}/rules/graph?run=${encodeURIComponent(run.id)}`}>its path on the chain graph</a>
      </p>
      <h1>
        {props.ruleName} <span class={`badge ${tone(run.status)}`}>{run.status}</span>
      </h1>
      <p class="muted">
        <code>{run.id}</code> · rule v{run.ruleVersion} · on {run.subjectKind} <code>{run.subjectId}</code> · depth {run.depth} · created{' '}
        {when(run.createdAt)} · took {took(run.startedAt, run.finishedAt)}
      </p>
      {run.error ? <Alert>{run.error}</Alert> : run.reason ? <p>{run.reason}</p> : null}
      {props.canCancel ? (
        <form method="post" action={`${base}/runs/${encodeURIComponent(run.id)}/cancel`}>
          <input type="hidden" name="_csrf" value={props.ctx.session?.csrf ?? ''} />
          <button type="submit" class="danger">
            Cancel this run
          </button>
        </form>
      ) : null}
      <h2>Caused by</h2>
      <ol class="causes">
        {props.causes.map((e) => (
          <li>
            <code>{e.type}</code> on {e.subject.kind} <code>{e.subject.id}</code> by {e.actor.kind}:{e.actor.id}{' '}
            <span class="muted">
              from {e.source} at {when(Date.parse(e.occurredAt))}
            </span>
          </li>
        ))}
      </ol>
      <h2>Steps</h2>
      <ol class="rules">
        {props.steps.map((s) => {
          const jt = s.type.startsWith('enqueue_job:') ? s.type.slice('enqueue_job:'.length) : props.jobTypeOf(s.stepId);
          return (
            <li class="rule" id={`step-${s.stepId}`}>
              <div class="rule-head">
                <strong>{s.stepId}</strong> <span class="muted">{jt ? `${jt} job` : s.type}</span>{' '}
                <span class={`badge ${tone(s.status)}`}>{s.status}</span>
                <span class="muted">took {took(s.startedAt, s.finishedAt)}</span>
              </div>
              {s.jobIds.length > 0 ? (
                <p class="muted">
                  Job{' '}
                  {s.jobIds.map((j) =>
                    props.isAdmin && jt ? (
                      <a href={`/admin/queues/queue/${encodeURIComponent(jt)}/${encodeURIComponent(j)}`}>
                        <code>{j}</code>
                      </a>
                    ) : (
                      <code>{j}</code>
                    ),
                  )}
                </p>
              ) : null}
              {s.error ? <Alert>{s.error}</Alert> : null}
              {pictures(s.output).map((p) => (
                <img class="output" src={props.fileUrl(p)} alt={`output of ${s.stepId}: ${p}`} loading="lazy" />
              ))}
              {s.output !== null && s.output !== undefined ? (
                <details>
                  <summary>Output</summary>
                  <pre>{JSON.stringify(s.output, null, 2).slice(0, 4000)}</pre>
                </details>
              ) : null}
              {s.logs.length > 0 ? (
                <details>
                  <summary>Log ({s.logs.length})</summary>
                  <ul class="log">
                    {s.logs.map((l) => (
                      <li>
                        <span class="muted">{when(l.at)}</span> {l.msg}
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </li>
          );
        })}
      </ol>
      <h2>Set off</h2>
      {props.downstream.length === 0 ? <p class="muted">No run followed from this one.</p> : null}
      <ul>
        {props.downstream.map((d) => (
          <li>
            <a href={`${base}/runs/${encodeURIComponent(d.id)}`}>{d.id}</a> <span class={`badge ${tone(d.status)}`}>{d.status}</span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
