// CLI commands of the worker host: `greenlight worker` (BullMQ workers for the
// job queues) and `greenlight job run` (one job in-process, no Redis, against
// the data dir — for one-off cut-outs and atlases and for debugging).
import { InvalidArgumentError, type Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { logFormatOf, processLog } from './log.js';
import { jobInputProblems } from '../engine/index.js';
import { loadWorkerConfig, parseQueues, type WorkerConfig } from '../gpu-worker/config.js';
import { parseJsonOption } from './options.js';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
};

/** The Redis a worker uses: REDIS_URL, else the private one of an engine running on the same data dir. */
export function workerRedisUrl(config: WorkerConfig): string {
  if (config.redisUrl) return config.redisUrl;
  const file = path.join(config.dataDir, 'redis', 'url');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  throw new InvalidArgumentError(
    `no Redis: set REDIS_URL to the engine's Redis, or start the engine (greenlight start) on this data dir (${config.dataDir}) first`,
  );
}

/** One part of a process to stop, in order; its stop takes the deadline's signal and may say what it abandoned. */
export interface StopPart {
  what: string;
  stop(signal: AbortSignal): Promise<{ abandoned: string[]; failed: string[] } | void> | void;
}

/** After the deadline, parts that do not answer its signal get this long, all together, before they count as abandoned. */
const graceMs = 1000;

async function stopParts(parts: StopPart[], deadlineMs: number): Promise<{ abandoned: string[]; failed: string[] }> {
  const deadline = new AbortController();
  // Not unref'd: a wait that holds no handle (a promise nothing will settle) must still end here, with 1,
  // rather than in a silent exit 0 once the loop is empty. Every path below ends in process.exit anyway.
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const graceOver = new Promise<false>((resolve) =>
    deadline.signal.addEventListener('abort', () => setTimeout(() => resolve(false), graceMs), { once: true }),
  );
  const abandoned: string[] = [];
  const failed: string[] = [];
  for (const part of parts) {
    let late = false;
    const stopped = Promise.resolve()
      .then(() => part.stop(deadline.signal))
      .then(
        (o) => {
          if (o && !late) {
            abandoned.push(...o.abandoned.map((a) => `${part.what}: ${a}`));
            failed.push(...o.failed.map((f) => `${part.what}: ${f}`));
          }
          return true as const;
        },
        (err: unknown) => {
          if (!late) failed.push(`${part.what}: ${err instanceof Error ? err.message : String(err)}`);
          return true as const;
        },
      );
    if (!(await Promise.race([stopped, graceOver]))) {
      late = true;
      abandoned.push(`${part.what} (did not stop)`);
    }
  }
  clearTimeout(timer);
  return { abandoned, failed };
}

/**
 * On SIGTERM or SIGINT: say `announce(signal)`, stop `parts` in order and exit 0. At `deadlineMs` stop
 * waiting, say on stderr what was abandoned and exit 1 (a part that threw: exit 1 too). A second signal
 * exits 1 at once.
 */
export function stopOnSignals(
  parts: StopPart[],
  deadlineMs: number,
  announce: (signal: string) => string,
  say: (msg: string) => void = (msg) => process.stdout.write(`${msg}\n`),
): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      process.stderr.write(`greenlight: ${signal} again: exiting without waiting.\n`);
      process.exit(1);
    }
    stopping = true;
    say(announce(signal));
    void stopParts(parts, deadlineMs).then(({ abandoned, failed }) => {
      for (const f of failed) process.stderr.write(`greenlight: stopping failed: ${f}\n`);
      if (abandoned.length)
        process.stderr.write(
          `greenlight: shutdown deadline (${deadlineMs} ms, GREENLIGHT_SHUTDOWN_TIMEOUT_MS) passed; abandoned: ${abandoned.join('; ')}\n`,
        );
      process.exit(abandoned.length || failed.length ? 1 : 0);
    });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  // The terminal closed: the private redis-server is in a group of its own (no SIGHUP of its own), so stop as for SIGTERM.
  process.on('SIGHUP', () => onSignal('SIGHUP'));
}

