// Fairness between projects: project B's event → its first job (active on a
// worker), p50/p99, while project A floods notify events at a Slack-bound
// channel (the real Bolt app and poster, paced one post a second per channel),
// beside B alone measured in the same run on the same server.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Pool } from 'undici';
import { cliPrincipal, type Engine } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { connections } from './redis.js';
import { greenlightWithSlack } from './with-slack.js';
import { fmt, paced, summarize, verdict } from './stats.js';

/** The flood in a process of its own; resolves with its last stdout line. */
function flood(args: Record<string, unknown>): Promise<string> {
  const client = fileURLToPath(new URL('./flood-client.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', client, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`flood client exited ${code}`))));
  });
}

const enable = (engine: Engine, projectId: string, body: Record<string, unknown>, sample: Record<string, unknown>) => {
  const { row } = engine.rules.create(cliPrincipal, projectId, body);
  engine.rules.dryRun(cliPrincipal, projectId, row.id, { event: sample });
  engine.rules.setEnabled(cliPrincipal, projectId, row.id, true);
};

export async function benchFairness(o: { floodRate: number; rate: number; seconds: number }): Promise<string[][]> {
  const gl = await greenlightWithSlack('fair');
  const { running, fake, config } = gl;
  const pool = new Pool(running.url, { connections: 16, pipelining: 1 });
  const redis = connections(running.redisUrl);
  let worker: Worker | null = null;
  try {
    const { engine } = running;
    // Every run may go at once in both: what A floods is its notifications, not its run limit.
    const settings = { limits: { maxConcurrentRuns: 1000 } };
    for (const id of ['noisy', 'quiet']) engine.entities.createProject(cliPrincipal, { id, name: id, settings });
    engine.chat.bind(cliPrincipal, 'slack', 'CNOISY', 'noisy', 'review');
    enable(
      engine,
      'noisy',
      {
        name: 'tell',
        trigger: { event: 'custom.noisy' },
        actions: [{ id: 'tell', type: 'notify', config: { text: 'noisy ${event.payload.n}' } }],
      },
      { type: 'custom.noisy', payload: { n: 0 } },
    );
    enable(
      engine,
      'quiet',
      {
        name: 'cut',
        trigger: { event: 'custom.quiet' },
        actions: [
          { id: 'cut', type: 'enqueue_job', config: { type: 'bg_remove', input: { originalPath: 'files/${event.payload.n}.png' } } },
        ],
      },
      { type: 'custom.quiet', payload: { n: 0 } },
    );
    const noisyToken = engine.entities.createToken(cliPrincipal, 'noisy', { role: 'lead' }).token;
    const quietToken = engine.entities.createToken(cliPrincipal, 'quiet', { role: 'lead' }).token;

    // B's first job, timed from its event's POST to the job reaching a worker.
    const sentAt = new Map<string, number>();
    const latency: number[] = [];
    worker = new Worker(
      'bg_remove',
      async (job) => {
        const t0 = sentAt.get(String(job.data.input.originalPath));
        if (t0 !== undefined) latency.push(performance.now() - t0);
        return { alphaPaths: [] };
      },
      { connection: redis.open(), prefix: config.queuePrefix, concurrency: 8 },
    );
    let n = 0;
    const quiet = async () => {
      const key = `files/${++n}.png`;
      sentAt.set(key, performance.now());
      const res = await pool.request({
        method: 'POST',
        path: '/api/projects/quiet/automation/events',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${quietToken}` },
        body: JSON.stringify({ type: 'custom.quiet', payload: { n } }),
      });
      await res.body.arrayBuffer();
      if (res.statusCode !== 202) throw new Error(`quiet event answered ${res.statusCode}`);
    };
    const settle = async (expected: number) => {
      for (const deadline = Date.now() + 30_000; latency.length < expected && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 50));
    };
    for (let i = 0; i < 20; i++) await quiet(); // warm-up
    await settle(20);
    latency.length = 0;
    await paced(o.rate, o.seconds, quiet);
    await settle(Math.round(o.rate * o.seconds));
    const alone = summarize(latency);
    latency.length = 0;

    const flooding = flood({
      url: running.url,
      token: noisyToken,
      projectId: 'noisy',
      type: 'custom.noisy',
      rate: o.floodRate,
      seconds: o.seconds + 3,
    });
    // Measure once the flood is under way (the client process takes a moment to start).
    const noisyEvents = () =>
      (testDoor(engine).sql.prepare("SELECT count(*) AS n FROM events WHERE project_id = 'noisy'").get() as { n: number }).n;
    for (const deadline = Date.now() + 20_000; noisyEvents() < o.floodRate && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 50));
    await paced(o.rate, o.seconds, quiet);
    const floodResult = JSON.parse(await flooding) as { sent: number; refused: number };
    await settle(Math.round(o.rate * o.seconds));
    const busy = summarize(latency);
    const noisyRuns = (testDoor(engine).sql.prepare("SELECT count(*) AS n FROM runs WHERE project_id = 'noisy'").get() as { n: number }).n;
    const posted = fake.of('chat.postMessage').filter((c) => c.args.channel === 'CNOISY').length;
    return [
      [
        `fairness: quiet project's event → first job p50 (${busy.n} events @${o.rate}/s) while another floods ${o.floodRate} notify/s`,
        `${fmt(busy.p50, 2)} ms`,
        `alone ${fmt(alone.p50, 2)} ms`,
        `ratio ${fmt(busy.p50 / alone.p50, 2)}`,
        '',
      ],
      [
        `fairness: quiet project's event → first job p99 while flooded`,
        `${fmt(busy.p99, 2)} ms`,
        `alone ${fmt(alone.p99, 2)} ms`,
        `ratio ${fmt(busy.p99 / alone.p99, 2)}`,
        `target ratio ≤ 1.5: ${verdict(busy.p99 / alone.p99 <= 1.5)}`,
      ],
      [
        `  the flood: ${floodResult.sent} notify events sent (${floodResult.refused} refused), ${noisyRuns} runs, ${posted} posted to its channel so far (paced 1/s)`,
        '',
        '',
        '',
        '',
      ],
    ];
  } finally {
    await worker?.close();
    await pool.close();
    redis.closeAll();
    await gl.stop();
  }
}
