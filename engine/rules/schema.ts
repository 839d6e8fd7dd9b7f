// The rule contract as the API takes it: zod schemas with the defaults from
// DESIGN.md, and the checks that need the whole rule (step references, ids).
import { CronExpressionParser } from 'cron-parser';
import { RE2JS } from 're2js';
import { z } from 'zod';
import { eventTypeSchema } from '../events/names.js';
import { idSchema, jobTypeSchema } from '../jobs/contracts.js';
import { ruleNameProblems } from './names-check.js';
import { listPlaceholders } from './templates.js';

export const conditionOps = ['eq', 'neq', 'in', 'nin', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte', 'matches'] as const;
export const MAX_PATTERN_LENGTH = 200;

const fieldPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a dotted path into the event, e.g. "payload.tags"')
  .refine((p) => !p.split('.').some((k) => k === '__proto__' || k === 'prototype' || k === 'constructor'), {
    message: 'may not name __proto__, prototype or constructor',
  });

export const conditionSchema = z
  .object({ field: fieldPath, op: z.enum(conditionOps), value: z.unknown().optional() })
  .strict()
  .superRefine((c, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if ((c.op === 'in' || c.op === 'nin') && !Array.isArray(c.value)) bad(`op "${c.op}" needs an array value, e.g. ["a","b"]`);
    if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && typeof c.value !== 'number' && typeof c.value !== 'string')
      bad(`op "${c.op}" needs a number or string value`);
    if (c.op === 'exists' && c.value !== undefined && typeof c.value !== 'boolean') bad('op "exists" takes true, false or no value');
    if (['eq', 'neq', 'contains'].includes(c.op) && c.value === undefined) bad(`op "${c.op}" needs a value`);
    if (c.op === 'matches') {
      if (typeof c.value !== 'string') return bad('op "matches" needs a regular-expression string');
      if (c.value.length > MAX_PATTERN_LENGTH) return bad(`pattern must be at most ${MAX_PATTERN_LENGTH} characters`);
      // RE2 syntax (linear time): no backreferences or lookaround.
      try {
        RE2JS.compile(c.value);
      } catch (err) {
        return bad(
          `pattern does not compile as RE2 (linear-time) syntax: ${(err as Error).message}; backreferences (\\1) and lookaround ((?=…), (?<!…)) are not supported`,
        );
      }
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

export type ConditionGroup = { all: (Condition | ConditionGroup)[] } | { any: (Condition | ConditionGroup)[] };
const conditionNode: z.ZodType<Condition | ConditionGroup> = z.lazy(() => z.union([conditionSchema, conditionGroupSchema]));
export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.union([z.object({ all: z.array(conditionNode).max(50) }).strict(), z.object({ any: z.array(conditionNode).max(50) }).strict()]),
);

const cron = z
  .string()
  .min(1)
  .max(120)
  .superRefine((expr, ctx) => {
    try {
      CronExpressionParser.parse(expr);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid cron expression (${(err as Error).message}), e.g. "0 3 * * *"` });
    }
  });

/** An IANA time zone name the scheduler can use ("Europe/Berlin"); anything else would fail when it fires. */
const timezone = z
  .string()
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not a time zone name; use an IANA name such as "Europe/Berlin" or "UTC"' },
  );

export const triggerSchema = z.union([
  z.object({ event: eventTypeSchema }).strict(),
  z.object({ schedule: cron, timezone: timezone.optional() }).strict(),
]);

export const scopeSchema = z.union([
  z.object({ entityId: idSchema, kind: z.enum(['asset', 'variant', 'spec', 'atlas', 'export']).optional() }).strict(),
  z.object({ assetType: z.string().min(1).max(64) }).strict(),
  z.object({ project: z.literal(true) }).strict(),
]);
export type Scope = z.infer<typeof scopeSchema>;

const config = z.record(z.string(), z.unknown());
const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1-64 letters, digits, "_" or "-" (no ":")');
const ph = z.string().regex(/^\$/, 'a placeholder');
const strList = z.union([z.array(z.string()), ph]);

export const actionSchema = z.discriminatedUnion('type', [
  z.object({
    id: stepId.optional(),
    type: z.literal('enqueue_job'),
    config: z.object({ type: jobTypeSchema, input: config.default({}) }).strict(),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('export'),
    config: z.looseObject({ assetIds: strList.optional(), atlasIds: strList.optional(), profileId: z.string().optional() }),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('run_eval_grid'),
    config: z.looseObject({
      prompts: z.union([z.array(z.string()).min(1).max(64), ph]),
      loraId: z.string().optional(),
      checkpointId: z.string().optional(),
      releaseId: z.string().optional(),
    }),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('apply_tags'),
    config: z.looseObject({
      variantId: z.string().optional(),
      assetId: z.string().optional(),
      add: strList.optional(),
      remove: strList.optional(),
    }),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('set_status'),
    config: z.looseObject({ variantId: z.string().optional(), assetId: z.string().optional(), status: z.string().min(1).max(64) }),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('notify'),
    config: z.looseObject({ text: z.string().min(1).max(3000), channel: z.enum(['review', 'admin']).default('review') }),
  }),
  z.object({
    id: stepId.optional(),
    type: z.literal('call_webhook'),
    config: z.looseObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
      method: z.enum(['POST', 'PUT']).default('POST'),
      body: z.unknown().optional(),
      timeoutMs: z.number().int().min(100).max(30_000).default(5000),
      retries: z.number().int().min(0).max(5).default(2),
    }),
  }),
]);
export type ActionInput = z.infer<typeof actionSchema>;
export type Action = ActionInput & { id: string };

export const ruleInputSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    trigger: triggerSchema,
    scope: scopeSchema.default({ project: true }),
    conditions: z.preprocess((v) => (Array.isArray(v) ? { all: v } : v), conditionGroupSchema).default({ all: [] }),
    actions: z.array(actionSchema).min(1, 'a rule needs at least one action').max(20),
    mode: z.enum(['sequential', 'parallel']).default('sequential'),
    debounceMs: z.number().int().min(0).max(86_400_000).default(0),
    maxDepth: z.number().int().min(1).max(50).default(10),
    requiresApproval: z.enum(['auto', 'always', 'never']).default('auto'),
  })
  .strict()
  .transform((r) => ({ ...r, actions: r.actions.map((a, i) => ({ ...a, id: a.id ?? `step${i + 1}` })) as Action[] }))
  .superRefine((r, ctx) => {
    // Typos: job input fields, placeholders and condition fields the event or step never carries.
    for (const pr of ruleNameProblems(r)) ctx.addIssue({ code: 'custom', path: pr.path, message: pr.message });
    const seen = new Map<string, number>();
    r.actions.forEach((a, i) => {
      if (a.type === 'enqueue_job' && a.config.input.nextJobs !== undefined) {
        const nj = z
          .array(z.object({ type: jobTypeSchema, input: z.record(z.string(), z.unknown()).default({}) }).strict())
          .max(20)
          .safeParse(a.config.input.nextJobs);
        if (!nj.success)
          for (const issue of nj.error.issues)
            ctx.addIssue({
              code: 'custom',
              path: ['actions', i, 'config', 'input', 'nextJobs', ...issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))],
              message: issue.message,
            });
      }
      if (seen.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'id'], message: `duplicate step id "${a.id}" (also step ${seen.get(a.id)})` });
      seen.set(a.id, i);
      for (const p of listPlaceholders(a.config)) {
        const m = /^\$\{steps\.([^.}]+)/.exec(p);
        const chained = p.startsWith('$output.') || p.startsWith('$input.');
        if (r.mode === 'parallel' && (m || chained)) {
          ctx.addIssue({
            code: 'custom',
            path: ['actions', i, 'config'],
            message: `${p}: parallel actions cannot use another step's output; set "mode": "sequential"`,
          });
        } else if (m && !(seen.has(m[1]!) && seen.get(m[1]!)! < i)) {
          ctx.addIssue({
            code: 'custom',
            path: ['actions', i, 'config'],
            message: `${p} names step "${m[1]}", which is not an earlier step of this rule`,
          });
        } else if (chained && i === 0) {
          ctx.addIssue({ code: 'custom', path: ['actions', i, 'config'], message: `${p}: the first step has no previous step` });
        }
      }
    });
  });

export type RuleDefinition = z.output<typeof ruleInputSchema>;

/** A stored rule as the planner sees it. */
export interface RuleRecord {
  id: string;
  projectId: string;
  version: number;
  enabled: boolean;
  definition: RuleDefinition;
}
