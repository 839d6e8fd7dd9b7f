// Projects, tokens, assets/variants/specs and manual overrides, with their input schemas.
import { z } from 'zod';
import { authorize, authorizeGlobalAdmin, type Principal } from '../auth/principal.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { exportProfileIds, idSchema, jobOutputSchemas, jobTypes, type JobType } from '../jobs/contracts.js';
import { decisionOfEvent } from '../events/review.js';
import { defaultProjectSettings } from '../store/projects.js';
import type { ProjectSettings } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { parseWith } from '../validation.js';

const role = z.enum(['artist', 'lead', 'admin']);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export const projectInputSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-", up to 63 characters'),
    name: z.string().min(1).max(200),
    settings: z
      .object({
        limits: z
          .object({
            maxConcurrentRuns: z.number().int().min(1).max(1000),
            maxChainDepth: z.number().int().min(1).max(50),
            debounceMs: z.number().int().min(0),
          })
          .partial()
          .optional(),
        policies: z
          .object({
            allowSelfApproval: z.boolean(),
            defaultExportProfile: z.enum(exportProfileIds, {
              error: `use one of the built-in export profiles: ${exportProfileIds.join(', ')}`,
            }),
            approvalExpiryMs: z.number().int().positive().nullable(),
          })
          .partial()
          .optional(),
        roles: z.record(z.string(), role).optional(),
        tagGroups: z.record(z.string(), z.array(z.string())).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A change of settings (PATCH): any part of them. */
export const settingsInputSchema = projectInputSchema.shape.settings.unwrap();

export const tokenInputSchema = z.object({ role, label: z.string().max(200).optional() }).strict();

export const assetInputSchema = z
  .object({
    id: idSchema.optional(),
    type: z.string().min(1).max(64),
    name: z.string().max(200).optional(),
    specId: idSchema.optional(),
    variants: z
      .union([
        z.number().int().min(0).max(64),
        z
          .array(z.object({ id: idSchema.optional() }).strict())
          .max(64)
          .superRefine((list, ctx) => {
            const seen = new Set<string>();
            list.forEach((v, i) => {
              if (v.id && seen.has(v.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `variant id '${v.id}' is given twice` });
              if (v.id) seen.add(v.id);
            });
          }),
      ])
      .optional(),
  })
  .strict();

export const specInputSchema = z
  .object({
    id: idSchema.optional(),
    assetType: z.string().min(1).max(64),
    prompt: z.object({ positive: z.string().min(1).max(4000), negative: z.string().max(4000).optional() }).strict(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const overrideInputSchema = z.object({ manualOverride: z.boolean() }).strict();

/**
 * A finished job's output as rows (variants, atlases, exports), for the runner. A worker whose outputs miss
 * their contract would say so for every job: `warn` hears of it once a minute per job type.
 */
export function jobOutputRegistrar(
  entities: { registerOutput(projectId: string, jobType: JobType, input: Record<string, unknown>, output: unknown): boolean },
  now: () => number,
  warn: (projectId: string, jobType: JobType) => void,
) {
  const lastWarning = new Map<JobType, number>();
  return (projectId: string, jobType: JobType, input: Record<string, unknown>, output: unknown): void => {
    if (entities.registerOutput(projectId, jobType, input, output)) return;
    if (now() - (lastWarning.get(jobType) ?? -Infinity) < 60_000) return;
    lastWarning.set(jobType, now());
    warn(projectId, jobType);
  };
}

export function createEntityService(deps: { store: Store }) {
  const { projects, tokens, entities } = deps.store;
  const requireProject = (id: string) => {
    const row = projects.get(id);
    if (!row) throw new NotFoundError('project', id);
    return row;
  };
  const service = {
    requireProject,
    projects,
    tokens,
    /**
     * Engine-internal (no principal: the runner calls it, in the unit that records the step): a finished
     * job's output as rows — a generate job's asset and variants, a pack_atlas job's atlas, an export's
     * bundle. False when the output does not match its contract; other job types register nothing.
     */
    registerOutput(projectId: string, jobType: JobType, input: Record<string, unknown>, output: unknown): boolean {
      if (jobType === 'pack_atlas') {
        const out = jobOutputSchemas.pack_atlas.safeParse(output);
        if (!out.success) return false;
        const { atlasId, pages, data, frames, occupancy } = out.data;
        entities.upsertAtlas(projectId, atlasId, strings(input.assetIds), { pages, data, frames, occupancy });
        return true;
      }
      if (jobType === 'export') {
        const out = jobOutputSchemas.export.safeParse(output);
        if (!out.success) return false;
        const { exportId, bundlePath, bundleDir, manifestPath, files } = out.data;
        const profile = typeof input.profileId === 'string' ? input.profileId : 'custom';
        entities.upsertExport(projectId, exportId, profile, strings(input.atlasIds), { bundlePath, bundleDir, manifestPath, files });
        return true;
      }
      if (jobType !== 'generate') return true;
      const out = jobOutputSchemas.generate.safeParse(output);
      if (!out.success) return false;
      const specId = typeof input.specId === 'string' ? input.specId : undefined;
      const prompt = typeof input.prompt === 'string' ? input.prompt : undefined;
      const assetType = typeof input.assetType === 'string' ? input.assetType : undefined;
      entities.registerGenerated(
        projectId,
        { assetId: out.data.assetId, ...(specId ? { specId } : {}), ...(prompt ? { prompt } : {}), ...(assetType ? { assetType } : {}) },
        out.data.variants,
        out.data.contactSheet,
      );
      return true;
    },
    createProject(p: Principal, body: unknown) {
      authorizeGlobalAdmin(p);
      const input = parseWith(projectInputSchema, body, 'project');
      if (projects.get(input.id)) throw new ConflictError(`Project '${input.id}' already exists; pick another id.`);
      const s = input.settings ?? {};
      return projects.create(
        {
          id: input.id,
          name: input.name,
          settings: {
            limits: { ...defaultProjectSettings.limits, ...s.limits },
            policies: { ...defaultProjectSettings.policies, ...s.policies },
            roles: s.roles ?? {},
            tagGroups: s.tagGroups ?? {},
          },
        },
        p.id,
      );
    },
    getProject(p: Principal, projectId: string) {
      authorize(p, projectId, 'project.read');
      return requireProject(projectId);
    },
    /**
     * A job run outside the engine (`greenlight job run`): record what it made — a generate job's asset and
     * variants (files filled in), an atlas, an export — as a rule's job would. False when the output is not one.
     */
    registerJobOutput(p: Principal, projectId: string, jobType: JobType, input: Record<string, unknown>, output: unknown): boolean {
      authorize(p, projectId, 'entities.write');
      requireProject(projectId);
      if (!(jobTypes as readonly string[]).includes(jobType)) return false;
      return service.registerOutput(projectId, jobType, input, output);
    },
    /** The projects a principal may read: every one for a global admin (and the local CLI), else its own. */
    listProjects(p: Principal) {
      return p.projectId === null ? projects.list() : [requireProject(p.projectId)];
    },
    /** A project's tokens as an admin sees them: id, role, label, when made and revoked; never the token. */
    listTokens(p: Principal, projectId: string) {
      authorize(p, projectId, 'project.admin');
      requireProject(projectId);
      return tokens.list(projectId).map(({ tokenHash: _h, ...row }) => row);
    },
    /** Revoke one of a project's tokens: it stops authenticating at once (so do web sessions signed in with it). */
    revokeToken(p: Principal, projectId: string, tokenId: string) {
      authorize(p, projectId, 'project.admin');
      requireProject(projectId);
      const row = tokens.revoke(projectId, tokenId, p.id);
      if (!row) throw new NotFoundError('token', tokenId);
      const { tokenHash: _h, ...rest } = row;
      return rest;
    },
    /** Change a project's settings: limits and policies merge into what is set, roles and tag groups replace theirs. */
    updateSettings(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'project.admin');
      const project = requireProject(projectId);
      const patch = parseWith(settingsInputSchema, body, 'settings') ?? {};
      const next: ProjectSettings = {
        ...project.settings,
        ...patch,
        limits: { ...project.settings.limits, ...patch.limits },
        policies: { ...project.settings.policies, ...patch.policies },
      } as ProjectSettings;
      projects.updateSettings(projectId, next, p.id);
      return requireProject(projectId);
    },
    createToken(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'project.admin');
      requireProject(projectId);
      const input = parseWith(tokenInputSchema, body, 'token request');
      return tokens.create({ projectId, role: input.role, ...(input.label ? { label: input.label } : {}) }, p.id);
    },
    createAsset(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'entities.write');
      requireProject(projectId);
      const input = parseWith(assetInputSchema, body, 'asset');
      if (input.specId && !entities.facts(projectId, 'spec', input.specId)) throw new NotFoundError('spec', input.specId);
      return entities.createAsset(projectId, input);
    },
    createSpec(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'entities.write');
      requireProject(projectId);
      const input = parseWith(specInputSchema, body, 'spec');
      try {
        return entities.createSpec(projectId, input);
      } catch (err) {
        // Spec ids are unique across projects and the store does not check first (as it does for assets).
        if (input.id && (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
          throw new ConflictError(`Spec id '${input.id}' is taken; choose another or leave id out.`);
        throw err;
      }
    },
    getAsset(p: Principal, projectId: string, assetId: string) {
      authorize(p, projectId, 'project.read');
      return { asset: entities.getAsset(projectId, assetId), variants: entities.variantsOf(assetId) };
    },
    listAssets(p: Principal, projectId: string) {
      authorize(p, projectId, 'project.read');
      requireProject(projectId);
      return entities.listAssets(projectId);
    },
    /** The newest review decisions in a project (variant.* events), for the web's home page. */
    recentDecisions(p: Principal, projectId: string, limit = 20) {
      authorize(p, projectId, 'project.read');
      return deps.store.events.recentOfTypes(projectId, Object.keys(decisionOfEvent), limit);
    },
    getVariant(p: Principal, projectId: string, variantId: string) {
      authorize(p, projectId, 'project.read');
      return entities.getVariant(projectId, variantId);
    },
    setOverride(p: Principal, projectId: string, kind: 'asset' | 'spec' | 'atlas', id: string, body: unknown) {
      authorize(p, projectId, 'entities.write');
      const input = parseWith(overrideInputSchema, body, 'override');
      entities.setManualOverride(projectId, kind, id, input.manualOverride, p.id);
      return { kind, id, manualOverride: input.manualOverride };
    },
  };
  return service;
}
