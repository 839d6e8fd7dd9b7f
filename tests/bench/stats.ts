// Small helpers for benchmarks: percentiles, pacing, a table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';

export function percentile(sorted: ArrayLike<number>, p: number): number {
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

/** Resolves at a wall-clock time (Date.now() ms), at once if it has passed: the bench's processes share one clock. */
export const until = (wallMs: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, wallMs - Date.now())));

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function verdict(ok: boolean): string {
  return ok ? 'MET' : 'MISSED';
}

/** The machine's CPU counters summed over all cores (Linux /proc/stat: user nice system idle iowait irq softirq steal …), or undefined. */
export function cpuTicks(): number[] | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return undefined;
  }
}

/** Between two cpuTicks readings: busy and stolen, in % of one core (so up to cores × 100). */
export function cpuShare(before: number[], after: number[]): { busy: number; steal: number } {
  const d = after.map((v, i) => v - (before[i] ?? 0));
  const total = d.reduce((a, b) => a + b, 0) || 1;
  const idle = (d[3] ?? 0) + (d[4] ?? 0);
  const steal = d[7] ?? 0;
  const cores = cpus().length;
  return { busy: ((total - idle - steal) / total) * 100 * cores, steal: (steal / total) * 100 * cores };
}

/**
 * The whole machine's CPU over a phase, from /proc/stat (Linux; elsewhere no row): how busy all cores
 * were and how much time the hypervisor took away (steal) — figures from a run with much steal are
 * not comparable with a quiet one.
 */
export function machineLoad(): () => string[] | undefined {
  const before = cpuTicks();
  return () => {
    const after = cpuTicks();
    if (!before || !after) return undefined;
    const { busy, steal } = cpuShare(before, after);
    const cores = cpus().length;
    return [
      '  machine during this phase (/proc/stat)',
      `busy ${fmt(busy, 0)}% of ${cores * 100}%`,
      `stolen by the host ${fmt(steal, 0)}%`,
      '',
      '',
    ];
  };
}

/**
 * This process's event loop until stop(): each stall (a 5 ms timer that fired more than `overMs` late: the
 * thread was busy that long without a break) and each GC pause, with when it ended (Date.now() ms). The tail
 * of a latency figure measured through this process mostly comes from these.
 */
export function loopWatch(overMs = 10) {
  const stalls: { at: number; ms: number }[] = [];
  const pauses: { at: number; ms: number }[] = [];
  const every = 5;
  let last = performance.now();
  const timer = setInterval(() => {
    const t = performance.now();
    if (t - last - every > overMs) stalls.push({ at: Date.now(), ms: t - last - every });
    last = t;
  }, every);
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ at: performance.timeOrigin + e.startTime + e.duration, ms: e.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      clearInterval(timer);
      gc.disconnect();
      return { stalls, pauses };
    },
  };
}

/**
 * How sure a ratio of two percentiles is: the 2.5th and 97.5th percentiles of that ratio over `rounds`
 * bootstrap resamples of each sample set (drawn with a fixed-seed generator, so the same samples give the
 * same interval). A p99 of a few hundred samples rests on its few largest: this says how far it may move.
 */
export function ratioInterval(over: number[], under: number[], p: number, rounds = 1000): [number, number] {
  let seed = 0x9e3779b9;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resampled = (xs: number[]) => percentile(Float64Array.from(xs, () => xs[Math.floor(random() * xs.length)]!).sort(), p);
  if (over.length === 0 || under.length === 0) return [NaN, NaN];
  const ratios = Array.from({ length: rounds }, () => resampled(over) / resampled(under)).sort((a, b) => a - b);
  return [percentile(ratios, 2.5), percentile(ratios, 97.5)];
}

/** A bench script (a .ts file) in a process of its own, run with tsx; resolves with its last stdout line. */
export function lastLineOf(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`${file} exited ${code}`))));
  });
}
