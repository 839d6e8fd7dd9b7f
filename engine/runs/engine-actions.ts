// Actions the engine runs itself: apply_tags, set_status, notify and
// call_webhook. Each returns the step's output; bad input throws a
// GreenlightError, which fails the step without retry.
import { createHmac } from 'node:crypto';
import { GreenlightError } from '../errors.js';
import type { Clock } from '../ids.js';
import type { Action } from '../rules/schema.js';
import type { Store } from '../store/store.js';
import type { ChatNotifier } from './ports.js';

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

  async function callWebhook(ctx: EngineActionContext): Promise<unknown> {
    const c = ctx.config;
    const url = str(c.url, 'config.url');
    const body = JSON.stringify({ projectId: ctx.projectId, runId: ctx.runId, deliveryId: ctx.jobId, body: c.body ?? null });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-greenlight-delivery': ctx.jobId };
    if (deps.webhookSecret)
      headers['x-greenlight-signature'] = `sha256=${createHmac('sha256', deps.webhookSecret).update(body).digest('hex')}`;
    const retries = typeof c.retries === 'number' ? c.retries : 2;
    const timeoutMs = typeof c.timeoutMs === 'number' ? c.timeoutMs : 5000;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        const res = await doFetch(url, {
          method: typeof c.method === 'string' ? c.method : 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.ok) return { status: res.status, attempts: attempt + 1 };
        last = `HTTP ${res.status}`;
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    throw new Error(`webhook ${url} failed: ${last}`);
  }

  return {
    async run(action: Action, ctx: EngineActionContext): Promise<unknown> {
      const c = ctx.config;
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
          await deps.notifier.notify({
            projectId: ctx.projectId,
            channel: c.channel === 'admin' ? 'admin' : 'review',
            text: str(c.text, 'config.text'),
            runId: ctx.runId,
          });
          return { sent: true };
        case 'call_webhook':
          return callWebhook(ctx);
        default:
          throw new GreenlightError('internal', `${action.type} is a job action, not an engine action`);
      }
    },
  };
}
