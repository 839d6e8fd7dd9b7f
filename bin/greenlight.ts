// The greenlight CLI: start the engine, migrate, and the admin chores that a
// technical artist scripts (projects, tokens, rules, events).
import { Command } from 'commander';
import type { Engine, EngineConfig, Principal } from '../engine/index.js';
import { loadWorkerConfig } from '../gpu-worker/config.js';
import { logFormatOf, processLog } from './log.js';
import { line, parseJsonOption, print } from './options.js';
import { registerReviewCommands } from './review-commands.js';
import { registerRuleCommands } from './rule-commands.js';
import { registerSpecCommands } from './spec-commands.js';
import { registerWorkerCommands, stopOnSignals } from './worker-commands.js';

// The engine (BullMQ, SQLite, Hono, bull-board…) loads only when a command needs it,
// so `--help` and a bad option answer at once. Its door is engine/index.ts, nothing else.
const door = () => import('../engine/index.js');

const config = async (): Promise<EngineConfig> => (await door()).loadConfig(process.env, process.cwd());

/**
 * Run one command against an engine over the data dir's database, closing it whatever happens. The
 * command acts as the local CLI principal; `flush` publishes stored events (with Redis).
 */
async function withEngine<T>(
  fn: (engine: Engine, cli: Principal, flush: () => Promise<void>) => T | Promise<T>,
  withRedis = false,
): Promise<T> {
  const d = await door();
  const { engine, flush, close } = await d.openEngine(d.loadConfig(process.env, process.cwd()), { withRedis });
  try {
    return await fn(engine, d.cliPrincipal, flush);
  } finally {
    await close();
  }
}

const program = new Command('greenlight')
  .description('Greenlight: review game-art variants in chat and automate what follows with rules.')
  .showHelpAfterError('(run with --help for usage)')
  // A refused argument is quoted back: cut a long one (a 10,000-deep payload made a 50 KB line), keep the reason.
  .configureOutput({
    outputError: (text, write) => write(text.replace(/argument '([\s\S]{60})[\s\S]*?' is invalid/, "argument '$1…' is invalid")),
  });

program
  .command('start')
  .description(
    'Run the engine (HTTP API on PORT, default 8787) and one worker on the embedded defaults: SQLite under GREENLIGHT_DATA_DIR, a private redis-server unless REDIS_URL is set.',
  )
  .option('--no-worker', 'run the engine only (run `greenlight worker` elsewhere)')
  .action(async (opts: { worker: boolean }) => {
    const cfg = await config();
    const workerConfig = opts.worker ? loadWorkerConfig(process.env, process.cwd()) : null;
    const { startGreenlight } = await door();
    const { createBots, loadBotsConfig } = await import('../bot/index.js');
    const { mountReviewWeb } = await import('../review-web/app.js');
    const botsConfig = loadBotsConfig(process.env);
    let bots: Awaited<ReturnType<typeof createBots>> | null = null;
    const { logger, announce } = processLog(cfg.logLevel, logFormatOf());
    const running = await startGreenlight(cfg, {
      logger,
      mount: (app, engine) => {
        bots = createBots(botsConfig, engine, app, logger);
        mountReviewWeb(app, engine, { dataDir: cfg.dataDir, publicUrl: process.env.GREENLIGHT_PUBLIC_URL ?? null, logger });
      },
    });
    await bots!.start();
    // One odd payload must not take the engine down: log what escaped every handler and carry on.
    process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (kept running)'));
    const worker = workerConfig
      ? // The engine already says when its Redis (the same one) goes away and comes back.
        (await import('../gpu-worker/worker.js')).startWorker({
          config: workerConfig,
          redisUrl: running.redisUrl,
          logger,
          watchRedis: false,
        })
      : null;
    // Before the first line that says it is up: a signal sent on seeing that line must find its handler (with no
    // listener yet, SIGINT's default action kills the process mid-start-up).
    stopOnSignals(
      [
        { what: 'chat bots', stop: () => bots?.stop() },
        ...(worker ? [{ what: 'worker', stop: (signal: AbortSignal) => worker.close({ signal }) }] : []),
        { what: 'engine', stop: (signal) => running.stop({ signal }) },
      ],
      cfg.shutdownTimeoutMs,
      (signal) => `${signal}: stopping (running jobs finish first, for up to ${cfg.shutdownTimeoutMs / 1000} s)…`,
      announce,
    );
    announce(
      `Greenlight is running at ${running.url} (review: ${running.url}/review, health: ${running.url}/healthz, API: ${running.url}/api/openapi.json)`,
    );
    for (const status of bots!.status) announce(status);
    if (worker)
      announce(`Worker: ${worker.queues.join(', ')} (${worker.pool.size} at once); files under ${workerConfig!.dataDir}/projects/`);
    if (running.generatedAdminToken)
      announce(
        `Generated a bootstrap admin token (shown once; set GREENLIGHT_ADMIN_TOKEN to choose your own): ${running.generatedAdminToken}`,
      );
  });

