// Projects, API tokens (stored hashed) and chat bindings.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { newId } from '../ids.js';
import { BoundedMap, type StoreContext } from './context.js';
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

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};

/**
 * Project rows are cached (the runner reads settings several times per event), at most 1,000, frozen so
 * nobody can change one in place by mistake; the store drops them on a write here or another connection's.
 */
export function createProjectsRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  const byId = db
    .select()
    .from(projects)
    .where(eq(projects.id, sql.placeholder('id')))
    .prepare();
  const rows = ctx.cache('projects', () => new BoundedMap<string, ProjectRow>(1000));
  return {
    create(input: { id: string; name: string; settings?: Partial<ProjectSettings> }, actor: string): ProjectRow {
      const row: ProjectRow = {
        id: input.id,
        name: input.name,
        settings: { ...defaultProjectSettings, ...input.settings },
        createdAt: clock.now(),
      };
      ctx.write(['projects'], () => {
        db.insert(projects).values(row).run();
        db.insert(auditLog).values({ projectId: row.id, actor, action: 'project.create', target: row.id, at: row.createdAt }).run();
      });
      return row;
    },
    get(id: string): ProjectRow | undefined {
      const cache = rows();
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
      ctx.write(['projects'], () => {
        db.update(projects).set({ settings }).where(eq(projects.id, id)).run();
        db.insert(auditLog).values({ projectId: id, actor, action: 'project.settings', target: id, at: clock.now() }).run();
      });
    },
  };
}

export type TokenRow = typeof apiTokens.$inferSelect;

export function createTokensRepo(ctx: StoreContext) {
  const { db, clock } = ctx;
  // Every request authenticates: the lookup is prepared once.
  const byHash = db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt)))
    .prepare();
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
      ctx.transaction(() => {
        db.insert(apiTokens).values(row).onConflictDoNothing().run();
        db.insert(auditLog)
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
    /** Whether a token (by id) still authenticates. */
    active(id: string): boolean {
      return (
        db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
          .get() !== undefined
      );
    },
    /** A project's tokens (revoked ones too, newest first). */
    list(projectId: string): TokenRow[] {
      return db.select().from(apiTokens).where(eq(apiTokens.projectId, projectId)).orderBy(desc(apiTokens.createdAt)).all();
    },
    /** Revoke a project's token (it stops authenticating at once); false when it is not one of the project's. */
    revoke(projectId: string, id: string, actor: string): TokenRow | undefined {
      return ctx.transaction(() => {
        const row = db
          .select()
          .from(apiTokens)
          .where(and(eq(apiTokens.id, id), eq(apiTokens.projectId, projectId)))
          .get();
        if (!row) return undefined;
        if (row.revokedAt !== null) return row;
        const at = clock.now();
        db.update(apiTokens).set({ revokedAt: at }).where(eq(apiTokens.id, id)).run();
        db.insert(auditLog).values({ projectId, actor, action: 'token.revoke', target: id, details: {}, at }).run();
        return { ...row, revokedAt: at };
      });
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
