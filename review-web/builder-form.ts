// The rule builder's form model: a plain HTML form ↔ a draft rule (the rule's
// JSON as the API takes it, not yet validated), the form's structural edits
// (add / remove / nest a condition, add / move / remove an action), and the
// engine's zod paths mapped to the control that holds the value. Pure: the
// routes render from a draft and parse a posted form back into one, so the
// page works as a plain form and the script only swaps the result in place.
import type { ActionTypeInfo, FieldSpec, Vocabulary } from '../engine/index.js';
import type { Form } from './kit.js';

export type Json = unknown;
export interface CondLeaf {
  field: string;
  op: string;
  value?: Json;
}
export type CondNode = CondLeaf | CondGroup;
export type CondGroup = { all: CondNode[] } | { any: CondNode[] };
export interface DraftAction {
  id?: string;
  type: string;
  config: Record<string, Json>;
}
/** A rule as typed so far: the API's body shape, every part optional. */
export interface Draft {
  name?: string;
  description?: string;
  trigger?: { event?: string; schedule?: string; timezone?: string };
  scope?: { project?: true; assetType?: string; entityId?: string; kind?: string };
  conditions?: CondGroup | CondNode[];
  actions?: DraftAction[];
  mode?: string;
  debounceMs?: Json;
  maxDepth?: Json;
  requiresApproval?: string;
}

/** Problems found reading the form (not JSON, not a number): control name → message. */
export type Problems = Record<string, string>;

export const isGroup = (n: CondNode): n is CondGroup => typeof n === 'object' && n !== null && ('all' in n || 'any' in n);
export const childrenOf = (g: CondGroup): CondNode[] => ('all' in g ? g.all : g.any);
export const joinOf = (g: CondGroup): 'all' | 'any' => ('all' in g ? 'all' : 'any');
export const rootGroup = (d: Draft): CondGroup =>
  Array.isArray(d.conditions) ? { all: d.conditions } : d.conditions && isGroup(d.conditions) ? d.conditions : { all: [] };

/** An action's builder key: `enqueue_job:<job type>` for a job, else its type. */
export const keyOf = (a: DraftAction): string =>
  a.type === 'enqueue_job' ? `enqueue_job:${typeof a.config?.type === 'string' ? a.config.type : ''}` : a.type;
/** Where an action's fields live: a job's input, or the action's config. */
export const fieldsHome = (a: DraftAction): Record<string, Json> =>
  a.type === 'enqueue_job' ? ((a.config?.input as Record<string, Json> | undefined) ?? {}) : (a.config ?? {});

/** JSON with object keys sorted: two definitions are the same rule when these are equal. */
export function stableJson(v: Json): string {
  return JSON.stringify(v, (_k, x: Json) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, Json>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

// ---- values as text, and back ----

/** A condition value as typed: JSON literals (numbers, true, "quoted", [lists]) are read as JSON, anything else as text. */
export function readLiteral(text: string): Json {
  const t = text.trim();
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|".*"|\[.*\]|\{.*\})$/s.test(t)) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      return text;
    }
  }
  return text;
}
/** The text that reads back as `value`. */
export function showLiteral(value: Json): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return readLiteral(value) === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
/**
 * A list as typed: comma-separated items, a JSON list, `[a, b]` loosely, or one placeholder alone for a
 * whole list (`${steps.cutout.output.alphaPaths}`); `[${event.subject.id}]` is a list of one.
 */
function readList(text: string): Json {
  const t = text.trim();
  if (t.startsWith('$')) return t;
  if (t.startsWith('[') && t.endsWith(']')) {
    try {
      return JSON.parse(t) as Json;
    } catch {
      return splitList(t.slice(1, -1));
    }
  }
  return splitList(t);
}
const splitList = (t: string): Json[] =>
  t
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(readLiteral);
const showList = (value: Json): string =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes(',') && readLiteral(v) === v)
    ? value.join(', ')
    : showLiteral(value);