program
  .command('migrate')
  .description('Apply the database migrations in migrations/ to GREENLIGHT_DATA_DIR/greenlight.db (start does this too).')
  .action(async () => {
    const file = (await door()).migrateDatabase(await config());
    process.stdout.write(`Database ${file} is up to date.\n`);
  });

const project = program.command('project').description('Manage projects.');
project
  .command('create <id>')
  .description('Create a project (id: lowercase letters, digits and "-").')
  .requiredOption('--name <name>', 'display name (required)')
  .action(async (id: string, opts: { name: string }) => {
    await withEngine(async (engine, cli) => {
      print(engine.entities.createProject(cli, { id, name: opts.name }));
    });
  });

project
  .command('list')
  .description('Every project: id, name, when made.')
  .option('--json', 'print the projects as the API gives them')
  .action(async (opts: { json?: boolean }) => {
    await withEngine((engine, cli) => {
      const list = engine.entities.listProjects(cli);
      if (opts.json) return print(list);
      if (list.length === 0) return line('No projects yet: greenlight project create <id> --name <name>');
      for (const p of list) line(`${p.id}  “${p.name}”  since ${new Date(p.createdAt).toISOString()}`);
    });
  });
project
  .command('set <projectId>')
  .description("Change a project's settings: limits and policies merge into what is set.")
  .option('--default-export-profile <id>', 'the export profile rules use when they name none: unity | godot | unreal | phaser | custom')
  .option('--max-concurrent-runs <n>', 'automation runs at once in this project', (v) => Number(v))
  .option('--settings <json>', 'any settings as JSON or @file.json: {"limits":{…},"policies":{…},"tagGroups":{…}}', parseJsonOption)
  .action(
    async (projectId: string, opts: { defaultExportProfile?: string; maxConcurrentRuns?: number; settings?: Record<string, unknown> }) => {
      const given = opts.settings ?? {};
      const part = (key: string) => (given[key] && typeof given[key] === 'object' ? (given[key] as Record<string, unknown>) : {});
      const body = {
        ...given,
        ...(opts.defaultExportProfile !== undefined
          ? { policies: { ...part('policies'), defaultExportProfile: opts.defaultExportProfile } }
          : {}),
        ...(opts.maxConcurrentRuns !== undefined ? { limits: { ...part('limits'), maxConcurrentRuns: opts.maxConcurrentRuns } } : {}),
      };
      if (Object.keys(body).length === 0)
        throw Object.assign(new Error('nothing to set: give --default-export-profile, --max-concurrent-runs or --settings'), {
          name: 'InvalidArgumentError',
        });
      await withEngine((engine, cli) => print(engine.entities.updateSettings(cli, projectId, body).settings));
    },
  );
project
  .command('show <projectId>')
  .description('A project with its settings (limits, policies, chat roles, tag groups).')
  .action(async (projectId: string) => {
    await withEngine((engine, cli) => print(engine.entities.getProject(cli, projectId)));
  });
