// Presses and reactions on variant cards, approval buttons, halt and resume,
// and channel binding: parse, resolve who is asking, call the engine (which
// checks the role), and say what happened.
import type { Principal } from '../../engine/index.js';
import { actionIds, unpackValue } from '../views/ids.js';
import { reviewPathOf } from '../views/variant.js';
import { textView, type View } from '../views/view.js';
import { CommandRefusal, principalOf, projectOf, type ChatContext } from './context.js';
import { greenlightUsage, haltUsage, parseGreenlight, parseHaltScope } from './parse.js';
import { findRule } from './rules.js';

export type Decision = 'approve' | 'reject' | 'regenerate' | 'select' | 'tag';

/** Emoji name (without colons) → decision. Slack names ✅ white_check_mark, ❌ x, 🔁 repeat, ⭐ star. */
export const defaultReactionMap: Readonly<Record<string, Exclude<Decision, 'tag'>>> = {
  white_check_mark: 'approve',
  x: 'reject',
  repeat: 'regenerate',
  star: 'select',
};

const stale = () => new CommandRefusal('This button is from an old or altered message.');

/** A review decision from a chat press or reaction. `key` makes a redelivery record nothing new. */
export async function review(ctx: ChatContext, projectId: string, variantId: string, decision: Decision, key: string, tags?: string[]) {
  const bound = ctx.engine.chat.projectOfChannel(ctx.platform, ctx.channelId);
  if (bound !== projectId) throw new CommandRefusal(`This channel is not bound to project \`${projectId}\`.`);
  const p = await principalOf(ctx, projectId);
  return ctx.engine.review(p, projectId, variantId, { decision, idempotencyKey: key, ...(tags ? { tags } : {}) }, ctx.platform);
}

export async function reviewPress(ctx: ChatContext, decision: Decision, value: unknown, key: string) {
  const parts = unpackValue(value, decision === 'tag' ? 3 : 2);
  if (!parts) throw stale();
  return review(ctx, parts[0]!, parts[1]!, decision, key, decision === 'tag' ? [parts[2]!] : undefined);
}

/** "Approve asset" pressed on a grid header: the asset's approval (the lead's call), answered to the presser. */
export async function assetApprovePress(ctx: ChatContext, value: unknown, key: string): Promise<View> {
  const [projectId, assetId] = unpackValue(value, 2) ?? [];
  if (!projectId || !assetId) throw stale();
  const bound = ctx.engine.chat.projectOfChannel(ctx.platform, ctx.channelId);
  if (bound !== projectId) throw new CommandRefusal(`This channel is not bound to project \`${projectId}\`.`);
  const p = await principalOf(ctx, projectId);
  const { event, created } = ctx.engine.reviewAsset(p, projectId, assetId, { decision: 'approve', idempotencyKey: key }, ctx.platform);
  const ids = event.payload.variantIds as string[];
  return textView(
    `${created ? '✅' : '☑️ Already recorded:'} \`${assetId}\` approved with ${ids.length} variant${ids.length === 1 ? '' : 's'}: ` +
      `${ids.map((id) => `\`${id}\``).join(', ')}. Rules on asset.approved take it from here.`,
  );
}

/**
 * "Open in review" pressed: a fresh signed link for the presser alone (their principal in the project, 15 minutes,
 * once), to the variant's card on its asset page. Minted on the press, so a card older than 15 minutes still works.
 */
export async function openReviewPress(ctx: ChatContext, value: unknown, publicUrl: string | null): Promise<View> {
  const [projectId, variantId] = unpackValue(value, 2) ?? [];
  if (!projectId || !variantId) throw stale();
  if (!publicUrl) throw new CommandRefusal('The review web has no public address; an admin sets `GREENLIGHT_PUBLIC_URL`.');
  const p = await principalOf(ctx, projectId);
  const token = ctx.engine.web.reviewLink(p, reviewPathOf(projectId, variantId));
  const url = `${publicUrl}/review/link?t=${encodeURIComponent(token)}`;
  const text = `Your review link for \`${variantId}\` — it signs you in as you, works once, for 15 minutes.`;
  // A link button's URL is capped (Discord: 512 characters); a longer one (very long ids) goes in the text instead.
  if (url.length > 512) return textView(`${text}\n${url}`);
  return {
    fallback: `${text} ${url}`,
    blocks: [
      { kind: 'text', text },
      { kind: 'actions', controls: [{ kind: 'link', actionId: actionIds.openReviewLink, label: 'Open in review', url }] },
    ],
  };
}

