// The chat bots, started beside the engine: each connects only when its
// credentials are set, and says why when it does not.
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Engine } from '../engine/index.js';
import { createSlackBot, type SlackBot, type SlackBotOptions } from './slack/app.js';
import { loadSlackConfig, type SlackConfig } from './slack/config.js';
import { mountSlack } from './slack/mount.js';
import { HTTPReceiver } from '@slack/bolt';

export interface Bots {
  slack: SlackBot | null;
  /** One line per bot for the start-up banner. */
  status: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The bots' configuration from the environment; a bad value throws naming the variable (check before start-up). */
export function loadBotsConfig(env: Record<string, string | undefined>): { slack: SlackConfig | { off: string } } {
  return { slack: loadSlackConfig(env) };
}

/** Create the bots and mount their webhooks on the engine's server. */
export function createBots(
  configs: ReturnType<typeof loadBotsConfig>,
  engine: Engine,
  app: Hono<any>,
  logger: Logger,
  options: Partial<Omit<SlackBotOptions, 'engine' | 'config' | 'logger'>> = {},
): Bots {
  const config = configs.slack;
  const status: string[] = [];
  let slack: SlackBot | null = null;
  if ('off' in config) status.push(config.off);
  else {
    slack = createSlackBot({ engine, config, logger: logger.child({ bot: 'slack' }), ...options });
    if (slack.receiver instanceof HTTPReceiver) {
      mountSlack(app, slack.receiver, { now: () => engine.now(), logger });
      status.push('Slack bot on: events, interactivity and slash commands at /slack/events');
    } else status.push('Slack bot on: Socket Mode');
  }
  let detach: (() => void) | null = null;
  return {
    slack,
    status,
    async start() {
      if (slack) detach = await slack.start();
    },
    async stop() {
      detach?.();
      await slack?.stop();
    },
  };
}
