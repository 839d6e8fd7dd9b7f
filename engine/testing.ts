// The test-only door: what tests may reach besides the `Engine` interface — the
// raw database for assertions on rows, the queues, the outbox and the runner.
// Nothing outside tests/ imports this file (the dependency rules check it).
import type { Engine } from './door.js';
import { internals, type EngineInternals } from './compose.js';

export interface TestDoor extends EngineInternals {
  /** Run a read-only SQL query for an assertion. */
  sql: EngineInternals['db']['$client'];
  runs: EngineInternals['store']['runs'];
  approvals: EngineInternals['store']['approvals'];
}

/** The internals of an engine built by createEngine, for tests only. */
export function testDoor(engine: Engine): TestDoor {
  const i = internals.get(engine);
  if (!i) throw new Error('testDoor: this engine was not built by createEngine');
  return { ...i, sql: i.db.$client, runs: i.store.runs, approvals: i.store.approvals };
}

export { createEngine, type EngineHost } from './compose.js';
export { createApiApp } from './api/app.js';
export { openDb } from './store/db.js';
export { createRedis } from './queue/redis.js';
export { startPrivateRedis, type PrivateRedis } from './queue/private-redis.js';
export { ensureAdminToken } from './runtime.js';
export { createWebTrust, sessionSecret } from './services/web.js';
