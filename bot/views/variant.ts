// The variant grid: a header for the asset, then one card per variant with
// its image, status and the review controls.
import { actionIds, packValue } from './ids.js';
import { when, who, type Block, type FileRef, type View } from './view.js';

export interface VariantFacts {
  projectId: string;
  assetId: string;
  variantId: string;
  index: number;
  status: 'pending' | 'approved' | 'rejected' | 'regenerate_requested';
  primary: boolean;
  tags: string[];
  decidedBy: string | null;
  decidedAt: number | null;
  image: FileRef | null;
}

const statusLine: Record<VariantFacts['status'], string> = {
  pending: '⏳ waiting for review',
  approved: '✅ approved',
  rejected: '❌ rejected',
  regenerate_requested: '🔁 regeneration requested',
};

/** The grid's header: the asset, and "Approve asset" for the lead once the variants to keep are approved. */
export function gridHeader(g: { projectId: string; assetId: string; assetType: string; prompt: string; count: number }): View {
  const text = `*${g.assetType} ${g.assetId}*: ${g.count} variant${g.count === 1 ? '' : 's'} to review${g.prompt ? ` — “${g.prompt}”` : ''}`;
  return {
    fallback: `${g.assetType} ${g.assetId}: ${g.count} variants to review`,
    blocks: [
      { kind: 'text', text },
      { kind: 'context', text: 'Approve the variants to keep below, then the asset: its rules take the approved ones from there.' },
      {
        kind: 'actions',
        controls: [
          {
            kind: 'button',
            actionId: actionIds.assetApprove,
            label: 'Approve asset',
            value: packValue(g.projectId, g.assetId),
            tone: 'primary',
          },
        ],
      },
    ],
  };
}

/** The tag choices a project offers, as `group:tag` (from settings.tagGroups). */
export function tagChoices(tagGroups: Record<string, string[]>): string[] {
  return Object.entries(tagGroups).flatMap(([group, tags]) => tags.map((t) => `${group}:${t}`));
}

/** The review web's page of a variant (it redirects to the variant's card on its asset page). */
export const reviewPathOf = (projectId: string, variantId: string) =>
  `/review/projects/${encodeURIComponent(projectId)}/variants/${encodeURIComponent(variantId)}`;

/** `review`: the card offers "Open in review" (a press answers the presser with a signed link of their own). */
export function variantCard(v: VariantFacts, options: { tagChoices: string[]; review: boolean }): View {
  const value = packValue(v.projectId, v.variantId);
  const state = v.status === 'pending' ? statusLine.pending : `${statusLine[v.status]} by ${who(v.decidedBy)} at ${when(v.decidedAt)}`;
  const blocks: Block[] = [{ kind: 'text', text: `*Variant ${v.index}* \`${v.variantId}\`${v.primary ? '  ⭐ primary' : ''}\n${state}` }];
  if (v.image) blocks.push({ kind: 'image', file: v.image, alt: `variant ${v.index} of ${v.assetId}` });
  if (v.tags.length > 0) blocks.push({ kind: 'context', text: `Tags: ${v.tags.join(', ')}` });
  blocks.push({
    kind: 'actions',
    controls: [
      { kind: 'button', actionId: actionIds.review('approve'), label: 'Approve', value, tone: 'primary' },
      { kind: 'button', actionId: actionIds.review('reject'), label: 'Reject', value, tone: 'danger' },
      { kind: 'button', actionId: actionIds.review('regenerate'), label: 'Regenerate', value },
      { kind: 'button', actionId: actionIds.review('select'), label: v.primary ? 'Primary ⭐' : 'Make primary', value },
    ],
  });
  const extra = [];
  const choices = options.tagChoices.filter((t) => !v.tags.includes(t));
  if (choices.length > 0)
    extra.push({
      kind: 'select' as const,
      actionId: actionIds.tag,
      placeholder: 'Add tag',
      options: choices.slice(0, 100).map((t) => ({ label: t, value: t })),
    });
  if (options.review) extra.push({ kind: 'button' as const, actionId: actionIds.openReview, label: 'Open in review', value });
  // The tag menu's options carry only the tag; the block says which variant (option values are short).
  if (extra.length > 0) blocks.push({ kind: 'actions', id: packValue(v.projectId, v.variantId), controls: extra });
  return { fallback: `Variant ${v.index} of ${v.assetId}: ${statusLine[v.status]}`, blocks };
}
