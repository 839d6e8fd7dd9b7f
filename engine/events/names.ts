// Event type names: the built-in `entity.verb` types, the seed's snake_case
// aliases, and what makes a custom type well-formed.
import { z } from 'zod';

export const builtinEventTypes = [
  'variant.approved',
  'variant.rejected',
  'variant.regenerate_requested',
  'variant.selected',
  'variant.tagged',
  'variant.status_changed',
  'asset.approved',
  'asset.status_changed',
  'spec.refined',
  'spec.generate_requested',
  'job.completed',
  'job.failed',
  'generate.completed',
  'bg_remove.completed',
  'atlas.ready',
  'export.completed',
  'eval_grid.requested',
  'eval_grid.completed',
  'webhook.delivered',
  'schedule.fired',
  'run.started',
  'run.step.completed',
  'run.completed',
  'run.failed',
] as const;

/** The seed documents name events in snake_case; these are accepted as aliases. */
export const eventTypeAliases: Readonly<Record<string, string>> = {
  asset_approved: 'asset.approved',
  atlas_ready: 'atlas.ready',
  spec_refined: 'spec.refined',
  spec_generate_requested: 'spec.generate_requested',
  variant_approved: 'variant.approved',
  variant_rejected: 'variant.rejected',
  variant_selected: 'variant.selected',
  export_completed: 'export.completed',
  eval_grid_requested: 'eval_grid.requested',
  job_completed: 'job.completed',
  job_failed: 'job.failed',
};

const wellFormed = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function normalizeEventType(raw: string): string {
  return eventTypeAliases[raw] ?? raw;
}

/** An event type as clients write it: an alias or `entity.verb`; normalized on parse. */
export const eventTypeSchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .transform(normalizeEventType)
  .refine((t) => wellFormed.test(t), {
    message: 'must look like entity.verb (lowercase, e.g. "variant.approved" or "asset_approved")',
  });
