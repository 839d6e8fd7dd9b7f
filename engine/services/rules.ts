// Rule use-cases: CRUD with versioning and cycle warnings, enable gated on a
// dry-run, the dry-run planner over stored state, and the chain graph; for
// builders, checks and dry-runs of drafts, the vocabulary and recent events.
import { z } from 'zod';
import { authorize, type Principal } from '../auth/principal.js';
import { ConflictError, ValidationError, type ErrorDetail } from '../errors.js';
import { builtinEventTypes, eventTypeSchema, normalizeEventType } from '../events/names.js';
import { subjectSchema } from '../events/schema.js';
import { chainGraph, findCycles } from '../rules/graph.js';
import type { Start } from '../rules/machine.js';
import type { EventView } from '../rules/matching.js';
import { plan, type Plan, type PlanOptions } from '../rules/planner.js';
import { ruleInputSchema, triggerSchema, type RuleDefinition, type RuleRecord } from '../rules/schema.js';
import { closest } from '../rules/names-check.js';
import { ruleVocabulary, type Vocabulary } from '../rules/vocabulary.js';
import type { EventRow } from '../store/events.js';
import { toRecord, type RuleRow } from '../store/rules.js';
import type { Store } from '../store/store.js';
import type { ProjectRow } from '../store/projects.js';
import { actionDefaultsFor } from './specs.js';
import { parseWith } from '../validation.js';
import { eventViewOf, nextTimes, sampleEventOf, type SampleEvent } from './rule-events.js';

export const sampleEventSchema = z
  .object({
    type: eventTypeSchema,
    subject: subjectSchema.optional(),
    payload: z.record(z.string(), z.unknown()).default({}),
    depth: z.number().int().min(0).max(100).default(0),
  })
  .strict();

export type { SampleEvent } from './rule-events.js';

/**
 * "What if": the answers a dry-run assumes where the world has not given them yet — an admin's
 * decision per rule id (default: approved), and steps that fail when they run, as
 * "<ruleId>/<stepId>" (a nextJobs follow-up is "<ruleId>/<stepId>-next<N>").
 */
export const assumeSchema = z
  .object({
    approvals: z
      .record(z.string().min(1).max(128), z.enum(['approved', 'denied', 'expired']))
      .refine((r) => Object.keys(r).length <= 200, 'at most 200 rules')
      .optional(),
    failSteps: z
      .array(z.string().regex(/^[^/]{1,128}\/[^/]{1,128}$/, 'use "<ruleId>/<stepId>"'))
      .max(200)
      .optional(),
  })
  .strict();
export type Assume = z.output<typeof assumeSchema>;

/** What a dry-run request that is neither shape is told (zod would say "Invalid input" at the root). */
const eventOrId = (extra: string) => ({
  error: (issue: { code?: string }) =>
    issue.code === 'invalid_union'
      ? `give {"event": {"type": "variant.approved", "payload": {"variantId": "…"}}} to plan on a sample event, or {"eventId": "evt_…"} to plan on a stored one${extra}`
      : undefined,
});

export const dryRunInputSchema = z.union(
  [
    z.object({ event: sampleEventSchema, assume: assumeSchema.optional() }).strict(),
    z.object({ eventId: z.string().min(1), assume: assumeSchema.optional() }).strict(),
  ],
  eventOrId('; optional "assume": {"approvals": {…}, "failSteps": […]}'),
);

export const runExactlyInputSchema = z.union(
  [
    z.object({ hash: z.string().min(1), event: sampleEventSchema }).strict(),
    z.object({ hash: z.string().min(1), eventId: z.string().min(1) }).strict(),
  ],
  eventOrId(', each with the "hash" of the dry-run it repeats'),
);

export const draftDryRunInputSchema = z.union(
  [
    z
      .object({
        draft: z.unknown(),
        ruleId: z.string().min(1).max(128).optional(),
        event: sampleEventSchema,
        assume: assumeSchema.optional(),
      })
      .strict(),
    z
      .object({
        draft: z.unknown(),
        ruleId: z.string().min(1).max(128).optional(),
        eventId: z.string().min(1),
        assume: assumeSchema.optional(),
      })
      .strict(),
  ],
  eventOrId(', with "draft" (the unsaved rule) and optional "ruleId" it stands in for'),
);

