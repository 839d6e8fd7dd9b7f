// What a rule builder offers: the event types (one line each, with the payload
// fields the engine puts in them), the action types and each job type's input
// fields with their defaults, the condition operators and the value each takes.
// Derived from the schemas the engine validates with, so a form cannot offer a
// field the engine does not read, nor miss one it does.
import { z } from 'zod';
import { builtinEventTypes } from '../events/names.js';
import { exportProfileIds, jobCompletionEventType, jobInputSchemas, jobOutputSchemas, jobTypes, type JobType } from '../jobs/contracts.js';
import { enginePayloads } from './names-check.js';
import { actionSchema, conditionOps } from './schema.js';

/** How a form edits one field: its control, and how the text typed into it becomes a value. */
export interface FieldSpec {
  name: string;
  kind: 'string' | 'number' | 'boolean' | 'enum' | 'strings' | 'json';
  required: boolean;
  default?: unknown;
  /** enum: the values; number: words it takes besides a number (e.g. bg_remove's threshold "auto"). */
  options?: (string | number)[];
  hint?: string;
}

export interface EventTypeInfo {
  type: string;
  description: string;
  /** Payload fields (dotted) the engine writes into this event. */
  payload: string[];
  /** The engine builds this event, so a rule naming another payload field is refused (a client's event may carry anything). */
  strict: boolean;
}

export interface ActionTypeInfo {
  /** `enqueue_job:<jobType>` for a job, else the action type. */
  key: string;
  label: string;
  description: string;
  fields: FieldSpec[];
  /** Output fields of the job (for `${steps.<id>.output.<field>}`), empty when it runs no job. */
  outputs: string[];
  /** The events it emits on success. */
  emits: string[];
}

export interface OperatorInfo {
  op: (typeof conditionOps)[number];
  label: string;
  /** What its value is: none, one value, a list, a number or string to compare, a pattern. */
  value: 'none' | 'one' | 'list' | 'ordered' | 'pattern' | 'flag';
  /** The field types it fits (string, number, boolean, array, object). */
  fits: string[];
}

export interface Vocabulary {
  eventTypes: EventTypeInfo[];
  actionTypes: ActionTypeInfo[];
  operators: OperatorInfo[];
  /** Fields every event has, besides its payload. */
  eventFields: string[];
  exportProfiles: string[];
}

/** One line per built-in type; the payload fields are the engine's own (names-check.ts) or, for events a client sends, the usual ones. */
const eventInfo: Record<(typeof builtinEventTypes)[number], [description: string, payload?: string[]]> = {
  'variant.approved': ['A reviewer approved a variant (button, emoji or web).'],
  'variant.rejected': ['A reviewer rejected a variant.'],
  'variant.regenerate_requested': ['A reviewer asked for a variant to be generated again.'],
  'variant.selected': ['A variant was picked as its asset’s primary.'],
  'variant.tagged': ['Tags were added to or taken off a variant.'],
  'variant.status_changed': ['A rule set a variant’s status.', ['variantId', 'status']],
  'asset.approved': ['A lead approved an asset as a whole; variantIds are its approved variants.'],
  'asset.status_changed': ['A rule set an asset’s status.', ['assetId', 'status']],
  'spec.generate_requested': ['Someone pressed Generate on a spec (chat, web, API); count is how many variants.'],
  'spec.refined': ['A wishlist line was refined into a spec; generate with {"specId": "${event.payload.specId}"}.'],
  'job.completed': ['Any job finished (every job type).'],
  'job.failed': ['A job failed after its retries.'],
  'generate.completed': ['Generation wrote new variants.'],
  'bg_remove.completed': ['Cut-outs were made (background removed).'],
  'atlas.ready': ['A sprite atlas was packed; its id is the subject.'],
  'export.completed': ['An engine export bundle was written.'],
  'eval_grid.requested': ['Someone asked for an evaluation grid.', ['prompts', 'loraId', 'checkpointId', 'releaseId']],
  'eval_grid.completed': ['An evaluation sheet was drawn.'],
  'webhook.delivered': ['A webhook call answered 2xx.', ['url', 'output']],
  'schedule.fired': ['A schedule rule’s time came (its own rule only).'],
  'run.started': ['A rule’s run began.'],
  'run.step.completed': ['One step of a run finished.'],
  'run.completed': ['A run finished every step.'],
  'run.failed': ['A run stopped on a failed step.'],
};

