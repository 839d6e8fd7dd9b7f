// The rules list (Review web II, first part): each rule's trigger and scope in
// words, enabled / halted, version, last run, runs and failures in the last 7
// days; leads enable (after a dry-run of this version, offered in place),
// disable, dry-run, and import / export JSON. Plain forms, like every page.
import type { ApiRule, HaltStatus } from '../engine/index.js';
import { when } from './cards.js';
import { Layout, type PageContext } from './pages.js';

type Definition = {
  trigger: { event?: string; schedule?: string; timezone?: string };
  scope?: { project?: true; assetType?: string; entityId?: string; kind?: string };
  actions: { id: string; type: string; config?: { type?: string } }[];
  requiresApproval?: string;
};

/** "when variant.approved happens" / "on the schedule 0 3 * * * (UTC)". */
export function triggerInWords(d: Definition): string {
  if (d.trigger.schedule) return `on the schedule ${d.trigger.schedule} (${d.trigger.timezone ?? 'UTC'})`;
  return `when ${d.trigger.event ?? '?'} happens`;
}

/** "for character assets" / "for variant v1" / "anywhere in the project". */
export function scopeInWords(d: Definition): string {
  const s = d.scope ?? { project: true };
  if (s.assetType) return `for ${s.assetType} assets`;
  if (s.entityId) return `for ${s.kind ?? 'entity'} ${s.entityId}`;
  return 'anywhere in the project';
}

const doesInWords = (d: Definition) =>
  d.actions.map((a) => (a.type === 'enqueue_job' ? `${a.id} (${a.config?.type ?? 'job'} job)` : `${a.id} (${a.type})`)).join(' → ');

export interface RuleNotice {
  ruleId: string | null;
  text: string;
  error?: boolean;
  /** Offer "Dry-run this version" beside the message (enable was refused for want of one). */
  offerDryRun?: boolean;
}

export function RulesPage(props: {
  ctx: PageContext;
  projectId: string;
  rules: ApiRule[];
  halts: HaltStatus[];
  canEdit: boolean;
  notice?: RuleNotice | undefined;
  importText?: string | undefined;
}) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const csrf = props.ctx.session?.csrf ?? '';
  const haltedRule = (id: string) => props.halts.some((h) => h.scope === 'rule' && h.ruleId === id);
  const projectHalted = props.halts.some((h) => h.scope !== 'rule');
  const button = (ruleId: string, action: 'enable' | 'disable' | 'dry-run', label: string) => (
    <form method="post" action={`${base}/rules/${encodeURIComponent(ruleId)}/${action}`} class="buttons">
      <input type="hidden" name="_csrf" value={csrf} />
      {action === 'dry-run' ? (
        <input type="text" name="target" placeholder="variant or asset id" aria-label="Dry-run on a variant or asset id" />
      ) : null}
      <button type="submit">{label}</button>
    </form>
  );
  const notice = (ruleId: string | null) =>
    props.notice && props.notice.ruleId === ruleId ? (
      <p class={props.notice.error ? 'error' : 'notice'} role={props.notice.error ? 'alert' : 'status'}>
        {props.notice.text}
      </p>
    ) : null;
  return (
    <Layout ctx={props.ctx} automation>
      <p>
        <a href={base}>← {props.projectId}</a>
      </p>
      <h1>Rules</h1>
      <nav class="buttons" aria-label="Rules">
        {props.canEdit ? <a href={`${base}/rules/new`}>+ New rule</a> : null}
        <a href={`${base}/rules/graph`}>Chain graph</a>
        <a href={`${base}/runs`}>Runs (trigger log)</a>
      </nav>
      {notice(null)}
      {props.rules.length === 0 ? <p>No rules yet: import one below, or create one with the API or `/rule` in chat.</p> : null}
      <ul class="rules">
        {props.rules.map((r) => {
          const d = r.definition as unknown as Definition;
          const halted = projectHalted || haltedRule(r.id);
          return (
            <li id={`rule-${r.id}`} class={`rule ${r.enabled ? 'on' : 'off'}`}>
              <div class="rule-head">
                <h2>
                  <a href={`${base}/rules/${encodeURIComponent(r.id)}/edit`}>{r.name}</a>
                </h2>
                <span class={`badge ${r.enabled ? 'ok' : ''}`}>{r.enabled ? 'enabled' : 'disabled'}</span>
                {halted ? <span class="badge bad">halted</span> : null}
                <span class="muted">
                  v{r.version} · <code>{r.id}</code>
                </span>
              </div>
              <p>
                {triggerInWords(d)}, {scopeInWords(d)}: {doesInWords(d)}
                {d.requiresApproval === 'always' ? ' · always needs an admin’s approval' : ''}
              </p>
              <p class="muted">
                Last run: {r.stats?.lastRunAt ? `${when(Date.parse(r.stats.lastRunAt))} (${r.stats.lastStatus ?? '?'})` : 'never'} · last 7
                days: {r.stats?.runs ?? 0} run{r.stats?.runs === 1 ? '' : 's'}, {r.stats?.failures ?? 0} failed
              </p>
              {notice(r.id)}
              {props.canEdit ? (
                <div class="buttons">
                  {r.enabled ? button(r.id, 'disable', 'Disable') : button(r.id, 'enable', 'Enable')}
                  {button(
                    r.id,
                    'dry-run',
                    props.notice?.ruleId === r.id && props.notice.offerDryRun ? 'Dry-run this version now' : 'Dry-run',
                  )}
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      <section aria-labelledby="io">
        <h2 id="io">Import and export</h2>
        <p>
          <a href={`${base}/rules/export`} download={`${props.projectId}-rules.json`}>
            Export every rule as JSON
          </a>
        </p>
        {props.canEdit ? (
          <form method="post" action={`${base}/rules/import`} class="stack wide">
            <input type="hidden" name="_csrf" value={csrf} />
            <label>
              Rules JSON (one rule or an array; imported disabled: dry-run, then enable)
              <textarea name="json" rows={8} spellcheck={false} required>
                {props.importText ?? ''}
              </textarea>
            </label>
            <button type="submit">Import</button>
          </form>
        ) : null}
      </section>
    </Layout>
  );
}
