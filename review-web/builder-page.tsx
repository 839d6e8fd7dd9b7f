// The rule builder: one plain form (trigger, scope, nested conditions, actions
// with their job's fields and defaults, mode, debounce, depth, approval), its
// JSON view, and the dry-run preview with "Enable" / "Run exactly this" tied to
// the plan's hash. Every button posts the whole form; builder.js swaps the
// answer in place and keeps the JSON view in step while typing.
import type { Child } from 'hono/jsx';
import type { ActionTypeInfo, FieldSpec, Plan, Vocabulary } from '../engine/index.js';
import { Alert } from './cards.js';
import {
  childrenOf,
  fieldsHome,
  isGroup,
  joinOf,
  keyOf,
  rootGroup,
  showField,
  showLiteral,
  type CondGroup,
  type CondNode,
  type Draft,
  type DraftAction,
  type Problems,
} from './builder-form.js';
import { Layout, type PageContext } from './pages.js';
import { PlanTree } from './plan-tree.js';

export interface Picks {
  assetTypes: string[];
  entities: { id: string; kind: string; label: string }[];
  /** Recent real events of the trigger's type. */
  events: { id: string; label: string }[];
  /** Fields seen in those events (and the engine's own), with the type of the value seen. */
  fields: { path: string; type: string }[];
}

export interface BuilderProps {
  ctx: PageContext;
  projectId: string;
  ruleId: string | null;
  saved: { version: number; enabled: boolean; name: string } | null;
  draft: Draft;
  json: string;
  problems: Problems;
  formError?: string | undefined;
  notice?: string | undefined;
  vocab: Vocabulary;
  canEdit: boolean;
  picks: Picks;
  nextTimes?: string[] | undefined;
  dry: { source: string; target: string };
  preview?: { plan: Plan; ofSaved: boolean } | undefined;
}

const idOf = (name: string) => `ctl-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A labelled control with its error (the engine's message for that field) said beside it. */
function Ctl(props: { name: string; label: Child; problems: Problems; hint?: string | undefined; children: Child; wide?: boolean }) {
  const err = props.problems[props.name];
  return (
    <label class={`ctl f-${props.name.replace(/[^A-Za-z0-9_-]/g, '-')}${props.wide ? ' wide' : ''}${err ? ' invalid' : ''}`}>
      <span>{props.label}</span>
      {props.children}
      {props.hint ? <small class="muted">{props.hint}</small> : null}
      {err ? (
        <small class="field-error" id={`err-${idOf(props.name)}`} data-for={props.name}>
          {err}
        </small>
      ) : null}
    </label>
  );
}
const aria = (name: string, problems: Problems) =>
  problems[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${idOf(name)}` } : {};

function Select(props: { name: string; value: string; options: [string, string][]; problems: Problems; label?: string }) {
  return (
    <select name={props.name} id={idOf(props.name)} aria-label={props.label} {...aria(props.name, props.problems)}>
      {props.options.map(([v, text]) => (
        <option value={v} selected={v === props.value}>
          {text}
        </option>
      ))}
    </select>
  );
}
function Text(props: { name: string; value: string; problems: Problems; placeholder?: string; list?: string; label?: string }) {
  return (
    <input
      type="text"
      name={props.name}
      id={idOf(props.name)}
      value={props.value}
      placeholder={props.placeholder}
      list={props.list}
      aria-label={props.label}
      spellcheck={false}
      {...aria(props.name, props.problems)}
    />
  );
}
const Op = (props: { op: string; label: string; cls?: string }) => (
  <button type="submit" name="_op" value={props.op} class={props.cls ?? 'small'} formnovalidate>
    {props.label}
  </button>
);

function Conditions(props: { g: CondGroup; path: string; p: BuilderProps; depth: number }) {
  const { g, path, p } = props;
  const kids = childrenOf(g);
  return (
    <div class={`cond-group depth-${props.depth}`}>
      <div class="cond-head">
        <Select
          name={`${path}.join`}
          value={joinOf(g)}
          options={[
            ['all', 'All of these hold'],
            ['any', 'Any of these holds'],
          ]}
          problems={p.problems}
          label="Join"
        />
        {props.depth > 0 ? <Op op={`remove-cond:${path}`} label="Remove group" cls="small danger" /> : null}
      </div>
      {kids.length === 0 ? <p class="muted">No conditions: every event of the trigger counts.</p> : null}
      <ul class="conds">
        {kids.map((n: CondNode, i) =>
          isGroup(n) ? (
            <li>
              <Conditions g={n} path={`${path}.${i}`} p={p} depth={props.depth + 1} />
            </li>
          ) : (
            <li class="cond">
              <Leaf path={`${path}.${i}`} field={n.field} op={n.op} value={n.value} p={p} />
            </li>
          ),
        )}
      </ul>
      <div class="buttons">
        <Op op={`add-cond:${path}`} label="+ Condition" />
        {props.depth < 4 ? <Op op={`add-group:${path}`} label="+ Group" /> : null}
      </div>
    </div>
  );
}

