// Redis' reachability as the log tells it: one line when it goes away, one when it is back, and
// while it stays away a summary every 30 s — not a line per reconnect attempt per connection (the
// engine's five connections retried about 35 times a second between them). One connection stands
// for all of them: they talk to the same Redis. The BullMQ workers' own connection errors are
// dropped where they are re-emitted (isConnectionError), since this says it once.
import type { Redis } from 'ioredis';

export interface RedisWatchLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RedisWatch {
  /** Stop listening and summarising (before the connection is closed on purpose). */
  stop(): void;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** An error that says only "Redis is not reachable right now" (the watch reports that), not a fault of ours. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && connectionCodes.has(code)) return true;
  return /Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Stream isn't writeable|connect ETIMEDOUT/.test(err.message);
}

/**
 * Log `redis`' state changes: "Redis unreachable: <why>" at its first failed attempt, "Redis back" at
 * the next ready, and every `summaryEveryMs` (default 30 s) in between how long and how many attempts.
 */
export function watchRedis(
  redis: Redis,
  logger: RedisWatchLogger,
  options: {
    summaryEveryMs?: number;
    now?: () => number;
    /** Before each line, e.g. "worker: ". */
    label?: string;
    /** What carries on while Redis is away, said on the first line. */
    meanwhile?: string;
  } = {},
): RedisWatch {
  const now = options.now ?? Date.now;
  const summaryEveryMs = options.summaryEveryMs ?? 30_000;
  const label = options.label ?? '';
  const meanwhile = options.meanwhile ?? 'events wait in the outbox';
  let downSince: number | null = null;
  let attempts = 0;
  let lastError = '';
  let summary: NodeJS.Timeout | undefined;
  const seconds = () => Math.round((now() - (downSince ?? now())) / 1000);
  const onError = (err: Error) => {
    attempts++;
    lastError = err.message;
    if (downSince !== null) return;
    downSince = now();
    logger.warn(
      { err: err.message, summaryEverySeconds: summaryEveryMs / 1000 },
      `${label}Redis unreachable: ${err.message} (retrying; ${meanwhile})`,
    );
    summary = setInterval(
      () =>
        logger.warn({ seconds: seconds(), failedAttempts: attempts, lastError }, `${label}Redis still unreachable after ${seconds()} s`),
      summaryEveryMs,
    );
    summary.unref();
  };
  const onReady = () => {
    if (downSince === null) return;
    logger.info({ seconds: seconds(), failedAttempts: attempts }, `${label}Redis back after ${seconds()} s`);
    clearInterval(summary);
    downSince = null;
    attempts = 0;
  };
  redis.on('error', onError);
  redis.on('ready', onReady);
  return {
    stop() {
      clearInterval(summary);
      redis.off('error', onError);
      redis.off('ready', onReady);
      // ioredis prints an unhandled 'error' to stderr itself; keep it quiet while the caller closes it.
      if (redis.listenerCount('error') === 0) redis.on('error', () => undefined);
    },
  };
}
