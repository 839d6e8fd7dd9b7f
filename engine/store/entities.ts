// Specs, assets, variants and atlases: the things reviewers decide on and
// rules act on, with manual override flags.
import { and, desc, eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { StoreContext } from './context.js';
import type { Db } from './db.js';
import { assets, atlases, auditLog, exports as exportsTable, specs, variants } from './schema.js';

export type AssetRow = typeof assets.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
export type OverridableKind = 'asset' | 'spec' | 'atlas';
const overridable = { asset: assets, spec: specs, atlas: atlases } as const;

/** The planner reads entity facts for every event: prepared once per store. */
function prepareFacts(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    variant: db
      .select({ assetId: variants.assetId })
      .from(variants)
      .where(and(eq(variants.id, p('id')), eq(variants.projectId, p('projectId'))))
      .prepare(),
    asset: db
      .select({ specId: assets.specId, type: assets.type, manualOverride: assets.manualOverride })
      .from(assets)
      .where(and(eq(assets.id, p('id')), eq(assets.projectId, p('projectId'))))
      .prepare(),
    spec: db
      .select({ assetType: specs.assetType, manualOverride: specs.manualOverride })
      .from(specs)
      .where(and(eq(specs.id, p('id')), eq(specs.projectId, p('projectId'))))
      .prepare(),
    atlas: db
      .select({ manualOverride: atlases.manualOverride })
      .from(atlases)
      .where(and(eq(atlases.id, p('id')), eq(atlases.projectId, p('projectId'))))
      .prepare(),
  };
}

