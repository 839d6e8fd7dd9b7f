// A small pool of worker threads for processors: one job per thread at a time,
// threads started on demand up to `size` and kept; a thread that dies fails its
// job (retried by BullMQ) and is replaced on the next task.
import { Worker } from 'node:worker_threads';
import type { ThreadMessage, ThreadTask } from './thread.js';

export interface PoolTask extends Omit<ThreadTask, 'id'> {
  onProgress?: (fraction: number, message: string) => void;
}

/** An error that crossed the thread boundary: name, message and field as thrown. */
export class ThreadError extends Error {
  field?: string;
  constructor(name: string, message: string, field?: string, stack?: string) {
    super(message);
    this.name = name;
    this.field = field;
    if (stack) this.stack = stack;
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export interface ThreadPool {
  run(task: PoolTask): Promise<Record<string, unknown>>;
  readonly size: number;
  close(): Promise<void>;
}

export function createThreadPool(size: number): ThreadPool {
  const slots: Slot[] = [];
  const waiting: (() => void)[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(new URL('./thread.mjs', import.meta.url)), busy: false };
    slot.worker.unref();
    slots.push(slot);
    return slot;
  };
  const acquire = async (): Promise<Slot> => {
    for (;;) {
      if (closed) throw new Error('the thread pool is closed');
      const free = slots.find((s) => !s.busy) ?? (slots.length < size ? spawn() : undefined);
      if (free) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  const release = (slot: Slot, dead: boolean) => {
    slot.busy = false;
    if (dead) {
      slots.splice(slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }
    waiting.shift()?.();
  };

  return {
    size,
    async run(task) {
      const slot = await acquire();
      const id = nextId++;
      const { onProgress, ...payload } = task;
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const onMessage = (m: ThreadMessage) => {
          if (m.id !== id) return;
          if (m.kind === 'progress') return onProgress?.(m.fraction, m.message);
          cleanup(false);
          if (m.kind === 'done') resolve(m.output);
          else reject(new ThreadError(m.name, m.message, m.field, m.stack));
        };
        const onError = (err: Error) => {
          cleanup(true);
          reject(new Error(`worker thread crashed running ${task.type}: ${err.message}`, { cause: err }));
        };
        const onExit = (code: number) => {
          cleanup(true);
          reject(new Error(`worker thread exited (code ${code}) running ${task.type}`));
        };
        const cleanup = (dead: boolean) => {
          slot.worker.off('message', onMessage).off('error', onError).off('exit', onExit);
          release(slot, dead);
        };
        slot.worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        slot.worker.postMessage({ id, ...payload } satisfies ThreadTask);
      });
    },
    async close() {
      closed = true;
      for (const w of waiting.splice(0)) w();
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
