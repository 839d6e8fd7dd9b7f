// The Slack bot: a real Bolt App whose listeners verify (Bolt + our timestamp
// guard), record through the engine, ack, and only then render and call the
// Web API. Nothing before an ack touches the network: presses resolve user-group
// roles from a cache and, when it cannot vouch for a group, are decided again
// after the ack (decide.ts). HTTP mode mounts Bolt's HTTPReceiver in the engine's Hono
// server; with SLACK_APP_TOKEN it uses Socket Mode instead.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { CommandRefusal, isRoleRefusal, principalOf, replyForError, type ChatContext, type Reply } from '../commands/context.js';
import {
  approvalPress,
  bindCommand,
  haltCommand,
  assetApprovePress,
  openReviewPress,
  resumeCommand,
  review,
  reviewPress,
  type Decision,
} from '../commands/control.js';
import { enableFromPreview, ruleCommand, runFromPreview } from '../commands/rules.js';
import { generatePress, specCommand, type SpecAnswer } from '../commands/specs.js';
import { actionIds, approvalActionPattern, haltDialogId, reviewActionPattern } from '../views/ids.js';
import { textView, type View } from '../views/view.js';
import type { SlackConfig } from './config.js';
import { createDecider, type GroupLookupOptions } from './decide.js';
import { createSlackNotifier } from './notifier.js';
import { createPoster, SLACK_POST_SPACING_MS } from './poster.js';
import { haltDialog, renderMessage } from './render.js';

/** The slash commands the bot answers (bot/slack/manifest.json declares the same). */
export const slashCommands = ['/rule', '/halt', '/resume', '/greenlight', '/spec'] as const;

