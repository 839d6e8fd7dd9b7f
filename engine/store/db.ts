// Opening the SQLite database (WAL, foreign keys on) and applying the
// committed drizzle-kit migrations. The only place that opens a connection.
import Database from 'better-sqlite3';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Open (creating if needed) the database at `file`, or ':memory:'. Migrations run unless told not to. */
export function openDb(file: string, options: { migrate?: boolean } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Db;
  if (options.migrate !== false) migrate(db, { migrationsFolder });
  return db;
}

/**
 * Move WAL checkpoints off the event loop: auto-checkpoint off on `db`, and a
 * worker thread checkpoints every `intervalMs`. Measured: with SQLite's
 * default auto-checkpoint, ~0.6% of inserts stalled 5-33 ms on this disk.
 */
export function startCheckpointer(db: Db, file: string, intervalMs = 1000): { stop(): Promise<void> } {
  if (file === ':memory:') return { stop: async () => {} };
  db.$client.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { file, intervalMs } });
  worker.unref();
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref(); // keep the loop alive until the thread has exited, or an idle process ends with this await unsettled
      worker.postMessage('stop');
      await exited;
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
    },
  };
}

/**
 * A prepared SELECT of whole rows of `table` that maps rows itself: columns aliased to their
 * schema keys, JSON and boolean columns decoded. drizzle's generic row mapping cost more than
 * the queries on the runner's hot path; the schema stays the one source of the columns.
 */
export function rowReader<T extends SQLiteTable>(
  db: Db,
  table: T,
  where: string,
  orderBy = '',
): { get(...params: unknown[]): T['$inferSelect'] | undefined; all(...params: unknown[]): T['$inferSelect'][] } {
  const cols = Object.entries(getTableColumns(table));
  const select = cols.map(([key, c]) => `"${c.name}" AS "${key}"`).join(', ');
  const st = db.$client.prepare(`SELECT ${select} FROM "${getTableName(table)}" WHERE ${where}${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
  const json = cols.filter(([, c]) => c.columnType === 'SQLiteTextJson').map(([k]) => k);
  const bools = cols.filter(([, c]) => c.columnType === 'SQLiteBoolean').map(([k]) => k);
  const decode = (row: Record<string, unknown> | undefined) => {
    if (!row) return undefined;
    for (const k of json) if (typeof row[k] === 'string') row[k] = JSON.parse(row[k] as string);
    for (const k of bools) if (row[k] !== null) row[k] = row[k] === 1;
    return row as T['$inferSelect'];
  };
  return {
    get: (...params) => decode(st.get(...params) as Record<string, unknown> | undefined),
    all: (...params) => (st.all(...params) as Record<string, unknown>[]).map((r) => decode(r)!),
  };
}

export function dbFile(dataDir: string): string {
  return path.join(dataDir, 'greenlight.db');
}
