// Slack user-group membership, for projects that give a role to a group
// (`slack:group:S…`). Presses decide from this cache alone, so nothing waits on
// the Web API before the ack; asking about a group the cache cannot vouch for
// starts one bounded lookup in the background, shared by everyone who asks.
import type { Logger } from 'pino';

export interface GroupCacheOptions {
  /** The members of one user group (usergroups.users.list); should fail fast rather than retry for long. */
  lookup: (group: string) => Promise<string[]>;
  now: () => number;
  logger: Logger;
  /** Younger entries are trusted as they are. Default 5 min. */
  freshMs?: number;
  /** Older entries are not used at all; between freshMs and this they are used while a refresh runs. Default 1 h. */
  maxAgeMs?: number;
  /** A lookup still out after this long counts as failed (the cache keeps what it had). Default 10 s. */
  timeoutMs?: number;
}

export interface Membership {
  /** The candidate groups the cache says the user is in. */
  groups: string[];
  /** Candidates it could not vouch for (unknown or stale); a lookup of each is under way. */
  unsure: string[];
}

export function createGroupCache(o: GroupCacheOptions) {
  const freshMs = o.freshMs ?? 5 * 60_000;
  const maxAgeMs = o.maxAgeMs ?? 60 * 60_000;
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new Error(`groupLookup.timeoutMs must be a positive number of ms (got ${timeoutMs})`);
  if (!(maxAgeMs >= freshMs)) throw new Error(`groupLookup.maxAgeMs (${maxAgeMs}) must be at least freshMs (${freshMs})`);
  const entries = new Map<string, { at: number; members: Set<string> }>();
  const inflight = new Map<string, Promise<boolean>>();

  function withTimeout<T>(p: Promise<T>, group: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`usergroups.users.list ${group}: no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  /** One lookup per group at a time; resolves true when the entry was refreshed. Never rejects. */
  function refreshOne(group: string): Promise<boolean> {
    let running = inflight.get(group);
    if (!running) {
      running = withTimeout(o.lookup(group), group)
        .then((users) => (entries.set(group, { at: o.now(), members: new Set(users) }), true))
        // A failed lookup changes nothing: no empty entry that would lock a group's members out until it expires.
        .catch((err: unknown) => (o.logger.warn({ err, usergroup: group }, 'usergroups.users.list failed; membership unknown'), false))
        .finally(() => inflight.delete(group));
      inflight.set(group, running);
    }
    return running;
  }

  return {
    /** From the cache only (no network); unless told not to, starts a background lookup of every group it is unsure of. */
    known(userId: string, candidates: string[], refresh = true): Membership {
      const now = o.now();
      const groups: string[] = [];
      const unsure: string[] = [];
      for (const g of candidates) {
        const e = entries.get(g);
        const age = e ? now - e.at : Infinity;
        if (age > freshMs) {
          unsure.push(g);
          if (refresh) void refreshOne(g);
        }
        if (e && age <= maxAgeMs && e.members.has(userId)) groups.push(g);
      }
      return { groups, unsure };
    },
    /** Wait for these groups' lookups (starting any not under way); says which failed. */
    async refresh(groups: string[]): Promise<{ failed: string[] }> {
      const ok = await Promise.all(groups.map(refreshOne));
      return { failed: groups.filter((_, i) => !ok[i]) };
    },
    /** Resolves when no lookup is out. */
    async idle(): Promise<void> {
      while (inflight.size > 0) await Promise.all(inflight.values());
    },
  };
}
export type GroupCache = ReturnType<typeof createGroupCache>;
