// Models for an asset type, by the project's policy, and a generate job's input filled
// from a spec. Pure: the refiner suggests with `suggestModels`; the step machine fills
// a generate job that names a `specId` with `generateFromSpec`, the same code in a
// dry-run and in the run, so the plan shows the prompt, size and models the job gets.
import type { Catalog } from './catalog.js';
import type { AssetSpec } from './spec.js';

/** The checkpoint and LoRAs an asset type is drawn with, LoRAs ordered by `policies.loraSelection`. */
export function suggestModels(catalog: Catalog, assetTypeId: string): { checkpointId: string | null; loraIds: string[] } {
  const type = catalog.assetTypes.find((t) => t.id === assetTypeId);
  const suits = (m: { assetTypes: string[] }) => m.assetTypes.includes(assetTypeId);
  const checkpointId =
    type?.checkpointId ??
    catalog.checkpoints.find(suits)?.id ??
    catalog.defaults.checkpointId ??
    catalog.checkpoints.find((c) => c.assetTypes.length === 0)?.id ??
    null;
  // The type's own LoRA first within its scope, then the catalog's order; LoRAs that name no type suit every type.
  const candidates = catalog.loras
    .filter((l) => l.id === type?.loraId || suits(l) || l.assetTypes.length === 0)
    .sort((a, b) => Number(b.id === type?.loraId) - Number(a.id === type?.loraId));
  const first = catalog.policies.loraSelection === 'baseline-first' ? 'baseline' : 'project';
  const ordered = [...candidates.filter((l) => l.scope === first), ...candidates.filter((l) => l.scope !== first)];
  return { checkpointId, loraIds: ordered.slice(0, 16).map((l) => l.id) };
}

/** What the machine needs to fill a generate job from a spec: the spec and the catalog it was refined against. */
export interface SpecSource {
  body: AssetSpec;
  catalog: Catalog;
}

const given = (input: Record<string, unknown>, key: string) => input[key] !== undefined;

/**
 * A generate job's input with what it leaves out taken from the spec: prompt, negative prompt, size, seed,
 * variants, sampler settings, and the models — `checkpointId` / `loraIds` in the input override the spec's
 * suggestion; `checkpointName` / `loraName` given outright win. Model names and hashes come from the catalog.
 */
export function generateFromSpec(source: SpecSource, input: Record<string, unknown>): Record<string, unknown> {
  const { body, catalog } = source;
  const g = body.generationParams;
  const ckptId = typeof input.checkpointId === 'string' ? input.checkpointId : body.checkpointId;
  const loraIds =
    Array.isArray(input.loraIds) && input.loraIds.every((x) => typeof x === 'string')
      ? (input.loraIds as string[])
      : body.loraPolicy.loraIds;
  const checkpoint = catalog.checkpoints.find((c) => c.id === ckptId);
  const loras = loraIds.flatMap((id) => catalog.loras.filter((l) => l.id === id));
  const hashes: Record<string, string> = {};
  if (checkpoint?.hash) hashes[checkpoint.name] = checkpoint.hash;
  for (const l of loras) if (l.hash) hashes[l.name] = l.hash;
  const fill: Record<string, unknown> = {
    assetType: body.assetType,
    prompt: body.prompt.positive,
    negativePrompt: body.prompt.negative,
    width: g.width,
    height: g.height,
    seed: g.seed,
    count: g.variants,
    steps: g.steps,
    sampler: g.sampler,
    cfg: g.cfg,
    ...(checkpoint ? { checkpointName: checkpoint.name } : {}),
    ...(loras.length > 0 ? { loraName: loras[0]!.name, loraNames: loras.map((l) => l.name) } : {}),
    ...(Object.keys(hashes).length > 0 ? { modelHashes: hashes } : {}),
  };
  const out = { ...input };
  for (const [key, value] of Object.entries(fill)) if (!given(input, key)) out[key] = value;
  return out;
}
