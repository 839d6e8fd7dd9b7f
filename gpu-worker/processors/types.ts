// What every processor gets: its project's files, progress reporting and the
// host's settings. Processors know nothing of BullMQ or Redis, so the same code
// runs in a worker thread under BullMQ and in `greenlight job run`.
import type { JobInput, JobOutput, JobType } from '../../engine/jobs/contracts.js';
import type { ProjectFiles } from '../files.js';

export interface WorkerSettings {
  /** ComfyUI base URL (COMFYUI_URL); unset = the comfyui provider is unavailable. */
  comfyuiUrl?: string;
  /** ONNX segmentation model for bg_remove's model method (GREENLIGHT_BG_MODEL_PATH). */
  bgModelPath?: string;
  /** Use the CUDA execution provider when onnxruntime has it. */
  gpu: boolean;
}

export interface JobContext {
  projectId: string;
  jobId: string;
  files: ProjectFiles;
  settings: WorkerSettings;
  /** Report progress: a fraction 0-1 and what is happening. */
  progress(fraction: number, message: string): void;
  now(): Date;
}

export type Processor<T extends JobType> = (input: JobInput<T>, ctx: JobContext) => Promise<JobOutput<T>>;
