// The Slack bot's configuration, parsed once from the environment at start-up.
// Without SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET the bot is off.
import { z } from 'zod';
import { GreenlightError, jsonText } from '../../engine/index.js';
import { defaultReactionMap, type Decision } from '../commands/control.js';

const reactionMap = jsonText('must be JSON like {"white_check_mark":"approve","x":"reject"}').pipe(
  z.record(z.string().regex(/^[a-z0-9_+-]+$/, 'emoji names without colons'), z.enum(['approve', 'reject', 'regenerate', 'select'])),
);

export const slackEnvSchema = z.object({
  /** Bot token (xoxb-…). With SLACK_SIGNING_SECRET it turns the bot on. */
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xox[bp]-/, 'must be a bot token starting with xoxb-')
    .optional(),
  /** Signing secret from the app's Basic Information page; verifies every request. */
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be the app signing secret').optional(),
  /** App-level token (xapp-…): set it to use Socket Mode instead of the public /slack/events URL. */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
    .optional(),
  /** Web API base URL. Default https://slack.com/api/ (tests point it at a loopback server). */
  SLACK_API_URL: z.string().url().default('https://slack.com/api/'),
  /** Emoji → decision, JSON. Default {"white_check_mark":"approve","x":"reject","repeat":"regenerate","star":"select"}. */
  SLACK_REACTIONS: reactionMap.optional(),
  /** Public base URL of this Greenlight, for "Open in review" links. Unset: no link. */
  GREENLIGHT_PUBLIC_URL: z.string().url().optional(),
});

export interface SlackConfig {
  botToken: string;
  /** null only in Socket Mode. */
  signingSecret: string | null;
  appToken: string | null;
  apiUrl: string;
  reactions: Record<string, Exclude<Decision, 'tag'>>;
  publicUrl: string | null;
}

/** The bot's config, or `{ off }` saying why it is off. A bad value throws naming the variable. */
export function loadSlackConfig(env: Record<string, string | undefined>): SlackConfig | { off: string } {
  const r = slackEnvSchema.safeParse(env);
  if (!r.success)
    throw new GreenlightError(
      'config_invalid',
      `Invalid Slack configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\nFix the variable(s) above and start again.`,
    );
  const e = r.data;
  // Socket Mode needs no signing secret: requests come over the app's own authenticated socket.
  if (!e.SLACK_BOT_TOKEN || (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN))
    return {
      off: `Slack bot off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to connect it (missing ${[!e.SLACK_BOT_TOKEN && 'SLACK_BOT_TOKEN', !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN && 'SLACK_SIGNING_SECRET'].filter(Boolean).join(', ')}).`,
    };
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET ?? null,
    appToken: e.SLACK_APP_TOKEN ?? null,
    apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    reactions: e.SLACK_REACTIONS ?? { ...defaultReactionMap },
    publicUrl: e.GREENLIGHT_PUBLIC_URL?.replace(/\/$/, '') ?? null,
  };
}