/** A job or action field's text → its value; a problem when it cannot be one. */
export function readField(spec: FieldSpec, text: string): { value?: Json; problem?: string } {
  const t = text.trim();
  if (t === '') return {};
  const placeholder = t.startsWith('$');
  switch (spec.kind) {
    case 'number': {
      if (/^-?\d+(\.\d+)?$/.test(t)) return { value: Number(t) };
      const word = spec.options?.find((o) => String(o) === t);
      if (word !== undefined) return { value: word };
      const words = spec.options?.length ? ` or ${spec.options.join(', ')}` : '';
      return placeholder
        ? { value: t }
        : {
            problem: `${spec.name}: a number${words}${spec.default !== undefined ? ` (default ${String(spec.default)})` : ''}, or a placeholder`,
          };
    }
    case 'boolean':
      return t === 'true' || t === 'false' ? { value: t === 'true' } : { problem: `${spec.name}: true or false` };
    case 'enum': {
      const hit = spec.options?.find((o) => String(o) === t);
      return hit !== undefined
        ? { value: hit }
        : placeholder
          ? { value: t }
          : { problem: `${spec.name}: one of ${spec.options?.join(', ')}` };
    }
    case 'strings':
      return { value: readList(t) };
    case 'json':
      if (placeholder) return { value: t };
      try {
        return { value: JSON.parse(t) as Json };
      } catch {
        return { problem: `${spec.name}: not valid JSON (e.g. ["a.png"] or {"x": 0.5}), or a placeholder` };
      }
    default:
      return { value: text };
  }
}
export function showField(spec: FieldSpec, value: Json): string {
  if (value === undefined) return '';
  if (spec.kind === 'strings')
    return typeof value === 'string'
      ? value
      : Array.isArray(value) && value.length === 1 && String(value[0]).startsWith('$')
        ? `[${String(value[0])}]`
        : showList(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

// ---- the form → a draft ----

const str = (f: Form, k: string): string => {
  const v = f[k];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
};
const has = (f: Form, k: string) => f[k] !== undefined;

function readGroup(f: Form, path: string, problems: Problems, depth: number): CondGroup {
  const join = str(f, `${path}.join`) === 'any' ? 'any' : 'all';
  const kids: CondNode[] = [];
  // Children are numbered 0..n in the form; a gap (a removed one) ends nothing, so look a little past it.
  for (let i = 0, misses = 0; i < 50 && misses < 5; i++) {
    const at = `${path}.${i}`;
    if (depth < 8 && has(f, `${at}.join`)) {
      kids.push(readGroup(f, at, problems, depth + 1));
      misses = 0;
    } else if (has(f, `${at}.field`)) {
      const op = str(f, `${at}.op`) || 'eq';
      const text = str(f, `${at}.value`);
      const leaf: CondLeaf = { field: str(f, `${at}.field`).trim(), op };
      if (op === 'exists') {
        if (text === 'false') leaf.value = false;
      } else if (op === 'in' || op === 'nin') {
        if (text.trim() !== '') leaf.value = readList(text);
      } else if (op === 'matches') {
        if (text !== '') leaf.value = text;
      } else if (text.trim() !== '') leaf.value = readLiteral(text);
      kids.push(leaf);
      misses = 0;
    } else misses++;
  }
  return join === 'any' ? { any: kids } : { all: kids };
}

function readActions(f: Form, vocab: Vocabulary, problems: Problems): DraftAction[] {
  const out: DraftAction[] = [];
  for (let i = 0, misses = 0; i < 20 && misses < 5; i++) {
    const key = str(f, `a.${i}.key`);
    if (!key) {
      misses++;
      continue;
    }
    misses = 0;
    const info = vocab.actionTypes.find((t) => t.key === key);
    const n = out.length;
    const values: Record<string, Json> = {};
    const moreText = str(f, `a.${i}.more`).trim();
    if (moreText) {
      try {
        const more = JSON.parse(moreText) as unknown;
        if (more && typeof more === 'object' && !Array.isArray(more)) Object.assign(values, more);
        else problems[`a.${n}.more`] = 'more settings: a JSON object, e.g. {"nextJobs": []}';
      } catch {
        problems[`a.${n}.more`] = 'more settings: not valid JSON; write a JSON object, e.g. {"nextJobs": []}';
      }
    }
    for (const spec of info?.fields ?? []) {
      const r = readField(spec, str(f, `a.${i}.f.${spec.name}`));
      if (r.problem) problems[`a.${n}.f.${spec.name}`] = r.problem;
      else if (r.value !== undefined) values[spec.name] = r.value;
    }
    const id = str(f, `a.${i}.id`).trim();
    const action: DraftAction = key.startsWith('enqueue_job:')
      ? { type: 'enqueue_job', config: { type: key.slice('enqueue_job:'.length), input: values } }
      : { type: key, config: values };
    out.push(id ? { id, ...action } : action);
  }
  return out;
}

/** Read a posted builder form into a draft (and what could not be read, by control). */
export function draftFromForm(f: Form, vocab: Vocabulary): { draft: Draft; problems: Problems } {
  const problems: Problems = {};
  const draft: Draft = { name: str(f, 'name').trim() };
  const description = str(f, 'description').trim();
  if (description) draft.description = description;
  const tk = str(f, 'trigger.kind');
  if (tk === 'schedule') {
    draft.trigger = { schedule: str(f, 'trigger.schedule').trim() };
    const tz = str(f, 'trigger.timezone').trim();
    if (tz) draft.trigger.timezone = tz;
  } else draft.trigger = { event: (tk === 'custom' ? str(f, 'trigger.custom') : str(f, 'trigger.event')).trim() };
  const sk = str(f, 'scope.kind');
  draft.scope =
    sk === 'assetType'
      ? { assetType: str(f, 'scope.assetType').trim() }
      : sk === 'entity'
        ? { entityId: str(f, 'scope.entityId').trim(), ...(str(f, 'scope.entityKind') ? { kind: str(f, 'scope.entityKind') } : {}) }
        : { project: true };
  draft.conditions = readGroup(f, 'c', problems, 0);
  draft.actions = readActions(f, vocab, problems);
  draft.mode = str(f, 'mode') === 'parallel' ? 'parallel' : 'sequential';
  for (const k of ['debounceMs', 'maxDepth'] as const) {
    const t = str(f, k).trim();
    if (t === '') continue;
    if (/^\d+$/.test(t)) draft[k] = Number(t);
    else problems[k] = `${k}: a whole number`;
  }
  const ra = str(f, 'requiresApproval');
  if (ra) draft.requiresApproval = ra;
  return { draft, problems };
}

// ---- structural edits ----

function groupAt(root: CondGroup, path: string): CondGroup | null {
  let g: CondNode = root;
  for (const part of path.split('.').slice(1)) {
    if (!isGroup(g)) return null;
    const next: CondNode | undefined = childrenOf(g)[Number(part)];
    if (!next) return null;
    g = next;
  }
  return isGroup(g) ? g : null;
}

/**
 * One structural edit of the form, named by the button pressed: `add-cond:<group>`, `add-group:<group>`,
 * `remove-cond:<node>`, `add-action:<key>`, `up:<i>`, `down:<i>`, `remove-action:<i>`. Unknown: no change.
 */
export function applyEdit(draft: Draft, op: string, vocab: Vocabulary): Draft {
  const cut = op.indexOf(':');
  const verb = cut < 0 ? op : op.slice(0, cut);
  const arg = cut < 0 ? '' : op.slice(cut + 1);
  const d: Draft = structuredClone(draft);
  const root = rootGroup(d);
  d.conditions = root;
  const actions = (d.actions ??= []);
  const firstField = 'payload.assetType';
  switch (verb) {
    case 'add-cond':
      pushChild(groupAt(root, arg), { field: firstField, op: 'eq', value: '' });
      break;
    case 'add-group':
      pushChild(groupAt(root, arg), { any: [{ field: firstField, op: 'eq', value: '' }] });
      break;
    case 'remove-cond': {
      const parts = arg.split('.');
      const parent = groupAt(root, parts.slice(0, -1).join('.'));
      if (parent) childrenOf(parent).splice(Number(parts.at(-1)), 1);
      break;
    }
    case 'add-action': {
      const info = vocab.actionTypes.find((t) => t.key === arg);
      if (!info) break;
      const used = new Set(actions.map((a, i) => a.id ?? `step${i + 1}`));
      const base = info.key.startsWith('enqueue_job:') ? info.key.slice(12) : info.key;
      let id = base.replace(/[^A-Za-z0-9_-]/g, '_');
      for (let n = 2; used.has(id); n++) id = `${base}${n}`;
      actions.push(
        info.key.startsWith('enqueue_job:')
          ? { id, type: 'enqueue_job', config: { type: info.key.slice(12), input: {} } }
          : { id, type: info.key, config: {} },
      );
      break;
    }
    case 'up':
    case 'down': {
      const i = Number(arg);
      const j = verb === 'up' ? i - 1 : i + 1;
      if (actions[i] && actions[j]) [actions[i], actions[j]] = [actions[j], actions[i]];
      break;
    }
    case 'remove-action':
      actions.splice(Number(arg), 1);
      break;
  }
  return d;
}
function pushChild(g: CondGroup | null, node: CondNode) {
  if (g) childrenOf(g).push(node);
}

// ---- the engine's paths → controls ----

/** The control a zod path (e.g. `actions.1.config.input.threshold`) points at, given the draft it was found in. */
export function controlOf(path: string, draft: Draft, vocab: Vocabulary): string {
  const parts = path.split('.');
  const [head, ...rest] = parts;
  switch (head) {
    case 'name':
    case 'description':
    case 'mode':
    case 'debounceMs':
    case 'maxDepth':
    case 'requiresApproval':
      return head;
    case 'trigger': {
      const known = vocab.eventTypes.some((e) => e.type === draft.trigger?.event);
      if (rest[0] === 'event') return known ? 'trigger.event' : 'trigger.custom';
      if (rest[0] === 'schedule' || rest[0] === 'timezone') return `trigger.${rest[0]}`;
      return draft.trigger?.schedule !== undefined ? 'trigger.schedule' : known ? 'trigger.event' : 'trigger.custom';
    }
    case 'scope':
      if (rest[0] === 'assetType') return 'scope.assetType';
      if (rest[0] === 'entityId' || rest[0] === 'kind') return `scope.${rest[0] === 'kind' ? 'entityKind' : 'entityId'}`;
      return 'scope.kind';
    case 'conditions': {
      const idx: string[] = [];
      let last = '';
      for (const p of rest) {
        if (/^\d+$/.test(p)) idx.push(p);
        else if (p !== 'all' && p !== 'any') last = p;
      }
      const node = ['c', ...idx].join('.');
      return last === 'field' || last === 'op' || last === 'value' ? `${node}.${last}` : idx.length ? `${node}.field` : 'c.join';
    }
    case 'actions': {
      if (rest.length === 0 || !/^\d+$/.test(rest[0]!)) return 'actions';
      const i = rest[0]!;
      const action = draft.actions?.[Number(i)];
      if (rest[1] === 'id') return `a.${i}.id`;
      if (rest[1] !== 'config' || !action) return `a.${i}.key`;
      const name = action.type === 'enqueue_job' ? (rest[2] === 'input' ? rest[3] : undefined) : rest[2];
      const info: ActionTypeInfo | undefined = vocab.actionTypes.find((t) => t.key === keyOf(action));
      if (name && info?.fields.some((f) => f.name === name)) return `a.${i}.f.${name}`;
      return name || rest[2] === 'input' ? `a.${i}.more` : `a.${i}.key`;
    }
    default:
      return 'form';
  }
}
