// A job context over the local file store: what the BullMQ worker threads and
// `greenlight job run` both hand to a processor.
import { localProjectFiles } from './files.js';
import type { JobContext, WorkerSettings } from './processors/types.js';

export function localContext(opts: {
  dataDir: string;
  projectId: string;
  jobId: string;
  settings: WorkerSettings;
  onProgress?: (fraction: number, message: string) => void;
  now?: () => Date;
}): JobContext {
  return {
    projectId: opts.projectId,
    jobId: opts.jobId,
    files: localProjectFiles(opts.dataDir, opts.projectId),
    settings: opts.settings,
    progress: (f, m) => opts.onProgress?.(Math.min(1, Math.max(0, f)), m),
    now: opts.now ?? (() => new Date()),
  };
}
