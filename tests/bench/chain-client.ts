// Load side of the chain benchmark: posts variant.approved events at a steady
// rate and runs the bg_remove / pack_atlas workers itself, so "event posted →
// first job active" and "step done → next step active" are read on one clock.
// Beside it, raw BullMQ add() → active on a queue of its own. Prints JSON.
import { Queue, Worker, type Job } from 'bullmq';
import { connections } from './redis.js';
import { Pool } from 'undici';
import { paced, summarize } from './stats.js';

const args = JSON.parse(process.argv[2]!) as { url: string; token: string; redisUrl: string; prefix: string; rate: number; seconds: number; projectId: string };
const redis = connections(args.redisUrl);
const conn = () => redis.open();
const noop = async () => ({ alphaPaths: ['a.png'], atlasId: 'atl', pages: [] });

// Raw baseline: add() → the worker's 'active'.
const rawPrefix = `${args.prefix}raw`;
const rawQueue = new Queue('raw', { connection: conn(), prefix: rawPrefix });
const rawAdded = new Map<string, number>();
const rawActive = new Map<string, number>();
const rawWorker = new Worker('raw', noop, { connection: conn(), prefix: rawPrefix, concurrency: 10 });
rawWorker.on('active', (job: Job) => rawActive.set(job.id!, performance.now()));
await rawWorker.waitUntilReady();
await paced(args.rate, args.seconds, async (i) => {
  rawAdded.set(`r${i}`, performance.now());
  await rawQueue.add('x', {}, { jobId: `r${i}` });
});
const deadline = Date.now() + 30_000;
while (rawActive.size < rawAdded.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const raw = summarize([...rawAdded].map(([id, t]) => rawActive.get(id)! - t));
await rawWorker.close();
await rawQueue.obliterate({ force: true });
await rawQueue.close();

// Greenlight: POST → run → bg_remove active; bg_remove done → pack_atlas active.
const active = new Map<string, number>();
const done = new Map<string, number>();
const eventOf = (jobId: string) => jobId.split('.')[1]!;
const workers = ['bg_remove', 'pack_atlas'].map((q) => {
  const w = new Worker(q, noop, { connection: conn(), prefix: args.prefix, concurrency: 10 });
  w.on('active', (job: Job) => active.set(`${q}/${eventOf(job.id!)}`, performance.now()));
  w.on('completed', (job: Job) => done.set(`${q}/${eventOf(job.id!)}`, performance.now()));
  return w;
});
await Promise.all(workers.map((w) => w.waitUntilReady()));
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 32 });
const posted = new Map<string, number>();
await paced(args.rate, args.seconds, async (i) => {
  const t0 = performance.now();
  const res = await pool.request({ path: target.pathname, method: 'POST', headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'custom.bench', subject: { kind: 'variant', id: 'v1' }, payload: { i } }) });
  const body = JSON.parse(await res.body.text()) as { id: string };
  posted.set(body.id, t0);
});
const until = Date.now() + 60_000;
while ([...posted.keys()].some((id) => !active.has(`pack_atlas/${id}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
const ids = [...posted.keys()].filter((id) => active.has(`pack_atlas/${id}`));
const first = summarize(ids.map((id) => active.get(`bg_remove/${id}`)! - posted.get(id)!));
const step = summarize(ids.map((id) => active.get(`pack_atlas/${id}`)! - done.get(`bg_remove/${id}`)!));
await Promise.all(workers.map((w) => w.close()));
await pool.close();
redis.closeAll();
process.stdout.write(`${JSON.stringify({ raw, first, step, completed: ids.length, posted: posted.size })}\n`);
