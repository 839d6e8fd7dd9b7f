// Chat bindings (which channel belongs to which project, for review or admin
// work) and the messages the bots posted (what each one shows).
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { newId } from '../ids.js';
import type { StoreContext } from './context.js';
import { rowReader } from './db.js';
import { auditLog, chatBindings, chatControls, chatMessages } from './schema.js';

export type Platform = 'slack' | 'discord';
export type BindingRow = typeof chatBindings.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;
export type ChatMessageKind = ChatMessageRow['kind'];

export function createChatRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  // Read at every run event a bot hears (is there a progress message yet?): prepared once.
  const messagesOf = rowReader(db, chatMessages, 'platform = ? AND kind = ? AND ref_id = ?');
  const channelOf = db.$client
    .prepare('SELECT channel_id FROM chat_bindings WHERE project_id = ? AND platform = ? AND purpose = ? ORDER BY created_at DESC LIMIT 1')
    .pluck();
  return {
    /** Bind a channel to a project (idempotent); a channel belongs to one project per purpose. */
    bind(input: { projectId: string; platform: Platform; channelId: string; purpose: 'review' | 'admin' }, actor: string): BindingRow {
      return ctx.transaction(() => {
        db.delete(chatBindings)
          .where(
            and(
              eq(chatBindings.platform, input.platform),
              eq(chatBindings.channelId, input.channelId),
              eq(chatBindings.purpose, input.purpose),
            ),
          )
          .run();
        const row: BindingRow = { id: newId('bind'), ...input, createdAt: clock.now() };
        db.insert(chatBindings).values(row).run();
        db.insert(auditLog)
          .values({
            projectId: input.projectId,
            actor,
            action: 'chat.bind',
            target: `${input.platform}/${input.channelId}`,
            details: { purpose: input.purpose },
            at: row.createdAt,
          })
          .run();
        return row;
      });
    },
    bindingsOfChannel(platform: Platform, channelId: string): BindingRow[] {
      return db
        .select()
        .from(chatBindings)
        .where(and(eq(chatBindings.platform, platform), eq(chatBindings.channelId, channelId)))
        .all();
    },
    /** The project's channel for a purpose on a platform (the newest binding), or null. */
    channelOf(projectId: string, platform: Platform, purpose: 'review' | 'admin'): string | null {
      return (channelOf.get(projectId, platform, purpose) as string | undefined) ?? null;
    },
    /** Projects with at least one channel bound on `platform`. */
    boundProjects(platform: Platform): string[] {
      return db
        .selectDistinct({ projectId: chatBindings.projectId })
        .from(chatBindings)
        .where(eq(chatBindings.platform, platform))
        .all()
        .map((r) => r.projectId);
    },
    recordMessage(row: Omit<ChatMessageRow, 'createdAt'>): void {
      db.insert(chatMessages)
        .values({ ...row, createdAt: clock.now() })
        .onConflictDoNothing()
        .run();
    },
    findMessage(platform: Platform, channelId: string, messageId: string): ChatMessageRow | undefined {
      return db
        .select()
        .from(chatMessages)
        .where(and(eq(chatMessages.platform, platform), eq(chatMessages.channelId, channelId), eq(chatMessages.messageId, messageId)))
        .get();
    },
    /** The opaque id of a control meaning `actionId` with `value` (the same pair, the same id); stored once. */
    controlId(platform: Platform, actionId: string, value: string): string {
      const id = `c${createHash('sha256').update(`${platform}\n${actionId}\n${value}`).digest('base64url').slice(0, 24)}`;
      db.insert(chatControls).values({ id, platform, actionId, value, createdAt: clock.now() }).onConflictDoNothing().run();
      return id;
    },
    control(platform: Platform, id: string): { actionId: string; value: string } | null {
      const row = db
        .select({ actionId: chatControls.actionId, value: chatControls.value })
        .from(chatControls)
        .where(and(eq(chatControls.id, id), eq(chatControls.platform, platform)))
        .get();
      return row ?? null;
    },
    messagesOf(platform: Platform, kind: ChatMessageKind, refId: string): ChatMessageRow[] {
      return messagesOf.all(platform, kind, refId);
    },
  };
}
export type ChatRepo = ReturnType<typeof createChatRepo>;
