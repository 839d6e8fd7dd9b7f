// `/spec add <wishlist>` and the preview's Generate buttons: parse, resolve who
// is asking, call the engine's specs door (which checks the role again), and
// say what happens. Refining may call an external refiner (SPEC_REFINER_URL),
// so `/spec add` answers in two steps: the local checks first (no network, fit
// for before a platform's ack), then `preview()` once the adapter has acked.
import { isGreenlightError, type Principal } from '../../engine/index.js';
import { unpackValue } from '../views/ids.js';
import { generateAnswerView, specPreviewView } from '../views/specs.js';
import { textView, type View, who } from '../views/view.js';
import { CommandRefusal, principalOf, projectOf, type ChatContext } from './context.js';
import { parseSpec } from './parse.js';

/** Usage or a refusal at once; or the refinement to run after the ack, resolving to the preview everyone sees. */
export type SpecAnswer = View | { preview: () => Promise<View> };

const leadsOnly = (ctx: ChatContext, projectId: string, what: string, p: Principal) =>
  new CommandRefusal(
    `Only a lead or an admin of \`${projectId}\` can ${what}; you are ${p.role === 'artist' ? 'an artist' : `a ${p.role}`} here. ` +
      `Ask a lead to do it, or an admin to make you one (\`greenlight project role ${projectId} ${ctx.platform}:${ctx.userId} lead\`).`,
  );

/** The engine's own "forbidden" said the chat's way (its message speaks of tokens and permissions). */
async function politely<T>(ctx: ChatContext, projectId: string, what: string, p: Principal, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isGreenlightError(err) && err.code === 'forbidden') throw leadsOnly(ctx, projectId, what, p);
    throw err;
  }
}

export async function specCommand(ctx: ChatContext, text: string): Promise<SpecAnswer> {
  const parsed = parseSpec(text);
  if (!parsed.ok) return textView(parsed.problem ? `${parsed.problem}\n${parsed.usage}` : parsed.usage);
  const projectId = projectOf(ctx);
  const p = await principalOf(ctx, projectId);
  // A courtesy check before anything is sent: the engine checks the role again when it refines.
  if (p.role === 'artist') throw leadsOnly(ctx, projectId, 'add specs', p);
  const body = { text: parsed.command.text };
  return {
    preview: async () => {
      const out = await politely(ctx, projectId, 'add specs', p, () => ctx.engine.specs.addSpecList(p, projectId, body, ctx.platform));
      return specPreviewView({
        projectId,
        specListId: out.specList.id,
        specs: out.specs,
        questions: out.questions,
        by: who(`${ctx.platform}:${ctx.userId}`),
      });
    },
  };
}

/**
 * "Generate" on a spec: `spec.generate_requested` is stored (once per press: `key` comes from the platform's
 * interaction, so a redelivery finds its twin), then the dry-run of that very event says who acts on it.
 */
export async function generatePress(ctx: ChatContext, value: unknown, key: string): Promise<View> {
  const [projectId, specId] = unpackValue(value, 2) ?? [];
  if (!projectId || !specId)
    throw new CommandRefusal('This button is from an old or altered message; add the list again with `/spec add`.');
  const bound = ctx.engine.chat.projectOfChannel(ctx.platform, ctx.channelId);
  if (bound !== projectId) throw new CommandRefusal(`This channel is not bound to project \`${projectId}\`.`);
  const p = await principalOf(ctx, projectId);
  const { event, created } = await politely(ctx, projectId, 'ask for generation', p, () =>
    ctx.engine.specs.requestGenerate(p, projectId, specId, { idempotencyKey: key }, ctx.platform),
  );
  const plan = ctx.engine.rules.dryRunAll(p, projectId, { eventId: event.id });
  return generateAnswerView({
    specId,
    name: String(event.payload.name ?? specId),
    count: Number(event.payload.count),
    eventId: event.id,
    created,
    firings: plan.root.firings,
  });
}