export async function approvalPress(ctx: ChatContext, decision: 'approve' | 'deny', value: unknown) {
  const [projectId, approvalId] = unpackValue(value, 2) ?? [];
  if (!projectId || !approvalId) throw stale();
  const p = await principalOf(ctx, projectId);
  return ctx.engine.approvals.decide(p, projectId, approvalId, decision);
}

function scopeFor(ctx: ChatContext, p: Principal, projectId: string, text: string) {
  const cmd = parseHaltScope(text);
  const ruleId = cmd.rule ? findRule(ctx.engine.rules.list(p, projectId), cmd.rule).id : null;
  return { scope: { scope: cmd.scope, projectId: cmd.scope === 'global' ? null : projectId, ruleId }, rest: cmd.rest };
}

const scopeName = (s: { scope: string; ruleId: string | null }, projectId: string) =>
  s.scope === 'global' ? 'everything' : s.scope === 'rule' ? `rule \`${s.ruleId}\`` : `project \`${projectId}\``;

export async function haltCommand(ctx: ChatContext, text: string, projectId = projectOf(ctx)): Promise<View> {
  if (text.trim() === 'help') return textView(haltUsage);
  const p = await principalOf(ctx, projectId);
  const { scope, rest } = scopeFor(ctx, p, projectId, text);
  const reason = rest || `halted from ${ctx.platform} by ${ctx.userId}`;
  const out = await ctx.engine.halts.halt(p, scope, reason, false);
  return textView(
    `🛑 Halted ${scopeName(scope, projectId)} — by <@${ctx.userId}>: ${reason}. New firings are held; in-flight jobs finish.${out.cancelled ? ` ${out.cancelled} runs cancelled.` : ''} \`/resume\` lifts it.`,
  );
}

export async function resumeCommand(ctx: ChatContext, text: string, projectId = projectOf(ctx)): Promise<View> {
  if (text.trim() === 'help') return textView(haltUsage);
  const p = await principalOf(ctx, projectId);
  const { scope, rest } = scopeFor(ctx, p, projectId, text);
  const discard = rest.split(/\s+/).includes('discard');
  const out = await ctx.engine.halts.resume(p, scope, discard);
  return textView(
    `🟢 Resumed ${scopeName(scope, projectId)} — by <@${ctx.userId}>. ${discard ? `${out.discarded} held firings discarded.` : `${out.replayed} held firings replayed.`}`,
  );
}

/** `/greenlight bind <projectId> [admin]`; `panel` is the adapter's (it posts a message). */
export async function bindCommand(ctx: ChatContext, text: string): Promise<View | { panel: string }> {
  const parsed = parseGreenlight(text);
  if (!parsed.ok) return textView(parsed.problem ? `${parsed.problem}\n${parsed.usage}` : parsed.usage);
  if (parsed.command.sub === 'panel') return { panel: projectOf(ctx) };
  const { projectId, purpose } = parsed.command;
  const p = await principalOf(ctx, projectId).catch(() => {
    throw new CommandRefusal(
      `Only an admin of project \`${projectId}\` can bind a channel to it (and the project must exist). ${greenlightUsage}`,
    );
  });
  ctx.engine.chat.bind(p, ctx.platform, ctx.channelId, projectId, purpose);
  return textView(`🔗 This channel is now the ${purpose} channel of \`${projectId}\` — bound by <@${ctx.userId}>.`);
}
