// The greenlight CLI: start the engine, migrate, and the admin chores that a
// technical artist scripts (projects, tokens, rules, events).
import { Command } from 'commander';
import { pino } from 'pino';
import { cliPrincipal } from '../engine/auth/principal.js';
import { loadConfig, type EngineConfig } from '../engine/config.js';
import { isGreenlightError } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import { loadWorkerConfig } from '../gpu-worker/config.js';
import { parseJsonOption } from './options.js';
import { registerWorkerCommands } from './worker-commands.js';

// The engine (BullMQ, SQLite, Hono, bull-board…) loads only when a command needs it,
// so `--help` and a bad option answer at once.
const load = () => Promise.all([import('../engine/index.js'), import('../engine/queue/redis.js'), import('../engine/store/db.js')]);

const config = (): EngineConfig => loadConfig(process.env, process.cwd());

/** An engine over the data dir's database, for one-shot commands. */
async function localEngine(withRedis = false) {
  const cfg = config();
  const [{ createEngine }, { createRedis }, { openDb, dbFile }] = await load();
  const db = openDb(dbFile(cfg.dataDir));
  const redis = withRedis && cfg.redisUrl ? createRedis(cfg.redisUrl, 'producer') : null;
  redis?.on('error', () => {});
  const engine = createEngine({ config: cfg, db, redis, logger: pino({ level: 'silent' }) });
  return {
    engine,
    close: async () => {
      await engine.stop();
      redis?.disconnect();
      db.$client.close();
    },
  };
}

/** Run one command against the local engine, closing it whatever happens. */
async function withEngine<T>(fn: (engine: Engine) => T | Promise<T>, withRedis = false): Promise<T> {
  const { engine, close } = await localEngine(withRedis);
  try {
    return await fn(engine);
  } finally {
    await close();
  }
}

const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

