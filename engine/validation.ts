// The one validation helper: every zod parse goes through here so errors read
// the same everywhere (field path + what to do) and keep the zod error as cause.
import { z } from 'zod';
import { ValidationError, type ErrorDetail } from './errors.js';
import { valueBoundsProblem } from './json-bounds.js';

export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

export function issuesToDetails(error: z.ZodError): ErrorDetail[] {
  // A message names what was sent (zod lists every unknown key): kept short, so a huge body gets a small answer.
  const short = (m: string) => (m.length > 300 ? `${m.slice(0, 300)}…` : m);
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: short(issue.message) }));
}

/** Parse `input` with `schema`; on failure throw a ValidationError naming each failing field. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  // Bounded before zod walks it: recursive schemas (conditions) and JSON.stringify must never meet unbounded nesting.
  const bound = valueBoundsProblem(input);
  if (bound) throw new ValidationError(`Invalid ${what}: ${bound.path}: ${bound.message}`, [bound]);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // The answer stays small whatever was sent (50,000 unknown keys are 50,000 issues): the first 50 and a count.
  const all = issuesToDetails(result.error);
  const details = all.length > 50 ? [...all.slice(0, 50), { path: '(root)', message: `and ${all.length - 50} more problems` }] : all;
  const head = details
    .slice(0, 3)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
  const more = all.length > 3 ? ` (and ${all.length - 3} more)` : '';
  throw new ValidationError(`Invalid ${what}: ${head}${more}`, details, result.error);
}

/** An environment variable holding JSON: parsed, or an issue saying what it should look like. */
export function jsonText(hint: string) {
  return z.string().transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: hint });
      return z.NEVER;
    }
  });
}
