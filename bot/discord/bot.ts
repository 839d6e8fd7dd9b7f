// The Discord bot: a real discord.js Client on the gateway (intents Guilds,
// GuildMessages, GuildMessageReactions; partials Message, Channel, Reaction so
// reactions on uncached messages still arrive), its REST client for every
// message, and the interaction handler shared with the HTTP endpoint.
// Interactions are read from the raw gateway dispatch with the same reader the
// HTTP endpoint uses, and kept from discord.js's own interaction parser, which
// throws on payloads Discord itself publishes (no `entitlements`): a throw
// there is uncaught and would take the process down. Any other dispatch
// discord.js cannot parse is logged and dropped.
import { createHash } from 'node:crypto';
import {
  Client,
  Events,
  GatewayIntentBits,
  Partials,
  REST,
  Routes,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { replyForError } from '../commands/context.js';
import { review } from '../commands/control.js';
import { createChatNotifier } from '../notify/notifier.js';
import type { FileRef } from '../views/view.js';
import type { DiscordConfig } from './config.js';
import { commandSet } from './commands.js';
import { createInteractionHandler, fromRaw, type Answer, type DiscordInteraction } from './interactions.js';
import { createDiscordPoster } from './poster.js';
import { discordSurface } from './surface.js';

export interface DiscordBotOptions {
  engine: Engine;
  config: DiscordConfig;
  logger: Logger;
  /** Minimum spacing of two edits of one message (default 2000 ms). */
  editSpacingMs?: number;
  /** REST retries on 5xx / network errors (default 3). */
  restRetries?: number;
}

/** A command set's identity: the fields Discord keeps of what we send, in a stable order (its own additions ignored). */
export function commandHash(commands: readonly unknown[]): string {
  const fields = ['choices', 'description', 'max_length', 'name', 'options', 'required', 'type', 'value'];
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of fields) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || x === false || (Array.isArray(x) && x.length === 0)) continue;
      out[k] = norm(x);
    }
    return out;
  };
  const top = commands.map((c) => norm({ type: 1, ...(c as object) }) as { name: string });
  top.sort((a, b) => a.name.localeCompare(b.name));
  return createHash('sha256').update(JSON.stringify(top)).digest('hex');
}

