// Whether one rule fires for one event, and why not: the decision both the
// dry-run planner and the runner make, in one place. Pure: state comes in
// through a PlanWorld, whose every answer the planner records for its hash.
import { evaluateConditions, type Truth } from './conditions.js';
import type { RuleRecord, Scope } from './schema.js';
import { isUnknown } from './values.js';

export interface EventView {
  id?: string;
  projectId: string;
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
  depth: number;
  actor?: { kind: string; id: string };
  source?: string;
  correlationId?: string;
}

export interface EntityFacts {
  kind: string;
  id: string;
  assetId?: string | null;
  specId?: string | null;
  assetType?: string | null;
  manualOverride: boolean;
}

export interface HaltFacts {
  scope: 'global' | 'project' | 'rule';
  reason: string;
}

/** The state a decision reads. The store implements it; tests give an in-memory one. */
export interface PlanWorld {
  halt(projectId: string, ruleId: string): HaltFacts | null;
  entity(projectId: string, kind: string, id: string): EntityFacts | null;
  /** Did this rule fire for this subject less than `windowMs` ago? */
  recentlyFired(projectId: string, ruleId: string, subject: { kind: string; id: string }, windowMs: number): boolean;
}

export type SkipReason = 'halted' | 'depth_limit' | 'out_of_scope' | 'manual_override' | 'conditions_false' | 'debounced' | 'truncated';

export interface Decision {
  fires: boolean;
  reason?: SkipReason;
  detail?: string;
  /** True when the decision depends on a value only known once a job has run. */
  uncertain?: boolean;
}

/** Event triggers match the type; a schedule trigger matches its own `schedule.fired` events. */
export function triggersOn(rule: RuleRecord, event: { type: string; payload: Record<string, unknown> }): boolean {
  const trigger = rule.definition.trigger;
  if ('event' in trigger) return trigger.event === event.type;
  return event.type === 'schedule.fired' && event.payload.ruleId === rule.id;
}

const idKeys: [string, string][] = [
  ['asset', 'assetId'],
  ['variant', 'variantId'],
  ['spec', 'specId'],
  ['atlas', 'atlasId'],
  ['export', 'exportId'],
];

/** The entities an event touches: its subject, ids in its payload, and their parents. */
export function relatedEntities(event: EventView, world: PlanWorld): { facts: EntityFacts[]; unresolved: boolean } {
  const wanted: [string, unknown][] = [
    [event.subject.kind, event.subject.id],
    ...idKeys.map(([k, key]) => [k, event.payload[key]] as [string, unknown]),
  ];
  const seen = new Set<string>();
  const facts: EntityFacts[] = [];
  let unresolved = false;
  while (wanted.length > 0) {
    const [kind, id] = wanted.shift()!;
    if (isUnknown(id)) {
      unresolved = true;
      continue;
    }
    if (typeof id !== 'string' || seen.has(`${kind}/${id}`)) continue;
    seen.add(`${kind}/${id}`);
    const f = world.entity(event.projectId, kind, id);
    if (!f) continue;
    facts.push(f);
    if (f.assetId) wanted.push(['asset', f.assetId]);
    if (f.specId) wanted.push(['spec', f.specId]);
  }
  return { facts, unresolved };
}

function scopeHolds(scope: Scope, event: EventView, related: { facts: EntityFacts[]; unresolved: boolean }): Truth {
  if ('project' in scope) return 'true';
  if ('entityId' in scope) {
    const hit =
      (event.subject.id === scope.entityId && (!scope.kind || scope.kind === event.subject.kind)) ||
      related.facts.some((f) => f.id === scope.entityId && (!scope.kind || scope.kind === f.kind)) ||
      idKeys.some(([kind, key]) => event.payload[key] === scope.entityId && (!scope.kind || scope.kind === kind));
    return hit ? 'true' : related.unresolved ? 'unknown' : 'false';
  }
  const types = related.facts.map((f) => f.assetType).filter((t): t is string => typeof t === 'string');
  const payloadType = event.payload.assetType;
  if (types.includes(scope.assetType) || payloadType === scope.assetType) return 'true';
  return related.unresolved || isUnknown(payloadType) ? 'unknown' : 'false';
}

/** The event as conditions see it: `field` paths start at this object. */
export function conditionSubject(event: EventView): Record<string, unknown> {
  return {
    type: event.type,
    subject: event.subject,
    payload: event.payload,
    depth: event.depth,
    actor: event.actor,
    source: event.source,
    projectId: event.projectId,
  };
}

/** Decide whether `rule` fires for `event`. The rule's trigger is assumed to match. */
export function decide(rule: RuleRecord, event: EventView, world: PlanWorld): Decision {
  const def = rule.definition;
  const halt = world.halt(event.projectId, rule.id);
  if (halt) return { fires: false, reason: 'halted', detail: `${halt.scope} halt: ${halt.reason}` };
  if (event.depth >= def.maxDepth)
    return { fires: false, reason: 'depth_limit', detail: `event depth ${event.depth} reached the rule's maxDepth ${def.maxDepth}` };
  const related = relatedEntities(event, world);
  const inScope = scopeHolds(def.scope, event, related);
  if (inScope === 'false')
    return {
      fires: false,
      reason: 'out_of_scope',
      detail: `scope ${JSON.stringify(def.scope)} does not cover ${event.subject.kind} ${String(event.subject.id)}`,
    };
  const overridden = related.facts.find((f) => f.manualOverride);
  if (overridden)
    return { fires: false, reason: 'manual_override', detail: `${overridden.kind} ${overridden.id} is under manual override` };
  const cond = evaluateConditions(def.conditions, conditionSubject(event));
  if (cond.result === 'false') {
    const f = cond.failed[0];
    const detail = f
      ? `${f.field} ${f.op} ${JSON.stringify(f.value)} was false (value: ${JSON.stringify(f.actual) ?? 'absent'})`
      : 'no condition held';
    return { fires: false, reason: 'conditions_false', detail };
  }
  if (def.debounceMs > 0 && typeof event.subject.id === 'string') {
    if (world.recentlyFired(event.projectId, rule.id, { kind: event.subject.kind, id: event.subject.id }, def.debounceMs))
      return {
        fires: false,
        reason: 'debounced',
        detail: `fired for ${event.subject.kind} ${event.subject.id} within the last ${def.debounceMs} ms`,
      };
  }
  const uncertain = inScope === 'unknown' || cond.result === 'unknown';
  return uncertain ? { fires: true, uncertain: true } : { fires: true };
}
