// The Slack side of the engine's ChatNotifier: variant grids when generation
// completes, card edits as decisions come in, approval requests and their
// outcome, a chain's progress in the asset's thread, and the halt panel.
// Hooks only queue work; the work runs after, off every request path.
import type { Logger } from 'pino';
import type { ApprovalNotice, ApprovalOutcome, Change, ChatNotifier, Engine, StoredEvent } from '../../engine/index.js';
import { approvalView } from '../views/approval.js';
import { haltPanel } from '../views/halt.js';
import { progressView, stepLabel, type ChainStep } from '../views/progress.js';
import { gridHeader, tagChoices, variantCard } from '../views/variant.js';
import { textView, type FileRef } from '../views/view.js';
import type { Poster } from './poster.js';
import { renderMessage } from './render.js';

const variantEvents = new Set([
  'variant.approved',
  'variant.rejected',
  'variant.regenerate_requested',
  'variant.selected',
  'variant.tagged',
]);
const runEvents = new Set(['run.started', 'run.step.completed', 'run.completed', 'run.failed']);

export function createSlackNotifier(deps: { engine: Engine; poster: Poster; logger: Logger; publicUrl: string | null }) {
  const { engine, poster, logger } = deps;
  const chat = engine.chat;
  const pending = new Set<Promise<unknown>>();
  const notices = new Map<string, ApprovalNotice>();
  const fileIds = new Map<string, string>();
  /** Progress messages being created, so two quick events of one chain post one message. */
  const progressPosts = new Map<string, Promise<{ channel: string; ts: string } | null>>();

  const later = (what: string, fn: () => Promise<unknown>) => {
    const p = fn().catch((err: unknown) => logger.warn({ err, what }, 'slack notifier task failed'));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
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
  const idsFor = (f: FileRef | null): Map<string, string> => {
    const id = f ? fileIds.get(`${f.projectId}/${f.path}`) : undefined;
    return f && id ? new Map([[f.path, id]]) : new Map();
  };

  function cardOf(projectId: string, variantId: string, index: number) {
    const v = chat.facts.variant(projectId, variantId);
    const { tagGroups } = chat.facts.asset(projectId, v.assetId);
    const image: FileRef | null = (v.files.thumb ?? v.files.original) ? { projectId, path: (v.files.thumb ?? v.files.original)! } : null;
    const reviewUrl = deps.publicUrl
      ? `${deps.publicUrl}/review/projects/${encodeURIComponent(projectId)}/variants/${encodeURIComponent(v.id)}`
      : null;
    const view = variantCard(
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
      { tagChoices: tagChoices(tagGroups), reviewUrl },
    );
    return { view, image };
  }

  async function postGrid(projectId: string, assetId: string): Promise<void> {
    const channel = chat.channelOf(projectId, 'slack', 'review');
    if (!channel)
      return void logger.info(
        { projectId, assetId },
        'generation finished but no Slack review channel is bound; bind one with /greenlight bind',
      );
    const { asset, variants, assetType } = chat.facts.asset(projectId, assetId);
    const prior = chat.messagesOf('slack', 'asset_thread', assetId).find((m) => m.channelId === channel);
    const thread =
      prior?.messageId ??
      (await poster.post(channel, renderMessage(gridHeader({ assetId, assetType, prompt: asset.name, count: variants.length }))));
    if (!prior)
      chat.recordMessage({
        platform: 'slack',
        channelId: channel,
        messageId: thread,
        projectId,
        kind: 'asset_thread',
        refId: assetId,
        threadId: null,
      });
    const sheet = variants.find((v) => v.files.contactSheet)?.files.contactSheet;
    if (sheet)
      await poster
        .upload(abs({ projectId, path: sheet }), {
          channel,
          threadTs: thread,
          title: `${assetId} contact sheet`,
          comment: `Contact sheet: ${variants.length} variants, numbered as below.`,
        })
        .catch((err: unknown) => logger.warn({ err }, 'contact sheet upload failed'));
    for (const [i, v] of variants.entries()) {
      if (chat.messagesOf('slack', 'variant', v.id).length > 0) continue;
      const { view, image } = cardOf(projectId, v.id, i + 1);
      if (image) await uploaded(image, `${v.id}`);
      const ts = await poster.post(channel, renderMessage(view, idsFor(image)), thread);
      chat.recordMessage({
        platform: 'slack',
        channelId: channel,
        messageId: ts,
        projectId,
        kind: 'variant',
        refId: v.id,
        threadId: thread,
      });
    }
  }

  function refreshCards(projectId: string, variantIds: string[]): void {
    for (const variantId of variantIds) {
      const v = chat.facts.variant(projectId, variantId);
      const index = chat.facts.asset(projectId, v.assetId).variants.findIndex((x) => x.id === variantId) + 1;
      for (const m of chat.messagesOf('slack', 'variant', variantId)) {
        poster.edit(m.channelId, m.messageId, () => {
          const { view, image } = cardOf(projectId, variantId, index);
          return renderMessage(view, idsFor(image));
        });
      }
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
      atlasPreview,
      root: c.root,
      hasJobs: c.steps.some((s) => s.jobType !== null),
    };
  }

  async function progress(projectId: string, correlationId: string): Promise<void> {
    const existing = chat.messagesOf('slack', 'progress', correlationId)[0];
    const render = async () => {
      const p = progressOf(projectId, correlationId);
      if (p.atlasPreview) await uploaded(p.atlasPreview, 'atlas preview');
      return renderMessage(p.view, idsFor(p.atlasPreview));
    };
    if (existing) return poster.edit(existing.channelId, existing.messageId, render);
    if (!progressPosts.has(correlationId)) {
      progressPosts.set(
        correlationId,
        (async () => {
          const { root, hasJobs } = progressOf(projectId, correlationId);
          // Only chains that do work on a worker get a progress message; tag-and-notify chains would be noise.
          if (!hasJobs) return null;
          const thread = root?.assetId ? chat.messagesOf('slack', 'asset_thread', root.assetId)[0] : undefined;
          const channel = thread?.channelId ?? chat.channelOf(projectId, 'slack', 'review');
          if (!channel) return null;
          const ts = await poster.post(channel, await render(), thread?.messageId);
          chat.recordMessage({
            platform: 'slack',
            channelId: channel,
            messageId: ts,
            projectId,
            kind: 'progress',
            refId: correlationId,
            threadId: thread?.messageId ?? null,
          });
          return { channel, ts };
        })(),
      );
    }
    const posted = await progressPosts.get(correlationId)!;
    // Once posted, the stored message ref answers later events; if nothing was posted, a later step may still need one.
    progressPosts.delete(correlationId);
    if (posted) poster.edit(posted.channel, posted.ts, render);
  }

  /** Post the halt panel to a channel (and remember it, so halts and resumes edit it). */
  async function postPanel(projectId: string, channel: string): Promise<void> {
    const ts = await poster.post(channel, renderMessage(haltPanel(projectId, chat.halts(projectId))));
    chat.recordMessage({
      platform: 'slack',
      channelId: channel,
      messageId: ts,
      projectId,
      kind: 'halt_panel',
      refId: projectId,
      threadId: null,
    });
  }

  function refreshPanels(projectId: string | null): void {
    const ids = projectId ? [projectId] : engine.chat.boundProjects('slack');
    for (const id of ids)
      for (const m of chat.messagesOf('slack', 'halt_panel', id))
        poster.edit(m.channelId, m.messageId, () => renderMessage(haltPanel(id, chat.halts(id))));
  }

  const notifier: ChatNotifier = {
    async notify(m) {
      const channel = chat.channelOf(m.projectId, 'slack', m.channel) ?? chat.channelOf(m.projectId, 'slack', 'review');
      if (!channel) return void logger.info({ projectId: m.projectId }, 'notify: no Slack channel bound');
      await poster.post(channel, renderMessage(textView(m.text)));
    },
    async approvalRequested(n) {
      notices.set(n.approvalId, n);
      later('approval request', async () => {
        const channel = chat.channelOf(n.projectId, 'slack', 'admin') ?? chat.channelOf(n.projectId, 'slack', 'review');
        if (!channel) return logger.warn({ approvalId: n.approvalId }, 'approval requested but no Slack admin channel is bound');
        const ts = await poster.post(channel, renderMessage(approvalView(n, null)));
        chat.recordMessage({
          platform: 'slack',
          channelId: channel,
          messageId: ts,
          projectId: n.projectId,
          kind: 'approval',
          refId: n.approvalId,
          threadId: null,
        });
      });
    },
    async approvalDecided(o: ApprovalOutcome) {
      later('approval outcome', async () => {
        const n = notices.get(o.approvalId);
        notices.delete(o.approvalId);
        for (const m of chat.messagesOf('slack', 'approval', o.approvalId))
          poster.edit(m.channelId, m.messageId, () =>
            renderMessage(n ? approvalView(n, o) : textView(`Approval ${o.approvalId}: ${o.status} by ${o.decidedBy ?? 'nobody'}`)),
          );
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
      await poster.flush();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
export type SlackNotifier = ReturnType<typeof createSlackNotifier>;
