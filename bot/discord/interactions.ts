// Discord interactions, the same for the gateway and the HTTP endpoint: a
// press, a slash command or a modal, normalised, is recorded through the
// engine and answered with the interaction response Discord needs within 3 s
// (DEFERRED_UPDATE_MESSAGE for a recorded press, an ephemeral message for an
// answer or a refusal, a modal for the halt reason, DEFERRED_CHANNEL_MESSAGE
// for `/spec add`, whose refining may take longer). Nothing here reaches the
// network: roles come from the interaction's member, control meanings from the
// engine; what must be sent later (a card edit, the halt panel, the spec
// preview in place of the deferred message) is `after`.
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { CommandRefusal, principalOf, replyForError, type ChatContext } from '../commands/context.js';
import {
  approvalPress,
  bindCommand,
  haltCommand,
  assetApprovePress,
  openReviewPress,
  resumeCommand,
  reviewPress,
  type Decision,
} from '../commands/control.js';
import { enableFromPreview, ruleCommand, runFromPreview } from '../commands/rules.js';
import { generatePress, specCommand } from '../commands/specs.js';
import { actionIds, approvalActionPattern, haltDialogId, reviewActionPattern } from '../views/ids.js';
import { textView, type View } from '../views/view.js';
import { ComponentType } from './limits.js';
import { commandText } from './commands.js';
import { renderDiscord } from './render.js';

/** Interaction types (API v10). */
export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
/** Interaction callback types. */
export const CallbackType = {
  Pong: 1,
  ChannelMessage: 4,
  DeferredChannelMessage: 5,
  DeferredUpdate: 6,
  UpdateMessage: 7,
  Modal: 9,
} as const;

/** An interaction as both transports hand it over. */
export interface DiscordInteraction {
  id: string;
  token: string;
  type: number;
  /** Who acted: the member's user in a server, the user in a DM. */
  userId: string;
  channelId: string;
  guildId: string | null;
  /** The member's server roles (empty in a DM). */
  roles: string[];
  /** Components and modals. */
  customId?: string;
  /** A select menu's chosen values. */
  values?: string[];
  /** Slash commands: the command and its arguments as the shared parser reads them. */
  command?: { name: string; text: string };
  /** Modal submissions: text input custom_id → value. */
  fields?: Record<string, string>;
  /** The message a component sits on. */
  messageId?: string;
}

/** The response to send now, and what to do once it is sent. */
export interface Answer {
  response: { type: number; data?: Record<string, unknown> };
  /** Further ephemeral messages when the answer does not fit one (sent as follow-ups, in order). */
  more?: Record<string, unknown>[];
  after?: () => Promise<void>;
}

export interface InteractionDeps {
  engine: Engine;
  logger: Logger;
  /** Post the halt panel in a channel (after the answer). A press's effect on its message comes back through the change feed. */
  postPanel: (projectId: string, channelId: string) => Promise<void>;
  /** The review web's public base URL, for "Open in review" answers; null: the cards offer none. */
  publicUrl: string | null;
  /** The interaction's own messages (its token), for answers sent after a deferred response. */
  webhook: {
    editOriginal: (token: string, body: Record<string, unknown>) => Promise<void>;
    deleteOriginal: (token: string) => Promise<void>;
    followUp: (token: string, body: Record<string, unknown>) => Promise<void>;
  };
}

