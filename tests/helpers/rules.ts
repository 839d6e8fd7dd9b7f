// Rule bodies the tests share.

/** Cut the approved variant out of its background. */
const cutout = {
  id: 'cutout',
  type: 'enqueue_job',
  config: { type: 'bg_remove', input: { assetId: '${event.payload.assetId}', variantId: '${event.subject.id}' } },
};

/** The contract example: approved character → cut-out → atlas. */
export const seedRule = {
  name: 'Approved character → cut-out → atlas',
  trigger: { event: 'variant.approved' },
  scope: { assetType: 'character' },
  conditions: { all: [{ field: 'payload.tags', op: 'contains', value: 'quality:high' }] },
  actions: [
    cutout,
    {
      id: 'atlas',
      type: 'enqueue_job',
      config: { type: 'pack_atlas', input: { assetIds: ['${event.payload.assetId}'], frames: '${steps.cutout.output.alphaPaths}' } },
    },
  ],
  mode: 'sequential',
  debounceMs: 5000,
};

/** Generation on a refined spec (costly: it waits for an admin's approval), 3 small plain variants. */
export const generateOnRefine = {
  name: 'Generate on spec refined',
  trigger: { event: 'spec.refined' },
  actions: [
    {
      id: 'gen',
      type: 'enqueue_job',
      config: {
        type: 'generate',
        input: { assetId: '${event.payload.assetId}', prompt: 'knight', count: 3, width: 64, height: 64, background: 'plain' },
      },
    },
  ],
};
export const generateSample = { type: 'spec.refined', payload: { assetId: 'knight' } };

/** The MVP chain the chat tests drive: an approved variant → cut-out → atlas. */
export const mvpChain = {
  name: 'Approved → cut-out → atlas',
  trigger: { event: 'variant.approved' },
  actions: [
    cutout,
    {
      id: 'atlas',
      type: 'enqueue_job',
      config: { type: 'pack_atlas', input: { atlasId: 'atlas-${event.subject.id}', frames: '${steps.cutout.output.alphaPaths}' } },
    },
  ],
};
export const mvpSample = { type: 'variant.approved', payload: { assetId: 'knight', variantId: 'v' } };

/** Create a rule, dry-run it and enable it through the API; its id. */
export async function enabledRule(
  call: (method: string, url: string, body?: unknown, token?: string | null) => Promise<{ status: number; body: any }>,
  projectPath: string,
  token: string,
  body: unknown,
  sample: unknown,
): Promise<string> {
  const created = await call('POST', `${projectPath}/rules`, body, token);
  if (created.status !== 201) throw new Error(`rule not created: ${JSON.stringify(created.body)}`);
  const dry = await call('POST', `${projectPath}/rules/${created.body.id}/dry-run`, { event: sample }, token);
  if (dry.status !== 200) throw new Error(`dry-run refused: ${JSON.stringify(dry.body)}`);
  const on = await call('POST', `${projectPath}/rules/${created.body.id}/enable`, undefined, token);
  if (on.status !== 200) throw new Error(`enable refused: ${JSON.stringify(on.body)}`);
  return created.body.id as string;
}

/**
 * `n` rules for graph tests and the graph bench: chains of four (a custom event → cut-out → atlas →
 * export), generation behind an admin gate in each tenth rule, and, last, a cycle (a rule on
 * bg_remove.completed that cuts out again).
 */
export function manyRules(n: number): Record<string, unknown>[] {
  const job = (type: string, input: Record<string, unknown>) => [{ id: 'work', type: 'enqueue_job', config: { type, input } }];
  return Array.from({ length: n }, (_, i) => {
    if (i === n - 1)
      return { name: `Again ${i}`, trigger: { event: 'bg_remove.completed' }, actions: job('bg_remove', { variantId: 'v1' }) };
    switch (i % 4) {
      case 0:
        return i % 10 === 0
          ? { name: `Generate ${i}`, trigger: { event: `custom.t${i}` }, actions: job('generate', { assetId: 'a', prompt: 'p', count: 1 }) }
          : { name: `Cut ${i}`, trigger: { event: `custom.t${i}` }, actions: job('bg_remove', { variantId: 'v1' }) };
      case 1:
        return { name: `Pack ${i}`, trigger: { event: 'bg_remove.completed' }, actions: job('pack_atlas', { frames: ['a.png'] }) };
      case 2:
        return {
          name: `Export ${i}`,
          trigger: { event: 'atlas.ready' },
          actions: [{ id: 'bundle', type: 'export', config: { atlasIds: ['a'] } }],
        };
      default:
        return { name: `Tell ${i}`, trigger: { event: `custom.t${i}` }, actions: [{ id: 'tell', type: 'notify', config: { text: 'x' } }] };
    }
  });
}

/** Generation on a Generate press (spec.generate_requested): costly, so it waits for an admin's approval. */
export const generateOnRequest = {
  name: 'Generate on request',
  trigger: { event: 'spec.generate_requested' },
  actions: [
    {
      id: 'gen',
      type: 'enqueue_job',
      config: { type: 'generate', input: { specId: '${event.payload.specId}', count: '${event.payload.count}' } },
    },
  ],
};
