// Load side of the chain benchmark: posts events at a steady rate and runs the
// bg_remove / pack_atlas workers itself, so "event posted → first job active"
// and "step done → next step active" are read on one clock. Two baselines on
// the same Redis: raw BullMQ add() → active, and the whole chain in plain
// BullMQ (raw-chain-engine.ts), the floor of this topology. Prints JSON.
// With `ramp` (a list of rates): for each system, phases of `seconds` at each
// rate, rising, until its chained step p99 goes over `rampP99Ms`; prints what
// each phase measured.
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
  ramp?: number[];
  rampP99Ms?: number;
};
const redis = connections(args.redisUrl);
const conn = () => redis.open();
const noop = async () => ({ alphaPaths: ['a.png'], atlasId: 'atl', pages: [] });

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

/** Raw baseline: add() → the worker's 'active'. */
async function rawAddPhase() {
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
  return raw;
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
const rawEvents = new Queue('events', { connection: conn(), prefix: rawChainPrefix });

/** One phase of the plain-BullMQ chain; `tag` keeps its chain ids apart from other phases'. */
async function rawChainPhase(rate: number, seconds: number, tag: string) {
  const rawWork = await workQueues(rawChainPrefix);
  const rawPosted = new Map<string, number>();
  await paced(rate, seconds, async (i) => {
    const id = `c${tag}n${i}`;
    rawPosted.set(id, performance.now());
    await rawEvents.add('custom.bench', { id }, { jobId: id, removeOnComplete: { age: 3600, count: 100_000 } });
  });
  return { ...(await rawWork.settle(rawPosted)), posted: rawPosted.size };
}

// Greenlight: POST → run → bg_remove active; bg_remove done → pack_atlas active.
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 32 });
async function enginePhase(rate: number, seconds: number) {
  const work = await workQueues(args.prefix);
  const posted = new Map<string, number>();
  await paced(rate, seconds, async (i) => {
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
  return { ...(await work.settle(posted)), posted: posted.size };
}

/** Rising rates until the chained step p99 goes over the limit (or chains stop completing). */
async function ramp(
  rates: number[],
  phase: (rate: number, i: number) => Promise<{ step: { p99: number }; completed: number; posted: number }>,
) {
  const out: { rate: number; stepP99: number; completed: number; posted: number }[] = [];
  for (const [i, rate] of rates.entries()) {
    const r = await phase(rate, i);
    out.push({ rate, stepP99: r.step.p99, completed: r.completed, posted: r.posted });
    if (r.step.p99 > (args.rampP99Ms ?? 100) || r.completed < r.posted) break;
  }
  return out;
}

let result: unknown;
if (args.ramp) {
  const plain = await ramp(args.ramp, (rate, i) => rawChainPhase(rate, args.seconds, `r${i}`));
  const engine = await ramp(args.ramp, (rate) => enginePhase(rate, args.seconds));
  result = { ramp: { plain, engine } };
} else {
  const raw = await rawAddPhase();
  const rawChain = await rawChainPhase(args.rate, args.seconds, 's');
  rawEngine.send('cpu');
  const rawEngineCpuMs = await new Promise<number>((resolve) => rawEngine.once('message', (m) => resolve((m as { cpuMs: number }).cpuMs)));
  const ours = await enginePhase(args.rate, args.seconds);
  result = { raw, ...ours, rawChain: { ...rawChain, engineCpuMsPerChain: rawEngineCpuMs / rawChain.posted } };
}
rawEngine.disconnect();
await rawEvents.obliterate({ force: true });
await rawEvents.close();
await pool.close();
redis.closeAll();
process.stdout.write(`${JSON.stringify(result)}\n`);
