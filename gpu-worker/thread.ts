// Runs inside a worker thread: one job at a time, progress and the result (or
// the error's name, message and field) posted back. CPU-heavy pixel work here
// cannot stall the main thread, which keeps renewing the job's BullMQ lock.
import { parentPort } from 'node:worker_threads';
import { localContext } from './context.js';
import { runJob } from './processors/index.js';
import type { WorkerSettings } from './processors/types.js';

export interface ThreadTask {
  id: number;
  type: string;
  input: unknown;
  projectId: string;
  jobId: string;
  dataDir: string;
  settings: WorkerSettings;
}

export type ThreadMessage =
  | { id: number; kind: 'progress'; fraction: number; message: string }
  | { id: number; kind: 'done'; output: Record<string, unknown> }
  | { id: number; kind: 'error'; name: string; message: string; field?: string; stack?: string };

const port = parentPort;
if (!port) throw new Error('thread.ts must run in a worker thread');
port.on('message', (task: ThreadTask) => {
  const post = (m: ThreadMessage) => port.postMessage(m);
  // Building the context checks the project id: a refusal there fails this job, not the thread.
  const run = async () =>
    runJob(
      task.type,
      task.input,
      localContext({
        dataDir: task.dataDir,
        projectId: task.projectId,
        jobId: task.jobId,
        settings: task.settings,
        onProgress: (fraction, message) => post({ id: task.id, kind: 'progress', fraction, message }),
      }),
    );
  run().then(
    (output) => post({ id: task.id, kind: 'done', output }),
    (err: Error & { field?: string }) =>
      post({
        id: task.id,
        kind: 'error',
        name: err?.name ?? 'Error',
        message: err?.message ?? String(err),
        field: err?.field,
        stack: err?.stack,
      }),
  );
});