/** A one-line progress bar on a terminal, plain lines elsewhere. */
function progressPrinter(stream: NodeJS.WriteStream) {
  let last = '';
  return {
    update(fraction: number, message: string) {
      const pct = Math.round(fraction * 100);
      if (stream.isTTY) {
        const width = 24;
        const done = Math.round(fraction * width);
        stream.write(
          `\r[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${String(pct).padStart(3)}% ${message}`
            .padEnd(80)
            .slice(0, Math.max(80, stream.columns ?? 80)),
        );
      } else {
        const line = `${pct}% ${message}`;
        if (line !== last) stream.write(`${line}\n`);
        last = line;
      }
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'Run BullMQ workers for the job queues (generate, bg_remove, pack_atlas, export, eval_grid). Uses REDIS_URL, or the private Redis of `greenlight start` on the same GREENLIGHT_DATA_DIR. SIGTERM drains: running jobs finish first, for up to GREENLIGHT_SHUTDOWN_TIMEOUT_MS (default 10 s).',
    )
    .option('--queues <list>', 'comma-separated job types to take (default: all; env GREENLIGHT_WORKER_QUEUES)')
    .option('--concurrency <n>', 'jobs at once on this host, one thread each (env GREENLIGHT_WORKER_CONCURRENCY)', positiveInt)
    .option('--no-gpu', 'never use the GPU, even where onnxruntime has CUDA (env GREENLIGHT_WORKER_GPU=off)')
    .action(async (opts: { queues?: string; concurrency?: number; gpu: boolean }) => {
      const config = loadWorkerConfig(process.env, process.cwd());
      if (opts.queues) config.queues = parseQueues(opts.queues, '--queues');
      if (opts.concurrency) config.concurrency = opts.concurrency;
      if (!opts.gpu) config.settings.gpu = false;
      const redisUrl = workerRedisUrl(config);
      const deadlineMs = config.shutdownTimeoutMs;
      const { logger, announce } = processLog(process.env.LOG_LEVEL ?? 'info', logFormatOf());
      const { startWorker } = await import('../gpu-worker/worker.js');
      const worker = startWorker({ config, redisUrl, logger });
      // The handlers first: a signal sent on seeing the line below must find them (see `greenlight start`).
      stopOnSignals(
        [{ what: 'worker', stop: (signal) => worker.close({ signal }) }],
        deadlineMs,
        (signal) => `${signal}: draining — waiting up to ${deadlineMs / 1000} s for running jobs to finish (send again to exit now)…`,
        announce,
      );
      announce(
        `Greenlight worker: queues ${config.queues.join(', ')}; ${config.concurrency} at once; ${config.projectConcurrency} per project; Redis ${redisUrl}`,
      );
    });

  const job = program.command('job').description('Run jobs by hand.');
  job
    .command('run <type>')
    .description(
      'Run one job in this process, without Redis, against GREENLIGHT_DATA_DIR; shows progress on stderr and prints the output JSON. Paths in the input are relative to data/projects/<project>/.',
    )
    .requiredOption('--input <json>', 'the job input as JSON or @file.json', parseJsonOption)
    .option('--project <projectId>', 'project whose folder the job works in', 'default')
    .option('--job-id <id>', 'job id (names outputs such as atlas and export ids)', `cli-${Date.now().toString(36)}`)
    .addHelpText(
      'after',
      `
Examples:
  greenlight job run generate --project art --input '{"assetId":"hero","prompt":"slime","count":4}'
  greenlight job run bg_remove --project art --input '{"assetId":"hero"}'
  greenlight job run pack_atlas --project art --input '{"atlasId":"heroes","assetIds":["hero"],"formats":["godot-tres","texturepacker-hash"]}'
  greenlight job run export --project art --input '{"atlasIds":["heroes"],"profileId":"godot"}'`,
    )
    .action(async (type: string, opts: { input: unknown; project: string; jobId: string }) => {
      // Typed by a person: an unknown field is a typo (the closest valid one said), not silently ignored.
      const input = opts.input;
      const typos =
        input && typeof input === 'object' && !Array.isArray(input)
          ? jobInputProblems(type, input as Record<string, unknown>, ['input'])
          : [];
      if (typos.length > 0) {
        process.stderr.write(`greenlight job run ${type}: ${typos.map((t) => `${t.path.join('.')}: ${t.message}`).join('; ')}\n`);
        process.exit(2);
      }
      const config = loadWorkerConfig(process.env, process.cwd());
      const [{ runJob }, { localContext }] = await Promise.all([
        import('../gpu-worker/processors/index.js'),
        import('../gpu-worker/context.js'),
      ]);
      const bar = progressPrinter(process.stderr);
      const ctx = localContext({
        dataDir: config.dataDir,
        projectId: opts.project,
        jobId: opts.jobId,
        settings: config.settings,
        onProgress: (f, m) => bar.update(f, m),
      });
      try {
        const output = await runJob(type, opts.input, ctx);
        bar.end();
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
        await recordOutput(type, opts.project, opts.input as Record<string, unknown>, output);
      } catch (err) {
        bar.end();
        const e = err as Error & { field?: string };
        process.stderr.write(
          `greenlight job run ${type}: ${e.name === 'JobInputError' || e.name === 'UnavailableError' ? e.message : (e.stack ?? e.message)}\n`,
        );
        process.exit(e.name === 'JobInputError' || e.name === 'UnavailableError' ? 2 : 1);
      }
    });
}

/**
 * What a job run by hand made goes into the project's database as a rule's job would (generate's asset and
 * variants with their files, an atlas, an export), so it can be reviewed; the files stay when it cannot.
 */
async function recordOutput(type: string, projectId: string, input: Record<string, unknown>, output: unknown): Promise<void> {
  if (!['generate', 'pack_atlas', 'export'].includes(type)) return;
  const d = await import('../engine/index.js');
  const config = d.loadConfig(process.env, process.cwd());
  const where = `${config.dataDir}/greenlight.db`;
  try {
    const { engine, close } = await d.openEngine(config);
    try {
      engine.entities.registerJobOutput(d.cliPrincipal, projectId, type, input, output);
      process.stderr.write(`greenlight job run ${type}: recorded in project ${projectId} (${where})\n`);
    } finally {
      await close();
    }
  } catch (err) {
    process.stderr.write(
      `greenlight job run ${type}: the files are written, but not recorded for review: ${(err as Error).message} (${where}); create the project with greenlight project create ${projectId} --name <name> and run it again\n`,
    );
  }
}
