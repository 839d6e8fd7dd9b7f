// Job inputs and outputs: what a rule may put in a job and what a worker gives
// back. Paths are project-relative (the worker resolves them inside the
// project's folder and refuses anything else). Shared with gpu-worker.
import { z } from 'zod';

/**
 * Ids usable in file paths and BullMQ job ids: no ':' and no path separators, and never "." / ".."
 * nor a leading dot, so an id is always one ordinary, visible path segment.
 */
export const idSchema = z
  .string()
  .regex(/^(?!\.)[A-Za-z0-9_.-]{1,128}$/, 'use 1-128 letters, digits, "_", "-" or "." (not starting with ".")');
/** A generation seed: what every provider takes (a 31-bit integer). */
export const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
/** A path inside the project folder, e.g. `files/images/hero/original/hero_1.png`. */
export const relPathSchema = z.string().min(1).max(1024);

export const jobTypes = ['generate', 'bg_remove', 'pack_atlas', 'export', 'eval_grid'] as const;
export type JobType = (typeof jobTypes)[number];
export const jobTypeSchema = z.enum(jobTypes);

const nextJob = z.object({ type: jobTypeSchema, input: z.record(z.string(), z.unknown()) });

export const generateInput = z.looseObject({
  specId: idSchema.optional(),
  /** Where the variants go: files/images/<assetId>/…; defaults to specId, then the job id. */
  assetId: idSchema.optional(),
  /** The asset's type when this job makes the asset (rules scope on it, e.g. character); default: the spec's, else sprite. */
  assetType: z.string().min(1).max(64).optional(),
  prompt: z.string().max(4000).default(''),
  negativePrompt: z.string().max(4000).optional(),
  count: z.number().int().min(1).max(64).default(4),
  seed: seedSchema.default(1),
  width: z.number().int().min(16).max(2048).default(512),
  height: z.number().int().min(16).max(2048).default(512),
  provider: z.enum(['procedural', 'comfyui']).default('procedural'),
  /** procedural: the background behind the subject. */
  background: z.enum(['plain', 'gradient', 'mixed']).default('mixed'),
  /** procedural: also write the ground-truth mask beside each image (for tests and evaluation). */
  writeMasks: z.boolean().default(false),
  checkpointName: z.string().max(256).optional(),
  loraName: z.string().max(256).optional(),
  /** Every LoRA to draw with, in order (a spec's suggestion by the project's loraSelection policy); loraName is the first. */
  loraNames: z.array(z.string().min(1).max(256)).max(16).optional(),
  /** With specId: the catalog's checkpoint / LoRAs to use instead of the spec's suggestion. */
  checkpointId: idSchema.optional(),
  loraIds: z.array(idSchema).max(16).optional(),
  steps: z.number().int().min(1).max(200).optional(),
  sampler: z.string().min(1).max(64).optional(),
  cfg: z.number().min(0).max(30).optional(),
  /** Model name → hash, when the catalog knows them (recorded in each variant's metadata). */
  modelHashes: z.record(z.string().max(256), z.string().max(128)).optional(),
  /** comfyui: a workflow template (API format JSON) inside the project, with ${prompt}/${seed}/… placeholders. */
  workflowPath: relPathSchema.optional(),
  nextJobs: z.array(nextJob).max(20).optional(),
});

const thresholdHelp =
  'give threshold a number from 0.005 to 1 (the Oklab distance under which a pixel is background), or "auto" to measure it from the backdrop (the default)';

