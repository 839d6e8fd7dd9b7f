// The rule builder: one plain form (trigger, scope, nested conditions, actions
// with their job's fields and defaults, mode, debounce, depth, approval), its
// JSON view, and the dry-run preview with "Enable" / "Run exactly this" tied to
// the plan's hash. Every button posts the whole form; builder.js swaps the
// answer in place and keeps the JSON view in step while typing.
import type { Child } from 'hono/jsx';
import { Alert } from './cards.js';
import { rootGroup } from './builder-form.js';
import { ActionBox, Conditions, Ctl, Op, Select, Text, aria, idOf, type BuilderProps } from './builder-controls.js';
import { Layout } from './pages.js';
import { planProblems, PlanTree } from './plan-tree.js';

export type { BuilderProps, Picks } from './builder-controls.js';

export function BuilderPage(p: BuilderProps) {
  const base = `/review/projects/${encodeURIComponent(p.projectId)}`;
  const d = p.draft;
  const trig = d.trigger ?? {};
  const kind =
    trig.schedule !== undefined ? 'schedule' : !trig.event || p.vocab.eventTypes.some((e) => e.type === trig.event) ? 'event' : 'custom';
  const scope = d.scope ?? { project: true };
  const scopeKind = scope.assetType !== undefined ? 'assetType' : scope.entityId !== undefined ? 'entity' : 'project';
  const errors = Object.entries(p.problems);
  const actions = d.actions ?? [];
  const radio = (name: string, value: string, current: string, label: Child) => (
    <label class="check">
      <input type="radio" name={name} value={value} checked={value === current} /> {label}
    </label>
  );
  const fieldset = (legend: string, children: Child) => (
    <fieldset disabled={!p.canEdit}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
  return (
    <Layout ctx={p.ctx} automation builder>
      <p>
        <a href={`${base}/rules`}>← Rules</a> · <a href={`${base}/rules/graph`}>Chain graph</a>
      </p>
      <h1>{p.saved ? `Edit “${p.saved.name}”` : 'New rule'}</h1>
      {p.saved ? (
        <p class="muted">
          Saved version {p.saved.version}, {p.saved.enabled ? 'enabled' : 'disabled'}. Saving a change makes a new version, disabled until
          it is dry-run.
        </p>
      ) : null}
      {!p.canEdit ? <p class="muted">Read-only: leads and admins edit rules.</p> : null}
      {p.notice ? (
        <p class="notice" role="status">
          {p.notice}
        </p>
      ) : null}
      {p.formError ? <Alert>{p.formError}</Alert> : null}
      <form method="post" action={`${base}/rules/builder`} id="builder" class="builder" novalidate>
        <button type="submit" name="_op" value="check" class="default-submit" tabindex={-1} aria-hidden="true">
          Check
        </button>
        <input type="hidden" name="_csrf" value={p.ctx.session?.csrf ?? ''} />
        <input type="hidden" name="ruleId" value={p.ruleId ?? ''} />
        {errors.length > 0 ? (
          <div class="error-summary" role="alert" id="error-summary">
            <p>
              <strong>
                {errors.length} field{errors.length === 1 ? '' : 's'} to fix:
              </strong>
            </p>
            <ul>
              {errors.map(([name, message]) => (
                <li>
                  <a href={`#${idOf(name)}`}>{message}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div id="builder-fields">
          {fieldset(
            'Rule',
            <div class="fields">
              <Ctl name="name" label="Name" problems={p.problems}>
                <Text name="name" value={d.name ?? ''} problems={p.problems} placeholder="Approved → cut-out → atlas" />
              </Ctl>
              <Ctl name="description" label="Description (optional)" problems={p.problems} wide>
                <Text name="description" value={d.description ?? ''} problems={p.problems} />
              </Ctl>
            </div>,
          )}
          {fieldset(
            'When — the trigger',
            <>
              <div class="radios">
                {radio('trigger.kind', 'event', kind, 'an event happens')}
                {radio('trigger.kind', 'custom', kind, 'a custom event type')}
                {radio('trigger.kind', 'schedule', kind, 'on a schedule')}
              </div>
              <div class="fields">
                <Ctl name="trigger.event" label="Event" problems={p.problems} wide>
                  <Select
                    name="trigger.event"
                    value={kind === 'event' ? (trig.event ?? 'variant.approved') : ''}
                    options={p.vocab.eventTypes.map((e) => [e.type, `${e.type} — ${e.description}`])}
                    problems={p.problems}
                  />
                </Ctl>
                <Ctl name="trigger.custom" label="Custom type" problems={p.problems} hint="entity.verb, lowercase, e.g. build.finished">
                  <Text name="trigger.custom" value={kind === 'custom' ? (trig.event ?? '') : ''} problems={p.problems} />
                </Ctl>
                <Ctl
                  name="trigger.schedule"
                  label="Cron schedule"
                  problems={p.problems}
                  hint="minute hour day month weekday, e.g. 0 3 * * *"
                >
                  <Text name="trigger.schedule" value={trig.schedule ?? ''} problems={p.problems} placeholder="0 3 * * *" />
                </Ctl>
                <Ctl name="trigger.timezone" label="Time zone" problems={p.problems} hint="IANA name; empty: UTC">
                  <Text name="trigger.timezone" value={trig.timezone ?? ''} problems={p.problems} placeholder="UTC" />
                </Ctl>
              </div>
              {p.nextTimes?.length ? (
                <p class="muted">Next: {p.nextTimes.map((t) => t.replace('T', ' ').slice(0, 16)).join(' · ')} UTC</p>
              ) : null}
            </>,
          )}
          {fieldset(
            'Where — the scope',
            <>
              <div class="radios">
                {radio('scope.kind', 'project', scopeKind, 'anywhere in the project')}
                {radio('scope.kind', 'assetType', scopeKind, 'assets of one type')}
                {radio('scope.kind', 'entity', scopeKind, 'one asset, variant, atlas…')}
              </div>
              <div class="fields">
                <Ctl name="scope.assetType" label="Asset type" problems={p.problems}>
                  <Text
                    name="scope.assetType"
                    value={scope.assetType ?? ''}
                    problems={p.problems}
                    list="asset-types"
                    placeholder="character"
                  />
                </Ctl>
                <Ctl name="scope.entityId" label="Entity id" problems={p.problems}>
                  <Text name="scope.entityId" value={scope.entityId ?? ''} problems={p.problems} list="entities" />
                </Ctl>
                <Ctl name="scope.entityKind" label="Entity kind" problems={p.problems}>
                  <Select
                    name="scope.entityKind"
                    value={scope.kind ?? ''}
                    options={[['', 'any'], ...['asset', 'variant', 'spec', 'atlas', 'export'].map((k): [string, string] => [k, k])]}
                    problems={p.problems}
                  />
                </Ctl>
              </div>
            </>,
          )}
          {fieldset('If — conditions', <Conditions g={rootGroup(d)} path="c" p={p} depth={0} />)}
          {fieldset(
            'Then — actions',
            <>
              {p.problems.actions ? <small class="field-error">{p.problems.actions}</small> : null}
              {actions.map((a, i) => (
                <ActionBox a={a} i={i} count={actions.length} p={p} />
              ))}
              <div class="buttons">
                <Select
                  name="addKey"
                  value=""
                  options={p.vocab.actionTypes.map((t) => [t.key, t.label])}
                  problems={p.problems}
                  label="Action to add"
                />
                <Op op="add-action" label="+ Add step" />
              </div>
            </>,
          )}
          {fieldset(
            'How',
            <div class="fields">
              <Ctl name="mode" label="Steps run" problems={p.problems}>
                <Select
                  name="mode"
                  value={d.mode ?? 'sequential'}
                  options={[
                    ['sequential', 'one after another (sequential)'],
                    ['parallel', 'all at once (parallel)'],
                  ]}
                  problems={p.problems}
                />
              </Ctl>
              <Ctl
                name="debounceMs"
                label="Debounce (ms)"
                problems={p.problems}
                hint="ignore repeats on the same subject within this; default 0"
              >
                <Text
                  name="debounceMs"
                  value={d.debounceMs === undefined ? '' : String(d.debounceMs)}
                  problems={p.problems}
                  placeholder="0"
                />
              </Ctl>
              <Ctl name="maxDepth" label="Max chain depth" problems={p.problems} hint="1–50; default 10">
                <Text name="maxDepth" value={d.maxDepth === undefined ? '' : String(d.maxDepth)} problems={p.problems} placeholder="10" />
              </Ctl>
              <Ctl name="requiresApproval" label="Admin approval" problems={p.problems}>
                <Select
                  name="requiresApproval"
                  value={d.requiresApproval ?? 'auto'}
                  options={[
                    ['auto', 'when it submits costly work (auto)'],
                    ['always', 'always'],
                    ['never', 'never'],
                  ]}
                  problems={p.problems}
                />
              </Ctl>
            </div>,
          )}
        </div>
        <datalist id="fields-seen">
          {p.picks.fields.map((f) => (
            <option value={f.path}>{f.type}</option>
          ))}
        </datalist>
        <datalist id="asset-types">
          {p.picks.assetTypes.map((t) => (
            <option value={t} />
          ))}
        </datalist>
        <datalist id="entities">
          {p.picks.entities.map((e) => (
            <option value={e.id}>{e.label}</option>
          ))}
        </datalist>
        <fieldset class="json-view">
          <legend>JSON</legend>
          <Ctl name="json" label="The rule as the API takes it (edit here or above; they stay in step)" problems={p.problems} wide>
            <textarea name="json" id={idOf('json')} rows={10} spellcheck={false} {...aria('json', p.problems)}>
              {p.json}
            </textarea>
          </Ctl>
          <Op op="from-json" label="Use this JSON" />
        </fieldset>
        <fieldset class="dry" disabled={!p.canEdit}>
          <legend>Dry-run</legend>
          <div class="fields">
            <Ctl name="dry.source" label="On" problems={p.problems}>
              <Select
                name="dry.source"
                value={p.dry.source}
                options={[
                  ['sample', 'a sample event (built as the engine would)'],
                  ...p.picks.events.map((e): [string, string] => [`event:${e.id}`, e.label]),
                ]}
                problems={p.problems}
              />
            </Ctl>
            <Ctl name="dry.target" label="Sample on variant or asset" problems={p.problems} hint="empty: on the project">
              <Text name="dry.target" value={p.dry.target} problems={p.problems} list="entities" />
            </Ctl>
          </div>
          <div class="buttons">
            <Op op="dry-run" label="Dry-run" cls="" />
            <Op op="save" label={p.ruleId ? 'Save as a new version' : 'Save (disabled)'} cls="" />
          </div>
        </fieldset>
        {p.preview ? (
          <section class="preview" aria-labelledby="preview-h" id="preview">
            <h2 id="preview-h">If this trigger fires, here is what would happen</h2>
            {!p.preview.ofSaved ? (
              <p class="muted">A preview of the form as it is now (not saved). Save, then dry-run again, to enable it or run it.</p>
            ) : null}
            <PlanTree
              plan={p.preview.plan}
              draftId={p.preview.ofSaved ? '' : (p.ruleId ?? 'draft')}
              ruleHref={(id) => `${base}/rules/${encodeURIComponent(id)}/edit`}
            />
            {planProblems(p.preview.plan).length > 0 ? (
              <div class="error" role="alert">
                <p>On this event, these steps would fail — fix them (or dry-run on an event they fit) before enabling:</p>
                <ul>
                  {planProblems(p.preview.plan)
                    .slice(0, 10)
                    .map((t) => (
                      <li>{t}</li>
                    ))}
                </ul>
              </div>
            ) : null}
            {p.preview.ofSaved && p.canEdit ? (
              <div class="buttons">
                <input type="hidden" name="hash" value={p.preview.plan.hash} />
                {!p.saved?.enabled ? <Op op="enable" label="Enable this version" cls="" /> : null}
                <Op op="run" label="Run exactly this" cls="" />
              </div>
            ) : null}
          </section>
        ) : null}
      </form>
    </Layout>
  );
}
