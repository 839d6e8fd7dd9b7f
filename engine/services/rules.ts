// Rule use-cases: CRUD with versioning and cycle warnings, enable gated on a
// dry-run, the dry-run planner over stored state, and the chain graph.
import { z } from 'zod';
import { authorize, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { eventTypeSchema, normalizeEventType } from '../events/names.js';
import { decisionEvent, decisionOfEvent } from '../events/review.js';
import { inferSubject, subjectSchema } from '../events/schema.js';
import { chainGraph, findCycles } from '../rules/graph.js';
import type { EventView } from '../rules/matching.js';
import type { Start } from '../rules/machine.js';
import { plan, type Plan, type PlanOptions } from '../rules/planner.js';
import { ruleInputSchema, type RuleDefinition, type RuleRecord } from '../rules/schema.js';
import { toRecord, type RuleRow } from '../store/rules.js';
import type { Store } from '../store/store.js';
import type { ProjectRow } from '../store/projects.js';
import { parseWith } from '../validation.js';

export const sampleEventSchema = z
  .object({
    type: eventTypeSchema,
    subject: subjectSchema.optional(),
    payload: z.record(z.string(), z.unknown()).default({}),
    depth: z.number().int().min(0).max(100).default(0),
  })
  .strict();

/** An event a dry-run may be asked about (the `event` of a dry-run request). */
export type SampleEvent = { type: string; subject: { kind: string; id: string }; payload: Record<string, unknown>; depth: number };

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

export const dryRunInputSchema = z.union([
  z.object({ event: sampleEventSchema, assume: assumeSchema.optional() }).strict(),
  z.object({ eventId: z.string().min(1), assume: assumeSchema.optional() }).strict(),
]);

export const runExactlyInputSchema = z.union([
  z.object({ hash: z.string().min(1), event: sampleEventSchema }).strict(),
  z.object({ hash: z.string().min(1), eventId: z.string().min(1) }).strict(),
]);

export const automationDryRunInputSchema = z.union([
  z.object({ event: sampleEventSchema, draft: z.unknown().optional(), assume: assumeSchema.optional() }).strict(),
  z.object({ eventId: z.string().min(1), draft: z.unknown().optional(), assume: assumeSchema.optional() }).strict(),
]);

export interface RuleWarning {
  code: 'cycle' | 'disabled_by_update';
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
  const { rules: repo, events, runs: runsRepo, world, entities } = deps.store;

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

  const planOptions = (projectId: string, assume?: Assume): PlanOptions => {
    const failing = new Set(assume?.failSteps ?? []);
    const approvals = assume?.approvals ?? {};
    return {
      costs: deps.costs,
      defaults: { exportProfile: deps.requireProject(projectId).settings.policies.defaultExportProfile },
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

  function eventView(projectId: string, input: z.output<typeof dryRunInputSchema>): EventView {
    if ('eventId' in input) {
      const row = events.get(projectId, input.eventId);
      if (!row) throw new NotFoundError('event', input.eventId);
      return {
        id: row.id,
        projectId,
        type: row.type,
        subject: { kind: row.subjectKind, id: row.subjectId },
        payload: row.payload,
        depth: row.depth,
        actor: row.actor,
        source: row.source,
      };
    }
    const e = input.event;
    return {
      projectId,
      type: e.type,
      subject: e.subject ?? inferSubject(e.type, e.payload, projectId),
      payload: e.payload,
      depth: e.depth,
    };
  }

  /** A variant or asset of the project by id, or null. */
  function targetOf(projectId: string, id: string) {
    const v = entities.facts(projectId, 'variant', id);
    if (v) {
      const variant = entities.getVariant(projectId, id);
      return { variant, asset: entities.getAsset(projectId, variant.assetId) };
    }
    return entities.facts(projectId, 'asset', id) ? { variant: null, asset: entities.getAsset(projectId, id) } : null;
  }

  const service = {
    /**
     * The event a preview of this rule dry-runs: its trigger on `target` (a variant or asset id), or on the
     * project. A decision trigger (variant.approved …) on a variant is the event that pressing that decision
     * would emit, built by review's own event builder — so what the preview predicts is what the press fires.
     */
    previewEvent(p: Principal, projectId: string, ruleId: string, target: string | null): SampleEvent {
      authorize(p, projectId, 'rules.dryrun');
      const rule = repo.get(projectId, ruleId);
      const trigger = (rule.definition as unknown as RuleDefinition).trigger;
      if (!('event' in trigger))
        return { type: 'schedule.fired', subject: { kind: 'rule', id: rule.id }, payload: { ruleId: rule.id }, depth: 0 };
      const type = normalizeEventType(trigger.event);
      if (!target) return { type, subject: { kind: 'project', id: projectId }, payload: {}, depth: 0 };
      const found = targetOf(projectId, target);
      if (!found) throw new NotFoundError('variant or asset', target);
      const { variant, asset } = found;
      const decision = decisionOfEvent[type];
      if (variant && decision) {
        const e = decisionEvent(variant, asset, { decision }, p.id, deps.store.clock.now());
        return { type: e.type, subject: e.subject, payload: e.payload, depth: 0 };
      }
      const assetFacts = { assetId: asset.id, assetType: asset.type, specId: asset.specId };
      if (variant)
        return {
          type,
          subject: { kind: 'variant', id: variant.id },
          payload: { variantId: variant.id, ...assetFacts, status: variant.status, primary: variant.primary, tags: variant.tags },
          depth: 0,
        };
      return { type, subject: { kind: 'asset', id: asset.id }, payload: assetFacts, depth: 0 };
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
      return { row, warnings: cycleWarnings(projectId, row.id) };
    },
    update(p: Principal, projectId: string, ruleId: string, body: unknown): { row: RuleRow; warnings: RuleWarning[] } {
      authorize(p, projectId, 'rules.write');
      const def = parseWith(ruleInputSchema, body, 'rule');
      const { row, wasEnabled } = repo.update(projectId, ruleId, def, p.id);
      deps.onChange?.();
      const warnings = cycleWarnings(projectId, ruleId);
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
      const result = plan(records, eventView(projectId, input), world, {
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
      const view = eventView(projectId, rest as z.output<typeof dryRunInputSchema>);
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
      return plan(records, eventView(projectId, input), world, planOptions(projectId, input.assume));
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
