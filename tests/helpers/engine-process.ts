// Engines in processes of their own (tests/fixtures/engine-process.ts), for tests that kill one with
// SIGKILL and start the next on the same files; and the counting BullMQ workers those tests use.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ADMIN } from './engine.js';

const fixture = fileURLToPath(new URL('../fixtures/engine-process.ts', import.meta.url));

export interface EngineProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The HTTP API as the bootstrap admin: JSON in, { status, body } out. */
  call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** Start an engine process on `env` and wait for its "ready" line. */
export function startEngineProcess(env: Record<string, string>): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`engine did not start: ${out}${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(t);
      const url = m[1]!;
      const call = async (method: string, p: string, body?: unknown) => {
        const res = await fetch(`${url}${p}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : null };
      };
      resolve({ child, url, exited, call });
    });
    void exited.then(({ code, signal }) => reject(new Error(`engine exited (${code ?? signal}) before it was ready: ${out}${err}`)));
  });
}

/** The environment of one engine "installation": its own data dir and queue prefix on a shared Redis. */
export function installation(redisUrl: string, cleanups: (() => unknown)[]): Record<string, string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-proc-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return {
    GREENLIGHT_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    GREENLIGHT_QUEUE_PREFIX: `p${randomBytes(4).toString('hex')}`,
    GREENLIGHT_ADMIN_TOKEN: ADMIN,
    PORT: '0',
    LOG_LEVEL: 'silent',
  };
}

/** Real BullMQ workers for `outputs`' queues, answering with those outputs (a function: its answer for the job); `ran` lists every job they ran. */
export function countingWorkers(redisUrl: string, prefix: string, outputs: Record<string, unknown>, cleanups: (() => unknown)[]): string[] {
  const ran: string[] = [];
  for (const [queue, output] of Object.entries(outputs)) {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const w = new Worker(
      queue,
      async (job) => {
        ran.push(job.id!);
        return typeof output === 'function' ? await (output as (job: Job) => unknown)(job) : output;
      },
      { connection, prefix },
    );
    w.on('error', (e) => assert.fail(e));
    cleanups.push(async () => {
      await w.close();
      connection.disconnect();
    });
  }
  return ran;
}
