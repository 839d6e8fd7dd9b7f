// What every chat command needs: the engine, who is asking (resolved to a
// principal through the project's roles), and one mapping from engine errors
// to replies. Platform-neutral: the adapters fill in a ChatContext.
import { isGreenlightError, type Engine, type Platform, type Principal } from '../../engine/index.js';
import { textView, type View } from '../views/view.js';

export interface ChatContext {
  engine: Engine;
  platform: Platform;
  channelId: string;
  userId: string;
  /**
   * Which of these user groups the user is in (asked only when a project gives a role to a group). An adapter may
   * answer from a cache without the network (Slack does before an ack) and decide again when it learns more.
   */
  groups: (candidates: string[]) => Promise<string[]>;
}

/** A reply meant for the asker alone, or a change others should see. */
export interface Reply {
  view: View;
  /** Refused or failed: say it to the asker only. */
  refused?: boolean;
}

export class CommandRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandRefusal';
  }
}

/** The project a channel is bound to, or a refusal that says how to bind it. */
export function projectOf(ctx: ChatContext): string {
  const projectId = ctx.engine.chat.projectOfChannel(ctx.platform, ctx.channelId);
  if (!projectId)
    throw new CommandRefusal(
      'This channel is not bound to a Greenlight project. A project admin binds it with `/greenlight bind <projectId>`.',
    );
  return projectId;
}

/** Who the user is in the project, or a refusal that says how to get a role. */
export async function principalOf(ctx: ChatContext, projectId: string): Promise<Principal> {
  const candidates = ctx.engine.chat.groupsWithRoles(ctx.platform, projectId);
  const groups = candidates.length > 0 ? await ctx.groups(candidates) : [];
  const p = ctx.engine.chat.principalFor(ctx.platform, ctx.userId, projectId, groups);
  if (!p)
    throw new CommandRefusal(
      `You have no role in project \`${projectId}\`. An admin adds you with \`greenlight project role ${projectId} ${ctx.platform}:${ctx.userId} artist\` (or lead, admin).`,
    );
  return p;
}

/**
 * Could a role the user was not known to have have changed this answer? Our refusals and the engine's
 * forbidden/unauthorized. Errs wide (a stale-button refusal counts too): deciding again is cheap and changes nothing.
 */
export function isRoleRefusal(err: unknown): boolean {
  return err instanceof CommandRefusal || (isGreenlightError(err) && (err.code === 'forbidden' || err.code === 'unauthorized'));
}

/** Turn any failure into a reply for the asker; unexpected ones are logged, never thrown at the platform. */
export function replyForError(err: unknown, log: (err: unknown) => void): Reply {
  if (err instanceof CommandRefusal) return { view: textView(`🚫 ${err.message}`), refused: true };
  if (isGreenlightError(err)) {
    const details = err.details?.map((d) => `• \`${d.path}\`: ${d.message}`).join('\n');
    const icon = err.code === 'forbidden' || err.code === 'unauthorized' ? '🚫' : '⚠️';
    return { view: textView(`${icon} ${err.message}${details ? `\n${details}` : ''}`), refused: true };
  }
  log(err);
  return {
    view: textView('⚠️ Something went wrong on our side; it was logged. Try again, and tell your Greenlight admin if it keeps happening.'),
    refused: true,
  };
}
