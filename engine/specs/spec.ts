// The AssetSpec (one per asset to make) and the refiner's contract: what any refiner —
// the built-in one or an external service behind SPEC_REFINER_URL — takes and gives.
// Both outputs are validated by the same schema, and against the project's catalog.
import { z } from 'zod';
import { idSchema, seedSchema } from '../jobs/inputs.js';
import { loraSelections, type Catalog } from './catalog.js';

const text = (max: number) => z.string().max(max);
const dims = z.number().int().min(16).max(2048);

export const assetSpecSchema = z
  .object({
    name: z.string().min(1).max(200),
    assetType: idSchema,
    /** What the asset is, in the wishlist's words ("knight", "health potion"). */
    subject: text(500),
    checkpointId: idSchema.nullable(),
    style: text(500),
    scenario: text(500),
    palette: z
      .object({ id: idSchema, name: text(200), colors: z.array(z.string().max(16)).max(64) })
      .strict()
      .nullable(),
    camera: text(64).nullable(),
    prompt: z.object({ positive: z.string().min(1).max(4000), negative: text(4000) }).strict(),
    tags: z.array(z.string().min(1).max(64)).max(100),
    generationParams: z
      .object({
        width: dims,
        height: dims,
        steps: z.number().int().min(1).max(200),
        sampler: z.string().min(1).max(64),
        cfg: z.number().min(0).max(30),
        seed: seedSchema,
        seedRule: z.enum(['fixed', 'per-spec']),
        /** How many variants a generate job makes of it. */
        variants: z.number().int().min(1).max(64),
      })
      .strict(),
    baselineProfileId: idSchema.nullable(),
    /** The LoRAs to draw it with, in the order the policy gives (the first is the suggestion). */
    loraPolicy: z.object({ selection: z.enum(loraSelections), loraIds: z.array(idSchema).max(16) }).strict(),
    styleConsistency: z.object({ mode: z.enum(['strict', 'loose', 'off']), paletteId: idSchema.nullable() }).strict(),
    qualityContract: z.object({ transparentBackground: z.boolean(), minCoverage: z.number().min(0).max(1) }).strict(),
    /** The asset type's extra fields with their values. */
    fields: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])),
    /** The wishlist line it came from (1-based) and that line's text. */
    source: z.object({ line: z.number().int().min(1), text: text(2000) }).strict(),
  })
  .strict();
export type AssetSpec = z.output<typeof assetSpecSchema>;

export const questionSchema = z
  .object({
    line: z.number().int().min(1),
    text: text(2000),
    /** What could not be read: assetType, count, size, palette, … */
    field: z.string().min(1).max(64),
    question: z.string().min(1).max(1000),
  })
  .strict();
export type Question = z.output<typeof questionSchema>;

/** What a refiner answers: the specs it could read and a question for everything it could not. */
export const refinerOutputSchema = z
  .object({ specs: z.array(assetSpecSchema).max(200), questions: z.array(questionSchema).max(200) })
  .strict();
export type RefinerOutput = z.output<typeof refinerOutputSchema>;

/** The same output checked against the catalog: asset types, checkpoints and LoRAs it names must exist there. */
export function refinerOutputFor(catalog: Catalog) {
  const types = new Set(catalog.assetTypes.map((t) => t.id));
  const ckpts = new Set(catalog.checkpoints.map((c) => c.id));
  const loras = new Set(catalog.loras.map((l) => l.id));
  return refinerOutputSchema.superRefine((out, ctx) => {
    out.specs.forEach((s, i) => {
      if (!types.has(s.assetType))
        ctx.addIssue({
          code: 'custom',
          path: ['specs', i, 'assetType'],
          message: `no asset type '${s.assetType}' in the project catalog (known: ${[...types].join(', ') || 'none'})`,
        });
      if (s.checkpointId !== null && !ckpts.has(s.checkpointId))
        ctx.addIssue({ code: 'custom', path: ['specs', i, 'checkpointId'], message: `no checkpoint '${s.checkpointId}' in the catalog` });
      s.loraPolicy.loraIds.forEach((id, j) => {
        if (!loras.has(id))
          ctx.addIssue({ code: 'custom', path: ['specs', i, 'loraPolicy', 'loraIds', j], message: `no LoRA '${id}' in the catalog` });
      });
    });
  });
}

/** A spec list as the API takes it: the wishlist text as written, and optional reference links. */
export const specListInputSchema = z
  .object({
    text: z.string().min(1, 'write the wishlist, one asset (or "3 knights") per line').max(20_000),
    references: z
      .array(z.url({ error: 'a reference is a link (https://…)' }).max(2000))
      .max(50)
      .default([]),
    /** Overrides of the project defaults for every spec of this list. */
    style: text(500).optional(),
    scenario: text(500).optional(),
  })
  .strict();
export type SpecListInput = z.output<typeof specListInputSchema>;

/** The input an external refiner gets (POST, JSON), the same the built-in one reads. */
export interface RefinerRequest {
  projectId: string;
  specList: { id: string } & SpecListInput;
  catalog: Catalog;
}

/**
 * The one event builder for `spec.refined`: the refiner's act stores it and a dry-run preview on a spec
 * predicts with it. `assetId` is the asset a generate job from this spec makes (the spec's id).
 */
export function specRefinedEvent(spec: { id: string; specListId: string | null; body: AssetSpec }) {
  const b = spec.body;
  return {
    type: 'spec.refined' as const,
    subject: { kind: 'spec', id: spec.id },
    payload: {
      specId: spec.id,
      specListId: spec.specListId,
      assetId: spec.id,
      assetType: b.assetType,
      name: b.name,
      checkpointId: b.checkpointId,
      loraIds: b.loraPolicy.loraIds,
      tags: b.tags,
      width: b.generationParams.width,
      height: b.generationParams.height,
      variants: b.generationParams.variants,
    },
  };
}
/** What a Generate press on a spec may say: how many variants (default: the spec's). */
export const specGenerateInputSchema = z
  .object({
    count: z.number().int().min(1).max(64).optional(),
    note: z.string().min(1).max(2000).optional(),
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .strict();
export type SpecGenerateInput = z.output<typeof specGenerateInputSchema>;

/**
 * The one event builder for `spec.generate_requested`: a person asks for variants of a spec. A rule turns it
 * into a generate job ({"specId": "${event.payload.specId}", "count": "${event.payload.count}"}), which waits
 * for an admin's approval as every costly job does. The press stores it; a dry-run preview predicts with it.
 */
export function specGenerateEvent(
  spec: { id: string; assetType: string; name: string; body: AssetSpec | null },
  input: Pick<SpecGenerateInput, 'count' | 'note'>,
  actorId: string,
) {
  return {
    type: 'spec.generate_requested' as const,
    subject: { kind: 'spec', id: spec.id },
    payload: {
      specId: spec.id,
      assetId: spec.id,
      assetType: spec.assetType,
      name: spec.name,
      count: input.count ?? spec.body?.generationParams.variants ?? 4,
      ...(input.note ? { note: input.note } : {}),
      requestedBy: actorId,
    },
  };
}
export const specGenerateFields = ['specId', 'assetId', 'assetType', 'name', 'count', 'note', 'requestedBy'] as const;

/** Payload fields of spec.refined (names-check reads them to catch typos in rules). */
export const specRefinedFields = [
  'specId',
  'specListId',
  'assetId',
  'assetType',
  'name',
  'checkpointId',
  'loraIds',
  'tags',
  'width',
  'height',
  'variants',
] as const;
