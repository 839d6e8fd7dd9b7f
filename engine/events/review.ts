// Review decisions: update the variant and emit the matching event, in one
// transaction, so a decision and its event are never apart.
import { z } from 'zod';
import { ConflictError } from '../errors.js';
import type { Clock } from '../ids.js';
import type { AssetRow, VariantRow } from '../store/entities.js';
import type { EventRow } from '../store/events.js';
import type { Store } from '../store/store.js';
import { buildEventRow, type Actor } from './intake.js';

export const reviewInputSchema = z
  .object({
    decision: z.enum(['approve', 'reject', 'regenerate', 'select', 'tag']),
    note: z.string().min(1).max(2000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(50).optional(),
    /** Tags to take off (a tag both added and removed ends up removed). */
    untag: z.array(z.string().min(1).max(64)).max(50).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ReviewInput = z.output<typeof reviewInputSchema>;

const eventFor = {
  approve: 'variant.approved',
  reject: 'variant.rejected',
  regenerate: 'variant.regenerate_requested',
  select: 'variant.selected',
  tag: 'variant.tagged',
} as const;
const statusFor = { approve: 'approved', reject: 'rejected', regenerate: 'regenerate_requested' } as const;

export type Decision = ReviewInput['decision'];
/** The decision whose event a rule triggers on, for the decision events (`variant.approved` → approve …). */
export const decisionOfEvent: Readonly<Record<string, Decision>> = Object.fromEntries(
  Object.entries(eventFor).map(([d, type]) => [type, d as Decision]),
);

/**
 * The one event builder for review decisions: what `decision` on `variant` emits and how the variant
 * changes. `review` uses it to act; every dry-run preview ("as if <decision> were pressed on <variant>")
 * uses it to predict, so the two cannot drift apart. Pure.
 */
export function decisionEvent(
  variant: Pick<VariantRow, 'id' | 'status' | 'tags' | 'notes' | 'primary'>,
  asset: Pick<AssetRow, 'id' | 'type' | 'specId'>,
  input: Pick<ReviewInput, 'decision' | 'note' | 'tags' | 'untag'>,
  actorId: string,
  now: number,
) {
  const off = new Set(input.untag ?? []);
  const tags = [...new Set([...variant.tags, ...(input.tags ?? [])])].filter((t) => !off.has(t));
  const notes = input.note ? [...variant.notes, { by: actorId, at: now, text: input.note }] : variant.notes;
  const status = input.decision === 'select' || input.decision === 'tag' ? variant.status : statusFor[input.decision];
  const decided = input.decision === 'tag' ? {} : { decidedBy: actorId, decidedAt: now };
  return {
    type: eventFor[input.decision],
    subject: { kind: 'variant', id: variant.id },
    payload: {
      variantId: variant.id,
      assetId: asset.id,
      assetType: asset.type,
      specId: asset.specId,
      status,
      primary: input.decision === 'select' ? true : variant.primary,
      tags,
      ...(input.note ? { note: input.note } : {}),
      decidedBy: actorId,
    },
    /** What the variant row becomes. */
    patch: { status, tags, notes, ...decided, updatedAt: now },
  };
}

/** A decision on an asset as a whole: `approve` when the lead is done choosing among its variants. */
export const assetReviewInputSchema = z
  .object({
    decision: z.enum(['approve']),
    note: z.string().min(1).max(2000).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type AssetReviewInput = z.output<typeof assetReviewInputSchema>;

/**
 * The one event builder for an asset's approval: `asset.approved` with the variants approved so far (oldest
 * first), which a rule cuts out and packs into one atlas. `reviewAsset` acts with it and a dry-run preview on an
 * asset predicts with it. Pure: an asset with no approved variant yields an empty list (`decideAsset` refuses it).
 */
export function assetDecisionEvent(
  asset: Pick<AssetRow, 'id' | 'type' | 'specId'>,
  variants: readonly Pick<VariantRow, 'id' | 'status' | 'primary' | 'createdAt'>[],
  input: Pick<AssetReviewInput, 'note'>,
  actorId: string,
) {
  const approved = variants
    .filter((v) => v.status === 'approved')
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    type: 'asset.approved' as const,
    subject: { kind: 'asset', id: asset.id },
    payload: {
      assetId: asset.id,
      assetType: asset.type,
      specId: asset.specId,
      status: 'approved',
      variantIds: approved.map((v) => v.id),
      primaryVariantId: approved.find((v) => v.primary)?.id ?? null,
      ...(input.note ? { note: input.note } : {}),
      decidedBy: actorId,
    },
  };
}

export function createReview(deps: { store: Store; clock: Clock; onStored: (source: string, row?: EventRow) => void }) {
  const { entities, events } = deps.store;
  /** One decision in one transaction: the twin of its idempotency key, or its event stored with `apply`'s changes. */
  type Built = { type: string; payload: Record<string, unknown>; subject: { kind: string; id: string } };
  const record = (
    projectId: string,
    idempotencyKey: string | undefined,
    /** What this decision stores: a twin by key must be the same (type and subject), else the key was reused. */
    expected: { type: string; subjectId: string },
    actor: Actor,
    source: string,
    decide: (now: number) => { built: Built; apply: () => void },
  ): { event: EventRow; created: boolean } => {
    const result = deps.store.transaction(() => {
      const twin = idempotencyKey ? events.findByKey(projectId, idempotencyKey) : undefined;
      if (twin && (twin.type !== expected.type || twin.subjectId !== expected.subjectId))
        throw new ConflictError(
          `idempotencyKey '${idempotencyKey}' was already used for another event (${twin.type} on ${twin.subjectId}); use a new key.`,
        );
      if (twin) return { event: twin, created: false };
      const now = deps.clock.now();
      const { built, apply } = decide(now);
      const row = buildEventRow(
        projectId,
        { type: built.type, payload: built.payload, subject: built.subject, ...(idempotencyKey ? { idempotencyKey } : {}) },
        actor,
        source,
        now,
      );
      apply();
      return { event: events.insert(row).row, created: true };
    });
    if (result.created) deps.onStored(source, result.event);
    return result;
  };
  return {
    decide(projectId: string, variantId: string, input: ReviewInput, actor: Actor, source: string): { event: EventRow; created: boolean } {
      const expected = { type: eventFor[input.decision], subjectId: variantId };
      return record(projectId, input.idempotencyKey, expected, actor, source, (now) => {
        const variant = entities.getVariant(projectId, variantId);
        const asset = entities.getAsset(projectId, variant.assetId);
        const built = decisionEvent(variant, asset, input, actor.id, now);
        return {
          built,
          apply: () => {
            entities.updateVariant(variantId, built.patch);
            if (input.decision === 'select') entities.clearPrimary(asset.id, variantId, now);
          },
        };
      });
    },
    /** Approve an asset: its status and its `asset.approved` event (with the approved variants), together. */
    decideAsset(projectId: string, assetId: string, input: AssetReviewInput, actor: Actor, source: string) {
      return record(projectId, input.idempotencyKey, { type: 'asset.approved', subjectId: assetId }, actor, source, () => {
        const asset = entities.getAsset(projectId, assetId);
        const variants = entities.variantsOf(asset.id);
        const built = assetDecisionEvent(asset, variants, input, actor.id);
        if (built.payload.variantIds.length === 0)
          throw new ConflictError(
            `Asset '${assetId}' has no approved variant (${variants.length} in all): approve the ones to keep first ` +
              `(POST /api/projects/${projectId}/variants/<variantId>/review {"decision":"approve"}), then the asset.`,
          );
        return { built, apply: () => entities.setAssetStatus(asset.id, 'approved') };
      });
    },
  };
}