export interface SlackBotOptions {
  engine: Engine;
  config: SlackConfig;
  logger: Logger;
  /** WebClient retry policy; tests use few, fast retries. Default: Slack's (ten retries in about 30 min). */
  retryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
  postSpacingMs?: number;
  editSpacingMs?: number;
  /** User-group membership cache; see groups.ts for the defaults (fresh 5 min, used up to 1 h, lookups bounded at 10 s). */
  groupLookup?: GroupLookupOptions;
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const out =
    (fn: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) =>
      log[fn]({ component: 'bolt' }, msg.map(String).join(' '));
  return {
    debug: out('debug'),
    info: out('info'),
    warn: out('warn'),
    error: out('error'),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackBot(o: SlackBotOptions) {
  const { engine, config, logger } = o;
  const blog = boltLogger(logger);
  if (!config.appToken && !config.signingSecret)
    throw new Error('SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN (Socket Mode) is set');
  const receiver = config.appToken
    ? new SocketModeReceiver({
        appToken: config.appToken,
        logger: blog,
        installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret ?? '',
        endpoints: '/slack/events',
        logger: blog,
        unhandledRequestTimeoutMillis: 2500,
      });
  const app = new App({
    token: config.botToken,
    receiver,
    logger: blog,
    clientOptions: { slackApiUrl: config.apiUrl, ...(o.retryConfig ? { retryConfig: o.retryConfig } : {}) },
  });
  const poster = createPoster({
    client: app.client,
    logger,
    ...(o.postSpacingMs !== undefined ? { postSpacingMs: o.postSpacingMs } : {}),
    ...(o.editSpacingMs !== undefined ? { editSpacingMs: o.editSpacingMs } : {}),
  });
  const notifications = createSlackNotifier({
    engine,
    poster,
    logger,
    publicUrl: config.publicUrl,
    postSpacingMs: o.postSpacingMs ?? SLACK_POST_SPACING_MS,
  });
  const logErr = (err: unknown) => logger.error({ err }, 'slack handler failed');

  const { ackFirst, cachedCtx, liveCtx, settled, afterAcks } = createDecider({
    engine,
    config,
    logger,
    boltLogger: blog,
    groupLookup: o.groupLookup,
    logErr,
  });
  const attempt = async (fn: () => Promise<unknown>): Promise<Reply | null> => {
    try {
      await fn();
      return null;
    } catch (err) {
      return replyForError(err, logErr);
    }
  };
  const tellUser = (channel: string, user: string, view: View) => poster.ephemeral(channel, user, renderMessage(view)).catch(logErr);

  // Button presses: record through the engine, ack, then tell the presser only if it was refused (ackFirst may
  // decide a second time after the ack, when the first answer hung on a user group the cache did not know yet).
  // `any` on purpose: Bolt types body/action as unions over every element type, and these handlers read a few
  // fields that may be missing on odd payloads (hence the ?? fallbacks); every value is checked by unpackValue.
  type Press = { body: any; action: any; ack: () => Promise<void> };
  const pressOf = (body: any) => ({
    channel: String(body.channel?.id ?? body.container?.channel_id ?? ''),
    user: String(body.user?.id ?? ''),
  });
  // The keys come from the press itself, so a retried delivery (X-Slack-Retry-Num) records nothing new.
  app.action(reviewActionPattern, async ({ body, action, ack }: Press) => {
    const { channel, user } = pressOf(body);
    const decision = String(action.action_id).split('.')[2] as Decision;
    const key = `slack.press.${user}.${body.container?.message_ts ?? ''}.${action.action_ts ?? body.trigger_id}`;
    const out = await ackFirst(channel, user, ack, (ctx) => reviewPress(ctx, decision, action.value, key));
    if ('refused' in out) await tellUser(channel, user, out.refused.view);
  });
  app.action(actionIds.tag, async ({ body, action, ack }: Press) => {
    const { channel, user } = pressOf(body);
    const value = `${action.block_id}|${action.selected_option?.value ?? ''}`;
    const out = await ackFirst(channel, user, ack, (ctx) => reviewPress(ctx, 'tag', value, `slack.tag.${user}.${action.action_ts}`));
    if ('refused' in out) await tellUser(channel, user, out.refused.view);
  });
  // Presses answered to the presser alone, keyed by the press itself (a retried delivery records nothing new).
  for (const [id, prefix, run] of [
    [actionIds.assetApprove, 'slack.asset', assetApprovePress],
    [actionIds.specGenerate, 'slack.spec', generatePress],
  ] as const) {
    app.action(id, async ({ body, action, ack, respond }: Press & { respond: (m: never) => Promise<unknown> }) => {
      const { channel, user } = pressOf(body);
      const key = `${prefix}.${user}.${body.container?.message_ts ?? ''}.${action.action_ts ?? body.trigger_id}`;
      const out = await ackFirst(channel, user, ack, (ctx) => run(ctx, action.value, key));
      const view = 'refused' in out ? out.refused.view : out.value;
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderMessage(view) } as never).catch(logErr);
    });
  }
  app.action(approvalActionPattern, async ({ body, action, ack }: Press) => {
    const { channel, user } = pressOf(body);
    const decision = String(action.action_id).endsWith('approve') ? 'approve' : 'deny';
    const out = await ackFirst(channel, user, ack, (ctx) => approvalPress(ctx, decision, action.value));
    if ('refused' in out) await tellUser(channel, user, out.refused.view);
  });
  app.action(actionIds.haltOpen, async ({ body, action, ack, client }: Press & { client: App['client'] }) => {
    const { channel, user } = pressOf(body);
    const projectId = String(action.value ?? '');
    // Only a courtesy check before the dialog opens: the engine checks the role again when it is submitted.
    const out = await ackFirst(channel, user, ack, async (ctx) => {
      const p = await principalOf(ctx, projectId).catch(() => null);
      if (p?.role !== 'admin') throw new CommandRefusal(`Only admins of \`${projectId}\` can halt automation.`);
    });
    if ('refused' in out) return void (await tellUser(channel, user, out.refused.view));
    await client.views.open({ trigger_id: body.trigger_id, view: haltDialog(projectId, haltDialogId) as never }).catch((err: unknown) =>
      // A trigger lives 3 s; a slow group lookup can outlast it. The lookup is cached now, so a second press opens at once.
      (err as { data?: { error?: string } }).data?.error === 'expired_trigger_id'
        ? tellUser(channel, user, textView('⏱️ Slack took too long to confirm your user groups; press the button again.'))
        : logErr(err),
    );
  });
  app.view(haltDialogId, async ({ body, view, ack }) => {
    const user = body.user.id;
    const reason = String(view.state.values.reason?.reason?.value ?? '').trim();
    // The answer rides on the ack, so there is no deciding later: a cold cache asks for a resubmit (its lookup has started).
    const { ctx, unsure } = cachedCtx('', user);
    let error: string | null = null;
    try {
      await haltCommand(ctx, `project ${reason}`, view.private_metadata);
    } catch (err) {
      error =
        unsure.size > 0 && isRoleRefusal(err)
          ? 'Still checking your Slack user groups; submit again in a few seconds.'
          : replyForError(err, logErr).view.fallback;
    }
    await ack(error ? { response_action: 'errors', errors: { reason: error.slice(0, 150) } } : undefined);
  });
  for (const [id, run] of [
    [actionIds.resume, (ctx: ChatContext, value: unknown) => resumeCommand(ctx, '', String(value))],
    [actionIds.ruleEnable, enableFromPreview],
    [actionIds.ruleRun, runFromPreview],
    [actionIds.openReview, (ctx: ChatContext, value: unknown) => openReviewPress(ctx, value, config.publicUrl)],
  ] as const) {
    app.action(id, async ({ body, action, ack, respond }: Press & { respond: (m: never) => Promise<unknown> }) => {
      const { channel, user } = pressOf(body);
      const out = await ackFirst(channel, user, ack, (ctx) => run(ctx, action.value));
      const view = 'refused' in out ? out.refused.view : out.value;
      await respond({ response_type: 'ephemeral', replace_original: false, ...renderMessage(view) } as never).catch(logErr);
    });
  }
  // The link button in an "Open in review" answer: Slack opens the URL and still tells the app.
  app.action(actionIds.openReviewLink, async ({ ack }) => ack());

