// Load side of the chain benchmark: posts events at a steady rate and runs the
// bg_remove / pack_atlas workers itself, so "event posted → first job active"
// and "step done → next step active" are read on one clock. Two baselines on
// the same Redis: raw BullMQ add() → active, and the whole chain in plain
// BullMQ (raw-chain-engine.ts), the floor of this topology. Prints JSON.
import { Queue, Worker, type Job } from 'bullmq';
import { connections } from './redis.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { paced, summarize } from './stats.js';

const args = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  redisUrl: string;
  prefix: string;
  rate: number;
  seconds: number;
  projectId: string;
};
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

/** The work-queue side, as gpu-worker hosts run it; `settle` waits for every chain's last job and reads the latencies. */
async function workQueues(prefix: string) {
  const active = new Map<string, number>();
  const done = new Map<string, number>();
  // Job ids carry the chain's id second: `<rule>.<event>.<step>` (engine), `<type>.<id>` (raw).
  const chainOf = (jobId: string) => jobId.split('.')[1]!;
  const workers = ['bg_remove', 'pack_atlas'].map((q) => {
    const w = new Worker(q, noop, { connection: conn(), prefix, concurrency: 10 });
    w.on('active', (job: Job) => active.set(`${q}/${chainOf(job.id!)}`, performance.now()));
    w.on('completed', (job: Job) => done.set(`${q}/${chainOf(job.id!)}`, performance.now()));
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async settle(postedAt: Map<string, number>) {
      const ids = [...postedAt.keys()];
      const until = Date.now() + 60_000;
      while (ids.some((id) => !active.has(`pack_atlas/${id}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const ok = ids.filter((id) => active.has(`pack_atlas/${id}`));
      await Promise.all(workers.map((w) => w.close()));
      return {
        completed: ok.length,
        first: summarize(ok.map((id) => active.get(`bg_remove/${id}`)! - postedAt.get(id)!)),
        step: summarize(ok.map((id) => active.get(`pack_atlas/${id}`)! - done.get(`bg_remove/${id}`)!)),
      };
    },
  };
}

// Raw BullMQ chain: the same topology with the engine's part done by plain BullMQ in a process of its own.
const rawChainPrefix = `${args.prefix}rawchain`;
const rawEngine = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    fileURLToPath(new URL('./raw-chain-engine.ts', import.meta.url)),
    JSON.stringify({ redisUrl: args.redisUrl, prefix: rawChainPrefix }),
  ],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
await new Promise((resolve) => rawEngine.once('message', resolve));
const rawWork = await workQueues(rawChainPrefix);
const rawEvents = new Queue('events', { connection: conn(), prefix: rawChainPrefix });
const rawPosted = new Map<string, number>();
await paced(args.rate, args.seconds, async (i) => {
  rawPosted.set(`c${i}`, performance.now());
  await rawEvents.add('custom.bench', { id: `c${i}` }, { jobId: `c${i}`, removeOnComplete: { age: 3600, count: 100_000 } });
});
const rawChain = await rawWork.settle(rawPosted);
rawEngine.send('cpu');
const rawEngineCpuMs = await new Promise<number>((resolve) => rawEngine.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs)));
rawEngine.disconnect();
await rawEvents.obliterate({ force: true });
await rawEvents.close();

// Greenlight: POST → run → bg_remove active; bg_remove done → pack_atlas active.
const work = await workQueues(args.prefix);
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 32 });
const posted = new Map<string, number>();
await paced(args.rate, args.seconds, async (i) => {
  const t0 = performance.now();
  const res = await pool.request({
    path: target.pathname,
    method: 'POST',
    headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'custom.bench', subject: { kind: 'variant', id: 'v1' }, payload: { i } }),
  });
  const body = JSON.parse(await res.body.text()) as { id: string };
  posted.set(body.id, t0);
});
const ours = await work.settle(posted);
await pool.close();
redis.closeAll();
process.stdout.write(
  `${JSON.stringify({ raw, ...ours, posted: posted.size, rawChain: { ...rawChain, posted: rawPosted.size, engineCpuMsPerChain: rawEngineCpuMs / rawPosted.size } })}\n`,
);
