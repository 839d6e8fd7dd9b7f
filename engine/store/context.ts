// What every repository of one store shares: the connection, the clock, the one
// transaction helper, and the store's caches. Caches are instance state (a store
// per database, built once at the composition root), bounded, and dropped by the
// store itself: a write to a cached table goes through `write`, which drops that
// table's caches before it and again when the outermost transaction ends (commit
// or rollback), and every cache starts over when another connection (the CLI)
// has committed (SQLite's data_version moved).
import type { Clock } from '../ids.js';
import type { Change, ChangeFilter, ChangeListener } from './changes.js';
import type { Db } from './db.js';

/** Tables whose rows the store caches. */
export type CachedTable = 'projects' | 'rules' | 'halts';

export interface StoreContext {
  db: Db;
  clock: Clock;
  /** Run `fn` in a transaction, or inside the one already open (no savepoint: an error rolls back all of it). */
  transaction<T>(fn: () => T): T;
  /** A write to cached tables: in a transaction, their caches dropped before and once the transaction ends. */
  write<T>(tables: CachedTable[], fn: () => T): T;
  /** A cache of values read from `table`; `fresh` makes the empty one. */
  cache<T>(table: CachedTable, fresh: () => T): () => T;
  /** Whether anyone subscribed to the change feed (writers skip building changes when nobody did). */
  listening(): boolean;
  /** Publish a change: after the open transaction commits (nothing on rollback), or now when none is open; always asynchronously. */
  changed(change: Change): void;
  subscribe(listener: ChangeListener, filter?: ChangeFilter): () => void;
}

/** A Map that keeps at most `max` entries, dropping the least recently used. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

export function createStoreContext(db: Db, clock: Clock, onListenerError: (err: unknown) => void): StoreContext {
  const readVersion = db.$client.prepare('PRAGMA data_version').pluck();
  const caches = new Map<CachedTable, { version: number; value: unknown; fresh: () => unknown }[]>();
  const dropAll = (tables: Iterable<CachedTable>) => {
    for (const t of tables) for (const c of caches.get(t) ?? []) c.version = -1;
  };
  /** Tables written inside the open transaction: dropped again when it ends. */
  const dirty = new Set<CachedTable>();

  const listeners = new Map<ChangeListener, ChangeFilter>();
  /** Changes of the open transaction, published when it commits. */
  let uncommitted: Change[] = [];
  const matches = (c: Change, f: ChangeFilter) =>
    (!f.kinds || f.kinds.includes(c.kind)) && (f.projectId === undefined || c.projectId === f.projectId || c.projectId === null);
  const publish = (changes: Change[]) => {
    if (changes.length === 0) return;
    // Never inside the writer's call stack: a slow or failing subscriber cannot hold or fail a write.
    setImmediate(() => {
      for (const c of changes)
        for (const [listener, filter] of listeners) {
          if (!matches(c, filter)) continue;
          try {
            listener(c);
          } catch (err) {
            onListenerError(err);
          }
        }
    });
  };

  const transaction = <T>(fn: () => T): T => {
    if (db.$client.inTransaction) return fn();
    let committed = false;
    try {
      const out = db.$client.transaction(fn)();
      committed = true;
      return out;
    } finally {
      const changes = uncommitted;
      uncommitted = [];
      if (committed) publish(changes);
      // Committed or rolled back: a cache filled inside the transaction may hold what it wrote.
      if (dirty.size > 0) {
        dropAll(dirty);
        dirty.clear();
      }
    }
  };

  return {
    db,
    clock,
    transaction,
    write(tables, fn) {
      dropAll(tables);
      for (const t of tables) dirty.add(t);
      return transaction(fn);
    },
    cache<T>(table: CachedTable, fresh: () => T): () => T {
      const c = { version: -1, value: undefined as unknown, fresh };
      const list = caches.get(table) ?? [];
      list.push(c);
      caches.set(table, list);
      return () => {
        const version = readVersion.get() as number;
        if (c.version !== version) {
          c.value = c.fresh();
          c.version = version;
        }
        return c.value as T;
      };
    },
    listening: () => listeners.size > 0,
    changed(change) {
      if (listeners.size === 0) return;
      if (db.$client.inTransaction) uncommitted.push(change);
      else publish([change]);
    },
    subscribe(listener, filter = {}) {
      listeners.set(listener, filter);
      return () => void listeners.delete(listener);
    },
  };
}
