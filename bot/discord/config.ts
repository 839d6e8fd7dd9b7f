// The Discord bot's configuration, parsed once from the environment at start-up.
// Without DISCORD_TOKEN and DISCORD_APP_ID the bot is off.
import { z } from 'zod';
import { GreenlightError, jsonText } from '../../engine/index.js';
import type { Decision } from '../commands/control.js';

/** Unicode emoji → decision, as Discord reports a reaction's emoji name. */
export const defaultDiscordReactions: Readonly<Record<string, Exclude<Decision, 'tag'>>> = {
  '✅': 'approve',
  '❌': 'reject',
  '🔁': 'regenerate',
  '⭐': 'select',
};

const reactionMap = jsonText('must be JSON like {"✅":"approve","❌":"reject"}').pipe(
  z.record(z.string().min(1).max(64), z.enum(['approve', 'reject', 'regenerate', 'select'])),
);
const snowflake = z.string().regex(/^\d{15,21}$/, 'must be a Discord id (a snowflake: 15-21 digits)');

export const discordEnvSchema = z.object({
  /** Bot token (Developer Portal → Bot → Reset Token). With DISCORD_APP_ID it turns the bot on. */
  DISCORD_TOKEN: z.string().min(20, 'must be the bot token from the Developer Portal').optional(),
  /** Application id (Developer Portal → General Information). */
  DISCORD_APP_ID: snowflake.optional(),
  /** Register the slash commands on this server only (instant, for development); unset: globally. */
  DISCORD_GUILD_ID: snowflake.optional(),
  /** REST base URL, and where the gateway URL is asked. Default https://discord.com/api (tests point it at loopback). */
  DISCORD_API_URL: z.string().url().default('https://discord.com/api'),
  /** Emoji → decision, JSON. Default {"✅":"approve","❌":"reject","🔁":"regenerate","⭐":"select"}. */
  DISCORD_REACTIONS: reactionMap.optional(),
  /** The application's public key (hex): turns on the HTTP interactions endpoint POST /discord/interactions. */
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be the 64 hex characters of the application public key')
    .optional(),
  /** Public base URL of this Greenlight, for "Open in review" links. Unset: no link. */
  GREENLIGHT_PUBLIC_URL: z.string().url().optional(),
});

export interface DiscordConfig {
  token: string;
  appId: string;
  guildId: string | null;
  apiUrl: string;
  reactions: Record<string, Exclude<Decision, 'tag'>>;
  publicKey: string | null;
  publicUrl: string | null;
}

/** The bot's config, or `{ off }` saying why it is off. A bad value throws naming the variable. */
export function loadDiscordConfig(env: Record<string, string | undefined>): DiscordConfig | { off: string } {
  const r = discordEnvSchema.safeParse(env);
  if (!r.success)
    throw new GreenlightError(
      'config_invalid',
      `Invalid Discord configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}\nFix the variable(s) above and start again.`,
    );
  const e = r.data;
  if (!e.DISCORD_TOKEN || !e.DISCORD_APP_ID)
    return {
      off: `Discord bot off: set DISCORD_TOKEN and DISCORD_APP_ID to connect it (missing ${[!e.DISCORD_TOKEN && 'DISCORD_TOKEN', !e.DISCORD_APP_ID && 'DISCORD_APP_ID'].filter(Boolean).join(', ')}).`,
    };
  return {
    token: e.DISCORD_TOKEN,
    appId: e.DISCORD_APP_ID,
    guildId: e.DISCORD_GUILD_ID ?? null,
    apiUrl: e.DISCORD_API_URL.replace(/\/$/, ''),
    reactions: e.DISCORD_REACTIONS ?? { ...defaultDiscordReactions },
    publicKey: e.DISCORD_PUBLIC_KEY?.toLowerCase() ?? null,
    publicUrl: e.GREENLIGHT_PUBLIC_URL?.replace(/\/$/, '') ?? null,
  };
}