/** A rule checked without saving: its definition with defaults, or its problems by path. */
export type RuleCheck =
  | { ok: true; definition: RuleDefinition; nextTimes?: string[] }
  | { ok: false; message: string; problems: ErrorDetail[]; nextTimes?: string[] };

export const automationDryRunInputSchema = z.union(
  [
    z.object({ event: sampleEventSchema, draft: z.unknown().optional(), assume: assumeSchema.optional() }).strict(),
    z.object({ eventId: z.string().min(1), draft: z.unknown().optional(), assume: assumeSchema.optional() }).strict(),
  ],
  eventOrId('; optional "draft" (an unsaved rule) and "assume"'),
);

export interface RuleWarning {
  code: 'cycle' | 'disabled_by_update' | 'unknown_trigger';
  message: string;
  cycle?: string[];
}

export interface RuleStats {
  runs: number;
  failures: number;
  lastRunAt: number | null;
  lastStatus: string | null;
}

export function toApiRule(row: RuleRow, stats?: RuleStats) {
  return {
    ...(stats ? { stats: { ...stats, lastRunAt: stats.lastRunAt ? new Date(stats.lastRunAt).toISOString() : null } } : {}),
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    version: row.version,
    enabled: row.enabled,
    definition: row.definition,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export function createRuleService(deps: {
  store: Store;
  costs: Record<string, number>;
  requireProject: (id: string) => ProjectRow;
  onChange?: () => void;
}) {
  const { rules: repo, events, runs: runsRepo, world } = deps.store;
  const actionDefaults = actionDefaultsFor(deps.store);

  function cycleWarnings(projectId: string, ruleId: string): RuleWarning[] {
    const records = repo.list(projectId).map(toRecord);
    return findCycles(records)
      .filter((c) => c.includes(ruleId))
      .map((cycle) => ({
        code: 'cycle' as const,
        cycle,
        message: `Saving this rule closes a cycle: ${cycle.join(' → ')}. Runs stop at each rule's maxDepth; consider a condition that breaks the loop.`,
      }));
  }

  /** A trigger type neither built in nor ever seen in the project: probably a typo; the closest built-in one. */
  function triggerWarnings(projectId: string, def: RuleDefinition): RuleWarning[] {
    const t = def.trigger;
    if (!('event' in t) || (builtinEventTypes as readonly string[]).includes(t.event)) return [];
    if (events.recentOfTypes(projectId, [t.event], 1).length > 0) return [];
    const near = closest(t.event, builtinEventTypes);
    return [
      {
        code: 'unknown_trigger',
        message: `No event of type "${t.event}" is built in or has been seen in this project${near ? `: did you mean "${near}"?` : ''} (a custom type is fine if something will send it).`,
      },
    ];
  }

  const planOptions = (projectId: string, assume?: Assume): PlanOptions => {
    deps.requireProject(projectId);
    const failing = new Set(assume?.failSteps ?? []);
    const approvals = assume?.approvals ?? {};
    return {
      costs: deps.costs,
      defaults: actionDefaults(projectId),
      ...(assume
        ? {
            predict: {
              approval: (ruleId: string) => approvals[ruleId],
              step: (start: Start, ruleId: string) =>
                failing.has(`${ruleId}/${start.stepId}`) ? { error: 'assumed to fail (assume.failSteps)' } : undefined,
            },
          }
        : {}),
    };
  };

  const service = {
    /**
     * The event a preview of this rule dry-runs: its trigger on `target` (a variant or asset id), or on the
     * project. A decision trigger (variant.approved …) on a variant is the event that pressing that decision
     * would emit, built by review's own event builder — so what the preview predicts is what the press fires.
     */
    previewEvent(p: Principal, projectId: string, ruleId: string, target: string | null): SampleEvent {
      authorize(p, projectId, 'rules.dryrun');
      const rule = repo.get(projectId, ruleId);
      return sampleEventOf(deps.store, p, projectId, (rule.definition as unknown as RuleDefinition).trigger, rule.id, target);
    },
    /** The same for a trigger not saved yet (the builder's draft). */
    sampleEvent(p: Principal, projectId: string, trigger: unknown, target: string | null): SampleEvent {
      authorize(p, projectId, 'rules.dryrun');
      deps.requireProject(projectId);
      return sampleEventOf(deps.store, p, projectId, parseWith(triggerSchema, trigger, 'trigger'), 'draft', target);
    },
    /** What a builder offers: event types, action and job types with their fields and defaults, operators. */
    vocabulary(): Vocabulary {
      return ruleVocabulary();
    },
    /** Validate a rule without saving it: its definition (defaults filled) and warnings, or every problem with its path. */
    check(p: Principal, projectId: string, body: unknown): RuleCheck {
      authorize(p, projectId, 'rules.read');
      deps.requireProject(projectId);
      try {
        const definition = parseWith(ruleInputSchema, body, 'rule');
        const t = definition.trigger;
        return { ok: true, definition, ...('schedule' in t ? { nextTimes: nextTimes(t.schedule, t.timezone, 3) } : {}) };
      } catch (err) {
        if (err instanceof ValidationError) {
          // A schedule's next times are worth showing while other fields are still being fixed.
          const t = triggerSchema.safeParse((body as { trigger?: unknown } | null)?.trigger);
          const times = t.success && 'schedule' in t.data ? { nextTimes: nextTimes(t.data.schedule, t.data.timezone, 3) } : {};
          return { ok: false, message: err.message, problems: err.details ?? [], ...times };
        }
        throw err;
      }
    },
    /**
     * Dry-run a draft (unsaved) rule: the draft alone at the root, standing in for `ruleId` when it edits a
     * saved rule; downstream, every enabled rule. Marks nothing as dry-run (the saved version was not run).
     */
    dryRunDraft(p: Principal, projectId: string, body: unknown): Plan {
      authorize(p, projectId, 'rules.dryrun');
      deps.requireProject(projectId);
      const input = parseWith(draftDryRunInputSchema, body, 'dry-run request');
      const def: RuleDefinition = parseWith(ruleInputSchema, input.draft, 'draft rule');
      const id = input.ruleId ?? 'draft';
      const saved = input.ruleId ? repo.get(projectId, input.ruleId) : null;
      const records: RuleRecord[] = repo
        .list(projectId)
        .filter((r) => r.id !== id)
        .map(toRecord);
      records.push({ id, projectId, version: (saved?.version ?? 0) + 1, enabled: true, definition: def });
      const { draft: _d, ruleId: _r, ...rest } = input;
      return plan(records, eventViewOf(deps.store, projectId, rest), world, { ...planOptions(projectId, input.assume), rootRuleIds: [id] });
    },
    /** The newest stored events of a type (the builder's pickers: real events to dry-run on, fields seen). */
    recentEvents(p: Principal, projectId: string, type: string, limit = 20): EventRow[] {
      authorize(p, projectId, 'rules.read');
      deps.requireProject(projectId);
      return events.recentOfTypes(projectId, [normalizeEventType(type)], Math.min(Math.max(1, limit), 100));
    },
    list(p: Principal, projectId: string) {
      authorize(p, projectId, 'rules.read');
      deps.requireProject(projectId);
      return repo.list(projectId);
    },
    /** Each rule as the API shows it, with last run, run count and failure count. */
    listWithStats(p: Principal, projectId: string, since?: number) {
      const stats = runsRepo.statsByRule(projectId, since);
      return service
        .list(p, projectId)
        .map((r) => toApiRule(r, stats.get(r.id) ?? { runs: 0, failures: 0, lastRunAt: null, lastStatus: null }));
    },
    get(p: Principal, projectId: string, ruleId: string) {
      authorize(p, projectId, 'rules.read');
      return repo.get(projectId, ruleId);
    },
    create(p: Principal, projectId: string, body: unknown): { row: RuleRow; warnings: RuleWarning[] } {
      authorize(p, projectId, 'rules.write');
      deps.requireProject(projectId);
      const def = parseWith(ruleInputSchema, body, 'rule');
      const row = repo.create(projectId, def, p.id);
      deps.onChange?.();
      return { row, warnings: [...triggerWarnings(projectId, def), ...cycleWarnings(projectId, row.id)] };
    },
    update(p: Principal, projectId: string, ruleId: string, body: unknown): { row: RuleRow; warnings: RuleWarning[] } {
      authorize(p, projectId, 'rules.write');
      const def = parseWith(ruleInputSchema, body, 'rule');
      const { row, wasEnabled } = repo.update(projectId, ruleId, def, p.id);
      deps.onChange?.();
      const warnings = [...triggerWarnings(projectId, def), ...cycleWarnings(projectId, ruleId)];
      if (wasEnabled)
        warnings.push({
          code: 'disabled_by_update',
          message: `Version ${row.version} is new and has not been dry-run, so the rule was disabled. Dry-run it, then enable it again.`,
        });
      return { row, warnings };
    },
    remove(p: Principal, projectId: string, ruleId: string) {
      authorize(p, projectId, 'rules.write');
      repo.remove(projectId, ruleId, p.id);
      deps.onChange?.();
    },
    setEnabled(p: Principal, projectId: string, ruleId: string, enabled: boolean) {
      authorize(p, projectId, 'rules.write');
      const row = repo.setEnabled(projectId, ruleId, enabled, p.id);
      deps.onChange?.();
      return row;
    },
    /** Dry-run one rule (enabled or not) at the root; downstream, every enabled rule and this one. */
    dryRun(p: Principal, projectId: string, ruleId: string, body: unknown): Plan {
      authorize(p, projectId, 'rules.dryrun');
      const input = parseWith(dryRunInputSchema, body, 'dry-run request');
      const target = repo.get(projectId, ruleId);
      const records = repo.list(projectId).map((r) => (r.id === ruleId ? { ...toRecord(r), enabled: true } : toRecord(r)));
      const result = plan(records, eventViewOf(deps.store, projectId, input), world, {
        ...planOptions(projectId, input.assume),
        rootRuleIds: [ruleId],
      });
      repo.markDryRun(target.id, target.version);
      return result;
    },
    /**
     * Run exactly what a dry-run showed: the plan is made again from the same
     * input and must hash the same, else 409 (rules or subjects changed).
     * Returns the event to store (source run:<ruleId>), which the runner fires.
     */
    planForRun(p: Principal, projectId: string, ruleId: string, body: unknown): { plan: Plan; event: EventView } {
      authorize(p, projectId, 'rules.dryrun');
      const input = parseWith(runExactlyInputSchema, body, 'run request');
      const { hash, ...rest } = input;
      repo.get(projectId, ruleId);
      const view = eventViewOf(deps.store, projectId, rest as z.output<typeof dryRunInputSchema>);
      const records = repo.list(projectId).map((r) => (r.id === ruleId ? { ...toRecord(r), enabled: true } : toRecord(r)));
      const now = plan(records, view, world, { ...planOptions(projectId), rootRuleIds: [ruleId] });
      if (now.hash !== hash)
        throw new ConflictError(
          `The plan changed since that dry-run (rules, the event or the state it read are different): dry-run again and run the new plan (hash now ${now.hash}).`,
        );
      return { plan: now, event: view };
    },
    /** Dry-run every enabled rule, plus an optional unsaved draft rule. */
    dryRunAll(p: Principal, projectId: string, body: unknown): Plan {
      authorize(p, projectId, 'rules.dryrun');
      deps.requireProject(projectId);
      const input = parseWith(automationDryRunInputSchema, body, 'dry-run request');
      const records: RuleRecord[] = repo.list(projectId).map(toRecord);
      if ('draft' in input && input.draft !== undefined) {
        const def: RuleDefinition = parseWith(ruleInputSchema, input.draft, 'draft rule');
        records.push({ id: 'draft', projectId, version: 0, enabled: true, definition: def });
      }
      return plan(records, eventViewOf(deps.store, projectId, input), world, planOptions(projectId, input.assume));
    },
    /** The schedulers that should exist: one per enabled schedule rule. */
    wantedSchedules() {
      return repo.allEnabled().flatMap((r) => {
        const t = (r.definition as unknown as RuleDefinition).trigger;
        return 'schedule' in t
          ? [{ ruleId: r.id, projectId: r.projectId, pattern: t.schedule, ...(t.timezone ? { tz: t.timezone } : {}) }]
          : [];
      });
    },
    graph(p: Principal, projectId: string) {
      authorize(p, projectId, 'rules.read');
      deps.requireProject(projectId);
      return chainGraph(repo.list(projectId).map(toRecord));
    },
  };
  return service;
}
