// The rule builder's controls: a labelled field with its error beside it, the
// nested condition groups, a job's or action's fields (defaults shown, placeholders
// offered), and one step's box with its move / remove buttons. Rendered by
// builder-page.tsx; every button is a plain submit the server answers.
import type { Child } from 'hono/jsx';
import type { ActionTypeInfo, FieldSpec, Plan, Vocabulary } from '../engine/index.js';
import {
  childrenOf,
  fieldsHome,
  isGroup,
  joinOf,
  keyOf,
  showField,
  showLiteral,
  type CondGroup,
  type CondNode,
  type Draft,
  type DraftAction,
  type Problems,
} from './builder-form.js';
import type { PageContext } from './pages.js';

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

export const idOf = (name: string) => `ctl-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A labelled control with its error (the engine's message for that field) said beside it. */
export function Ctl(props: { name: string; label: Child; problems: Problems; hint?: string | undefined; children: Child; wide?: boolean }) {
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
export const aria = (name: string, problems: Problems) =>
  problems[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${idOf(name)}` } : {};

export function Select(props: { name: string; value: string; options: [string, string][]; problems: Problems; label?: string }) {
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
export function Text(props: { name: string; value: string; problems: Problems; placeholder?: string; list?: string; label?: string }) {
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
export const Op = (props: { op: string; label: string; cls?: string }) => (
  <button type="submit" name="_op" value={props.op} class={props.cls ?? 'small'} formnovalidate>
    {props.label}
  </button>
);

export function Conditions(props: { g: CondGroup; path: string; p: BuilderProps; depth: number }) {
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

export function Leaf(props: { path: string; field: string; op: string; value: unknown; p: BuilderProps }) {
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

export function FieldCtl(props: { spec: FieldSpec; name: string; value: unknown; list: string; p: BuilderProps }) {
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

export function ActionBox(props: { a: DraftAction; i: number; count: number; p: BuilderProps }) {
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
