// Slack as a chat surface for the shared notifier (bot/notify): views rendered
// as Block Kit, images uploaded to Slack first (a local file has no public URL)
// and shown by file id, replies threaded on the message they answer.
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import { createChatNotifier, type ChatSurface } from '../notify/notifier.js';
import type { FileRef, View } from '../views/view.js';
import type { Poster } from './poster.js';
import { renderMessage } from './render.js';

export function slackSurface(deps: { engine: Engine; poster: Poster; logger: Logger }): ChatSurface {
  const { engine, poster, logger } = deps;
  const fileIds = new Map<string, string>();
  const abs = (f: FileRef) => engine.files.path(f.projectId, f.path);

  async function uploaded(f: FileRef, title: string): Promise<string | null> {
    const key = `${f.projectId}/${f.path}`;
    if (fileIds.has(key)) return fileIds.get(key)!;
    try {
      const id = await poster.upload(abs(f), { title });
      fileIds.set(key, id);
      if (fileIds.size > 5000) fileIds.delete(fileIds.keys().next().value!); // oldest first; re-uploaded if shown again
      return id;
    } catch (err) {
      logger.warn({ err, file: key }, 'could not upload an image; the message goes out without it');
      return null;
    }
  }
  /** Upload what the view shows (once per file) and give the renderer their Slack file ids. */
  async function idsFor(view: View): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const b of view.blocks) {
      if (b.kind !== 'image') continue;
      const id = await uploaded(b.file, b.alt);
      if (id) ids.set(b.file.path, id);
    }
    return ids;
  }

  return {
    platform: 'slack',
    async post(channel, view, thread) {
      const ts = await poster.post(channel, renderMessage(view, await idsFor(view)), thread ?? undefined);
      return { channelId: channel, messageId: ts };
    },
    async postFile(channel, file, o) {
      await poster.upload(abs(file), { channel, ...(o.thread ? { threadTs: o.thread } : {}), title: o.title, comment: o.comment });
    },
    edit(m, view) {
      poster.edit(m.channelId, m.messageId, async () => {
        const v = view();
        return renderMessage(v, await idsFor(v));
      });
    },
    // Slack threads replies on the message itself: its ts is the thread.
    openThread: async (m) => m.messageId,
    flush: () => poster.flush(),
  };
}

export function createSlackNotifier(deps: {
  engine: Engine;
  poster: Poster;
  logger: Logger;
  publicUrl: string | null;
  postSpacingMs: number;
}) {
  return createChatNotifier({
    engine: deps.engine,
    surface: slackSurface(deps),
    logger: deps.logger,
    publicUrl: deps.publicUrl,
    postSpacingMs: deps.postSpacingMs,
  });
}
export type SlackNotifier = ReturnType<typeof createSlackNotifier>;
