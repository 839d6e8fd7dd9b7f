// Catalog versions, spec lists and refined specs. A catalog is never edited in place:
// each import is a new version and the newest is in force, as with rules.
import { and, desc, eq } from 'drizzle-orm';
import type { StoreContext } from './context.js';
import { auditLog, specs } from './schema.js';
import { projectCatalogs, specLists } from './schema-specs.js';

export type CatalogRow = typeof projectCatalogs.$inferSelect;
export type SpecListRow = typeof specLists.$inferSelect;
export type SpecRow = typeof specs.$inferSelect;

export function createSpecsRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  return {
    /** The catalog in force (the newest version), or undefined before the first import. */
    currentCatalog(projectId: string): CatalogRow | undefined {
      return db
        .select()
        .from(projectCatalogs)
        .where(eq(projectCatalogs.projectId, projectId))
        .orderBy(desc(projectCatalogs.version))
        .limit(1)
        .get();
    },
    catalogVersions(projectId: string): Omit<CatalogRow, 'body'>[] {
      return db
        .select({
          projectId: projectCatalogs.projectId,
          version: projectCatalogs.version,
          createdBy: projectCatalogs.createdBy,
          createdAt: projectCatalogs.createdAt,
        })
        .from(projectCatalogs)
        .where(eq(projectCatalogs.projectId, projectId))
        .orderBy(desc(projectCatalogs.version))
        .all();
    },
    /** A new version of the catalog (call inside the transaction that also applies it). */
    insertCatalog(projectId: string, body: Record<string, unknown>, actor: string): CatalogRow {
      const version = (this.currentCatalog(projectId)?.version ?? 0) + 1;
      const row: CatalogRow = { projectId, version, body, createdBy: actor, createdAt: clock.now() };
      db.insert(projectCatalogs).values(row).run();
      db.insert(auditLog)
        .values({ projectId, actor, action: 'catalog.import', target: `v${version}`, at: row.createdAt })
        .run();
      return row;
    },
    insertSpecList(row: SpecListRow): void {
      db.insert(specLists).values(row).run();
    },
    insertSpec(row: Omit<SpecRow, 'manualOverride'>): void {
      db.insert(specs).values(row).run();
    },
    specList(projectId: string, id: string): SpecListRow | undefined {
      return db
        .select()
        .from(specLists)
        .where(and(eq(specLists.projectId, projectId), eq(specLists.id, id)))
        .get();
    },
    specLists(projectId: string, limit = 100): SpecListRow[] {
      return db.select().from(specLists).where(eq(specLists.projectId, projectId)).orderBy(desc(specLists.createdAt)).limit(limit).all();
    },
    spec(projectId: string, id: string): SpecRow | undefined {
      return db
        .select()
        .from(specs)
        .where(and(eq(specs.projectId, projectId), eq(specs.id, id)))
        .get();
    },
    specs(projectId: string, limit = 500): SpecRow[] {
      return db.select().from(specs).where(eq(specs.projectId, projectId)).orderBy(desc(specs.createdAt)).limit(limit).all();
    },
  };
}
