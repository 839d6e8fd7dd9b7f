// One entry point for every job type: validate the input against the job's
// contract (a bad field → JobInputError naming it), run the processor, and
// check what it returns against the output contract.
import { jobInputSchemas, jobOutputSchemas, jobTypeSchema, type JobType } from '../../engine/jobs/contracts.js';
import { JobInputError } from '../errors.js';
import { bgRemove } from './bg-remove.js';
import { evalGrid } from './eval-grid.js';
import { exportBundle } from './export.js';
import { generate } from './generate.js';
import { packAtlas } from './pack-atlas.js';
import type { JobContext, Processor } from './types.js';

const processors: { [T in JobType]: Processor<T> } = {
  generate,
  bg_remove: bgRemove,
  pack_atlas: packAtlas,
  export: exportBundle,
  eval_grid: evalGrid,
};

export async function runJob(type: string, rawInput: unknown, ctx: JobContext): Promise<Record<string, unknown>> {
  const t = jobTypeSchema.safeParse(type);
  if (!t.success) throw new JobInputError('type', `unknown job type "${type}"; use one of ${jobTypeSchema.options.join(', ')}`);
  const parsed = jobInputSchemas[t.data].safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new JobInputError(issue.path.length ? issue.path.join('.') : 'input', issue.message, { cause: parsed.error });
  }
  const run = processors[t.data] as Processor<JobType>;
  const output = await run(parsed.data as never, ctx);
  return jobOutputSchemas[t.data].parse(output) as Record<string, unknown>;
}
