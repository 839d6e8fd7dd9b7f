// Placeholder resolution for action configs, by path lookup only.
//   ${event.payload.<path>} ${event.subject.id} ${event.<field>} ${steps.<id>.output.<path>} ${projectId}
//   $output.<key> $input.<key> $projectId $jobId   (job chaining: the previous step / job)
// A string that is exactly one placeholder takes the value's own type (an
// array stays an array); placeholders inside longer strings are stringified.
// `nextJobs` values are left as written: the worker resolves them when the job runs.
import { getPath, isUnknown, Unknown } from './values.js';

export interface TemplateContext {
  projectId: string;
  event: { id?: string; type: string; subject: { kind: string; id: string }; payload: Record<string, unknown>; depth: number };
  /** Step id → what the step produced so far (output may be an Unknown while planning). */
  steps: Record<string, { input?: unknown; output?: unknown; jobId?: string }>;
  /** The previous step in a sequential rule, or the previous job in a nextJobs chain. */
  previous?: { input?: unknown; output?: unknown; jobId?: string };
  jobId?: string;
}

export interface Missing {
  placeholder: string;
  path: string;
}

const braced = /\$\{([A-Za-z0-9_.-]+)\}/g;
const chained = /\$(output|input)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)|\$(projectId|jobId)(?![A-Za-z0-9_])/g;
const anyPlaceholder = new RegExp(`${braced.source}|${chained.source}`, 'g');

/** Every placeholder a value mentions, e.g. for static checks at save time. */
export function listPlaceholders(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    for (const m of value.matchAll(anyPlaceholder)) out.push(m[0]);
  } else if (Array.isArray(value)) {
    for (const v of value) listPlaceholders(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'nextJobs') listPlaceholders(v, out);
  }
  return out;
}

function lookupBraced(expr: string, ctx: TemplateContext): unknown {
  if (expr === 'projectId') return ctx.projectId;
  const [head, ...rest] = expr.split('.');
  if (head === 'event') return getPath(ctx.event, rest);
  if (head === 'steps') {
    const [stepId, ...inner] = rest;
    if (stepId === undefined) return undefined;
    return getPath(ctx.steps[stepId], inner);
  }
  return undefined;
}

function lookupChained(kind: string, key: string | undefined, ctx: TemplateContext): unknown {
  if (kind === 'projectId') return ctx.projectId;
  if (kind === 'jobId') return ctx.previous?.jobId ?? ctx.jobId;
  const source = kind === 'output' ? ctx.previous?.output : ctx.previous?.input;
  return getPath(source, key ?? '');
}

function resolveString(s: string, ctx: TemplateContext, missing: Missing[]): unknown {
  const whole = [...s.matchAll(anyPlaceholder)];
  if (whole.length === 0) return s;
  const valueOf = (m: RegExpMatchArray): unknown =>
    m[1] !== undefined ? lookupBraced(m[1], ctx) : lookupChained(m[2] ?? m[4]!, m[3], ctx);
  if (whole.length === 1 && whole[0]![0] === s) {
    const v = valueOf(whole[0]!);
    if (v === undefined) missing.push({ placeholder: s, path: s });
    return v;
  }
  let unknownSeen: Unknown | undefined;
  const text = s.replace(anyPlaceholder, (...args: unknown[]) => {
    const m = args.slice(0, 5) as unknown as RegExpMatchArray;
    const v = valueOf(m);
    if (v === undefined) {
      missing.push({ placeholder: String(args[0]), path: s });
      return '';
    }
    if (isUnknown(v)) unknownSeen = v;
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
  return unknownSeen ? new Unknown(`template "${s}"`) : text;
}

/** Resolve every placeholder in `value`. Missing values are reported, not thrown. */
export function resolveTemplates(value: unknown, ctx: TemplateContext): { value: unknown; missing: Missing[] } {
  const missing: Missing[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return resolveString(v, ctx, missing);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !isUnknown(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[k] = k === 'nextJobs' ? inner : walk(inner);
      return out;
    }
    return v;
  };
  return { value: walk(value), missing };
}
