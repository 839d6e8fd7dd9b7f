// Everything the bot sends goes through here: posts keep to about one per
// second per channel (Slack's chat.postMessage limit), edits of one message
// are coalesced to at most one per 2 s (newest state wins), and a 429's
// Retry-After is honoured by the WebClient itself. Every message is checked
// against Block Kit's limits before it leaves.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { types, webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;
type KnownBlock = types.KnownBlock;
type FilesUploadV2Arguments = webApi.FilesUploadV2Arguments;
import type { Logger } from 'pino';
import { checkMessage } from './limits.js';
import type { SlackMessage } from './render.js';

export interface PosterOptions {
  client: WebClient;
  logger: Logger;
  /** Minimum gap between posts in one channel. Default 1000 ms. */
  postSpacingMs?: number;
  /** Minimum gap between edits of one message. Default 2000 ms. */
  editSpacingMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Slack's guidance: about one message a second per channel. */
export const SLACK_POST_SPACING_MS = 1000;

export function createPoster(o: PosterOptions) {
  const postGap = o.postSpacingMs ?? SLACK_POST_SPACING_MS;
  const editGap = o.editSpacingMs ?? 2000;
  const lanes = new Map<string, { tail: Promise<unknown>; last: number }>();
  const edits = new Map<string, { timer: NodeJS.Timeout | null; last: number; render: () => SlackMessage | Promise<SlackMessage> }>();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p
      .finally(() => inFlight.delete(p))
      .catch(() => {
        // The caller holds `p` and handles its failure; this copy only keeps the in-flight set.
      });
    return p;
  };
  const checked = (where: string, msg: SlackMessage) => {
    const problems = checkMessage(msg);
    if (problems.length > 0) o.logger.error({ where, problems }, 'message breaks Block Kit limits; Slack may refuse it');
    return msg;
  };

  /** Run `fn` in the channel's lane, at least postGap after the lane's previous post. */
  function inLane<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const lane = lanes.get(channel) ?? { tail: Promise.resolve(), last: 0 };
    lanes.set(channel, lane);
    const run = lane.tail.then(async () => {
      const wait = lane.last + postGap - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        return await fn();
      } finally {
        lane.last = Date.now();
      }
    });
    // The lane only orders posts: `run` (returned) carries this post's failure to its caller.
    lane.tail = run.catch(() => undefined);
    return track(run);
  }

  return {
    async post(channel: string, msg: SlackMessage, threadTs?: string): Promise<string> {
      const m = checked('chat.postMessage', msg);
      const res = await inLane(channel, () =>
        o.client.chat.postMessage({
          channel,
          text: m.text,
          blocks: m.blocks as unknown as KnownBlock[],
          unfurl_links: false,
          unfurl_media: false,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        }),
      );
      if (!res.ts) throw new Error(`chat.postMessage to ${channel} returned no ts`);
      return res.ts;
    },
    /** Edit a posted message; repeated calls within editGap collapse into one edit of the newest state. */
    edit(channel: string, ts: string, render: () => SlackMessage | Promise<SlackMessage>): void {
      const key = `${channel}/${ts}`;
      const e = edits.get(key) ?? { timer: null, last: 0, render };
      edits.set(key, e);
      e.render = render;
      if (e.timer) return;
      const fire = () => {
        e.timer = null;
        e.last = Date.now();
        void track(
          (async () => {
            const m = checked('chat.update', await e.render());
            await o.client.chat.update({ channel, ts, text: m.text, blocks: m.blocks as unknown as KnownBlock[] });
          })(),
        ).catch((err: unknown) => o.logger.warn({ err, channel, ts }, 'chat.update failed'));
      };
      e.timer = setTimeout(fire, Math.max(0, e.last + editGap - Date.now()));
    },
    async ephemeral(channel: string, user: string, msg: SlackMessage): Promise<void> {
      const m = checked('chat.postEphemeral', msg);
      await track(o.client.chat.postEphemeral({ channel, user, text: m.text, blocks: m.blocks as unknown as KnownBlock[] }));
    },
    /**
     * Upload a file. With a channel it is shared there (in the thread); without one it stays
     * private to the app and messages show it through its file id.
     */
    async upload(file: string, options: { channel?: string; threadTs?: string; title: string; comment?: string }): Promise<string> {
      const data = await fs.readFile(file);
      const args = {
        file: data,
        filename: path.basename(file),
        title: options.title,
        ...(options.comment ? { initial_comment: options.comment } : {}),
      };
      const call = () =>
        options.channel
          ? o.client.files.uploadV2({
              ...args,
              channel_id: options.channel,
              ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
            } as FilesUploadV2Arguments)
          : o.client.files.uploadV2(args);
      const res = (await (options.channel ? inLane(options.channel, call) : track(call()))) as { files?: { files?: { id?: string }[] }[] };
      const id = res.files?.[0]?.files?.[0]?.id;
      if (!id) throw new Error(`files.uploadV2 of ${path.basename(file)} returned no file id`);
      return id;
    },
    /** Wait until every queued post and pending edit has gone out (tests, shutdown). */
    async flush(): Promise<void> {
      for (;;) {
        const timers = [...edits.values()].filter((e) => e.timer);
        if (inFlight.size === 0 && timers.length === 0) return;
        await Promise.allSettled([...inFlight]);
        if (inFlight.size === 0 && timers.length > 0)
          await sleep(Math.min(...timers.map((e) => Math.max(5, e.last + editGap - Date.now()))));
      }
    },
    stop(): void {
      for (const e of edits.values()) if (e.timer) clearTimeout(e.timer);
      edits.clear();
    },
  };
}
export type Poster = ReturnType<typeof createPoster>;
