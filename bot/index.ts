// The chat bots, started beside the engine: each connects only when its
// credentials are set, and says why when it does not.
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Engine } from '../engine/index.js';
import { createSlackBot, type SlackBot, type SlackBotOptions } from './slack/app.js';
import { loadSlackConfig, type SlackConfig } from './slack/config.js';
import { mountSlack } from './slack/mount.js';
import { HTTPReceiver } from '@slack/bolt';
import { createDiscordBot, type DiscordBot, type DiscordBotOptions } from './discord/bot.js';
import { loadDiscordConfig, type DiscordConfig } from './discord/config.js';
import { DISCORD_PATH, mountDiscord } from './discord/http.js';

export interface Bots {
  slack: SlackBot | null;
  discord: DiscordBot | null;
  /** One line per bot for the start-up banner. */
  status: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The bots' configuration from the environment; a bad value throws naming the variable (check before start-up). */
export function loadBotsConfig(env: Record<string, string | undefined>): {
  slack: SlackConfig | { off: string };
  discord: DiscordConfig | { off: string };
} {
  return { slack: loadSlackConfig(env), discord: loadDiscordConfig(env) };
}

/** Create the bots and mount their webhooks on the engine's server. */
export function createBots(
  configs: { slack: ReturnType<typeof loadBotsConfig>['slack']; discord?: ReturnType<typeof loadBotsConfig>['discord'] },
  engine: Engine,
  app: Hono<any>,
  logger: Logger,
  options: Partial<Omit<SlackBotOptions, 'engine' | 'config' | 'logger'>> & {
    discord?: Partial<Omit<DiscordBotOptions, 'engine' | 'config' | 'logger'>>;
  } = {},
): Bots {
  const config = configs.slack;
  const status: string[] = [];
  let slack: SlackBot | null = null;
  if ('off' in config) status.push(config.off);
  else {
    const { discord: _discordOptions, ...slackOptions } = options;
    slack = createSlackBot({ engine, config, logger: logger.child({ bot: 'slack' }), ...slackOptions });
    if (slack.receiver instanceof HTTPReceiver) {
      mountSlack(app, slack.receiver, { now: () => engine.now(), logger });
      status.push('Slack bot on: events, interactivity and slash commands at /slack/events');
    } else status.push('Slack bot on: Socket Mode');
  }
  let discord: DiscordBot | null = null;
  const dconfig = configs.discord ?? { off: 'Discord bot off: not configured.' };
  if ('off' in dconfig) status.push(dconfig.off);
  else {
    discord = createDiscordBot({ engine, config: dconfig, logger: logger.child({ bot: 'discord' }), ...options.discord });
    if (dconfig.publicKey) {
      const bot = discord;
      mountDiscord(app, { publicKey: dconfig.publicKey, handler: bot.handler, logger, afterAnswer: bot.afterAnswer });
      status.push(`Discord bot on: gateway (reactions), interactions at ${DISCORD_PATH}`);
    } else status.push('Discord bot on: gateway (interactions and reactions)');
  }
  let detach: (() => void) | null = null;
  let detachDiscord: (() => void) | null = null;
  return {
    slack,
    discord,
    status,
    async start() {
      if (slack) detach = await slack.start();
      if (discord) detachDiscord = await discord.start();
    },
    async stop() {
      detach?.();
      detachDiscord?.();
      await slack?.stop();
      await discord?.stop();
    },
  };
}
