// The event intake contract: what the event endpoint and `greenlight event emit` accept.
import { z } from 'zod';
import { idSchema } from '../jobs/contracts.js';
import { eventTypeSchema } from './names.js';

export const subjectSchema = z.object({
  kind: z.string().regex(/^[a-z][a-z_]{0,31}$/, 'lowercase word, e.g. "variant"'),
  id: idSchema,
});

export const eventInputSchema = z
  .object({
    type: eventTypeSchema,
    payload: z.record(z.string(), z.unknown()).default({}),
    subject: subjectSchema.optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
    correlationId: z.string().min(1).max(128).optional(),
    causationId: z.string().min(1).max(128).optional(),
    depth: z.number().int().min(0).max(100).optional(),
  })
  .strict();
export type EventInput = z.output<typeof eventInputSchema>;

export const eventAcceptedSchema = z.object({ id: z.string(), duplicate: z.boolean() });

/** The stored event as the API shows it. */
export const eventSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  type: z.string(),
  subject: subjectSchema,
  payload: z.record(z.string(), z.unknown()),
  actor: z.object({ kind: z.string(), id: z.string() }),
  source: z.string(),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  depth: z.number().int(),
  idempotencyKey: z.string(),
  occurredAt: z.string(),
  published: z.boolean(),
});

const idKeys: [string, string][] = [
  ['variant', 'variantId'],
  ['asset', 'assetId'],
  ['atlas', 'atlasId'],
  ['spec', 'specId'],
  ['export', 'exportId'],
];

/** Subject when the sender gave none: the `<entity>Id` matching the type, else the first id in the payload, else the project. */
export function inferSubject(type: string, payload: Record<string, unknown>, projectId: string): { kind: string; id: string } {
  const entity = type.split('.')[0]!;
  const own = payload[`${entity}Id`];
  if (typeof own === 'string' && idSchema.safeParse(own).success) return { kind: entity, id: own };
  for (const [kind, key] of idKeys) {
    const v = payload[key];
    if (typeof v === 'string' && idSchema.safeParse(v).success) return { kind, id: v };
  }
  return { kind: 'project', id: projectId };
}
