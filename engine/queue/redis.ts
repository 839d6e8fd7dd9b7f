// Redis connections for BullMQ. Producers fail fast while Redis is away (the
// outbox keeps what they could not send); workers wait and reconnect.
import { Redis } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

export function createRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    // BullMQ workers require null; producers give up after one retry so a down Redis surfaces at once.
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    lazyConnect: false,
  });
}

/** Resolves true once the connection is ready, false after `timeoutMs` (it keeps retrying either way). */
export function waitReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}

/** PING with a deadline, for health checks. */
export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
      }),
    ]);
    return res === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
