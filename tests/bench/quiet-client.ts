// The quiet side of the fairness bench, in its own process (a quiet project's
// clients and its gpu-worker are other machines): from `startAt` (wall clock),
// POST its events at a steady rate and time each one to its job reaching this
// process's worker, on one clock. Prints one JSON line: per sample, its latency
// (ms) and the wall-clock times the bench splits it by.
import { Worker } from 'bullmq';
import { Pool } from 'undici';
import { connections } from './redis.js';
import { paced, until } from './stats.js';

const args = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  redisUrl: string;
  prefix: string;
  rate: number;
  seconds: number;
  startAt: number;
};
const pool = new Pool(new URL(args.url).origin, { connections: 16, pipelining: 1 });
const redis = connections(args.redisUrl);
const sentAt = new Map<string, number>();
/** Per sample, on the wall clock the engine's rows use: sent, job added to Redis, job picked up; and its latency. */
const samples: { n: string; sent: number; added: number; picked: number; latency: number }[] = [];
const sentWall = new Map<string, number>();
const worker = new Worker(
  'bg_remove',
  async (job) => {
    const t0 = sentAt.get(String(job.data.input.originalPath));
    if (t0 !== undefined) {
      const latency = performance.now() - t0;
      const n = String(job.data.input.originalPath).slice(6, -4);
      samples.push({ n, sent: sentWall.get(n)!, added: job.timestamp, picked: Date.now(), latency });
    }
    return { alphaPaths: [] };
  },
  { connection: redis.open(), prefix: args.prefix, concurrency: 8 },
);
let n = 0;
const quiet = async () => {
  const key = `files/${process.pid}-${++n}.png`;
  sentAt.set(key, performance.now());
  sentWall.set(`${process.pid}-${n}`, Date.now());
  const res = await pool.request({
    method: 'POST',
    path: '/api/projects/quiet/automation/events',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
    body: JSON.stringify({ type: 'custom.quiet', payload: { n: `${process.pid}-${n}` } }),
  });
  await res.body.arrayBuffer();
  if (res.statusCode !== 202) throw new Error(`quiet event answered ${res.statusCode}`);
};
const settle = async (expected: number) => {
  for (const deadline = Date.now() + 30_000; samples.length < expected && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
};
for (let i = 0; i < 20; i++) await quiet(); // warm-up
await settle(20);
samples.length = 0;
await until(args.startAt);
await paced(args.rate, args.seconds, quiet);
await settle(Math.round(args.rate * args.seconds));
console.log(JSON.stringify({ samples }));
await worker.close();
await pool.close();
redis.closeAll();
