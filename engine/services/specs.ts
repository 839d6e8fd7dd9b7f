// Catalogs and specs as use cases: import / export a project's catalog (versioned,
// mirrored to the seed's folder layout), take a wishlist (SpecList) and refine it into
// AssetSpecs — with the built-in refiner or the SPEC_REFINER_URL hook, validated the
// same way — storing the list, its specs and one `spec.refined` per spec together.
import fs from 'node:fs';
import path from 'node:path';
import { authorize, type Principal } from '../auth/principal.js';
import { ConflictError, GreenlightError, NotFoundError, ValidationError } from '../errors.js';
import { buildEventRow, type Actor } from '../events/intake.js';
import { newId, type Clock } from '../ids.js';
import type { ActionDefaults } from '../rules/actions.js';
import { catalogSchema, catalogToFiles, emptyCatalog, type Catalog } from '../specs/catalog.js';
import type { SpecSource } from '../specs/generation.js';
import { refineWishlist } from '../specs/refiner.js';
import {
  refinerOutputFor,
  specGenerateEvent,
  specGenerateInputSchema,
  specListInputSchema,
  specRefinedEvent,
  type AssetSpec,
  type RefinerRequest,
} from '../specs/spec.js';
import type { EventRow } from '../store/events.js';
import type { SpecListRow, SpecRow } from '../store/specs.js';
import type { Store } from '../store/store.js';
import { parseWith } from '../validation.js';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'spec';

/** A spec as the API shows it: its row, with the AssetSpec body (null for a hand-made spec). */
export type ApiSpec = Omit<SpecRow, 'body'> & { body: AssetSpec | null };
const toApiSpec = (row: SpecRow): ApiSpec => ({ ...row, body: (row.body as AssetSpec | null) ?? null });

/** The catalog in force for a project (parsed once per version) — the same reader for the act and the plan. */
function catalogReader(store: Store) {
  const parsed = new Map<string, { version: number; catalog: Catalog }>();
  return (projectId: string): { version: number; catalog: Catalog } => {
    const row = store.specs.currentCatalog(projectId);
    if (!row) return { version: 0, catalog: emptyCatalog };
    const hit = parsed.get(projectId);
    if (hit && hit.version === row.version) return hit;
    const fresh = { version: row.version, catalog: catalogSchema.parse(row.body) };
    parsed.set(projectId, fresh);
    return fresh;
  };
}

/**
 * What the step machine leaves to the project, for planning and running alike: the default export profile, and
 * a generate job's spec (with the catalog in force) when the job names a `specId`.
 */
export function actionDefaultsFor(store: Store): (projectId: string) => ActionDefaults {
  const catalogOf = catalogReader(store);
  return (projectId) => ({
    exportProfile: store.projects.get(projectId)?.settings.policies.defaultExportProfile ?? 'custom',
    specOf(specId: string): SpecSource | null {
      const row = store.specs.spec(projectId, specId);
      return row?.body ? { body: row.body as AssetSpec, catalog: catalogOf(projectId).catalog } : null;
    },
  });
}

export interface SpecServiceDeps {
  store: Store;
  clock: Clock;
  onStored: (source: string, row?: EventRow) => void;
  actorOf: (p: Principal) => Actor;
  projectDir: (projectId: string) => string;
  /** SPEC_REFINER_URL: an external refiner with the built-in one's contract. */
  refinerUrl?: string | undefined;
  warn: (msg: string, data: Record<string, unknown>) => void;
}

