// Small real processors for tests: BullMQ workers on the test engine's
// prefix, each with its own Redis connection, closed together.
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { testRedis } from './engine.js';

export function testWorkers(prefix: string) {
  const workers: Worker[] = [];
  const conns: Redis[] = [];
  return {
    conns,
    async add(queue: string, fn: (job: Job) => unknown, options: { concurrency?: number } = {}): Promise<Worker> {
      const connection = new Redis((await testRedis()).url, { maxRetriesPerRequest: null });
      conns.push(connection);
      const w = new Worker(queue, async (job) => fn(job), { connection, prefix, ...options });
      workers.push(w);
      return w;
    },
    async close(): Promise<void> {
      await Promise.all(workers.map((w) => w.close()));
      for (const c of conns) c.disconnect();
    },
  };
}