export function createInteractionHandler(deps: InteractionDeps) {
  const { engine, logger } = deps;
  const logErr = (err: unknown) => logger.error({ err }, 'discord interaction failed');
  const ids = (actionId: string, value: string) => engine.chat.controlId('discord', actionId, value);

  const ctxOf = (i: DiscordInteraction): ChatContext => ({
    engine,
    platform: 'discord',
    channelId: i.channelId,
    userId: i.userId,
    // Server roles come with the interaction: nothing to look up.
    groups: async (candidates) => i.roles.filter((r) => candidates.includes(r)),
  });

  /** Ephemeral messages (only the asker sees them); answers carry no images. */
  const ephemeral = (view: View): Answer => {
    const [first, ...rest] = renderDiscord({ ...view, blocks: view.blocks.filter((b) => b.kind !== 'image') }, ids, {
      ephemeral: true,
    }).map((m) => ({ flags: m.flags, components: m.components }));
    return { response: { type: CallbackType.ChannelMessage, data: first! }, ...(rest.length > 0 ? { more: rest } : {}) };
  };
  const refusal = (err: unknown): Answer => ephemeral(replyForError(err, logErr).view);

  function haltModal(projectId: string): Answer {
    return {
      response: {
        type: CallbackType.Modal,
        data: {
          custom_id: ids(haltDialogId, projectId),
          title: 'Emergency halt',
          components: [
            {
              type: ComponentType.ActionRow,
              components: [
                {
                  type: ComponentType.TextInput,
                  custom_id: 'reason',
                  style: 2,
                  label: 'Why must automation stop?',
                  min_length: 1,
                  max_length: 500,
                  required: true,
                },
              ],
            },
          ],
        },
      },
    };
  }

  async function component(i: DiscordInteraction): Promise<Answer> {
    const control = i.customId ? engine.chat.control('discord', i.customId) : null;
    if (!control) return refusal(new CommandRefusal('This button is from an old or altered message.'));
    const { actionId, value } = control;
    const ctx = ctxOf(i);
    // Recorded: the message is edited when the engine's change feed says what changed (the notifier).
    const update: Answer = { response: { type: CallbackType.DeferredUpdate } };
    try {
      if (reviewActionPattern.test(actionId)) {
        await reviewPress(ctx, actionId.split('.')[2] as Decision, value, `discord.press.${i.id}`);
        return update;
      }
      if (actionId === actionIds.tag) {
        await reviewPress(ctx, 'tag', `${value}|${i.values?.[0] ?? ''}`, `discord.tag.${i.id}`);
        return update;
      }
      if (approvalActionPattern.test(actionId)) {
        await approvalPress(ctx, actionId.endsWith('approve') ? 'approve' : 'deny', value);
        return update;
      }
      if (actionId === actionIds.haltOpen) {
        // A courtesy check before the dialog: the engine checks the role again when it is submitted.
        const p = await principalOf(ctx, value).catch(() => null);
        if (p?.role !== 'admin') throw new CommandRefusal(`Only admins of \`${value}\` can halt automation.`);
        return haltModal(value);
      }
      if (actionId === actionIds.resume) return ephemeral(await resumeCommand(ctx, '', value));
      if (actionId === actionIds.ruleEnable) return ephemeral(await enableFromPreview(ctx, value));
      if (actionId === actionIds.ruleRun) return ephemeral(await runFromPreview(ctx, value));
      if (actionId === actionIds.openReview) return ephemeral(await openReviewPress(ctx, value, deps.publicUrl));
      if (actionId === actionIds.assetApprove) return ephemeral(await assetApprovePress(ctx, value, `discord.asset.${i.id}`));
      // The interaction id is the press: a redelivered one (gateway resume, HTTP retry) finds its twin.
      if (actionId === actionIds.specGenerate) return ephemeral(await generatePress(ctx, value, `discord.spec.${i.id}`));
      return refusal(new CommandRefusal('This control does nothing here.'));
    } catch (err) {
      return refusal(err);
    }
  }

  /**
   * Refining may wait on an external refiner, past Discord's 3 s: answer "thinking…" (in the channel) now, then
   * edit it into the preview. A refusal found only then is the asker's alone: the public "thinking…" goes and an
   * ephemeral follow-up says why.
   */
  function deferredPreview(i: DiscordInteraction, preview: () => Promise<View>): Answer {
    const { webhook } = deps;
    return {
      response: { type: CallbackType.DeferredChannelMessage },
      after: async () => {
        let view: View;
        try {
          view = await preview();
        } catch (err) {
          await webhook.deleteOriginal(i.token);
          const [first] = renderDiscord(replyForError(err, logErr).view, ids, { ephemeral: true });
          return webhook.followUp(i.token, { flags: first!.flags, components: first!.components });
        }
        const [first, ...rest] = renderDiscord(view, ids).map((m) => ({ flags: m.flags, components: m.components }));
        await webhook.editOriginal(i.token, first!);
        for (const body of rest) await webhook.followUp(i.token, body);
      },
    };
  }

  async function command(i: DiscordInteraction): Promise<Answer> {
    const ctx = ctxOf(i);
    const text = i.command?.text ?? '';
    try {
      switch (i.command?.name) {
        case 'rule':
          return ephemeral(await ruleCommand(ctx, text));
        case 'halt':
          return ephemeral(await haltCommand(ctx, text));
        case 'resume':
          return ephemeral(await resumeCommand(ctx, text));
        case 'greenlight': {
          const out = await bindCommand(ctx, text);
          if (!('panel' in out)) return ephemeral(out);
          return {
            ...ephemeral(textView('Posted the emergency-halt panel; pin it so admins find it.')),
            after: () => deps.postPanel(out.panel, i.channelId),
          };
        }
        case 'spec': {
          const out = await specCommand(ctx, text);
          return 'preview' in out ? deferredPreview(i, out.preview) : ephemeral(out);
        }
        default:
          return ephemeral(textView('Greenlight knows `/rule`, `/halt`, `/resume`, `/greenlight` and `/spec`.'));
      }
    } catch (err) {
      return refusal(err);
    }
  }

  async function modal(i: DiscordInteraction): Promise<Answer> {
    const control = i.customId ? engine.chat.control('discord', i.customId) : null;
    if (!control || control.actionId !== haltDialogId) return refusal(new CommandRefusal('This dialog is from an old or altered message.'));
    const reason = (i.fields?.reason ?? '').trim();
    try {
      return ephemeral(await haltCommand(ctxOf(i), `project ${reason}`, control.value));
    } catch (err) {
      return refusal(err);
    }
  }

  return {
    /** The answer to an interaction; never throws (an odd payload gets a refusal or a log line). */
    async handle(i: DiscordInteraction): Promise<Answer> {
      try {
        switch (i.type) {
          case InteractionType.Ping:
            return { response: { type: CallbackType.Pong } };
          case InteractionType.MessageComponent:
            return await component(i);
          case InteractionType.ApplicationCommand:
            return await command(i);
          case InteractionType.ModalSubmit:
            return await modal(i);
          default:
            return refusal(new CommandRefusal('Greenlight does not handle this kind of interaction.'));
        }
      } catch (err) {
        return refusal(err);
      }
    },
    ids,
  };
}
export type InteractionHandler = ReturnType<typeof createInteractionHandler>;