  // Slash commands: ack at once, then answer the asker through response_url.
  // `/spec add` answers with the preview in the channel (everyone sees the specs and their Generate buttons).
  const commands: Record<
    (typeof slashCommands)[number],
    (ctx: ChatContext, text: string) => Promise<View | { panel: string } | SpecAnswer>
  > = {
    '/rule': ruleCommand,
    '/halt': (ctx, text) => haltCommand(ctx, text),
    '/resume': (ctx, text) => resumeCommand(ctx, text),
    '/greenlight': bindCommand,
    '/spec': specCommand,
  };
  for (const [name, run] of Object.entries(commands)) {
    app.command(name, async ({ command, ack, respond }) => {
      await ack();
      let view: View;
      let visibility: 'ephemeral' | 'in_channel' = 'ephemeral';
      try {
        const out = await run(liveCtx(command.channel_id, command.user_id), command.text ?? '');
        if ('panel' in out) {
          await notifications.postPanel(out.panel, command.channel_id);
          view = textView('Posted the emergency-halt panel; pin it so admins find it.');
        } else if ('preview' in out) {
          view = await out.preview();
          visibility = 'in_channel';
        } else view = out;
      } catch (err) {
        view = replyForError(err, logErr).view;
      }
      await respond({ response_type: visibility, ...renderMessage(view) }).catch(logErr);
    });
  }

  // Reactions on a variant card are decisions too; the event id makes a retried delivery a no-op.
  // Bolt acks events before any listener runs, so waiting on a group lookup here holds nothing up.
  app.event('reaction_added', async ({ event, body }) => {
    const decision = config.reactions[event.reaction];
    if (!decision || event.item.type !== 'message') return;
    const msg = engine.chat.findMessage('slack', event.item.channel, event.item.ts);
    if (!msg || msg.kind !== 'variant') return;
    const refused = await attempt(() =>
      review(
        liveCtx(event.item.channel, event.user),
        msg.projectId,
        msg.refId,
        decision,
        `slack.reaction.${(body as { event_id?: string }).event_id ?? event.event_ts}`,
      ),
    );
    if (refused) await tellUser(event.item.channel, event.user, refused.view);
  });
  app.event('reaction_removed', async ({ event }) => {
    if (config.reactions[event.reaction])
      logger.info(
        { user: event.user, reaction: event.reaction, item: event.item },
        'reaction removed: ignored (removing a reaction does not undo a decision; decide again instead)',
      );
  });
  app.error(async (err) => logger.error({ err }, 'slack app error'));

  return {
    app,
    receiver,
    poster,
    notifications,
    /** Attach to the engine (and connect Socket Mode when configured). */
    async start(): Promise<() => void> {
      const detach = notifications.attach();
      if (receiver instanceof SocketModeReceiver) await app.start();
      return detach;
    },
    /** Resolves when every press decided after its ack, and every group lookup, is done. */
    settled,
    async stop(): Promise<void> {
      await afterAcks();
      await notifications.idle().catch((err: unknown) => logger.warn({ err }, 'slack: queued notifications failed while stopping'));
      poster.stop();
      if (receiver instanceof SocketModeReceiver) await app.stop();
    },
  };
}
export type SlackBot = ReturnType<typeof createSlackBot>;
