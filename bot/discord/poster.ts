// Sends messages through discord.js's REST client (@discordjs/rest: per-route
// rate-limit buckets, Retry-After on 429, no retry of a 401/403). Edits of one
// message are coalesced: at most one every 2 s, the newest body wins; an edit
// lists the attachments the message keeps. Every body is checked against
// Discord's limits first and a problem is logged (the message still goes).
import fs from 'node:fs/promises';
import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { checkDiscordMessage } from './limits.js';
import type { DiscordMessage } from './render.js';

export interface PosterDeps {
  rest: REST;
  logger: Logger;
  /** Absolute path of a project file. */
  fileOf: (f: DiscordMessage['files'][number]['file']) => string;
  /** Minimum spacing of two edits of one message (default 2000 ms). */
  editSpacingMs?: number;
}

interface Sent {
  id: string;
  channelId: string;
  /** Attachments on the message, by file name, to list when editing. */
  attachments: { id: string; filename: string }[];
}

export function createDiscordPoster(deps: PosterDeps) {
  const { rest, logger } = deps;
  const spacing = deps.editSpacingMs ?? 2000;
  const attachmentsOf = new Map<string, Sent['attachments']>();
  const edits = new Map<
    string,
    { last: number; timer: NodeJS.Timeout | null; body: (() => DiscordMessage) | null; done: Promise<void> | null }
  >();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p
      .finally(() => pending.delete(p))
      .catch(() => {
        // The caller holds `p` and handles its failure; this copy only keeps the pending set.
      });
    return p;
  };

  const check = (what: string, body: object, files: { name: string; bytes: number }[], keep: string[] = []) => {
    const problems = checkDiscordMessage(body, files, keep);
    if (problems.length > 0) logger.warn({ problems, what }, 'discord: a message breaks Discord’s limits; sending it anyway');
  };

  async function filesOf(msg: DiscordMessage) {
    return Promise.all(msg.files.map(async (f) => ({ name: f.name, data: await fs.readFile(deps.fileOf(f.file)) })));
  }

  async function post(channelId: string, msg: DiscordMessage): Promise<Sent> {
    const files = await filesOf(msg);
    const body = { flags: msg.flags, components: msg.components, attachments: files.map((f, i) => ({ id: i, filename: f.name })) };
    check(
      'post',
      { flags: msg.flags, components: msg.components },
      files.map((f) => ({ name: f.name, bytes: f.data.length })),
    );
    const res = (await track(rest.post(Routes.channelMessages(channelId), { body, files }))) as {
      id: string;
      attachments?: { id: string; filename: string }[];
    };
    const sent = { id: res.id, channelId, attachments: (res.attachments ?? []).map((a) => ({ id: a.id, filename: a.filename })) };
    attachmentsOf.set(res.id, sent.attachments);
    return sent;
  }

  async function sendEdit(channelId: string, messageId: string, msg: DiscordMessage): Promise<void> {
    const kept = attachmentsOf.get(messageId) ?? [];
    const keptNames = new Set(kept.map((a) => a.filename));
    // Files the message does not have yet go up with the edit; the ones it has are listed to keep.
    const missing = { ...msg, files: msg.files.filter((f) => !keptNames.has(f.name)) };
    const files = await filesOf(missing);
    const body = {
      flags: msg.flags,
      components: msg.components,
      attachments: [
        ...kept.filter((a) => msg.files.some((f) => f.name === a.filename)),
        ...files.map((f, i) => ({ id: i, filename: f.name })),
      ],
    };
    check(
      'edit',
      { flags: msg.flags, components: msg.components },
      files.map((f) => ({ name: f.name, bytes: f.data.length })),
      [...keptNames],
    );
    const res = (await rest.patch(Routes.channelMessage(channelId, messageId), { body, files })) as {
      attachments?: { id: string; filename: string }[];
    };
    if (res?.attachments)
      attachmentsOf.set(
        messageId,
        res.attachments.map((a) => ({ id: a.id, filename: a.filename })),
      );
  }

  /** Edit a message, coalesced: the body is computed when the edit is sent, so it is always the newest. */
  function edit(channelId: string, messageId: string, body: () => DiscordMessage): Promise<void> {
    const key = `${channelId}/${messageId}`;
    const e = edits.get(key) ?? { last: 0, timer: null, body: null, done: null };
    edits.set(key, e);
    e.body = body;
    if (e.timer) return e.done!;
    const wait = Math.max(0, e.last + spacing - Date.now());
    e.done = track(
      new Promise<void>((resolve) => {
        e.timer = setTimeout(() => {
          const make = e.body!;
          e.timer = null;
          e.body = null;
          e.last = Date.now();
          sendEdit(channelId, messageId, make())
            .catch((err: unknown) => logger.warn({ err, channelId, messageId }, 'discord: could not edit a message'))
            .finally(resolve);
        }, wait);
      }),
    );
    return e.done;
  }

  return {
    post,
    edit,
    /** A follow-up message to an interaction (its token is valid 15 minutes). */
    async followUp(appId: string, token: string, body: Record<string, unknown>): Promise<void> {
      check('follow-up', body, []);
      await track(rest.post(Routes.webhook(appId, token), { body, auth: false }));
    },
    /** Replace an interaction's original response (a deferred "thinking…" becomes the answer). */
    async editOriginal(appId: string, token: string, body: Record<string, unknown>): Promise<void> {
      check('original response', body, []);
      await track(rest.patch(Routes.webhookMessage(appId, token, '@original'), { body, auth: false }));
    },
    /** Remove an interaction's original response. */
    async deleteOriginal(appId: string, token: string): Promise<void> {
      await track(rest.delete(Routes.webhookMessage(appId, token, '@original'), { auth: false }));
    },
    /** The interaction response, over REST (gateway interactions; HTTP ones are answered in the response). */
    async respond(id: string, token: string, body: Record<string, unknown>): Promise<void> {
      const data = body.data as object | undefined;
      if (data && 'components' in data) check('interaction response', data, []);
      await rest.post(Routes.interactionCallback(id, token), { body, auth: false });
    },
    /** Wait until every post and pending edit is out (tests, shutdown). */
    async flush(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop(): void {
      for (const e of edits.values()) if (e.timer) clearTimeout(e.timer);
    },
  };
}
export type DiscordPoster = ReturnType<typeof createDiscordPoster>;
