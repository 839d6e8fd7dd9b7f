// Who may do what, without the network before an ack. Presses decide from the
// user-group cache alone and ack; only a press refused while the cache was
// unsure of one of the project's groups waits, after the ack, for Slack's
// answer and is decided once more. Slash commands and events, acked before
// their listeners run, may wait for a lookup directly.
import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { isRoleRefusal, replyForError, type ChatContext, type Reply } from '../commands/context.js';
import { textView, type View } from '../views/view.js';
import type { SlackConfig } from './config.js';
import { createGroupCache, type GroupCacheOptions } from './groups.js';

export type GroupLookupOptions = Pick<GroupCacheOptions, 'freshMs' | 'maxAgeMs' | 'timeoutMs'>;
export type Decided<T> = { value: T } | { refused: Reply };

/** Said instead of "no role" when Slack did not answer which groups the user is in. */
const lookupFailed = (groups: string[]): View =>
  textView(
    `⚠️ Slack did not tell us in time whether you are in ${groups.map((g) => `<!subteam^${g}>`).join(', ')}, which has a role here. Try again in a minute.`,
  );

const settle = async <T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; err: unknown }> => {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, err };
  }
};

export function createDecider(o: {
  engine: Engine;
  config: Pick<SlackConfig, 'botToken' | 'apiUrl'>;
  logger: Logger;
  boltLogger: BoltLogger;
  groupLookup?: GroupLookupOptions | undefined;
  logErr: (err: unknown) => void;
}) {
  const { engine, logErr } = o;
  // Group lookups get their own client: one request bounded by the timeout and one quick retry, never the
  // minutes-long default policy; a rate limit fails the lookup instead of waiting it out.
  const timeoutMs = o.groupLookup?.timeoutMs ?? 10_000;
  const client = new webApi.WebClient(o.config.botToken, {
    slackApiUrl: o.config.apiUrl,
    logger: o.boltLogger,
    timeout: timeoutMs,
    retryConfig: { retries: 1, factor: 1, minTimeout: 250, maxTimeout: 250 },
    rejectRateLimitedCalls: true,
  });
  const groups = createGroupCache({
    ...o.groupLookup,
    timeoutMs,
    lookup: async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [],
    now: () => engine.now(),
    logger: o.logger,
  });

  /** Membership from the cache alone; `unsure` collects the groups it could not vouch for. */
  const cachedCtx = (channelId: string, userId: string, refresh = true) => {
    const unsure = new Set<string>();
    const ctx: ChatContext = {
      engine,
      platform: 'slack',
      channelId,
      userId,
      groups: async (c) => {
        const m = groups.known(userId, c, refresh);
        for (const g of m.unsure) unsure.add(g);
        return m.groups;
      },
    };
    return { ctx, unsure };
  };

  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    // The caller awaits `p` and sees its failure; this side chain only forgets it, and must not report it twice.
    void p.finally(() => pending.delete(p)).catch(() => {});
    return p;
  };
  const afterAcks = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    cachedCtx,
    /** For listeners already acked (slash commands, events): waits for any lookup the cache needs, within its bound. */
    liveCtx: (channelId: string, userId: string): ChatContext => ({
      engine,
      platform: 'slack',
      channelId,
      userId,
      groups: async (c) => {
        const m = groups.known(userId, c);
        if (m.unsure.length === 0) return m.groups;
        await groups.refresh(m.unsure);
        return groups.known(userId, c, false).groups;
      },
    }),
    /**
     * Run a press from the cache alone, then ack. Only if it was refused while the cache was unsure of a group: wait
     * (after the ack) for the lookup and run it once more with the same input, so with the same idempotency key, and
     * answer with that second outcome. Nothing here reaches the network before `ack()`.
     */
    async ackFirst<T>(channel: string, user: string, ack: () => Promise<void>, run: (ctx: ChatContext) => Promise<T>): Promise<Decided<T>> {
      const first = cachedCtx(channel, user);
      const out = await settle(() => run(first.ctx));
      if (out.ok || first.unsure.size === 0 || !isRoleRefusal(out.err)) {
        await ack();
        return out.ok ? { value: out.value } : { refused: replyForError(out.err, logErr) };
      }
      // Tracked before the ack, so `settled()` after the response is a true barrier.
      const later = track(
        groups.refresh([...first.unsure]).then(async ({ failed }): Promise<Decided<T>> => {
          const again = await settle(() => run(cachedCtx(channel, user, false).ctx));
          if (again.ok) return { value: again.value };
          if (failed.length > 0 && isRoleRefusal(again.err)) return { refused: { view: lookupFailed(failed), refused: true } };
          return { refused: replyForError(again.err, logErr) };
        }),
      );
      await ack();
      return later;
    },
    /** Resolves when every press decided after its ack, and every group lookup, is done. */
    async settled(): Promise<void> {
      await afterAcks();
      await groups.idle();
    },
    afterAcks,
  };
}