export const bgRemoveInput = z.looseObject({
  assetId: idSchema.optional(),
  variantId: idSchema.optional(),
  /** Some variants of `assetId` (e.g. asset.approved's `variantIds`): their originals. */
  variantIds: z.array(idSchema).min(1, 'no variants to cut out (an asset with no approved variant yet?)').max(512).optional(),
  /** A PNG, or a folder of PNGs; defaults to the variant's original, or every original of the asset. */
  originalPath: relPathSchema.optional(),
  originalPaths: z.array(relPathSchema).max(512).optional(),
  /**
   * Colour distance (0-1, Oklab) under which a pixel counts as background, or "auto": just above the
   * backdrop's own spread along the border (clean backdrops keep outlines a few levels away, noisy ones still go).
   */
  threshold: z
    .union([z.number().min(0.005, thresholdHelp).max(1, thresholdHelp), z.literal('auto')], { error: thresholdHelp })
    .default('auto'),
  /** Soften the alpha edge by this many pixels (0 = hard anti-aliased edge). */
  feather: z.number().min(0).max(64).default(0.5),
  /** Shrink the subject by this many pixels before feathering. */
  erode: z.number().int().min(0).max(64).default(0),
  method: z.enum(['classic', 'model']).default('classic'),
  /** Background-coloured regions enclosed by the subject stay opaque unless this is true. */
  removeHoles: z.boolean().default(false),
  /** Transparent margin kept around the trim rectangle in the metadata. */
  padding: z.number().int().min(0).max(256).default(0),
});

const pivot = z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) });
const frameSpec = z.union([
  relPathSchema,
  z.object({ path: relPathSchema, name: z.string().min(1).max(200).optional(), pivot: pivot.optional() }),
]);

export const atlasFormats = [
  'texturepacker-hash',
  'texturepacker-array',
  'phaser-multiatlas',
  'godot-tres',
  'paper2d',
  'unity',
  'custom',
] as const;
export type AtlasFormat = (typeof atlasFormats)[number];

export const packAtlasInput = z.looseObject({
  atlasId: idSchema.optional(),
  assetIds: z.array(idSchema).optional(),
  /** Frames: paths (files or folders of PNGs) or {path, name, pivot}. Defaults to the assets' alpha folders. */
  frames: z.array(frameSpec).max(4096).optional(),
  maxSize: z.union([z.literal(1024), z.literal(2048), z.literal(4096)]).default(2048),
  padding: z.number().int().min(0).max(64).default(2),
  extrude: z.number().int().min(0).max(16).default(1),
  trim: z.boolean().default(true),
  rotation: z.boolean().default(false),
  pot: z.boolean().default(false),
  square: z.boolean().default(false),
  multipack: z.boolean().default(true),
  dedupe: z.boolean().default(true),
  order: z.enum(['input', 'name']).default('input'),
  pivot: pivot.default({ x: 0.5, y: 0.5 }),
  formats: z.array(z.enum(atlasFormats)).min(1).default(['texturepacker-hash']),
  animations: z
    .array(
      z.object({
        name: z.string().min(1).max(100),
        frames: z.array(z.string()).min(1),
        fps: z.number().min(0.1).max(240).default(12),
        loop: z.boolean().default(true),
      }),
    )
    .max(200)
    .default([]),
  /** Godot: the res:// folder the atlas lives in once imported. */
  godotResPath: z.string().max(512).optional(),
});

/**
 * A folder inside the bundle: relative (no leading "/", no drive letter), no "..", no backslashes,
 * with {atlasId} / {assetId} placeholders. The worker checks every bundle path again after substitution.
 */
const bundleDir = z
  .string()
  .max(200)
  .refine(
    (s) => !s.startsWith('/') && !/^[A-Za-z]:/.test(s) && !/[\\\0]/.test(s) && !s.split('/').includes('..'),
    'use a relative folder without "..", backslashes or a drive letter, e.g. "atlases/{atlasId}"',
  );

/** The export profiles every worker has built in (gpu-worker/processors/profiles.ts; a test keeps the two equal). */
export const exportProfileIds = ['unity', 'godot', 'unreal', 'phaser', 'custom'] as const;