export function createEntitiesRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const facts = prepareFacts(db);
  const repo = {
    createAsset(
      projectId: string,
      input: { id?: string; type: string; name?: string; specId?: string; variants?: number | { id?: string }[] },
    ): { asset: AssetRow; variants: VariantRow[] } {
      const now = clock.now();
      const assetId = input.id ?? newId('ast');
      const list = typeof input.variants === 'number' ? Array.from({ length: input.variants }, () => ({})) : (input.variants ?? []);
      return ctx.transaction(() => {
        if (db.select({ id: assets.id }).from(assets).where(eq(assets.id, assetId)).get())
          throw new ConflictError(`Asset id '${assetId}' is taken; choose another or leave id out.`);
        for (const v of list as { id?: string }[])
          if (v.id && db.select({ id: variants.id }).from(variants).where(eq(variants.id, v.id)).get())
            throw new ConflictError(`Variant id '${v.id}' is taken; choose another or leave id out.`);
        db.insert(assets)
          .values({ id: assetId, projectId, type: input.type, name: input.name ?? '', specId: input.specId ?? null, createdAt: now })
          .run();
        for (const v of list as { id?: string }[])
          db.insert(variants)
            .values({ id: v.id ?? newId('var'), projectId, assetId, createdAt: now, updatedAt: now })
            .run();
        return { asset: repo.getAsset(projectId, assetId), variants: repo.variantsOf(assetId) };
      });
    },
    createSpec(
      projectId: string,
      input: { id?: string; assetType: string; prompt: { positive: string; negative?: string }; params?: Record<string, unknown> },
    ) {
      const id = input.id ?? newId('spec');
      db.insert(specs)
        .values({ id, projectId, assetType: input.assetType, prompt: input.prompt, params: input.params ?? {}, createdAt: clock.now() })
        .run();
      return db.select().from(specs).where(eq(specs.id, id)).get()!;
    },
    getAsset(projectId: string, id: string): AssetRow {
      const row = db
        .select()
        .from(assets)
        .where(and(eq(assets.id, id), eq(assets.projectId, projectId)))
        .get();
      if (!row) throw new NotFoundError('asset', id);
      return row;
    },
    /** A project's assets, newest first, with their variants (at most `limit` assets). */
    listAssets(projectId: string, limit = 200): { asset: AssetRow; variants: VariantRow[] }[] {
      const rows = db.select().from(assets).where(eq(assets.projectId, projectId)).orderBy(desc(assets.createdAt)).limit(limit).all();
      if (rows.length === 0) return [];
      const all = db.select().from(variants).where(eq(variants.projectId, projectId)).all();
      return rows.map((asset) => ({ asset, variants: all.filter((v) => v.assetId === asset.id) }));
    },
    variantsOf(assetId: string): VariantRow[] {
      return db.select().from(variants).where(eq(variants.assetId, assetId)).all();
    },
    getVariant(projectId: string, id: string): VariantRow {
      const row = db
        .select()
        .from(variants)
        .where(and(eq(variants.id, id), eq(variants.projectId, projectId)))
        .get();
      if (!row) throw new NotFoundError('variant', id);
      return row;
    },
    setManualOverride(projectId: string, kind: OverridableKind, id: string, on: boolean, actor: string): void {
      const table = overridable[kind];
      ctx.transaction(() => {
        const res = db
          .update(table)
          .set({ manualOverride: on })
          .where(and(eq(table.id, id), eq(table.projectId, projectId)))
          .run();
        if (res.changes === 0) throw new NotFoundError(kind, id);
        db.insert(auditLog)
          .values({ projectId, actor, action: on ? 'override.on' : 'override.off', target: `${kind}/${id}`, at: clock.now() })
          .run();
      });
    },
    /** Facts the planner reads about one entity (type, parent, override). */
    facts(projectId: string, kind: string, id: string) {
      if (kind === 'variant') {
        const v = facts.variant.get({ id, projectId });
        return v ? { kind, id, assetId: v.assetId, manualOverride: false } : null;
      }
      if (kind === 'asset') {
        const a = facts.asset.get({ id, projectId });
        return a ? { kind, id, specId: a.specId, assetType: a.type, manualOverride: a.manualOverride } : null;
      }
      if (kind === 'spec') {
        const s = facts.spec.get({ id, projectId });
        return s ? { kind, id, assetType: s.assetType, manualOverride: s.manualOverride } : null;
      }
      if (kind === 'atlas') {
        const a = facts.atlas.get({ id, projectId });
        return a ? { kind, id, manualOverride: a.manualOverride } : null;
      }
      return null;
    },
    /**
     * A finished generate job's variants become rows reviewers can decide on: the asset is
     * created if new (its type from the spec, else `sprite`), variants that exist stay as they are.
     */
    registerGenerated(
      projectId: string,
      input: { assetId: string; specId?: string; prompt?: string; assetType?: string },
      variantsOut: { variantId: string; path: string; thumbPath: string }[],
      contactSheet: string,
    ): void {
      const now = clock.now();
      ctx.transaction(() => {
        if (!db.select({ id: assets.id }).from(assets).where(eq(assets.id, input.assetId)).get()) {
          const spec = input.specId
            ? db
                .select()
                .from(specs)
                .where(and(eq(specs.id, input.specId), eq(specs.projectId, projectId)))
                .get()
            : undefined;
          db.insert(assets)
            .values({
              id: input.assetId,
              projectId,
              type: input.assetType ?? spec?.assetType ?? 'sprite',
              name: input.prompt?.slice(0, 200) ?? '',
              specId: spec?.id ?? null,
              createdAt: now,
            })
            .run();
        }
        for (const v of variantsOut)
          db.insert(variants)
            .values({
              id: v.variantId,
              projectId,
              assetId: input.assetId,
              files: { original: v.path, thumb: v.thumbPath, contactSheet },
              createdAt: now,
              updatedAt: now,
            })
            .onConflictDoNothing()
            .run();
      });
    },
    /** An atlas a pack_atlas job wrote: created, or its pages and figures refreshed (its override stays). */
    upsertAtlas(projectId: string, id: string, assetIds: string[], meta: Record<string, unknown>): void {
      db.insert(atlases)
        .values({ id, projectId, assetIds, meta, createdAt: clock.now() })
        .onConflictDoUpdate({ target: atlases.id, set: { assetIds, meta }, setWhere: eq(atlases.projectId, projectId) })
        .run();
    },
    /** An export bundle an export job wrote: created, or refreshed. */
    upsertExport(projectId: string, id: string, profile: string, atlasIds: string[], meta: Record<string, unknown>): void {
      db.insert(exportsTable)
        .values({ id, projectId, profile, atlasIds, meta, createdAt: clock.now() })
        .onConflictDoUpdate({ target: exportsTable.id, set: { profile, atlasIds, meta }, setWhere: eq(exportsTable.projectId, projectId) })
        .run();
    },
    clearPrimary(assetId: string, exceptId: string, now: number): void {
      db.update(variants)
        .set({ primary: false, updatedAt: now })
        .where(and(eq(variants.assetId, assetId), eq(variants.primary, true)))
        .run();
      db.update(variants).set({ primary: true, updatedAt: now }).where(eq(variants.id, exceptId)).run();
    },
    setAssetStatus(id: string, status: string): void {
      db.update(assets).set({ status }).where(eq(assets.id, id)).run();
    },
    updateVariant(id: string, patch: Partial<VariantRow>): void {
      db.update(variants).set(patch).where(eq(variants.id, id)).run();
    },
  };
  return repo;
}