project
  .command('role <projectId> <member> <role>')
  .description(
    'Give a chat member a role in a project: member is slack:<user id>, slack:group:<user group id>, discord:<user id> or discord:role:<server role id>; role is artist | lead | admin, or none to remove it.',
  )
  .action(async (projectId: string, member: string, role: string) => {
    await withEngine(async (engine, cli) => {
      print(engine.chat.setRole(cli, projectId, { member, role: role === 'none' ? null : role }));
    });
  });

const token = program.command('token').description('Manage API tokens.');
token
  .command('create <projectId>')
  .description('Create a token for a project and print it once.')
  .requiredOption('--role <role>', 'artist | lead | admin')
  .option('--label <label>', 'what the token is for')
  .action(async (projectId: string, opts: { role: string; label?: string }) => {
    await withEngine(async (engine, cli) => {
      const { token: t, row } = engine.entities.createToken(cli, projectId, {
        role: opts.role,
        ...(opts.label ? { label: opts.label } : {}),
      });
      print({ id: row.id, projectId, role: row.role, token: t });
    });
  });

token
  .command('list <projectId>')
  .description("A project's tokens: id, role, label, made, revoked (the tokens themselves are never shown again).")
  .action(async (projectId: string) => {
    await withEngine((engine, cli) => {
      const list = engine.entities.listTokens(cli, projectId);
      if (list.length === 0) return line(`No tokens in ${projectId}: greenlight token create ${projectId} --role artist`);
      for (const t of list)
        line(
          `${t.id}  ${t.role.padEnd(6)}  ${t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : 'active'}  made ${new Date(t.createdAt).toISOString()}${t.label ? `  “${t.label}”` : ''}`,
        );
    });
  });
token
  .command('revoke <projectId> <tokenId>')
  .description('Revoke a token at once: API calls and review-web sessions signed in with it stop.')
  .action(async (projectId: string, tokenId: string) => {
    await withEngine((engine, cli) => {
      const t = engine.entities.revokeToken(cli, projectId, tokenId);
      line(`${t.id} (${t.role}) is revoked.`);
    });
  });

registerRuleCommands(program, withEngine);
registerReviewCommands(program, withEngine);
registerSpecCommands(project, program, withEngine);

const event = program.command('event').description('Emit events.');
event
  .command('emit <projectId> <type>')
  .description('Store an event; it is queued now if REDIS_URL is reachable, else by the running engine.')
  .option('--payload <json>', 'payload as JSON or @file.json', parseJsonOption, {})
  .option('--idempotency-key <key>', 'the same key twice creates one event')
  .action(async (projectId: string, type: string, opts: { payload: unknown; idempotencyKey?: string }) => {
    await withEngine(async (engine, cli, flush) => {
      const { row, created } = engine.events.emit(
        cli,
        projectId,
        { type, payload: opts.payload, ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}) },
        'cli',
      );
      await flush();
      print({ id: row.id, duplicate: !created, queued: engine.events.get(cli, projectId, row.id).published });
    }, true);
  });

registerWorkerCommands(program);

program.parseAsync(process.argv).catch(async (err: unknown) => {
  if ((await door()).isGreenlightError(err)) {
    // Once: a message that already quotes its details ("Invalid rule: a: …; b: …") is cut to its head.
    const details = err.details ?? [];
    const quoted = details.length > 0 && err.message.includes(`${details[0]!.path}: ${details[0]!.message}`);
    process.stderr.write(`greenlight: ${quoted ? err.message.slice(0, err.message.indexOf(': ')) : err.message}\n`);
    // Something missing may be in another database: say which one this was.
    if (err.code === 'not_found') {
      const dataDir = (await config().catch(() => null))?.dataDir;
      if (dataDir) process.stderr.write(`  (looked in ${dataDir}/greenlight.db; set GREENLIGHT_DATA_DIR to use another data folder)\n`);
    }
    for (const d of details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
  } else if (err instanceof Error && ['WorkerConfigError', 'InvalidArgumentError', 'JobInputError', 'UnavailableError'].includes(err.name))
    process.stderr.write(`greenlight: ${err.message}\n`);
  else process.stderr.write(`greenlight: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
