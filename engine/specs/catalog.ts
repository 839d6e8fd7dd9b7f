// A project's catalogs: the asset types it makes, its tag groups (the chips the bots
// and the web show), palettes, checkpoints and LoRAs, its defaults (style, scenario,
// generation parameters) and the LoRA selection policy. One zod schema for the API,
// the CLI and the seed's folder layout (project.json + catalogs/*.json), so a team
// can keep them in git; every problem is reported by path.
import { z } from 'zod';
import { idSchema, seedSchema } from '../jobs/inputs.js';

const name = z.string().min(1).max(200);
const word = z.string().min(1).max(64);
const words = z.array(word).max(100);
const size = z.number().int().min(16).max(2048);

export const assetTypeSchema = z
  .object({
    id: idSchema,
    name,
    /** Other words a wishlist may use for it ("characters", "hero", "npc"); the id, name and name+s always count. */
    aliases: words.default([]),
    size: z.object({ width: size, height: size }).strict().default({ width: 512, height: 512 }),
    /** The LoRA this type is drawn with first (a LoRA id of this catalog). */
    loraId: idSchema.optional(),
    /** The checkpoint this type uses (else the first that suits it, else the project default). */
    checkpointId: idSchema.optional(),
    tags: words.default([]),
    /** Extra fields a spec of this type carries (the UI shows them), e.g. {"id":"frames","label":"Frames"}. */
    fields: z
      .array(z.object({ id: idSchema, label: name, default: z.union([z.string().max(200), z.number(), z.boolean()]).optional() }).strict())
      .max(50)
      .default([]),
    negativePrompt: z.string().max(2000).optional(),
  })
  .strict();

export const paletteSchema = z
  .object({
    id: idSchema,
    name,
    colors: z.array(z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is "#rrggbb"')).max(64),
    aliases: words.default([]),
  })
  .strict();

export const modelSchema = z
  .object({
    id: idSchema,
    name,
    /** A model hash when known (recorded in each variant's metadata). */
    hash: z.string().max(128).optional(),
    /** Asset types it suits (empty: all). */
    assetTypes: z.array(idSchema).max(100).default([]),
  })
  .strict();

export const loraSchema = modelSchema
  .extend({
    /** baseline: shared across projects; project: this project's own. */
    scope: z.enum(['baseline', 'project'], { error: 'scope is "baseline" or "project"' }),
    weight: z.number().min(-4).max(4).default(1),
  })
  .strict();

export const loraSelections = ['baseline-first', 'project-first'] as const;

export const catalogDefaultsSchema = z
  .object({
    style: z.string().max(500).default(''),
    scenario: z.string().max(500).default(''),
    /** Tags every spec carries (the project-wide ones). */
    tags: words.default([]),
    negativePrompt: z.string().max(2000).default('blurry, low quality, watermark, text'),
    checkpointId: idSchema.optional(),
    variants: z.number().int().min(1).max(64).default(4),
    steps: z.number().int().min(1).max(200).default(28),
    sampler: z.string().min(1).max(64).default('euler_a'),
    cfg: z.number().min(0).max(30).default(7),
    /** fixed: every spec starts at `seed`; per-spec: a seed derived from the spec's text (stable across runs). */
    seedRule: z.enum(['fixed', 'per-spec']).default('per-spec'),
    seed: seedSchema.default(1),
    baselineProfileId: idSchema.optional(),
    styleConsistency: z.enum(['strict', 'loose', 'off']).default('strict'),
    /** What a variant must be to pass review automatically (the happy loop's contract). */
    qualityContract: z
      .object({ transparentBackground: z.boolean().default(true), minCoverage: z.number().min(0).max(1).default(0.05) })
      .strict()
      .default({ transparentBackground: true, minCoverage: 0.05 }),
  })
  .strict();

/** The whole catalog as the API and `catalog import` take it; every part is optional and defaults to empty. */
export const catalogSchema = z
  .object({
    assetTypes: z.array(assetTypeSchema).max(200).default([]),
    tagGroups: z.record(word, words).default({}),
    palettes: z.array(paletteSchema).max(200).default([]),
    checkpoints: z.array(modelSchema).max(200).default([]),
    loras: z.array(loraSchema).max(500).default([]),
    defaults: catalogDefaultsSchema.default(catalogDefaultsSchema.parse({})),
    policies: z
      .object({
        loraSelection: z.enum(loraSelections, { error: `loraSelection is one of: ${loraSelections.join(', ')}` }).default('baseline-first'),
      })
      .strict()
      .default({ loraSelection: 'baseline-first' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const unique = (list: { id: string }[], key: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `id '${x.id}' is given twice in ${key}` });
        seen.add(x.id);
      });
    };
    unique(c.assetTypes, 'assetTypes');
    unique(c.palettes, 'palettes');
    unique(c.checkpoints, 'checkpoints');
    unique(c.loras, 'loras');
    const ids = (list: { id: string }[]) => new Set(list.map((x) => x.id));
    const [types, ckpts, loras] = [ids(c.assetTypes), ids(c.checkpoints), ids(c.loras)];
    const known = (set: Set<string>, id: string | undefined, path: (string | number)[], what: string) => {
      if (id !== undefined && !set.has(id))
        ctx.addIssue({ code: 'custom', path, message: `no ${what} '${id}' in this catalog (known: ${[...set].join(', ') || 'none'})` });
    };
    c.assetTypes.forEach((t, i) => {
      known(loras, t.loraId, ['assetTypes', i, 'loraId'], 'LoRA');
      known(ckpts, t.checkpointId, ['assetTypes', i, 'checkpointId'], 'checkpoint');
    });
    known(ckpts, c.defaults.checkpointId, ['defaults', 'checkpointId'], 'checkpoint');
    for (const [key, list] of [
      ['checkpoints', c.checkpoints],
      ['loras', c.loras],
    ] as const)
      list.forEach((m, i) => m.assetTypes.forEach((t, j) => known(types, t, [key, i, 'assetTypes', j], 'asset type')));
  });
export type Catalog = z.output<typeof catalogSchema>;
export type AssetType = Catalog['assetTypes'][number];

export const emptyCatalog: Catalog = catalogSchema.parse({});

/** The seed's layout: which part of the catalog lives in which file under data/projects/<projectId>/. */
export const catalogFiles = {
  assetTypes: 'catalogs/asset-types.json',
  tagGroups: 'catalogs/tag-groups.json',
  palettes: 'catalogs/palettes.json',
  checkpoints: 'catalogs/checkpoints.json',
  loras: 'catalogs/loras.json',
} as const;

/** The catalog as files (project.json holds the defaults and policies): relative path → JSON value. */
export function catalogToFiles(project: { id: string; name: string }, catalog: Catalog, version: number): Record<string, unknown> {
  const files: Record<string, unknown> = {
    'project.json': { id: project.id, name: project.name, catalogVersion: version, defaults: catalog.defaults, policies: catalog.policies },
  };
  for (const [key, file] of Object.entries(catalogFiles)) files[file] = catalog[key as keyof typeof catalogFiles];
  return files;
}

/** The files of the seed's layout back into one catalog body (each file's content under its key; absent files stay absent). */
export function catalogFromFiles(read: (relativePath: string) => unknown): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const project = read('project.json');
  if (project && typeof project === 'object') {
    const { defaults, policies } = project as Record<string, unknown>;
    if (defaults !== undefined) body.defaults = defaults;
    if (policies !== undefined) body.policies = policies;
  }
  for (const [key, file] of Object.entries(catalogFiles)) {
    const value = read(file);
    if (value !== undefined) body[key] = value;
  }
  return body;
}
