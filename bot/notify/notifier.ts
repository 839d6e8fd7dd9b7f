// The chat side of the engine's ChatNotifier, once for every platform: variant
// grids when generation completes, card edits as decisions come in, approval
// requests and their outcome, a chain's progress in the asset's thread, and
// the halt panel. A ChatSurface (bot/slack, bot/discord) posts and edits views
// its platform's way. Hooks only queue work; the work runs after, off every
// request path.
import type { Logger } from 'pino';
import type { ApprovalNotice, ApprovalOutcome, Change, ChatNotifier, Engine, Platform, StoredEvent } from '../../engine/index.js';
import { approvalView } from '../views/approval.js';
import { haltPanel } from '../views/halt.js';
import { progressView, stepLabel, type ChainStep } from '../views/progress.js';
import { gridHeader, tagChoices, variantCard } from '../views/variant.js';
import { textView, type FileRef, type View } from '../views/view.js';

/** Where a message landed. */
export interface Posted {
  channelId: string;
  messageId: string;
}

/** What a platform does with views. */
export interface ChatSurface {
  platform: Platform;
  /** Post a view in a channel, or in a thread of it (`thread`: what openThread returned). */
  post(channel: string, view: View, thread?: string | null): Promise<Posted>;
  /** A file on its own (the contact sheet), with a comment. */
  postFile(channel: string, file: FileRef, o: { thread?: string | null; title: string; comment: string }): Promise<void>;
  /** Replace what a message shows; the view is made when the edit goes out (edits are coalesced). */
  edit(m: Posted, view: () => View): void;
  /** Where replies to a message go: Slack threads on the message itself, Discord opens a thread from it. */
  openThread(m: Posted, name: string): Promise<string>;
  /** Wait until posts and edits are out. */
  flush(): Promise<void>;
}

const variantEvents = new Set([
  'variant.approved',
  'variant.rejected',
  'variant.regenerate_requested',
  'variant.selected',
  'variant.tagged',
]);
const runEvents = new Set(['run.started', 'run.step.completed', 'run.completed', 'run.failed']);