export const exportProfileSchema = z.object({
  id: idSchema,
  description: z.string().max(500).default(''),
  /** Folder inside the bundle for each atlas; `{atlasId}` is replaced. */
  atlasDir: bundleDir.default('{atlasId}'),
  /** Folder inside the bundle for the cut-outs of the assets, when included. */
  spritesDir: bundleDir.default('sprites/{assetId}'),
  naming: z.enum(['keep', 'snake', 'kebab']).default('keep'),
  formats: z.array(z.enum(atlasFormats)).min(1),
  includeSprites: z.boolean().default(false),
});
export type ExportProfile = z.output<typeof exportProfileSchema>;

export const exportInput = z.looseObject({
  exportId: idSchema.optional(),
  assetIds: z.array(idSchema).default([]),
  atlasIds: z.array(idSchema).default([]),
  profileId: z.string().default('custom'),
  /** A whole profile as data, used instead of the built-in one named by profileId. */
  profile: exportProfileSchema.optional(),
});

export const evalGridInput = z.looseObject({
  prompts: z.array(z.string().max(4000)).min(1).max(64),
  loraId: z.string().max(256).optional(),
  loraIds: z.array(z.string().max(256)).max(16).optional(),
  checkpointId: z.string().max(256).optional(),
  checkpointIds: z.array(z.string().max(256)).max(16).optional(),
  releaseId: idSchema.optional(),
  seed: z.number().int().min(0).default(1),
  size: z.number().int().min(32).max(1024).default(256),
  provider: z.enum(['procedural', 'comfyui']).default('procedural'),
  workflowPath: relPathSchema.optional(),
});

export const jobInputSchemas = {
  generate: generateInput,
  bg_remove: bgRemoveInput,
  pack_atlas: packAtlasInput,
  export: exportInput,
  eval_grid: evalGridInput,
} satisfies Record<JobType, z.ZodType>;
export type JobInput<T extends JobType> = z.output<(typeof jobInputSchemas)[T]>;

const rect = z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() });

export const jobOutputSchemas = {
  generate: z.looseObject({
    assetId: z.string(),
    variantIds: z.array(z.string()),
    originalsDir: z.string(),
    contactSheet: z.string(),
    variants: z.array(
      z.looseObject({
        variantId: z.string(),
        path: z.string(),
        thumbPath: z.string(),
        metaPath: z.string(),
        maskPath: z.string().optional(),
      }),
    ),
  }),
  bg_remove: z.looseObject({
    alphaPaths: z.array(z.string()),
    items: z.array(
      z.looseObject({
        source: z.string(),
        alphaPath: z.string(),
        trim: rect.nullable(),
        sourceSize: z.object({ w: z.number(), h: z.number() }),
        padding: z.number(),
      }),
    ),
  }),
  pack_atlas: z.looseObject({
    atlasId: z.string(),
    pages: z.array(z.string()),
    data: z.record(z.string(), z.array(z.string())),
    frames: z.number(),
    occupancy: z.number(),
  }),
  export: z.looseObject({
    exportId: z.string(),
    bundlePath: z.string(),
    bundleDir: z.string(),
    manifestPath: z.string(),
    files: z.number(),
  }),
  eval_grid: z.looseObject({
    sheetPath: z.string(),
    cells: z.array(
      z.looseObject({
        prompt: z.string(),
        lora: z.string().nullable(),
        checkpoint: z.string().nullable(),
        path: z.string(),
        /** What the sheet writes under the cell: the prompt, then the LoRA / checkpoint names. */
        label: z.string().optional(),
      }),
    ),
  }),
} satisfies Record<JobType, z.ZodType>;
export type JobOutput<T extends JobType> = z.output<(typeof jobOutputSchemas)[T]>;

/** What a work job carries on its queue; the engine adds it, a worker validates `input`. */
export const workJobDataSchema = z.object({
  projectId: idSchema,
  runId: z.string(),
  stepId: z.string(),
  input: z.record(z.string(), z.unknown()),
});
export type WorkJobData = z.output<typeof workJobDataSchema>;
