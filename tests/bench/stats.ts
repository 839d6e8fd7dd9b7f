// Small helpers for benchmarks: percentiles, pacing, a table.
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

/** Run `fn` `total` times with at most `concurrency` in flight; returns ops/s. */
export async function saturate(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

/** Start `fn` at a steady `ratePerSec` for `seconds`; resolves when every call settled. */
export async function paced(ratePerSec: number, seconds: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const total = Math.round(ratePerSec * seconds);
  const gap = 1000 / ratePerSec;
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fn(i));
  }
  await Promise.all(pending);
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function verdict(ok: boolean): string {
  return ok ? 'MET' : 'MISSED';
}
