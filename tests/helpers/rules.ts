// Rule bodies the tests share.

/** The contract example: approved character → cut-out → atlas. */
export const seedRule = {
  name: 'Approved character → cut-out → atlas',
  trigger: { event: 'variant.approved' },
  scope: { assetType: 'character' },
  conditions: { all: [{ field: 'payload.tags', op: 'contains', value: 'quality:high' }] },
  actions: [
    {
      id: 'cutout',
      type: 'enqueue_job',
      config: { type: 'bg_remove', input: { assetId: '${event.payload.assetId}', variantId: '${event.subject.id}' } },
    },
    {
      id: 'atlas',
      type: 'enqueue_job',
      config: { type: 'pack_atlas', input: { assetIds: ['${event.payload.assetId}'], frames: '${steps.cutout.output.alphaPaths}' } },
    },
  ],
  mode: 'sequential',
  debounceMs: 5000,
};
