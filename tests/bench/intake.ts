// Event intake benchmark: events/s accepted and stored over real HTTP, and
// POST → event-on-queue latency at a steady rate, beside raw BullMQ add() on
// the same Redis in the same run. The load runs in a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Running } from '../../engine/index.js';
import { profiled } from './profile.js';
import { fmt, verdict } from './stats.js';

interface Figures {
  throughput: number;
  rawThroughput: number;
  latency: { p50: number; p99: number };
  rawLatency: { p50: number; p99: number };
}

export async function benchIntake(o: { running: Running; token: string; projectId: string; total: number; rate: number; seconds: number }) {
  const client = fileURLToPath(new URL('./intake-client.ts', import.meta.url));
  const args = {
    url: `${o.running.url}/api/projects/${o.projectId}/automation/events`,
    token: o.token,
    redisUrl: o.running.redisUrl,
    prefix: o.running.config.queuePrefix,
    total: o.total,
    rate: o.rate,
    seconds: o.seconds,
  };
  // Async spawn: this process keeps serving while the client runs.
  const out = await profiled(
    'intake',
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', client, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let buf = '';
        child.stdout.on('data', (d) => (buf += d));
        child.on('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`intake client exited ${code}`))));
      }),
  );
  const f = JSON.parse(out.trim().split('\n').pop()!) as Figures;
  return [
    [
      'event intake throughput (HTTP POST → stored)',
      `${fmt(f.throughput, 0)} events/s`,
      `raw add() ${fmt(f.rawThroughput, 0)}/s`,
      `ratio ${fmt(f.throughput / f.rawThroughput, 2)}`,
      `target ≥ 1000/s: ${verdict(f.throughput >= 1000)}`,
    ],
    [
      `intake → on queue p50 @${o.rate}/s`,
      `${fmt(f.latency.p50, 2)} ms`,
      `raw add() ${fmt(f.rawLatency.p50, 2)} ms`,
      `ratio ${fmt(f.latency.p50 / f.rawLatency.p50, 2)}`,
      '',
    ],
    [
      `intake → on queue p99 @${o.rate}/s`,
      `${fmt(f.latency.p99, 2)} ms`,
      `raw add() ${fmt(f.rawLatency.p99, 2)} ms`,
      `ratio ${fmt(f.latency.p99 / f.rawLatency.p99, 2)}`,
      `target ≤ 20 ms: ${verdict(f.latency.p99 <= 20)}`,
    ],
  ];
}