export function createDiscordBot(o: DiscordBotOptions) {
  const { engine, config, logger } = o;
  const rest = new REST({ api: config.apiUrl, version: '10', retries: o.restRetries ?? 3 }).setToken(config.token);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction],
    rest: { api: config.apiUrl, version: '10', retries: o.restRetries ?? 3 },
  });
  const poster = createDiscordPoster({
    rest,
    logger,
    fileOf: (f: FileRef) => engine.files.path(f.projectId, f.path),
    ...(o.editSpacingMs !== undefined ? { editSpacingMs: o.editSpacingMs } : {}),
  });
  const chat = engine.chat;
  const ids = (actionId: string, value: string) => chat.controlId('discord', actionId, value);
  const logErr = (err: unknown) => logger.error({ err }, 'discord handler failed');
  const pending = new Set<Promise<unknown>>();
  const later = (what: string, fn: () => Promise<unknown>) => {
    const p = fn().catch((err: unknown) => logger.warn({ err, what }, 'discord: background work failed'));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const notifications = createChatNotifier({
    engine,
    surface: discordSurface({ poster, rest, ids }),
    logger,
    publicUrl: config.publicUrl,
  });
  const handler = createInteractionHandler({
    engine,
    logger,
    postPanel: notifications.postPanel,
    publicUrl: config.publicUrl,
    webhook: {
      editOriginal: (token, body) => poster.editOriginal(config.appId, token, body),
      deleteOriginal: (token) => poster.deleteOriginal(config.appId, token),
      followUp: (token, body) => poster.followUp(config.appId, token, body),
    },
  });

  /** After the response: follow-ups for answers that needed more than one message, then the answer's own work. */
  function afterAnswer(i: DiscordInteraction, answer: Answer): void {
    if (answer.more)
      later('follow-ups', async () => {
        for (const body of answer.more!) await poster.followUp(config.appId, i.token, body);
      });
    if (answer.after) later('after an interaction', answer.after);
  }

  // Gateway interactions: answered over REST (the interaction callback), then the same after-work as HTTP ones.
  client.on(Events.Raw, (packet: { t?: string | null; d?: unknown }) => {
    if (packet.t !== 'INTERACTION_CREATE') return;
    packet.t = 'GREENLIGHT_INTERACTION_CREATE'; // not for discord.js's parser (see the header)
    const i = fromRaw(packet.d);
    if (!i) return void logger.warn({ payload: packet.d }, 'discord: an interaction without id, token or type; dropped');
    later('interaction', async () => {
      const answer = await handler.handle(i);
      await poster.respond(i.id, i.token, answer.response);
      afterAnswer(i, answer);
    });
  });

  async function onReaction(r: MessageReaction | PartialMessageReaction, u: User | PartialUser): Promise<void> {
    if (u.bot) return;
    const decision = r.emoji.name ? config.reactions[r.emoji.name] : undefined;
    if (!decision) return;
    const msg = chat.findMessage('discord', r.message.channelId, r.message.id);
    if (!msg || msg.kind !== 'variant') return;
    // Cards sit in the asset's thread; the project is bound to the thread's parent channel.
    const channel = r.message.channel;
    const channelId = channel.isThread() && channel.parentId ? channel.parentId : r.message.channelId;
    const member = r.message.guild?.members.cache.get(u.id);
    const roles = member ? [...member.roles.cache.keys()] : [];
    const ctx = {
      engine,
      platform: 'discord' as const,
      channelId,
      userId: u.id,
      groups: async (c: string[]) => roles.filter((x) => c.includes(x)),
    };
    try {
      await review(ctx, msg.projectId, msg.refId, decision, `discord.reaction.${u.id}.${r.message.id}.${r.emoji.name}`);
    } catch (err) {
      const { view } = replyForError(err, logErr);
      logger.info({ user: u.id, reason: view.fallback }, 'discord: a reaction was not taken as a decision');
    }
  }
  client.on(Events.MessageReactionAdd, (r, u) => later('reaction', () => onReaction(r, u)));
  client.on(Events.MessageReactionRemove, (r, u) => {
    if (r.emoji.name && config.reactions[r.emoji.name])
      logger.info(
        { user: u.id, emoji: r.emoji.name, message: r.message.id },
        'reaction removed: ignored (removing a reaction does not undo a decision; decide again instead)',
      );
  });
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'discord gateway resumed'));

  /** Register the slash commands by one bulk overwrite, only when Discord's set differs from ours. */
  async function registerCommands(): Promise<'registered' | 'unchanged'> {
    const route = config.guildId ? Routes.applicationGuildCommands(config.appId, config.guildId) : Routes.applicationCommands(config.appId);
    const current = (await rest.get(route)) as unknown[];
    if (commandHash(current) === commandHash(commandSet)) return 'unchanged';
    await rest.put(route, { body: commandSet });
    return 'registered';
  }

  return {
    client,
    rest,
    poster,
    handler,
    notifications,
    afterAnswer,
    registerCommands,
    /** Register commands, hear the engine, then log in to the gateway. Returns detach. */
    async start(): Promise<() => void> {
      const detach = notifications.attach();
      const registered = await registerCommands().catch((err: unknown) => {
        logger.error({ err }, 'discord: could not register the slash commands; they keep their last registered form');
        return 'failed';
      });
      logger.info({ commands: registered }, 'discord: slash commands');
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(config.token);
      if (!client.isReady()) await ready;
      return detach;
    },
    /** Resolves when every interaction, reaction and message in flight is done. */
    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await notifications.idle();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await notifications.idle().catch((err: unknown) => logger.warn({ err }, 'discord: queued notifications failed while stopping'));
      poster.stop();
      await client.destroy();
    },
  };
}
export type DiscordBot = ReturnType<typeof createDiscordBot>;