const hints: Record<string, string> = {
  variantId: 'one variant; e.g. ${event.subject.id}',
  assetId: 'the asset; e.g. ${event.payload.assetId}',
  assetIds: 'comma-separated ids; a placeholder alone is a whole list, [${event.payload.assetId}] a list of one',
  atlasIds: 'comma-separated ids; on atlas.ready: [${event.subject.id}] (a list of one)',
  frames: 'JSON list of paths; e.g. ${steps.cutout.output.alphaPaths}',
  threshold: 'auto (measured from the backdrop), or the colour distance 0.005-1 under which a pixel is background',
  profileId: 'unity, godot, unreal, phaser or custom; empty: the project default',
  prompts: 'comma-separated prompts, or ${event.payload.prompts}',
  text: 'the message; placeholders allowed',
  formats: 'comma-separated atlas formats',
};

/** A zod object schema's fields as form fields (from its JSON Schema, so defaults and enums are the engine's own). */
export function fieldsOf(schema: z.ZodType, skip: string[] = []): FieldSpec[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const required = new Set(js.required ?? []);
  return Object.entries(js.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(([name, prop]) => ({
      name,
      required: required.has(name),
      ...kindOf(prop),
      ...(prop.default !== undefined ? { default: prop.default } : {}),
      ...(hints[name] ? { hint: hints[name] } : {}),
    }));
}

function kindOf(prop: Record<string, unknown>): Pick<FieldSpec, 'kind' | 'options'> {
  const anyOf = prop.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf?.every((a) => a.const !== undefined)) return { kind: 'enum', options: anyOf.map((a) => a.const as string | number) };
  if (anyOf?.some((a) => a.type === 'array' && (a.items as { type?: string } | undefined)?.type === 'string')) return { kind: 'strings' };
  // A number or a word, e.g. threshold: 0.04 | "auto".
  const numbers = anyOf?.filter((a) => a.type === 'number' || a.type === 'integer') ?? [];
  if (numbers.length === 1 && anyOf!.every((a) => numbers.includes(a) || typeof a.const === 'string'))
    return { kind: 'number', options: anyOf!.filter((a) => !numbers.includes(a)).map((a) => a.const as string) };
  if (Array.isArray(prop.enum)) return { kind: 'enum', options: prop.enum as string[] };
  if (prop.type === 'boolean') return { kind: 'boolean' };
  if (prop.type === 'number' || prop.type === 'integer') return { kind: 'number' };
  if (prop.type === 'string') return { kind: 'string' };
  const items = prop.items as { type?: string; enum?: string[] } | undefined;
  if (prop.type === 'array' && items?.type === 'string') return items.enum ? { kind: 'strings', options: items.enum } : { kind: 'strings' };
  return { kind: 'json' };
}

function outputFields(t: JobType): string[] {
  return Object.keys((jobOutputSchemas[t] as unknown as z.ZodObject).shape);
}

