// Actions the engine runs itself: apply_tags, set_status, notify and
// call_webhook. Each returns the step's output; bad input throws a
// GreenlightError, which fails the step without retry. notify and
// call_webhook are delivered from queues of their own (notify paced per
// channel there), so neither ever holds the event path.
import { createHmac } from 'node:crypto';
import { GreenlightError } from '../errors.js';
import type { Clock } from '../ids.js';
import { engineActionProblem } from '../rules/machine.js';
import type { Action } from '../rules/schema.js';
import type { Store } from '../store/store.js';
import { BoundedMap } from '../store/context.js';
import type { ChatNotifier } from './ports.js';

/** A webhook answered with a final refusal (a 4xx other than 429): retrying cannot help. */
export class WebhookRefused extends Error {
  override name = 'WebhookRefused';
}

export interface EngineActionContext {
  projectId: string;
  runId: string;
  jobId: string;
  config: Record<string, unknown>;
}

const str = (v: unknown, field: string): string => {
  if (typeof v !== 'string' || v === '')
    throw new GreenlightError(
      'validation_failed',
      `${field} must be a non-empty string after placeholders resolve (got ${JSON.stringify(v)})`,
    );
  return v;
};
const strList = (v: unknown, field: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new GreenlightError('validation_failed', `${field} must be a list of strings`);
  return v as string[];
};

export function createEngineActions(deps: {
  store: Store;
  clock: Clock;
  notifier: ChatNotifier;
  webhookSecret: string | undefined;
  fetchImpl?: typeof fetch;
}) {
  const { entities } = deps.store;
  const doFetch = deps.fetchImpl ?? fetch;

  /**
   * One delivery attempt of a call_webhook step (`attempt` counts from 1). It runs as a job on the
   * engine's webhooks queue, so BullMQ spaces the retries (exponential backoff) and nothing sleeps in a
   * consumer; `x-greenlight-delivery` (the step's job id) is the same on every attempt, for receivers
   * that deduplicate. A 4xx other than 429 is final (WebhookRefused: no retry).
   */
  async function deliverWebhook(ctx: EngineActionContext, attempt: number): Promise<unknown> {
    const c = ctx.config;
    const url = str(c.url, 'config.url');
    const body = JSON.stringify({ projectId: ctx.projectId, runId: ctx.runId, deliveryId: ctx.jobId, body: c.body ?? null });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-greenlight-delivery': ctx.jobId };
    if (deps.webhookSecret)
      headers['x-greenlight-signature'] = `sha256=${createHmac('sha256', deps.webhookSecret).update(body).digest('hex')}`;
    const timeoutMs = typeof c.timeoutMs === 'number' ? c.timeoutMs : 5000;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: typeof c.method === 'string' ? c.method : 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`webhook ${url} failed (attempt ${attempt}): ${(err as Error).message}`, { cause: err });
    }
    if (res.ok) return { status: res.status, attempts: attempt };
    const why = `webhook ${url} failed (attempt ${attempt}): HTTP ${res.status}`;
    if (res.status < 500 && res.status !== 429) throw new WebhookRefused(why);
    throw new Error(why);
  }

  // Each channel's posts (a project's review or admin channel) paced to the notifier's spacing: the next free
  // slot per channel, and the slot each notify job holds once it has been given one.
  const nextSlot = new BoundedMap<string, number>(10_000);
  const held = new BoundedMap<string, number>(100_000);
  /** The slot this notify job holds in its channel (given once, the channel's next free one): when it may post. */
  function slotOf(ctx: Omit<EngineActionContext, 'runId'>): number {
    const now = deps.clock.now();
    const spacing = deps.notifier.postSpacingMs ?? 0;
    if (spacing <= 0) return now;
    const slot = held.get(ctx.jobId);
    if (slot !== undefined) return slot;
    const key = `${ctx.projectId}\u0000${ctx.config.channel === 'admin' ? 'admin' : 'review'}`;
    const at = Math.max(now, nextSlot.get(key) ?? 0);
    nextSlot.set(key, at + spacing);
    held.set(ctx.jobId, at);
    return at;
  }
  /**
   * How long a notify job should wait before it is first tried (ms): its slot, taken when it is submitted, so
   * a backlogged channel's job is added delayed to its turn instead of being taken up once only to be put back.
   */
  function notifyDelay(ctx: Omit<EngineActionContext, 'runId'>): number {
    const wait = slotOf(ctx) - deps.clock.now();
    return wait > 50 ? wait : 0;
  }
  /**
   * A notify step's post, from the notify queue: now if its slot has come, else the time of its slot (the
   * queue delays the job to then: nothing waits). A job submitted before a restart gets a new slot.
   */
  async function deliverNotify(ctx: EngineActionContext): Promise<{ output: unknown } | { delayUntil: number }> {
    const slot = slotOf(ctx);
    if (slot > deps.clock.now() + 50) return { delayUntil: slot };
    held.delete(ctx.jobId);
    const problem = engineActionProblem('notify', ctx.config);
    if (problem) throw new GreenlightError('validation_failed', problem);
    return { output: await postNotify(ctx) };
  }

  async function postNotify(ctx: EngineActionContext): Promise<{ sent: true }> {
    const c = ctx.config;
    await deps.notifier.notify({
      projectId: ctx.projectId,
      channel: c.channel === 'admin' ? 'admin' : 'review',
      text: str(c.text, 'config.text'),
      runId: ctx.runId,
    });
    return { sent: true };
  }

  async function run(action: Action, ctx: EngineActionContext): Promise<unknown> {
    const c = ctx.config;
    // The step machine refuses these before it starts the step; checked again here for any other caller.
    const problem = engineActionProblem(action.type, c);
    if (problem) throw new GreenlightError('validation_failed', problem);
    switch (action.type) {
      case 'apply_tags': {
        const v = entities.getVariant(ctx.projectId, str(c.variantId, 'config.variantId'));
        const remove = new Set(strList(c.remove, 'config.remove'));
        const tags = [...new Set([...v.tags, ...strList(c.add, 'config.add')])].filter((t) => !remove.has(t));
        entities.updateVariant(v.id, { tags, updatedAt: deps.clock.now() });
        return { variantId: v.id, tags };
      }
      case 'set_status': {
        const status = str(c.status, 'config.status');
        if (c.variantId !== undefined) {
          const v = entities.getVariant(ctx.projectId, str(c.variantId, 'config.variantId'));
          entities.updateVariant(v.id, { status: status as typeof v.status, updatedAt: deps.clock.now() });
          return { variantId: v.id, status };
        }
        const a = entities.getAsset(ctx.projectId, str(c.assetId, 'config.assetId'));
        entities.setAssetStatus(a.id, status);
        return { assetId: a.id, status };
      }
      case 'notify':
        return postNotify(ctx);
      case 'call_webhook':
        // Not run inline: the runner submits it to the webhooks queue (deliverWebhook, one attempt per job).
        throw new GreenlightError('internal', 'call_webhook runs as a job on the webhooks queue');
      default:
        throw new GreenlightError('internal', `${action.type} is a job action, not an engine action`);
    }
  }

  return { deliverWebhook, deliverNotify, notifyDelay, run };
}
