// Projects, API tokens (stored hashed) and chat bindings.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../ids.js';
import { newId } from '../ids.js';
import { versionedCache, type Db } from './db.js';
import { apiTokens, auditLog, projects, type ProjectSettings, type Role } from './schema.js';

export const defaultProjectSettings: ProjectSettings = {
  limits: { maxConcurrentRuns: 4, maxChainDepth: 10, debounceMs: 0 },
  policies: { allowSelfApproval: false, defaultExportProfile: 'custom', approvalExpiryMs: null },
  roles: {},
  tagGroups: {},
};

export type ProjectRow = typeof projects.$inferSelect;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `gl_${randomBytes(24).toString('base64url')}`;
}

const projectLookups = new WeakMap<Db, ReturnType<typeof prepareProjectLookup>>();
const prepareProjectLookup = (db: Db) =>
  db
    .select()
    .from(projects)
    .where(eq(projects.id, sql.placeholder('id')))
    .prepare();

/**
 * Project rows, cached per database: the runner reads settings several times per event. Dropped on
 * a write through this repo, and when another connection (the CLI) has committed (data_version).
 * Cached rows are frozen, so nobody can change one in place by mistake.
 */
const rowCache = versionedCache(() => new Map<string, ProjectRow>());
const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};

export function createProjectsRepo(db: Db, clock: Clock) {
  let lookup = projectLookups.get(db);
  if (!lookup) projectLookups.set(db, (lookup = prepareProjectLookup(db)));
  const byId = lookup;
  return {
    create(input: { id: string; name: string; settings?: Partial<ProjectSettings> }, actor: string): ProjectRow {
      const row: ProjectRow = {
        id: input.id,
        name: input.name,
        settings: { ...defaultProjectSettings, ...input.settings },
        createdAt: clock.now(),
      };
      rowCache.get(db).delete(row.id);
      db.transaction((tx) => {
        tx.insert(projects).values(row).run();
        tx.insert(auditLog).values({ projectId: row.id, actor, action: 'project.create', target: row.id, at: row.createdAt }).run();
      });
      return row;
    },
    get(id: string): ProjectRow | undefined {
      const cache = rowCache.get(db);
      let row = cache.get(id);
      if (!row) {
        row = byId.get({ id });
        if (row) cache.set(id, deepFreeze(row));
      }
      return row;
    },
    list(): ProjectRow[] {
      return db.select().from(projects).all();
    },
    updateSettings(id: string, settings: ProjectSettings, actor: string): void {
      rowCache.get(db).delete(id);
      db.transaction((tx) => {
        tx.update(projects).set({ settings }).where(eq(projects.id, id)).run();
        tx.insert(auditLog).values({ projectId: id, actor, action: 'project.settings', target: id, at: clock.now() }).run();
      });
    },
  };
}

export type TokenRow = typeof apiTokens.$inferSelect;

const tokenLookups = new WeakMap<Db, ReturnType<typeof prepareTokenLookup>>();
// Every request authenticates: the lookup is prepared once per database.
const prepareTokenLookup = (db: Db) =>
  db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt)))
    .prepare();

export function createTokensRepo(db: Db, clock: Clock) {
  let lookup = tokenLookups.get(db);
  if (!lookup) tokenLookups.set(db, (lookup = prepareTokenLookup(db)));
  const byHash = lookup;
  return {
    /** Store a token's hash; the plain token is returned once and never kept. */
    create(
      input: { projectId: string | null; role: Role; label?: string; token?: string },
      actor: string,
    ): { token: string; row: TokenRow } {
      const token = input.token ?? generateToken();
      const row: TokenRow = {
        id: newId('tok'),
        projectId: input.projectId,
        role: input.role,
        tokenHash: hashToken(token),
        label: input.label ?? '',
        createdAt: clock.now(),
        revokedAt: null,
      };
      db.transaction((tx) => {
        tx.insert(apiTokens).values(row).onConflictDoNothing().run();
        tx.insert(auditLog)
          .values({
            projectId: input.projectId,
            actor,
            action: 'token.create',
            target: row.id,
            details: { role: row.role },
            at: row.createdAt,
          })
          .run();
      });
      return { token, row };
    },
    findByToken(token: string): TokenRow | undefined {
      return byHash.get({ hash: hashToken(token) });
    },
    hasGlobalAdmin(): boolean {
      return (
        db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(isNull(apiTokens.projectId), isNull(apiTokens.revokedAt)))
          .get() !== undefined
      );
    },
  };
}
