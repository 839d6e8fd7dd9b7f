// `npm run bench`: starts Greenlight on a temporary data dir (file SQLite,
// private redis-server unless REDIS_URL is set) and prints each figure beside
// its raw-BullMQ baseline measured in the same run.
import { rmSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { cliPrincipal, loadConfig, startGreenlight } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { benchChain, benchRamp } from './chain.js';
import { benchGpuWorker } from './gpu-worker.js';
import { benchIntake } from './intake.js';
import { benchSlack } from './slack.js';
import { benchDiscord } from './discord.js';
import { benchReview } from './review.js';
import { benchFairness } from './fairness.js';
import { fmt, lastLineOf, machineLoad, summarize } from './stats.js';

const dataDir = path.join(os.tmpdir(), `gl-bench-${randomBytes(4).toString('hex')}`);
const quick = process.argv.includes('--quick');
// --chain-rate=N: chains per second for the chain bench (default 200, the figure).
const chainRate = Number(/^--chain-rate=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--chain-rate=')) ?? '')?.[1] ?? 200);
// --fairness-rounds=N: flooded/alone window pairs for the fairness bench (default 12: 1200 samples of each kind, so the p99 does not rest on its 4 largest).
const fairnessRounds = Number(
  /^--fairness-rounds=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--fairness-rounds=')) ?? '')?.[1] ?? 12,
);
// --only=intake,chain,gpu,slack,discord,review,fairness: run some phases (default all), e.g. to profile one.
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const phases = ['intake', 'chain', 'gpu', 'slack', 'discord', 'review', 'fairness'];
if (only?.some((p) => !phases.includes(p))) {
  console.error(`--only takes a comma list of ${phases.join(', ')}`);
  process.exit(2);
}
const runs = (p: string) => !only || only.includes(p);
// --rows-json: print the figures as one JSON line (a phase run for a parent bench process), not as a table.
const rowsJson = process.argv.includes('--rows-json');

/** The fairness phase run by this script in a child process: its rows. */
const fairnessInItsOwnProcess = async () =>
  JSON.parse(
    await lastLineOf(fileURLToPath(import.meta.url), [
      '--only=fairness',
      `--fairness-rounds=${fairnessRounds}`,
      '--rows-json',
      ...(quick ? ['--quick'] : []),
    ]),
  ) as string[][];
const config = loadConfig({ ...process.env, GREENLIGHT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, process.cwd());
const running = await startGreenlight(config, { logger: pino({ level: 'warn' }) });
let stopped = false;
/** Progress on stderr: the figures come out together at the end. */
const phase = (name: string) => process.stderr.write(`… ${name}\n`);
try {
  const { engine } = running;
  engine.entities.createProject(cliPrincipal, { id: 'bench', name: 'Bench' });
  const { token } = engine.entities.createToken(cliPrincipal, 'bench', { role: 'lead' });
  (rowsJson ? console.error : console.log)(
    `greenlight bench — node ${process.version}, ${os.cpus().length} cores, redis ${running.redisUrl}${quick ? ' (quick)' : ''}\n`,
  );
  const rows: string[][] = [];
  if (runs('intake')) {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    phase('event intake');
    const load = machineLoad();
    rows.push(
      ...(await benchIntake({ running, token, projectId: 'bench', total: quick ? 1000 : 3000, rate: 200, seconds: quick ? 2 : 5 })),
    );
    // Server side, from the rows themselves: stored (occurred_at) → marked published (after addBulk resolved).
    const lag = (
      testDoor(engine)
        .sql.prepare('SELECT published_at - occurred_at AS d FROM events ORDER BY seq DESC LIMIT ?')
        .all(Math.round(200 * (quick ? 2 : 5))) as { d: number }[]
    ).map((r) => r.d);
    loop.disable();
    const s = summarize(lag);
    rows.push([
      'engine event-loop delay during intake',
      `p50 ${fmt(loop.percentile(50) / 1e6, 1)} ms`,
      `p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms`,
      `max ${fmt(loop.max / 1e6, 1)} ms`,
      '',
    ]);
    rows.push([
      'server-side stored → published (ms clock)',
      `p50 ${fmt(s.p50, 0)} ms`,
      `p99 ${fmt(s.p99, 0)} ms`,
      `max ${fmt(s.max, 0)} ms`,
      '',
    ]);
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  if (runs('chain')) {
    engine.entities.createProject(cliPrincipal, { id: 'chain', name: 'Chain bench' });
    const chainToken = engine.entities.createToken(cliPrincipal, 'chain', { role: 'lead' }).token;
    phase('rule chains');
    const load = machineLoad();
    rows.push(...(await benchChain({ running, token: chainToken, projectId: 'chain', rate: chainRate, seconds: quick ? 3 : 10 })));
    rows.push(...[load()].filter((r) => r !== undefined));
    phase('rule chains: the highest sustainable rate');
    const rampLoad = machineLoad();
    const rates = quick ? [50, 100, 200] : [50, 100, 150, 200, 300, 400, 600, 800];
    rows.push(...(await benchRamp({ running, token: chainToken, projectId: 'chain', rates, seconds: 3 })));
    rows.push(...[rampLoad()].filter((r) => r !== undefined));
  }
  if (runs('gpu')) {
    phase('gpu-worker: bg_remove, atlas packing, atlas write');
    const load = machineLoad();
    rows.push(...(await benchGpuWorker({ quick })));
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  await running.stop().catch((err: unknown) => console.error('bench: stopping Greenlight failed:', err));
  stopped = true;
  if (runs('slack')) {
    // Its own Greenlight with the Slack bot mounted, so the bot's hooks do not weigh on the figures above.
    phase('slack ack latency');
    const load = machineLoad();
    rows.push(...(await benchSlack({ rate: 50, seconds: quick ? 4 : 10 })));
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  if (runs('discord')) {
    // Its own Greenlight with the Discord bot mounted (HTTP interactions endpoint), like Slack's.
    phase('discord interaction ack latency');
    const load = machineLoad();
    rows.push(...(await benchDiscord({ rate: 50, seconds: quick ? 4 : 10 })));
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  if (runs('review')) {
    // Its own Greenlight with the review web mounted (under /review), as `greenlight start` mounts it.
    phase('review web: asset page, thumbnails, page weight');
    const load = machineLoad();
    rows.push(...(await benchReview({ requests: quick ? 100 : 200 })));
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  if (runs('fairness') && rows.length > 0) {
    // After other phases, in a process of its own: their heap and JIT state cost this phase's engine ~10 %
    // more CPU per flood event and more GC (measured: 1.47 vs 1.31-1.36 ms, 121 vs ~105 pauses).
    rows.push(...(await fairnessInItsOwnProcess()));
  } else if (runs('fairness')) {
    // Its own Greenlight with the Slack bot mounted: a noisy project floods notify events at its channel.
    phase('fairness: a quiet project while another floods notifications');
    const load = machineLoad();
    rows.push(...(await benchFairness({ floodRate: 200, rate: 20, rounds: quick ? 1 : fairnessRounds, windowMs: 6000, settleMs: 1000 })));
    rows.push(...[load()].filter((r) => r !== undefined));
  }
  if (rowsJson) console.log(JSON.stringify(rows));
  else {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  }
} finally {
  if (!stopped) await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
