// Fairness between projects: project B's event → its first job (active on a
// worker), p50/p99, while project A floods notify events at a Slack-bound
// channel (the real Bolt app and poster, paced one post a second per channel),
// beside B alone measured in the same run on the same server, in alternating
// windows.
import { fileURLToPath } from 'node:url';
import { cliPrincipal, type Engine } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { greenlightWithSlack } from './with-slack.js';
import { cpuShare, cpuTicks, fmt, lastLineOf, loopWatch, ratioInterval, summarize, until, verdict } from './stats.js';
import { profiled } from './profile.js';
import { connections } from './redis.js';

/** A load client in a process of its own (tests/bench/<name>.ts); resolves with its last stdout line. */
const client = (name: string, args: Record<string, unknown>) =>
  lastLineOf(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), [JSON.stringify(args)]);

const enable = (engine: Engine, projectId: string, body: Record<string, unknown>, sample: Record<string, unknown>) => {
  const { row } = engine.rules.create(cliPrincipal, projectId, body);
  engine.rules.dryRun(cliPrincipal, projectId, row.id, { event: sample });
  engine.rules.setEnabled(cliPrincipal, projectId, row.id, true);
};

/** One quiet sample as its client saw it (wall clock): sent, its job added to Redis, picked up by its worker; its latency (ms). */
interface Sample {
  n: string;
  sent: number;
  added: number;
  picked: number;
  latency: number;
}

/** Each quiet sample split at the rows the engine wrote for it: where the time between send and pickup went. */
function stagesOf(engine: Engine, samples: Sample[]) {
  const row = testDoor(engine).sql.prepare(
    `SELECT e.occurred_at AS stored, e.published_at AS published, s.started_at AS started
       FROM events e JOIN runs r ON r.event_id = e.id JOIN run_steps s ON s.run_id = r.id
      WHERE e.project_id = 'quiet' AND json_extract(e.payload, '$.n') = ?`,
  );
  const parts: Record<string, number[]> = {
    'sent → stored (HTTP, intake)': [],
    'stored → published (outbox)': [],
    'published → step started (events queue, firing)': [],
    'step started → job in Redis (submit)': [],
    'job in Redis → picked up (its worker)': [],
  };
  const [http, outbox, firing, submit, pickup] = Object.values(parts) as [number[], number[], number[], number[], number[]];
  for (const s of samples) {
    const r = row.get(s.n) as { stored: number; published: number; started: number } | undefined;
    if (!r) continue;
    http.push(r.stored - s.sent);
    outbox.push(r.published - r.stored);
    firing.push(r.started - r.published);
    submit.push(s.added - r.started);
    pickup.push(s.picked - s.added);
  }
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)]));
}

