// The events a dry-run plans on: a stored one by id, a sample as given, or the
// sample a preview builds for a trigger on a variant or asset — for a decision
// trigger, exactly what pressing that decision would emit (review's builder).
import { CronExpressionParser } from 'cron-parser';
import { authorize, type Principal } from '../auth/principal.js';
import { NotFoundError } from '../errors.js';
import { normalizeEventType } from '../events/names.js';
import { assetDecisionEvent, decisionEvent, decisionOfEvent } from '../events/review.js';
import { inferSubject } from '../events/schema.js';
import type { EventView } from '../rules/matching.js';
import type { RuleDefinition } from '../rules/schema.js';
import { specGenerateEvent, specRefinedEvent, type AssetSpec } from '../specs/spec.js';
import type { Store } from '../store/store.js';

/** An event a dry-run may be asked about (the `event` of a dry-run request). */
export type SampleEvent = { type: string; subject: { kind: string; id: string }; payload: Record<string, unknown>; depth: number };

type EventInput =
  | { eventId: string }
  | { event: { type: string; subject?: { kind: string; id: string } | undefined; payload: Record<string, unknown>; depth: number } };

export function eventViewOf(store: Store, projectId: string, input: EventInput): EventView {
  if ('eventId' in input) {
    const row = store.events.get(projectId, input.eventId);
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
  return { projectId, type: e.type, subject: e.subject ?? inferSubject(e.type, e.payload, projectId), payload: e.payload, depth: e.depth };
}

/** A variant or asset of the project by id, or null. */
function targetOf(store: Store, projectId: string, id: string) {
  const { entities } = store;
  if (entities.facts(projectId, 'variant', id)) {
    const variant = entities.getVariant(projectId, id);
    return { variant, asset: entities.getAsset(projectId, variant.assetId) };
  }
  return entities.facts(projectId, 'asset', id) ? { variant: null, asset: entities.getAsset(projectId, id) } : null;
}

/** The sample event for `trigger` (of rule `ruleId`) on `target` (a variant or asset id), or on the project. */
export function sampleEventOf(
  store: Store,
  p: Principal,
  projectId: string,
  trigger: RuleDefinition['trigger'],
  ruleId: string,
  target: string | null,
): SampleEvent {
  authorize(p, projectId, 'rules.dryrun');
  if (!('event' in trigger)) return { type: 'schedule.fired', subject: { kind: 'rule', id: ruleId }, payload: { ruleId }, depth: 0 };
  const type = normalizeEventType(trigger.event);
  if (!target) return { type, subject: { kind: 'project', id: projectId }, payload: {}, depth: 0 };
  const spec = store.specs.spec(projectId, target);
  if (spec) {
    // A refined spec: exactly the spec.refined its refinement stored (one builder); another trigger on it, its facts.
    const body = (spec.body as unknown as AssetSpec | null) ?? null;
    if (body && type === 'spec.refined') {
      const e = specRefinedEvent({ id: spec.id, specListId: spec.specListId, body });
      return { type: e.type, subject: e.subject, payload: e.payload, depth: 0 };
    }
    if (type === 'spec.generate_requested') {
      const e = specGenerateEvent({ ...spec, body }, {}, p.id);
      return { type: e.type, subject: e.subject, payload: e.payload, depth: 0 };
    }
    return {
      type,
      subject: { kind: 'spec', id: spec.id },
      payload: { specId: spec.id, assetId: spec.id, assetType: spec.assetType },
      depth: 0,
    };
  }
  const found = targetOf(store, projectId, target);
  if (!found) throw new NotFoundError('variant, asset or spec', target);
  const { variant, asset } = found;
  const decision = decisionOfEvent[type];
  if (variant && decision) {
    const e = decisionEvent(variant, asset, { decision }, p.id, store.clock.now());
    return { type: e.type, subject: e.subject, payload: e.payload, depth: 0 };
  }
  if (type === 'asset.approved') {
    const e = assetDecisionEvent(asset, store.entities.variantsOf(asset.id), {}, p.id);
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
}

/** The next `n` times a cron expression fires (ISO, in UTC), as the scheduler will read it. */
export function nextTimes(expr: string, timezone: string | undefined, n: number): string[] {
  try {
    const it = CronExpressionParser.parse(expr, { ...(timezone ? { tz: timezone } : {}) });
    return Array.from({ length: n }, () => it.next().toDate().toISOString());
  } catch {
    return []; // what the schema let through but the parser cannot step (never a 500 for a preview)
  }
}
