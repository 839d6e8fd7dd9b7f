// Review decisions: update the variant and emit the matching event, in one
// transaction, so a decision and its event are never apart.
import { z } from 'zod';
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

export function createReview(deps: { store: Store; clock: Clock; onStored: (source: string, row?: EventRow) => void }) {
  const { entities, events } = deps.store;
  return {
    decide(projectId: string, variantId: string, input: ReviewInput, actor: Actor, source: string): { event: EventRow; created: boolean } {
      const result = deps.store.transaction(() => {
        const twin = input.idempotencyKey ? events.findByKey(projectId, input.idempotencyKey) : undefined;
        if (twin) return { event: twin, created: false };
        const variant = entities.getVariant(projectId, variantId);
        const asset = entities.getAsset(projectId, variant.assetId);
        const now = deps.clock.now();
        const built = decisionEvent(variant, asset, input, actor.id, now);
        const row = buildEventRow(
          projectId,
          {
            type: built.type,
            payload: built.payload,
            subject: built.subject,
            ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
          },
          actor,
          source,
          now,
        );
        entities.updateVariant(variantId, built.patch);
        if (input.decision === 'select') entities.clearPrimary(asset.id, variantId, now);
        return { event: events.insert(row).row, created: true };
      });
      if (result.created) deps.onStored(source, result.event);
      return result;
    },
  };
}