export function createSpecService(deps: SpecServiceDeps) {
  const { store } = deps;
  const catalogOf = catalogReader(store);
  const requireProject = (projectId: string) => {
    const row = store.projects.get(projectId);
    if (!row) throw new NotFoundError('project', projectId);
    return row;
  };
  /** Files of the seed's layout under the project folder: written after the commit, a mirror `catalog export` rewrites. */
  const writeFiles = (dir: string, files: Record<string, unknown>): string[] => {
    const written: string[] = [];
    for (const [rel, value] of Object.entries(files)) {
      const file = path.join(dir, rel);
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
        written.push(rel);
      } catch (err) {
        deps.warn('could not write a catalog/spec file (the database has it; `catalog export` writes it again)', { file, err });
      }
    }
    return written;
  };

  async function refine(projectId: string, id: string, input: RefinerRequest['specList'], catalog: Catalog): Promise<unknown> {
    if (!deps.refinerUrl) return refineWishlist(input, catalog);
    const request: RefinerRequest = { projectId, specList: input, catalog };
    let res: Response;
    try {
      res = await fetch(deps.refinerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new GreenlightError(
        'unavailable',
        `The spec refiner at SPEC_REFINER_URL did not answer (${(err as Error).message}); nothing was stored. Check it, or unset SPEC_REFINER_URL to use the built-in refiner.`,
        { cause: err },
      );
    }
    const raw = await res.text();
    if (!res.ok || raw.length > 2_000_000)
      throw new GreenlightError(
        'unavailable',
        `The spec refiner at SPEC_REFINER_URL answered ${res.status}${raw.length > 2_000_000 ? ' with more than 2 MB' : ''}; nothing was stored (spec list ${id}).`,
      );
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new GreenlightError(
        'unavailable',
        'The spec refiner at SPEC_REFINER_URL answered something that is not JSON; nothing was stored.',
      );
    }
  }

  /** The refiner's answer, by the contract and against the catalog; an external refiner's bad answer is its fault (503). */
  const checked = (raw: unknown, catalog: Catalog) => {
    try {
      return parseWith(
        refinerOutputFor(catalog),
        raw,
        deps.refinerUrl ? 'answer of the spec refiner (SPEC_REFINER_URL)' : 'refined spec list',
      );
    } catch (err) {
      if (!deps.refinerUrl || !(err instanceof ValidationError)) throw err;
      throw new GreenlightError('unavailable', `${err.message}; nothing was stored. Fix the refiner or unset SPEC_REFINER_URL.`, {
        cause: err,
        ...(err.details ? { details: err.details } : {}),
      });
    }
  };

  return {
    catalogOf,
    /** The catalog in force (version 0: none imported yet, the empty defaults). */
    getCatalog(p: Principal, projectId: string) {
      authorize(p, projectId, 'project.read');
      requireProject(projectId);
      return { ...catalogOf(projectId), versions: store.specs.catalogVersions(projectId) };
    },
    /**
     * A new catalog version (the whole catalog: parts left out are empty): validated with every problem by path,
     * nothing changed on error. Its tag groups become the project's chips. Mirrored to project.json + catalogs/.
     */
    importCatalog(p: Principal, projectId: string, body: unknown) {
      authorize(p, projectId, 'project.admin');
      const project = requireProject(projectId);
      const catalog = parseWith(catalogSchema, body, 'catalog');
      const row = store.transaction(() => {
        const inserted = store.specs.insertCatalog(projectId, catalog as unknown as Record<string, unknown>, p.id);
        store.projects.updateSettings(projectId, { ...project.settings, tagGroups: catalog.tagGroups }, p.id);
        return inserted;
      });
      const files = writeFiles(deps.projectDir(projectId), catalogToFiles(project, catalog, row.version));
      return { version: row.version, catalog, files };
    },
    /** Write the catalog in force to `dir` (default: the project folder) in the seed's layout. */
    exportCatalog(p: Principal, projectId: string, dir?: string) {
      authorize(p, projectId, 'project.read');
      const project = requireProject(projectId);
      const { version, catalog } = catalogOf(projectId);
      const target = dir ?? deps.projectDir(projectId);
      return { version, catalog, dir: target, files: writeFiles(target, catalogToFiles(project, catalog, version)) };
    },
    /**
     * Take a wishlist and refine it: the list (as written), one spec per asset and one `spec.refined` per spec are
     * stored in one transaction; what the refiner could not read comes back as questions on the list.
     */
    async addSpecList(p: Principal, projectId: string, body: unknown, source = 'api') {
      authorize(p, projectId, 'entities.write');
      requireProject(projectId);
      const input = parseWith(specListInputSchema, body, 'spec list');
      const { version, catalog } = catalogOf(projectId);
      const id = newId('sl');
      const raw = await refine(projectId, id, { id, ...input }, catalog);
      const out = checked(raw, catalog);
      const now = deps.clock.now();
      const taken = new Set<string>();
      const idOf = (name: string) => {
        const base = `${slug(name)}-${id.slice(-6)}`;
        let n = 1;
        while (taken.has(n === 1 ? base : `${base}-${n}`)) n++;
        const specId = n === 1 ? base : `${base}-${n}`;
        taken.add(specId);
        return specId;
      };
      const specs: SpecRow[] = out.specs.map((spec) => ({
        id: idOf(spec.name),
        projectId,
        assetType: spec.assetType,
        prompt: spec.prompt,
        params: { ...spec.generationParams },
        manualOverride: false,
        specListId: id,
        name: spec.name,
        body: spec as unknown as Record<string, unknown>,
        createdAt: now,
      }));
      const list: SpecListRow = {
        id,
        projectId,
        text: input.text,
        references: input.references,
        status: out.questions.length > 0 ? 'needs_answers' : 'refined',
        questions: out.questions,
        specIds: specs.map((s) => s.id),
        refiner: deps.refinerUrl ?? 'builtin',
        catalogVersion: version,
        createdBy: p.id,
        createdAt: now,
      };
      const stored = store.transaction(() => {
        store.specs.insertSpecList(list);
        return specs.map((s) => {
          store.specs.insertSpec(s);
          const e = specRefinedEvent({ id: s.id, specListId: id, body: s.body as unknown as AssetSpec });
          const row = buildEventRow(projectId, { ...e, idempotencyKey: `${s.id}.refined` }, deps.actorOf(p), source, now);
          return store.events.insert(row).row;
        });
      });
      for (const e of stored) deps.onStored(source, e);
      const dir = deps.projectDir(projectId);
      writeFiles(dir, {
        [`spec-lists/${id}.json`]: list,
        ...Object.fromEntries(specs.map((s) => [`specs/${s.id}.json`, toApiSpec(s)])),
      });
      return { specList: list, specs: specs.map(toApiSpec), questions: out.questions, events: stored.map((e) => e.id) };
    },
    getSpecList(p: Principal, projectId: string, id: string) {
      authorize(p, projectId, 'project.read');
      const list = store.specs.specList(projectId, id);
      if (!list) throw new NotFoundError('spec list', id);
      return { specList: list, specs: list.specIds.flatMap((s) => store.specs.spec(projectId, s) ?? []).map(toApiSpec) };
    },
    listSpecLists(p: Principal, projectId: string) {
      authorize(p, projectId, 'project.read');
      requireProject(projectId);
      return store.specs.specLists(projectId);
    },
    /**
     * Ask for variants of a spec (a Generate button): `spec.generate_requested` is stored (its idempotency key's twin
     * when given twice); a rule on it submits the generate job, behind an admin's approval as costly work is.
     */
    requestGenerate(p: Principal, projectId: string, specId: string, body: unknown, source = 'api') {
      authorize(p, projectId, 'entities.write');
      requireProject(projectId);
      const input = parseWith(specGenerateInputSchema, body === undefined ? {} : body, 'generate request');
      const result = store.transaction(() => {
        const twin = input.idempotencyKey ? store.events.findByKey(projectId, input.idempotencyKey) : undefined;
        if (twin && (twin.type !== 'spec.generate_requested' || twin.subjectId !== specId))
          throw new ConflictError(
            `idempotencyKey '${input.idempotencyKey}' was already used for another event (${twin.type} on ${twin.subjectId}); use a new key.`,
          );
        if (twin) return { event: twin, created: false };
        const row = store.specs.spec(projectId, specId);
        if (!row) throw new NotFoundError('spec', specId);
        const e = specGenerateEvent({ ...row, body: (row.body as AssetSpec | null) ?? null }, input, p.id);
        const key = input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {};
        const built = buildEventRow(projectId, { ...e, ...key }, deps.actorOf(p), source, deps.clock.now());
        return { event: store.events.insert(built).row, created: true };
      });
      if (result.created) deps.onStored(source, result.event);
      return result;
    },
    getSpec(p: Principal, projectId: string, specId: string): ApiSpec {
      authorize(p, projectId, 'project.read');
      const row = store.specs.spec(projectId, specId);
      if (!row) throw new NotFoundError('spec', specId);
      return toApiSpec(row);
    },
    listSpecs(p: Principal, projectId: string): ApiSpec[] {
      authorize(p, projectId, 'project.read');
      requireProject(projectId);
      return store.specs.specs(projectId).map(toApiSpec);
    },
  };
}
export type SpecService = ReturnType<typeof createSpecService>;