export function createChatNotifier(deps: {
  engine: Engine;
  surface: ChatSurface;
  logger: Logger;
  publicUrl: string | null;
  /** The surface's spacing of posts to one channel (Slack: 1000 ms); the engine's notify queue paces to it. */
  postSpacingMs?: number;
}) {
  const { engine, surface, logger } = deps;
  const platform = surface.platform;
  const chat = engine.chat;
  const pending = new Set<Promise<unknown>>();
  const notices = new Map<string, ApprovalNotice>();
  /** Progress messages being created, so two quick events of one chain post one message. */
  const progressPosts = new Map<string, Promise<Posted | null>>();

  const later = (what: string, fn: () => Promise<unknown>) => {
    const p = fn().catch((err: unknown) => logger.warn({ err, what }, `${platform} notifier task failed`));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const record = (
    m: Posted,
    projectId: string,
    kind: 'variant' | 'approval' | 'halt_panel' | 'progress' | 'asset_thread',
    refId: string,
    threadId: string | null,
  ) => chat.recordMessage({ platform, channelId: m.channelId, messageId: m.messageId, projectId, kind, refId, threadId });
  /** The thread of an asset's grid: where its cards and progress go. Records from before threads were stored name the message. */
  const threadOf = (assetId: string) => {
    const m = chat.messagesOf(platform, 'asset_thread', assetId)[0];
    return m ? { channelId: m.channelId, thread: m.threadId ?? m.messageId } : null;
  };

  function cardOf(projectId: string, variantId: string, index: number): View {
    const v = chat.facts.variant(projectId, variantId);
    const { tagGroups } = chat.facts.asset(projectId, v.assetId);
    const image: FileRef | null = (v.files.thumb ?? v.files.original) ? { projectId, path: (v.files.thumb ?? v.files.original)! } : null;
    return variantCard(
      {
        projectId,
        assetId: v.assetId,
        variantId: v.id,
        index,
        status: v.status,
        primary: v.primary,
        tags: v.tags,
        decidedBy: v.decidedBy,
        decidedAt: v.decidedAt,
        image,
      },
      { tagChoices: tagChoices(tagGroups), review: deps.publicUrl !== null },
    );
  }

  async function postGrid(projectId: string, assetId: string): Promise<void> {
    const channel = chat.channelOf(projectId, platform, 'review');
    if (!channel)
      return void logger.info(
        { projectId, assetId },
        `generation finished but no ${platform} review channel is bound; bind one with /greenlight bind`,
      );
    const { asset, variants, assetType } = chat.facts.asset(projectId, assetId);
    let thread = threadOf(assetId);
    if (!thread || thread.channelId !== channel) {
      const header = await surface.post(channel, gridHeader({ projectId, assetId, assetType, prompt: asset.name, count: variants.length }));
      const ref = await surface.openThread(header, `${assetType} ${assetId}`.slice(0, 100));
      record(header, projectId, 'asset_thread', assetId, ref);
      thread = { channelId: channel, thread: ref };
    }
    const sheet = variants.find((v) => v.files.contactSheet)?.files.contactSheet;
    if (sheet)
      await surface
        .postFile(
          channel,
          { projectId, path: sheet },
          {
            thread: thread.thread,
            title: `${assetId} contact sheet`,
            comment: `Contact sheet: ${variants.length} variants, numbered as below.`,
          },
        )
        .catch((err: unknown) => logger.warn({ err }, 'contact sheet upload failed'));
    for (const [i, v] of variants.entries()) {
      if (chat.messagesOf(platform, 'variant', v.id).length > 0) continue;
      const posted = await surface.post(channel, cardOf(projectId, v.id, i + 1), thread.thread);
      record(posted, projectId, 'variant', v.id, thread.thread);
    }
  }

  function refreshCards(projectId: string, variantIds: string[]): void {
    for (const variantId of variantIds) {
      const v = chat.facts.variant(projectId, variantId);
      const index = chat.facts.asset(projectId, v.assetId).variants.findIndex((x) => x.id === variantId) + 1;
      for (const m of chat.messagesOf(platform, 'variant', variantId)) surface.edit(m, () => cardOf(projectId, variantId, index));
    }
  }

  function progressOf(projectId: string, correlationId: string) {
    const c = chat.facts.chain(projectId, correlationId);
    const steps: ChainStep[] = c.steps
      .filter((s) => s.status !== 'skipped')
      .map((s) => {
        const job = s.jobType ?? s.type;
        const status =
          s.status === 'succeeded' ? 'succeeded' : s.status === 'failed' ? 'failed' : s.status === 'pending' ? 'waiting' : 'running';
        return { label: stepLabel[job] ?? s.stepId, status };
      });
    const outputs = c.steps.filter((s) => s.status === 'succeeded').map((s) => (s.output ?? {}) as Record<string, unknown>);
    const atlas = outputs.find((o) => Array.isArray(o.pages))?.pages as string[] | undefined;
    const bundle = outputs.find((o) => typeof o.bundlePath === 'string')?.bundlePath as string | undefined;
    const failed = c.runs.find((r) => r.status === 'failed')?.error ?? null;
    const atlasPreview: FileRef | null = atlas?.[0] ? { projectId, path: atlas[0] } : null;
    const subject = c.root ? `${c.root.subject.kind} ${c.root.subject.id}` : correlationId;
    return {
      view: progressView({ subject, steps, atlasPreview, bundlePath: bundle ? `data/projects/${projectId}/${bundle}` : null, failed }),
      root: c.root,
      hasJobs: c.steps.some((s) => s.jobType !== null),
    };
  }

  async function progress(projectId: string, correlationId: string): Promise<void> {
    const existing = chat.messagesOf(platform, 'progress', correlationId)[0];
    const view = () => progressOf(projectId, correlationId).view;
    if (existing) return surface.edit(existing, view);
    if (!progressPosts.has(correlationId)) {
      progressPosts.set(
        correlationId,
        (async () => {
          const { root, hasJobs } = progressOf(projectId, correlationId);
          // Only chains that do work on a worker get a progress message; tag-and-notify chains would be noise.
          if (!hasJobs) return null;
          const thread = root?.assetId ? threadOf(root.assetId) : null;
          const channel = thread?.channelId ?? chat.channelOf(projectId, platform, 'review');
          if (!channel) return null;
          const posted = await surface.post(channel, view(), thread?.thread);
          record(posted, projectId, 'progress', correlationId, thread?.thread ?? null);
          return posted;
        })(),
      );
    }
    const posted = await progressPosts.get(correlationId)!;
    // Once posted, the stored message ref answers later events; if nothing was posted, a later step may still need one.
    progressPosts.delete(correlationId);
    if (posted) surface.edit(posted, view);
  }

  /** Post the halt panel to a channel (and remember it, so halts and resumes edit it). */
  async function postPanel(projectId: string, channel: string): Promise<void> {
    const posted = await surface.post(channel, haltPanel(projectId, chat.halts(projectId)));
    record(posted, projectId, 'halt_panel', projectId, null);
  }

  function refreshPanels(projectId: string | null): void {
    const ids = projectId ? [projectId] : engine.chat.boundProjects(platform);
    for (const id of ids) for (const m of chat.messagesOf(platform, 'halt_panel', id)) surface.edit(m, () => haltPanel(id, chat.halts(id)));
  }

  const notifier: ChatNotifier = {
    postSpacingMs: deps.postSpacingMs ?? 0,
    async notify(m) {
      const channel = chat.channelOf(m.projectId, platform, m.channel) ?? chat.channelOf(m.projectId, platform, 'review');
      if (!channel) return void logger.info({ projectId: m.projectId }, `notify: no ${platform} channel bound`);
      await surface.post(channel, textView(m.text));
    },
    async approvalRequested(n) {
      notices.set(n.approvalId, n);
      later('approval request', async () => {
        const channel = chat.channelOf(n.projectId, platform, 'admin') ?? chat.channelOf(n.projectId, platform, 'review');
        if (!channel) return logger.warn({ approvalId: n.approvalId }, `approval requested but no ${platform} admin channel is bound`);
        record(await surface.post(channel, approvalView(n, null)), n.projectId, 'approval', n.approvalId, null);
      });
    },
    async approvalDecided(o: ApprovalOutcome) {
      later('approval outcome', async () => {
        const n = notices.get(o.approvalId);
        notices.delete(o.approvalId);
        for (const m of chat.messagesOf(platform, 'approval', o.approvalId))
          surface.edit(m, () => (n ? approvalView(n, o) : textView(`Approval ${o.approvalId}: ${o.status} by ${o.decidedBy ?? 'nobody'}`)));
      });
    },
  };

  function eventStored(e: StoredEvent): void {
    if (e.type === 'generate.completed' && typeof e.payload.assetId === 'string')
      later('variant grid', () => postGrid(e.projectId, e.payload.assetId as string));
    else if (variantEvents.has(e.type)) {
      later('card edit', async () => {
        const v = chat.facts.variant(e.projectId, e.subject.id);
        // Making one primary un-makes its siblings: their cards change too.
        const ids = e.type === 'variant.selected' ? chat.facts.asset(e.projectId, v.assetId).variants.map((x) => x.id) : [v.id];
        refreshCards(e.projectId, ids);
      });
    } else if (runEvents.has(e.type)) later('progress', () => progress(e.projectId, e.correlationId));
  }

  /** What the change feed says (after commit, off the writer's call stack): cards, grids, progress, halt panels. */
  function onChange(c: Change): void {
    if (c.kind === 'event') eventStored(c.event);
    // A halt set or lifted, or one more firing held (the panels show held counts).
    else if (c.kind === 'halt' || (c.kind === 'run' && c.status === 'halted')) later('halt panel', async () => refreshPanels(c.projectId));
  }

  return {
    notifier,
    onChange,
    /** Hear the engine: its deliveries (notify, approvals) and its change feed. Returns detach. */
    attach(): () => void {
      const detachNotifier = engine.attachNotifier(notifier);
      const unsubscribe = engine.changes.subscribe(onChange, { kinds: ['event', 'run', 'halt'] });
      return () => {
        detachNotifier();
        unsubscribe();
      };
    },
    postPanel,
    /** Wait until queued work and the messages it sends are out (tests, shutdown). */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await surface.flush();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
export type ChatNotifications = ReturnType<typeof createChatNotifier>;
