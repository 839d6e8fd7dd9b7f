// The engine's part of the chain bench done in plain BullMQ, as its floor: the
// same queues and flows the engine uses (events job → flow of a `steps` parent
// over a work job; the parent's end → the next flow), with no HTTP, SQLite or
// rules. Runs in its own process like the engine; on 'cpu' it answers the CPU
// it spent. Argument: JSON { redisUrl, prefix }.
import { FlowProducer, Worker, type Job } from 'bullmq';
import { connections } from './redis.js';

const args = JSON.parse(process.argv[2]!) as { redisUrl: string; prefix: string };
const redis = connections(args.redisUrl);
const { prefix } = args;
const flows = new FlowProducer({ connection: redis.open(), prefix });
const retain = { age: 3600, count: 100_000 };
const submit = (id: string, jobType: string, step: string) =>
  flows.add({
    name: step,
    queueName: 'steps',
    prefix,
    data: { id, step },
    opts: { jobId: `${id}.${step}.done`, removeOnComplete: retain },
    children: [
      {
        name: jobType,
        queueName: jobType,
        prefix,
        data: { id },
        opts: { jobId: `${jobType}.${id}`, removeOnComplete: retain, ignoreDependencyOnFailure: true },
      },
    ],
  });
// The engine's concurrencies (engine/queue/jobs.ts).
const events = new Worker('events', async (job: Job<{ id: string }>) => void (await submit(job.data.id, 'bg_remove', 'cutout')), {
  connection: redis.open(),
  prefix,
  concurrency: 4,
});
const steps = new Worker(
  'steps',
  async (job: Job<{ id: string; step: string }>) => {
    await Promise.all([job.getChildrenValues(), job.getIgnoredChildrenFailures()]);
    if (job.data.step === 'cutout') await submit(job.data.id, 'pack_atlas', 'atlas');
  },
  { connection: redis.open(), prefix, concurrency: 8 },
);
await Promise.all([events.waitUntilReady(), steps.waitUntilReady()]);
const cpu0 = process.cpuUsage();
process.on('message', (m) => {
  if (m !== 'cpu') return;
  const c = process.cpuUsage(cpu0);
  process.send!({ cpuMs: (c.user + c.system) / 1000 });
});
process.on('disconnect', () => {
  void Promise.all([events.close(), steps.close(), flows.close()]).finally(() => {
    redis.closeAll();
    process.exit(0);
  });
});
process.send!('ready');