const program = new Command('greenlight')
  .description('Greenlight: review game-art variants in chat and automate what follows with rules.')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('start')
  .description(
    'Run the engine (HTTP API on PORT, default 8787) and one worker on the embedded defaults: SQLite under GREENLIGHT_DATA_DIR, a private redis-server unless REDIS_URL is set.',
  )
  .option('--no-worker', 'run the engine only (run `greenlight worker` elsewhere)')
  .action(async (opts: { worker: boolean }) => {
    const cfg = config();
    const workerConfig = opts.worker ? loadWorkerConfig(process.env, process.cwd()) : null;
    const { startGreenlight } = await import('../engine/runtime.js');
    const { createBots, loadBotsConfig } = await import('../bot/index.js');
    const botsConfig = loadBotsConfig(process.env);
    let bots: Awaited<ReturnType<typeof createBots>> | null = null;
    const running = await startGreenlight(cfg, {
      mount: (app, engine) => void (bots = createBots(botsConfig, engine, app, engine.logger)),
    });
    const logger = running.engine.logger;
    await bots!.start();
    // One odd payload must not take the engine down: log what escaped every handler and carry on.
    process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (kept running)'));
    const worker = workerConfig
      ? (await import('../gpu-worker/worker.js')).startWorker({ config: workerConfig, redisUrl: running.redisUrl, logger })
      : null;
    process.stdout.write(
      `Greenlight is running at ${running.url} (health: ${running.url}/healthz, API: ${running.url}/api/openapi.json)\n`,
    );
    for (const line of bots!.status) process.stdout.write(`${line}\n`);
    if (worker)
      process.stdout.write(
        `Worker: ${worker.queues.join(', ')} (${worker.pool.size} at once); files under ${workerConfig!.dataDir}/projects/\n`,
      );
    if (running.generatedAdminToken)
      process.stdout.write(
        `Generated a bootstrap admin token (shown once; set GREENLIGHT_ADMIN_TOKEN to choose your own):\n  ${running.generatedAdminToken}\n`,
      );
    const shutdown = async (signal: string) => {
      process.stdout.write(`${signal}: stopping (running jobs finish first)…\n`);
      await bots?.stop();
      await worker?.close();
      await running.stop();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  });

program
  .command('migrate')
  .description('Apply the database migrations in migrations/ to GREENLIGHT_DATA_DIR/greenlight.db (start does this too).')
  .action(async () => {
    const { dbFile, openDb } = await import('../engine/store/db.js');
    const file = dbFile(config().dataDir);
    openDb(file).$client.close();
    process.stdout.write(`Database ${file} is up to date.\n`);
  });

const project = program.command('project').description('Manage projects.');
project
  .command('create <id>')
  .description('Create a project (id: lowercase letters, digits and "-").')
  .requiredOption('--name <name>', 'display name')
  .action(async (id: string, opts: { name: string }) => {
    await withEngine(async (engine) => {
      print(engine.entities.createProject(cliPrincipal, { id, name: opts.name }));
    });
  });

project
  .command('role <projectId> <member> <role>')
  .description(
    'Give a chat member a role in a project: member is slack:<user id>, slack:group:<user group id> or discord:<user id>; role is artist | lead | admin, or none to remove it.',
  )
  .action(async (projectId: string, member: string, role: string) => {
    await withEngine(async (engine) => {
      print(engine.chat.setRole(cliPrincipal, projectId, { member, role: role === 'none' ? null : role }));
    });
  });

const token = program.command('token').description('Manage API tokens.');
token
  .command('create <projectId>')
  .description('Create a token for a project and print it once.')
  .requiredOption('--role <role>', 'artist | lead | admin')
  .option('--label <label>', 'what the token is for')
  .action(async (projectId: string, opts: { role: string; label?: string }) => {
    await withEngine(async (engine) => {
      const { token: t, row } = engine.entities.createToken(cliPrincipal, projectId, {
        role: opts.role,
        ...(opts.label ? { label: opts.label } : {}),
      });
      print({ id: row.id, projectId, role: row.role, token: t });
    });
  });

const rule = program.command('rule').description('Import and export rules as JSON.');
rule
  .command('import <file>')
  .description('Create rules from a JSON file holding one rule or an array of rules (imported disabled: dry-run, then enable).')
  .requiredOption('--project <projectId>', 'project to import into')
  .action(async (file: string, opts: { project: string }) => {
    const body = parseJsonOption(`@${file}`);
    await withEngine(async (engine) => {
      const list = Array.isArray(body) ? body : [body];
      print(
        list.map((r) => {
          const { row, warnings } = engine.rules.create(cliPrincipal, opts.project, r);
          return { id: row.id, version: row.version, warnings };
        }),
      );
    });
  });
rule
  .command('export <ruleId>')
  .description('Print a rule as JSON.')
  .requiredOption('--project <projectId>', 'project the rule belongs to')
  .action(async (ruleId: string, opts: { project: string }) => {
    await withEngine(async (engine) => {
      const { toApiRule } = await import('../engine/services/rules.js');
      print(toApiRule(engine.rules.get(cliPrincipal, opts.project, ruleId)));
    });
  });

const event = program.command('event').description('Emit events.');
event
  .command('emit <projectId> <type>')
  .description('Store an event; it is queued now if REDIS_URL is reachable, else by the running engine.')
  .option('--payload <json>', 'payload as JSON or @file.json', parseJsonOption, {})
  .option('--idempotency-key <key>', 'the same key twice creates one event')
  .action(async (projectId: string, type: string, opts: { payload: unknown; idempotencyKey?: string }) => {
    await withEngine(async (engine) => {
      const { row, created } = engine.events.emit(
        cliPrincipal,
        projectId,
        { type, payload: opts.payload, ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}) },
        'cli',
      );
      await engine.outbox.drain();
      print({ id: row.id, duplicate: !created, queued: engine.events.get(cliPrincipal, projectId, row.id).published });
    }, true);
  });

registerWorkerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isGreenlightError(err)) {
    process.stderr.write(`greenlight: ${err.message}\n`);
    for (const d of err.details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
  } else if (err instanceof Error && ['WorkerConfigError', 'InvalidArgumentError', 'JobInputError', 'UnavailableError'].includes(err.name))
    process.stderr.write(`greenlight: ${err.message}\n`);
  else process.stderr.write(`greenlight: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
