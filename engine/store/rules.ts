// Rules and their versions. Every change writes a new version row; enabling
// needs a dry-run of exactly the current version.
import { and, asc, eq, isNull } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import type { RuleDefinition, RuleRecord } from '../rules/schema.js';
import { BoundedMap, type StoreContext } from './context.js';
import { auditLog, rules, ruleVersions } from './schema.js';

export type RuleRow = typeof rules.$inferSelect;

export function toRecord(row: RuleRow): RuleRecord {
  return {
    id: row.id,
    projectId: row.projectId,
    version: row.version,
    enabled: row.enabled,
    definition: row.definition as unknown as RuleDefinition,
  };
}

/**
 * Parsed rule records per project are cached (the runner reads them for every event), for at most 500
 * projects; the store drops them on every write here (`write(['rules'])`) and on another connection's.
 * Versions never change once written: at most 5,000 are kept parsed.
 */
export function createRulesRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const recordCache = ctx.cache('rules', () => new BoundedMap<string, RuleRecord[]>(500));
  const versions = new BoundedMap<string, RuleDefinition>(5000);
  const write = <T>(fn: () => T): T => ctx.write(['rules'], fn);
  const audit = (projectId: string, actor: string, action: string, target: string, details: Record<string, unknown> = {}) => {
    db.insert(auditLog).values({ projectId, actor, action, target, details, at: clock.now() }).run();
  };

  const repo = {
    get(projectId: string, ruleId: string): RuleRow {
      const row = db
        .select()
        .from(rules)
        .where(and(eq(rules.id, ruleId), eq(rules.projectId, projectId), isNull(rules.deletedAt)))
        .get();
      if (!row) throw new NotFoundError('rule', ruleId);
      return row;
    },
    /** The project's rules as parsed records, in creation order (cached). */
    records(projectId: string): RuleRecord[] {
      const byProject = recordCache();
      let list = byProject.get(projectId);
      if (!list) byProject.set(projectId, (list = repo.list(projectId).map(toRecord)));
      return list;
    },
    /** Every enabled rule of every project (for schedule sync). */
    allEnabled(): RuleRow[] {
      return db
        .select()
        .from(rules)
        .where(and(eq(rules.enabled, true), isNull(rules.deletedAt)))
        .orderBy(asc(rules.seq))
        .all();
    },
    list(projectId: string): RuleRow[] {
      return db
        .select()
        .from(rules)
        .where(and(eq(rules.projectId, projectId), isNull(rules.deletedAt)))
        .orderBy(asc(rules.seq))
        .all();
    },
    create(projectId: string, def: RuleDefinition, actor: string, id = newId('rule')): RuleRow {
      const now = clock.now();
      return write(() => {
        db.insert(rules)
          .values({
            id,
            projectId,
            name: def.name,
            version: 1,
            enabled: false,
            definition: def as unknown as Record<string, unknown>,
            createdAt: now,
            updatedAt: now,
          })
          .run();
        db.insert(ruleVersions)
          .values({ ruleId: id, version: 1, definition: def as unknown as Record<string, unknown>, createdBy: actor, createdAt: now })
          .run();
        audit(projectId, actor, 'rule.create', id, { version: 1 });
        return repo.get(projectId, id);
      });
    },
    /** A new version; an enabled rule is disabled, since its new version has not been dry-run. */
    update(projectId: string, ruleId: string, def: RuleDefinition, actor: string): { row: RuleRow; wasEnabled: boolean } {
      return write(() => {
        const cur = repo.get(projectId, ruleId);
        const version = cur.version + 1;
        const now = clock.now();
        db.update(rules)
          .set({ name: def.name, version, enabled: false, definition: def as unknown as Record<string, unknown>, updatedAt: now })
          .where(eq(rules.id, ruleId))
          .run();
        db.insert(ruleVersions)
          .values({ ruleId, version, definition: def as unknown as Record<string, unknown>, createdBy: actor, createdAt: now })
          .run();
        audit(projectId, actor, 'rule.update', ruleId, { version });
        return { row: repo.get(projectId, ruleId), wasEnabled: cur.enabled };
      });
    },
    remove(projectId: string, ruleId: string, actor: string): void {
      write(() => {
        repo.get(projectId, ruleId);
        db.update(rules).set({ deletedAt: clock.now(), enabled: false }).where(eq(rules.id, ruleId)).run();
        audit(projectId, actor, 'rule.delete', ruleId);
      });
    },
    /** The definition of one version (what a run fired with). */
    version(ruleId: string, version: number): RuleDefinition | undefined {
      // Versions never change once written: cache them.
      const key = `${ruleId}@${version}`;
      const hit = versions.get(key);
      if (hit) return hit;
      const row = db
        .select()
        .from(ruleVersions)
        .where(and(eq(ruleVersions.ruleId, ruleId), eq(ruleVersions.version, version)))
        .get();
      if (row) versions.set(key, row.definition as unknown as RuleDefinition);
      return row?.definition as unknown as RuleDefinition | undefined;
    },
    markDryRun(ruleId: string, version: number): void {
      db.update(ruleVersions)
        .set({ dryRunAt: clock.now() })
        .where(and(eq(ruleVersions.ruleId, ruleId), eq(ruleVersions.version, version)))
        .run();
    },
    setEnabled(projectId: string, ruleId: string, enabled: boolean, actor: string): RuleRow {
      return write(() => {
        const cur = repo.get(projectId, ruleId);
        if (enabled) {
          const v = db
            .select()
            .from(ruleVersions)
            .where(and(eq(ruleVersions.ruleId, ruleId), eq(ruleVersions.version, cur.version)))
            .get();
          if (!v?.dryRunAt)
            throw new ConflictError(
              `Rule ${ruleId} version ${cur.version} has never been dry-run. POST /api/projects/${projectId}/rules/${ruleId}/dry-run, read the plan, then enable it.`,
              'dry_run_required',
            );
        }
        db.update(rules).set({ enabled, updatedAt: clock.now() }).where(eq(rules.id, ruleId)).run();
        audit(projectId, actor, enabled ? 'rule.enable' : 'rule.disable', ruleId, { version: cur.version });
        return repo.get(projectId, ruleId);
      });
    },
  };
  return repo;
}