/** Channel types of threads (announcement, public, private). */
const THREAD_TYPES = new Set([10, 11, 12]);

/** Normalise a raw interaction payload (HTTP endpoint) — or null when it is not one we can read. */
export function fromRaw(raw: unknown): DiscordInteraction | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, any>;
  if (typeof r.id !== 'string' || typeof r.token !== 'string' || typeof r.type !== 'number') return null;
  const user = r.member?.user ?? r.user;
  const data = (r.data ?? {}) as Record<string, any>;
  const fields: Record<string, string> = {};
  for (const row of Array.isArray(data.components) ? data.components : [])
    for (const c of Array.isArray(row?.components) ? row.components : [row?.component ?? row])
      if (typeof c?.custom_id === 'string' && typeof c.value === 'string') fields[c.custom_id] = c.value;
  return {
    id: r.id,
    token: r.token,
    type: r.type,
    userId: typeof user?.id === 'string' ? user.id : '',
    // In a thread (the asset threads the bot opens) the project is the parent channel's.
    channelId: String(
      THREAD_TYPES.has(r.channel?.type) && r.channel?.parent_id ? r.channel.parent_id : (r.channel_id ?? r.channel?.id ?? ''),
    ),
    guildId: typeof r.guild_id === 'string' ? r.guild_id : null,
    roles: Array.isArray(r.member?.roles) ? r.member.roles.filter((x: unknown): x is string => typeof x === 'string') : [],
    ...(typeof data.custom_id === 'string' ? { customId: data.custom_id } : {}),
    ...(Array.isArray(data.values) ? { values: data.values.map(String) } : {}),
    ...(r.type === InteractionType.ApplicationCommand && typeof data.name === 'string'
      ? { command: { name: data.name, text: commandText(data.options) } }
      : {}),
    ...(r.type === InteractionType.ModalSubmit ? { fields } : {}),
    ...(typeof r.message?.id === 'string' ? { messageId: r.message.id } : {}),
  };
}
