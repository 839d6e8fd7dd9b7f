// The load side of the intake benchmark, in its own process (clients are
// other machines in real life). It both sends and watches the queue, so every
// latency is start → 'added' on one clock. Prints one JSON line of results.
import { Queue, QueueEvents } from 'bullmq';
import { connections } from './redis.js';
import { Pool } from 'undici';
import { paced, saturate, summarize } from './stats.js';

const args = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  redisUrl: string;
  prefix: string;
  total: number;
  rate: number;
  seconds: number;
};
// undici's Pool.request, not fetch: fetch costs the client ~1 ms of CPU a call,
// which on 2 cores would measure the client, not the server.
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
const redis = connections(args.redisUrl);
const conn = () => redis.open();

/**
 * Watch a queue's 'added' events; `probe` adds one job, repeated until one is seen (the reader is live). On the
 * events queue one job carries a run of events: each of them counts as added when its job was.
 */
async function watch(queue: string, prefix: string, probe: (n: number) => Promise<string>) {
  const qe = new QueueEvents(queue, { connection: conn(), prefix });
  await qe.waitUntilReady();
  const seen = new Map<string, number>();
  const reader = queue === 'events' ? new Queue(queue, { connection: conn(), prefix }) : null;
  qe.on('added', ({ jobId }) => {
    const at = performance.now();
    if (!reader) return void seen.set(jobId, at);
    void reader.getJob(jobId).then((job) => {
      const events = (job?.data as { events?: { eventId: string }[] } | undefined)?.events ?? [{ eventId: jobId }];
      for (const e of events) seen.set(e.eventId, at);
    });
  });
  for (let n = 0; seen.size === 0; n++) {
    if (n > 100) throw new Error(`QueueEvents on ${queue} never saw a probe job`);
    await probe(n);
    await new Promise((r) => setTimeout(r, 50));
  }
  const waitAll = async (ids: string[], timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !seen.has(id))) {
      if (Date.now() > deadline)
        throw new Error(`${ids.filter((id) => !seen.has(id)).length} of ${ids.length} jobs never showed up on ${queue}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { qe, seen, waitAll, close: () => Promise.all([qe.close(), reader?.close()]) };
}

/** Throughput is noisy on a shared 2-core machine: the median of three rounds. */
async function median3(fn: (round: number) => Promise<number>): Promise<number> {
  const r = [await fn(0), await fn(1), await fn(2)].sort((a, b) => a - b);
  return r[1]!;
}

// Raw BullMQ baseline.
const rawPrefix = `${args.prefix}raw`;
const raw = new Queue('raw', { connection: conn(), prefix: rawPrefix });
const rawThroughput = await median3((round) => saturate(args.total, 32, (i) => raw.add('x', { i }, { jobId: `t${round}-${i}` })));
const rawWatch = await watch('raw', rawPrefix, async (n) => (await raw.add('probe', {}, { jobId: `probe${n}` })).id!);
const rawStart = new Map<string, number>();
await paced(args.rate, args.seconds, async (i) => {
  rawStart.set(`l${i}`, performance.now());
  await raw.add('x', { i }, { jobId: `l${i}` });
});
await rawWatch.waitAll([...rawStart.keys()]);
const rawLatency = summarize([...rawStart].map(([id, t0]) => rawWatch.seen.get(id)! - t0));
await raw.obliterate({ force: true });

// Greenlight over HTTP.
const headers = { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' };
const post = async (payload: unknown) => {
  const res = await pool.request({
    path: target.pathname,
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'variant.approved', payload }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 202) throw new Error(`POST answered ${res.statusCode}: ${text}`);
  return (JSON.parse(text) as { id: string }).id;
};
const throughput = await median3((round) => saturate(args.total, 32, (i) => post({ assetId: 'hero', round, i })));
// Steady state for the latency phase: let the engine's consumer finish the burst above first
// (the raw baseline has no consumer backlog either).
const events = new Queue('events', { connection: conn(), prefix: args.prefix });
for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
  const c = await events.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
  if (Object.values(c).every((n) => n === 0)) break;
}
await events.close();
const evWatch = await watch('events', args.prefix, (n) => post({ probe: n }));
const start = new Map<string, number>();
await paced(args.rate, args.seconds, async (i) => {
  const t0 = performance.now();
  start.set(await post({ assetId: 'hero', i }), t0);
});
await evWatch.waitAll([...start.keys()]);
const latency = summarize([...start].map(([id, t0]) => evWatch.seen.get(id)! - t0));

await Promise.all([rawWatch.close(), evWatch.close(), raw.close()]);
redis.closeAll();
await pool.close();
process.stdout.write(`${JSON.stringify({ throughput, rawThroughput, latency, rawLatency })}\n`);
