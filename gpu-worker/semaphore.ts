// Per-project job slots across every worker host, in Redis: a sorted set of
// holders scored by lease expiry (Redis's own clock). A holder renews its lease
// while it works; a host that dies stops renewing and its slot frees itself
// after the TTL (ASSETGEN_WORKER_PROJECT_LOCK_TTL_MS).
import type { Redis } from 'ioredis';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

export interface ProjectSlots {
  /** Take a slot for `holder` (idempotent for the same holder); false when the project is at its limit. */
  acquire(projectId: string, holder: string): Promise<boolean>;
  /** Extend the lease; false if it had already expired and was lost. */
  renew(projectId: string, holder: string): Promise<boolean>;
  release(projectId: string, holder: string): Promise<void>;
  /** Holders right now (expired leases not counted). */
  holders(projectId: string): Promise<string[]>;
}

export function createProjectSlots(redis: Redis, prefix: string, limit: number, ttlMs: number): ProjectSlots {
  const key = (projectId: string) => `${prefix}:project-slots:${projectId}`;
  return {
    async acquire(projectId, holder) {
      return (await redis.eval(ACQUIRE, 1, key(projectId), limit, ttlMs, holder)) === 1;
    },
    async renew(projectId, holder) {
      return (await redis.eval(RENEW, 1, key(projectId), ttlMs, holder)) === 1;
    },
    async release(projectId, holder) {
      await redis.zrem(key(projectId), holder);
    },
    async holders(projectId) {
      const [sec, micro] = await redis.time();
      return redis.zrangebyscore(key(projectId), Number(sec) * 1000 + Math.floor(Number(micro) / 1000), '+inf');
    },
  };
}