const actionLabels: Record<string, [string, string]> = {
  export: ['Export a bundle', 'Write an engine bundle of atlases (and sprites) with an export profile.'],
  run_eval_grid: ['Run an eval grid', 'Draw one evaluation cell per prompt (and LoRA); costly: an admin approves.'],
  apply_tags: ['Tag', 'Add or take off tags on a variant or asset.'],
  set_status: ['Set status', 'Set a variant’s or asset’s status.'],
  notify: ['Notify', 'Post a message to the project’s review or admin channel.'],
  call_webhook: ['Call a webhook', 'POST (or PUT) JSON to a URL; retried on failure.'],
};
const jobLabels: Record<JobType, [string, string]> = {
  generate: ['Generate variants', 'Generate images for an asset; costly: an admin approves.'],
  bg_remove: ['Remove background', 'Cut the subject out of a variant’s (or asset’s) original.'],
  pack_atlas: ['Pack a sprite atlas', 'Pack cut-outs into atlas pages with the formats asked for.'],
  export: ['Export job', 'Write an export bundle (as a job; the Export action fills the profile for you).'],
  eval_grid: ['Eval grid job', 'One evaluation sheet as a single job.'],
};

let cached: Vocabulary | undefined;

export function ruleVocabulary(): Vocabulary {
  if (cached) return cached;
  const jobs: ActionTypeInfo[] = jobTypes.map((t) => ({
    key: `enqueue_job:${t}`,
    label: jobLabels[t][0],
    description: jobLabels[t][1],
    fields: fieldsOf(jobInputSchemas[t], ['nextJobs']),
    outputs: outputFields(t),
    emits: ['job.completed', jobCompletionEventType[t]],
  }));
  const others: ActionTypeInfo[] = actionSchema.options
    .map((o) => o.shape)
    .filter((s) => s.type.value !== 'enqueue_job')
    .map((s) => {
      const type = s.type.value;
      return {
        key: type,
        label: actionLabels[type]![0],
        description: actionLabels[type]![1],
        fields: fieldsOf(s.config as z.ZodType),
        outputs: type === 'export' ? outputFields('export') : type === 'run_eval_grid' ? outputFields('eval_grid') : [],
        emits:
          type === 'export'
            ? ['job.completed', 'export.completed']
            : type === 'run_eval_grid'
              ? ['job.completed', 'eval_grid.completed']
              : type === 'apply_tags'
                ? ['variant.tagged']
                : type === 'set_status'
                  ? ['variant.status_changed', 'asset.status_changed']
                  : type === 'call_webhook'
                    ? ['webhook.delivered']
                    : [],
      };
    });
  cached = {
    eventTypes: builtinEventTypes.map((type) => ({
      type,
      description: eventInfo[type][0],
      payload: [...(enginePayloads[type] ?? eventInfo[type][1] ?? [])],
      strict: enginePayloads[type] !== undefined,
    })),
    actionTypes: [...jobs.filter((j) => j.key !== 'enqueue_job:export' && j.key !== 'enqueue_job:eval_grid'), ...others, ...jobs.slice(3)],
    operators: [
      { op: 'eq', label: 'is', value: 'one', fits: ['string', 'number', 'boolean'] },
      { op: 'neq', label: 'is not', value: 'one', fits: ['string', 'number', 'boolean'] },
      { op: 'in', label: 'is one of', value: 'list', fits: ['string', 'number'] },
      { op: 'nin', label: 'is none of', value: 'list', fits: ['string', 'number'] },
      { op: 'contains', label: 'contains', value: 'one', fits: ['array', 'string'] },
      { op: 'exists', label: 'is present', value: 'flag', fits: ['string', 'number', 'boolean', 'array', 'object'] },
      { op: 'gt', label: 'is more than', value: 'ordered', fits: ['number', 'string'] },
      { op: 'gte', label: 'is at least', value: 'ordered', fits: ['number', 'string'] },
      { op: 'lt', label: 'is less than', value: 'ordered', fits: ['number', 'string'] },
      { op: 'lte', label: 'is at most', value: 'ordered', fits: ['number', 'string'] },
      { op: 'matches', label: 'matches the pattern', value: 'pattern', fits: ['string'] },
    ],
    eventFields: ['type', 'subject.kind', 'subject.id', 'depth', 'actor', 'source'],
    exportProfiles: [...exportProfileIds],
  };
  return cached;
}
