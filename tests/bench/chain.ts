// Chain benchmark: event → first job active, and per chained step, at a
// steady rate, beside raw BullMQ add → active measured in the same run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliPrincipal, type Running } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { profiled } from './profile.js';
import { fmt, verdict } from './stats.js';

export async function benchChain(o: { running: Running; token: string; projectId: string; rate: number; seconds: number }) {
  const { engine } = o.running;
  engine.entities.createAsset(cliPrincipal, o.projectId, { id: 'a1', type: 'character', variants: [{ id: 'v1' }] });
  const { row } = engine.rules.create(cliPrincipal, o.projectId, {
    name: 'bench chain',
    trigger: { event: 'custom.bench' },
    actions: [
      { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } },
      { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${steps.cutout.output.alphaPaths}' } } },
    ],
  });
  engine.rules.dryRun(cliPrincipal, o.projectId, row.id, { event: { type: 'custom.bench', payload: {} } });
  engine.rules.setEnabled(cliPrincipal, o.projectId, row.id, true);
  // Every run may hold a slot: let the bench measure latency, not the concurrency cap.
  const { store } = testDoor(engine);
  const project = store.projects.get(o.projectId)!;
  store.projects.updateSettings(
    o.projectId,
    { ...project.settings, limits: { ...project.settings.limits, maxConcurrentRuns: 1000 } },
    'bench',
  );

  // Start from a quiet engine: the intake bench leaves thousands of events for the consumer.
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const c = await testDoor(engine).queues!.events.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    if (Object.values(c).every((n) => n === 0)) break;
  }
  const client = fileURLToPath(new URL('./chain-client.ts', import.meta.url));
  const args = {
    url: `${o.running.url}/api/projects/${o.projectId}/automation/events`,
    token: o.token,
    redisUrl: o.running.redisUrl,
    prefix: o.running.config.queuePrefix,
    rate: o.rate,
    seconds: o.seconds,
    projectId: o.projectId,
  };
  const cpu0 = process.cpuUsage();
  const out = await profiled(
    'chain',
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', client, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let buf = '';
        child.stdout.on('data', (d) => (buf += d));
        child.on('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`chain client exited ${code}`))));
      }),
  );
  const cpu = process.cpuUsage(cpu0);
  type Lat = { p50: number; p99: number };
  const f = JSON.parse(out.trim().split('\n').pop()!) as {
    raw: Lat;
    first: Lat;
    step: Lat;
    completed: number;
    posted: number;
    rawChain: { first: Lat; step: Lat; completed: number; posted: number; engineCpuMsPerChain: number };
  };
  const ourCpu = (cpu.user + cpu.system) / 1000 / f.posted;
  return [
    [
      `event → first job active p50 @${o.rate}/s ${o.seconds}s`,
      `${fmt(f.first.p50, 2)} ms`,
      `raw add→active ${fmt(f.raw.p50, 2)} ms`,
      `ratio ${fmt(f.first.p50 / f.raw.p50, 2)}`,
      `target ≤ 10 ms: ${verdict(f.first.p50 <= 10)}, ≤ 3× raw: ${verdict(f.first.p50 <= 3 * f.raw.p50)}`,
    ],
    [
      `event → first job active p99`,
      `${fmt(f.first.p99, 2)} ms`,
      `raw add→active ${fmt(f.raw.p99, 2)} ms`,
      `ratio ${fmt(f.first.p99 / f.raw.p99, 2)}`,
      `target ≤ 100 ms: ${verdict(f.first.p99 <= 100)}`,
    ],
    [
      `chained step (done → next active) p50 / p99`,
      `${fmt(f.step.p50, 2)} / ${fmt(f.step.p99, 2)} ms`,
      `raw ${fmt(f.raw.p50, 2)} / ${fmt(f.raw.p99, 2)} ms`,
      `ratio ${fmt(f.step.p50 / f.raw.p50, 2)}`,
      `${f.completed}/${f.posted} chains completed`,
    ],
    [
      `  baseline: the same chain in plain BullMQ (no HTTP, SQLite, rules), first active p50 / p99`,
      `${fmt(f.rawChain.first.p50, 2)} / ${fmt(f.rawChain.first.p99, 2)} ms`,
      `step ${fmt(f.rawChain.step.p50, 2)} / ${fmt(f.rawChain.step.p99, 2)} ms`,
      '',
      `${f.rawChain.completed}/${f.rawChain.posted} chains completed`,
    ],
    // The engine's CPU over the whole phase (both baselines run in other processes meanwhile), all threads.
    [
      `engine CPU per chain (user + system)`,
      `${fmt(ourCpu, 2)} ms`,
      `plain BullMQ ${fmt(f.rawChain.engineCpuMsPerChain, 2)} ms`,
      `ratio ${fmt(ourCpu / f.rawChain.engineCpuMsPerChain, 2)}`,
      '',
    ],
  ];
}