function Leaf(props: { path: string; field: string; op: string; value: unknown; p: BuilderProps }) {
  const { path, p } = props;
  const seen = p.picks.fields.find((f) => f.path === props.field && f.type !== '');
  const ops = p.vocab.operators.filter((o) => !seen || o.fits.includes(seen.type) || o.op === props.op);
  const info = p.vocab.operators.find((o) => o.op === props.op);
  const valueText =
    info?.value === 'list' && Array.isArray(props.value) ? props.value.map((v) => showLiteral(v)).join(', ') : showLiteral(props.value);
  return (
    <>
      <Ctl name={`${path}.field`} label="Field" problems={p.problems} hint={seen ? `seen as ${seen.type}` : undefined}>
        <Text name={`${path}.field`} value={props.field} problems={p.problems} list="fields-seen" placeholder="payload.tags" />
      </Ctl>
      <Ctl name={`${path}.op`} label="Test" problems={p.problems}>
        <Select name={`${path}.op`} value={props.op} options={ops.map((o) => [o.op, o.label])} problems={p.problems} />
      </Ctl>
      <Ctl
        name={`${path}.value`}
        label="Value"
        problems={p.problems}
        hint={
          info?.value === 'list'
            ? 'comma-separated, or a JSON list'
            : info?.value === 'pattern'
              ? 'RE2 syntax (no backreferences or lookaround)'
              : info?.value === 'flag'
                ? 'false: the field is absent'
                : 'numbers, true/false and "quoted" are read as JSON'
        }
      >
        <Text
          name={`${path}.value`}
          value={info?.value === 'flag' ? (props.value === false ? 'false' : '') : valueText}
          problems={p.problems}
        />
      </Ctl>
      <Op op={`remove-cond:${path}`} label="Remove" cls="small danger" />
    </>
  );
}

function FieldCtl(props: { spec: FieldSpec; name: string; value: unknown; list: string; p: BuilderProps }) {
  const { spec, name, p } = props;
  const dflt =
    spec.default !== undefined
      ? `default ${typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default)}`
      : spec.required
        ? 'required'
        : 'optional';
  const label = (
    <>
      <code>{spec.name}</code> <span class="muted">({dflt})</span>
    </>
  );
  const text = showField(spec, props.value);
  if (spec.kind === 'boolean' || spec.kind === 'enum')
    return (
      <Ctl name={name} label={label} problems={p.problems} hint={spec.hint}>
        <Select
          name={name}
          value={text}
          options={[
            ['', spec.default !== undefined ? `default (${String(spec.default)})` : '—'],
            ...(spec.kind === 'boolean' ? ['true', 'false'] : (spec.options ?? []).map(String)).map((o): [string, string] => [o, o]),
          ]}
          problems={p.problems}
        />
      </Ctl>
    );
  return (
    <Ctl name={name} label={label} problems={p.problems} hint={spec.hint}>
      <Text
        name={name}
        value={text}
        problems={p.problems}
        list={props.list}
        placeholder={spec.default !== undefined && typeof spec.default !== 'object' ? String(spec.default) : ''}
      />
    </Ctl>
  );
}

function ActionBox(props: { a: DraftAction; i: number; count: number; p: BuilderProps }) {
  const { a, i, p } = props;
  const key = keyOf(a);
  const info: ActionTypeInfo | undefined = p.vocab.actionTypes.find((t) => t.key === key);
  const home = fieldsHome(a);
  const known = new Set(info?.fields.map((f) => f.name));
  const more = Object.fromEntries(Object.entries(home).filter(([k]) => !known.has(k)));
  const list = `ph-${i}`;
  // Placeholders offered: the trigger's payload, the subject, earlier steps' outputs.
  const trig = p.vocab.eventTypes.find((e) => e.type === p.draft.trigger?.event);
  const earlier = (p.draft.actions ?? []).slice(0, i).flatMap((b, j) => {
    const bi = p.vocab.actionTypes.find((t) => t.key === keyOf(b));
    return (bi?.outputs ?? []).map((o) => `\${steps.${b.id ?? `step${j + 1}`}.output.${o}}`);
  });
  const offered = [
    '${event.subject.id}',
    ...(trig?.payload ?? []).map((f) => `\${event.payload.${f}}`),
    ...p.picks.fields.filter((f) => f.path.startsWith('payload.')).map((f) => `\${event.${f.path}}`),
    ...earlier,
    ...(i > 0 ? ['$output.alphaPaths', '$output.atlasId'] : []),
    '${projectId}',
  ];
  return (
    <fieldset class="action" id={`action-${i}`}>
      <legend>
        Step {i + 1}: {info?.label ?? a.type}
      </legend>
      <div class="action-head">
        <Ctl name={`a.${i}.key`} label="Does" problems={p.problems}>
          <Select name={`a.${i}.key`} value={key} options={p.vocab.actionTypes.map((t) => [t.key, t.label])} problems={p.problems} />
        </Ctl>
        <Ctl name={`a.${i}.id`} label="Step id" problems={p.problems} hint="later steps name it in ${steps.<id>.output…}">
          <Text name={`a.${i}.id`} value={a.id ?? ''} problems={p.problems} placeholder={`step${i + 1}`} />
        </Ctl>
        <div class="buttons">
          {i > 0 ? <Op op={`up:${i}`} label="↑ Up" /> : null}
          {i < props.count - 1 ? <Op op={`down:${i}`} label="↓ Down" /> : null}
          <Op op={`remove-action:${i}`} label="Remove step" cls="small danger" />
        </div>
      </div>
      {info ? <p class="muted">{info.description}</p> : null}
      <div class="fields">
        {(info?.fields ?? []).map((spec) => (
          <FieldCtl spec={spec} name={`a.${i}.f.${spec.name}`} value={home[spec.name]} list={list} p={p} />
        ))}
      </div>
      <Ctl name={`a.${i}.more`} label="More settings (JSON object; e.g. nextJobs)" problems={p.problems} wide>
        <textarea name={`a.${i}.more`} id={idOf(`a.${i}.more`)} rows={2} spellcheck={false} {...aria(`a.${i}.more`, p.problems)}>
          {Object.keys(more).length ? JSON.stringify(more) : ''}
        </textarea>
      </Ctl>
      <datalist id={list}>
        {[...new Set(offered)].map((o) => (
          <option value={o} />
        ))}
      </datalist>
    </fieldset>
  );
}

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