export async function benchFairness(o: {
  floodRate: number;
  rate: number;
  rounds: number;
  windowMs: number;
  settleMs: number;
}): Promise<string[][]> {
  const gl = await greenlightWithSlack('fair');
  const { running, fake, config } = gl;
  try {
    const { engine } = running;
    // The most runs a project may have going at once (1000, the settings' ceiling): A's first thousand runs each
    // queue a post (paced 1/s at its channel), its later ones wait as planned runs: where any real flood piles up.
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

    // B's side (its client and its worker) and A's flood each run in a process of their own. B posts
    // throughout; A floods every other window: flooded, then B alone, `rounds` times, so both figures
    // come from the same minute of this machine (a host taking CPU away for a while weighs on both).
    // The first `settleMs` of each window is not counted (the flood starting up, or draining). A
    // flooded window comes first: a cold start (JIT, caches) then weighs on the flooded figure, never
    // on the baseline it is compared with.
    const t0 = Date.now() + 4000; // both clients started and B warmed up
    const windows = Array.from({ length: o.rounds * 2 }, (_, i) => ({
      flooded: i % 2 === 0,
      from: t0 + i * o.windowMs,
      to: t0 + (i + 1) * o.windowMs,
    }));
    const counted = (sent: number) => windows.find((w) => sent >= w.from + o.settleMs && sent < w.to);
    const flooding = client('flood-client', {
      url: running.url,
      token: noisyToken,
      projectId: 'noisy',
      type: 'custom.noisy',
      rate: o.floodRate,
      windows: windows.filter((w) => w.flooded).map((w) => [w.from, w.to]),
    });
    const quiet = client('quiet-client', {
      url: running.url,
      token: quietToken,
      redisUrl: running.redisUrl,
      prefix: config.queuePrefix,
      rate: o.rate,
      seconds: (windows.length * o.windowMs) / 1000,
      startAt: t0,
    });

    // Over each counted stretch: CPU per flood event (engine thread and Redis: the figure a cheaper
    // event path moves, whatever else shares the machine) and what the host took away.
    const redis = connections(running.redisUrl).open();
    const redisCpu = async () => {
      const info = await redis.info('cpu');
      return ['used_cpu_user', 'used_cpu_sys'].reduce((a, k) => a + Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0), 0) * 1000;
    };
    const noisyRunsNow = () =>
      (testDoor(engine).sql.prepare("SELECT count(*) AS n FROM runs WHERE project_id = 'noisy'").get() as { n: number }).n;
    const spent = { engine: 0, redis: 0, runs: 0, steal: { alone: [] as number[], flooded: [] as number[] } };
    const watch = async () => {
      for (const w of windows) {
        await until(w.from + o.settleMs);
        const [cpu0, ticks0, redis0, runs0] = [process.cpuUsage(), cpuTicks(), await redisCpu(), noisyRunsNow()];
        await until(w.to);
        const [cpu1, ticks1] = [process.cpuUsage(cpu0), cpuTicks()];
        if (ticks0 && ticks1) spent.steal[w.flooded ? 'flooded' : 'alone'].push(cpuShare(ticks0, ticks1).steal);
        if (!w.flooded) continue;
        spent.engine += (cpu1.user + cpu1.system) / 1000;
        spent.redis += (await redisCpu()) - redis0;
        spent.runs += noisyRunsNow() - runs0;
      }
    };
    const loop = loopWatch(10);
    const [out] = await profiled('fairness', () => Promise.all([quiet, watch()]));
    const { stalls, pauses } = loop.stop();
    redis.disconnect();
    const samples = (JSON.parse(out) as { samples: Sample[] }).samples;
    const ofKind = (flooded: boolean) => samples.filter((s) => counted(s.sent)?.flooded === flooded);
    const [busySamples, aloneSamples] = [ofKind(true), ofKind(false)];
    const busy = { ...summarize(busySamples.map((s) => s.latency)), stages: stagesOf(engine, busySamples) };
    const alone = { ...summarize(aloneSamples.map((s) => s.latency)), stages: stagesOf(engine, aloneSamples) };
    const perRun = (ms: number) => ms / Math.max(1, spent.runs);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const floodResult = JSON.parse(await flooding) as { sent: number; refused: number };
    const noisyRuns = noisyRunsNow();
    const noisyPlanned = (
      testDoor(engine).sql.prepare("SELECT count(*) AS n FROM runs WHERE project_id = 'noisy' AND status = 'planned'").get() as {
        n: number;
      }
    ).n;
    const interval = ratioInterval(
      busySamples.map((s) => s.latency),
      aloneSamples.map((s) => s.latency),
      99,
    );
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
        `ratio ${fmt(busy.p99 / alone.p99, 2)} (95% interval ${interval.map((x) => fmt(x, 2)).join('-')})`,
        `target ratio ≤ 1.5: ${verdict(busy.p99 / alone.p99 <= 1.5)}`,
      ],
      [
        `  measured in ${o.rounds} round(s) of ${o.windowMs / 1000} s flooded then ${o.windowMs / 1000} s alone (first ${o.settleMs / 1000} s of each not counted; ${alone.n} samples alone)`,
        `host stole ${fmt(mean(spent.steal.flooded), 0)}% flooded`,
        `${fmt(mean(spent.steal.alone), 0)}% alone`,
        '',
        '',
      ],
      ...Object.keys(busy.stages).map((k) => [
        `  where B's time goes: ${k} (ms clock)`,
        `p50 ${fmt(busy.stages[k]!.p50, 0)} / p99 ${fmt(busy.stages[k]!.p99, 0)} ms`,
        `alone ${fmt(alone.stages[k]!.p50, 0)} / ${fmt(alone.stages[k]!.p99, 0)} ms`,
        '',
        '',
      ]),
      ...(
        [
          ['stalls over 10 ms (the thread busy that long without a break)', stalls],
          ['GC pauses', pauses],
        ] as const
      ).map(([what, list]) => {
        const of = (flooded: boolean) => {
          const ms = list.filter((x) => counted(x.at)?.flooded === flooded).map((x) => x.ms);
          return `${ms.length}, ${fmt(
            ms.reduce((a, b) => a + b, 0),
            0,
          )} ms in all, longest ${fmt(Math.max(0, ...ms), 0)} ms`;
        };
        return [`  engine thread, counted windows: ${what}`, `flooded ${of(true)}`, `alone ${of(false)}`, '', ''];
      }),
      [
        `  cost per flood event while B was measured (${spent.runs} runs; B's own work included)`,
        `engine process ${fmt(perRun(spent.engine), 2)} ms CPU`,
        `redis ${fmt(perRun(spent.redis), 2)} ms CPU`,
        '',
        '',
      ],
      [
        `  the flood: ${floodResult.sent} notify events sent (${floodResult.refused} refused), ${noisyRuns} runs (${noisyPlanned} still waiting at its run limit), ${posted} posted to its channel so far (paced 1/s)`,
        '',
        '',
        '',
        '',
      ],
    ];
  } finally {
    await gl.stop();
  }
}
