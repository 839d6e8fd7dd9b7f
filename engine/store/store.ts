// The store: one object per database, built once at the composition root. It owns
// every repository's prepared statements and caches as instance state, the one
// transaction helper, and the planner's view of the world. Services and the
// runner receive it; nothing else opens repositories.
import type { Clock } from '../ids.js';
import { createApprovalsRepo } from './approvals.js';
import { createChatRepo } from './chat.js';
import { createStoreContext } from './context.js';
import type { Db } from './db.js';
import { createEntitiesRepo } from './entities.js';
import { createEventsRepo } from './events.js';
import { createHaltsRepo } from './halts.js';
import { createProjectsRepo, createTokensRepo } from './projects.js';
import { createRulesRepo } from './rules.js';
import { createRunsRepo } from './runs.js';
import { createSpecsRepo } from './specs.js';
import { dbWorld } from './world.js';

export function createStore(res: { db: Db; clock: Clock; onListenerError: (err: unknown) => void }) {
  const ctx = createStoreContext(res.db, res.clock, res.onListenerError);
  const entities = createEntitiesRepo(ctx);
  const halts = createHaltsRepo(ctx);
  return {
    clock: res.clock,
    /** Run `fn` in one transaction (or inside the one already open). */
    transaction: ctx.transaction,
    /** The change feed: what committed, delivered asynchronously (see changes.ts). */
    subscribe: ctx.subscribe,
    /** Whether the database answers a trivial query. */
    healthy(): boolean {
      try {
        return res.db.$client.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false; // a closed or broken connection is exactly what this reports
      }
    },
    events: createEventsRepo(ctx),
    runs: createRunsRepo(ctx),
    rules: createRulesRepo(ctx),
    projects: createProjectsRepo(ctx),
    tokens: createTokensRepo(ctx),
    entities,
    chat: createChatRepo(ctx),
    approvals: createApprovalsRepo(ctx),
    specs: createSpecsRepo(ctx),
    halts,
    /** The planner's view of the world (halts, entity facts, recent firings), read from this store. */
    world: dbWorld(ctx, { entities, halts }),
  };
}
export type Store = ReturnType<typeof createStore>;
