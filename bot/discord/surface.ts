// Discord as a chat surface for the shared notifier (bot/notify): views
// rendered as Components V2 with their images attached, replies in a thread
// opened from the message they answer.
import { Routes, type REST } from 'discord.js';
import type { ChatSurface } from '../notify/notifier.js';
import type { DiscordPoster } from './poster.js';
import { renderDiscord, type ControlIds } from './render.js';

export function discordSurface(deps: { poster: DiscordPoster; rest: REST; ids: ControlIds }): ChatSurface {
  const { poster, rest, ids } = deps;
  const surface: ChatSurface = {
    platform: 'discord',
    // A thread is a channel of its own: replies go to it. A view too large for one message goes out as several.
    async post(channel, view, thread) {
      const target = thread ?? channel;
      let first: string | null = null;
      for (const msg of renderDiscord(view, ids)) first ??= (await poster.post(target, msg)).id;
      return { channelId: target, messageId: first! };
    },
    async postFile(channel, file, o) {
      await surface.post(
        channel,
        {
          fallback: o.title,
          blocks: [
            { kind: 'image', file, alt: o.title },
            { kind: 'context', text: o.comment },
          ],
        },
        o.thread,
      );
    },
    edit(m, view) {
      void poster.edit(m.channelId, m.messageId, () => renderDiscord(view(), ids)[0]!);
    },
    async openThread(m, name) {
      const thread = (await rest.post(Routes.threads(m.channelId, m.messageId), { body: { name, auto_archive_duration: 10080 } })) as {
        id: string;
      };
      return thread.id;
    },
    flush: () => poster.flush(),
  };
  return surface;
}
