// Typos in a rule, caught when it is saved: an unknown field of a job's input,
// a placeholder or condition field that names what the trigger's event (or an
// earlier step's output) never carries, a profile written where a profile id
// goes. Each problem names the path and the closest valid name. Only what the
// engine itself builds is checked strictly: a custom event's payload is the
// sender's, so any field may be there.
import { jobOutputSchemas, jobTypes, type JobType } from '../jobs/contracts.js';
import { specGenerateFields, specRefinedFields } from '../specs/spec.js';
import { closestHint as hint, jobInputProblems, type NameProblem } from '../jobs/strict-inputs.js';

export { closest } from '../jobs/strict-inputs.js';

/** Payload fields of the events the engine builds (the one event builder for each). */
const decisionFields = ['variantId', 'assetId', 'assetType', 'specId', 'status', 'primary', 'tags', 'note', 'decidedBy'];
const jobFields = ['assetId', 'assetIds', 'variantId', 'specId', 'atlasId', 'exportId', 'jobType', 'jobId', 'input', 'output'];
const runFields = ['runId', 'ruleId', 'eventId', 'eventType'];
export const enginePayloads: Readonly<Record<string, readonly string[]>> = {
  'variant.approved': decisionFields,
  'variant.rejected': decisionFields,
  'variant.regenerate_requested': decisionFields,
  'variant.selected': decisionFields,
  // Also what an apply_tags step emits: its config (variantId or assetId, add, remove).
  'variant.tagged': [...decisionFields, 'add', 'remove'],
  // events/review.ts assetDecisionEvent.
  'asset.approved': ['assetId', 'assetType', 'specId', 'status', 'variantIds', 'primaryVariantId', 'note', 'decidedBy'],
  // specs/spec.ts specRefinedEvent.
  'spec.refined': specRefinedFields,
  'spec.generate_requested': specGenerateFields,
  'job.completed': jobFields,
  'generate.completed': jobFields,
  'bg_remove.completed': jobFields,
  'atlas.ready': jobFields,
  'export.completed': jobFields,
  'eval_grid.completed': jobFields,
  'job.failed': ['jobType', 'jobId', 'runId', 'ruleId', 'stepId', 'error'],
  'run.started': runFields,
  'run.step.completed': [...runFields, 'stepId'],
  'run.completed': runFields,
  'run.failed': [...runFields, 'error'],
  'schedule.fired': ['ruleId'],
};
/** What a placeholder may read of the event (templates.ts) and a condition of it (matching.ts). */
const placeholderEventFields = ['id', 'type', 'subject', 'payload', 'depth'];
const conditionEventFields = ['type', 'subject', 'payload', 'depth', 'actor', 'source', 'projectId'];
const subjectFields = ['kind', 'id'];

const jobOutputFields = (t: JobType): string[] => Object.keys(jobOutputSchemas[t].shape);

type Step = { id: string; type: string; config: Record<string, unknown> };
const jobOfStep = (s: Step): JobType | null =>
  s.type === 'enqueue_job' ? (s.config.type as JobType) : s.type === 'export' ? 'export' : s.type === 'run_eval_grid' ? 'eval_grid' : null;

/** Every `${…}` placeholder in a value, with where it is. */
function placeholdersIn(value: unknown, at: (string | number)[], out: { expr: string; path: (string | number)[] }[], depth = 0) {
  if (depth > 64) return;
  if (typeof value === 'string') for (const m of value.matchAll(/\$\{([A-Za-z0-9_.-]+)\}/g)) out.push({ expr: m[1]!, path: at });
  else if (Array.isArray(value)) value.forEach((v, i) => placeholdersIn(v, [...at, i], out, depth + 1));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) if (k !== 'nextJobs') placeholdersIn(v, [...at, k], out, depth + 1);
}

/** A dotted path into the event, checked against what the event carries; null when fine. */
function eventPathProblem(parts: string[], eventType: string | null, fields: string[], written: string): string | null {
  const [head, next] = parts;
  if (head === undefined) return null;
  if (!fields.includes(head)) return `${written}: the event has no "${head}": ${hint(head, fields)}`;
  if (head === 'subject' && next !== undefined && !subjectFields.includes(next))
    return `${written}: a subject has "kind" and "id" only: ${hint(next, subjectFields)}`;
  const payload = eventType ? enginePayloads[eventType] : undefined;
  if (head === 'payload' && next !== undefined && payload && !payload.includes(next))
    return `${written}: ${eventType} events carry no payload.${next}: ${hint(next, payload)}`;
  return null;
}

/** The typos in a rule's conditions and steps, by path (the rule as the schema parsed it). */
export function ruleNameProblems(def: {
  trigger: { event?: string; schedule?: string };
  conditions: unknown;
  actions: Step[];
}): NameProblem[] {
  const eventType = def.trigger.schedule !== undefined ? 'schedule.fired' : (def.trigger.event ?? null);
  const out: NameProblem[] = [];
  const walk = (node: unknown, at: (string | number)[], depth: number) => {
    if (depth > 64 || !node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const join of ['all', 'any'] as const)
      if (Array.isArray(n[join])) (n[join] as unknown[]).forEach((c, i) => walk(c, [...at, join, i], depth + 1));
    if (typeof n.field === 'string') {
      const problem = eventPathProblem(n.field.split('.'), eventType, conditionEventFields, n.field);
      if (problem) out.push({ path: [...at, 'field'], message: problem });
    }
  };
  walk(def.conditions, ['conditions'], 0);
  def.actions.forEach((a, i) => {
    const job = jobOfStep(a);
    if (a.type === 'enqueue_job' && job && (jobTypes as readonly string[]).includes(job)) {
      const input = (a.config.input ?? {}) as Record<string, unknown>;
      out.push(...jobInputProblems(job, input, ['actions', i, 'config', 'input']));
    } else if (job) out.push(...jobInputProblems(job, a.config, ['actions', i, 'config'])); // export / run_eval_grid: the config is the job's input
    const found: { expr: string; path: (string | number)[] }[] = [];
    placeholdersIn(a.config, ['actions', i, 'config'], found);
    for (const { expr, path } of found) {
      const [head, ...rest] = expr.split('.');
      if (head === 'event') {
        const problem = eventPathProblem(rest, eventType, placeholderEventFields, `\${${expr}}`);
        if (problem) out.push({ path, message: problem });
      } else if (head === 'steps') {
        const [stepId, part, key] = rest;
        const earlier = def.actions.slice(0, i).find((s) => s.id === stepId);
        const earlierJob = earlier ? jobOfStep(earlier) : null;
        if (earlier && part !== undefined && !['output', 'input', 'jobId'].includes(part))
          out.push({ path, message: `\${${expr}}: a step has "output", "input" and "jobId": ${hint(part, ['output', 'input', 'jobId'])}` });
        else if (earlierJob && part === 'output' && key !== undefined && !jobOutputFields(earlierJob).includes(key))
          out.push({
            path,
            message: `\${${expr}}: a ${earlierJob} step's output has no "${key}": ${hint(key, jobOutputFields(earlierJob))}`,
          });
      } else if (head !== 'projectId')
        out.push({
          path,
          message: `\${${expr}}: placeholders start with event., steps. or projectId: ${hint(head ?? '', ['event', 'steps', 'projectId'])}`,
        });
    }
  });
  return out;
}
