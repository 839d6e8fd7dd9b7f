// Chain benchmark: event → first job active, and per chained step, at a
// steady rate, beside raw BullMQ add → active measured in the same run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliPrincipal, type Running } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { profiled } from './profile.js';
import { fmt, verdict } from './stats.js';

/** The bench rule (cut-out → atlas) enabled on the project, every run allowed a slot, and the engine quiet. */
async function prepareChain(running: Running, projectId: string): Promise<void> {
  const { engine } = running;
  engine.entities.createAsset(cliPrincipal, projectId, { id: 'a1', type: 'character', variants: [{ id: 'v1' }] });
  const { row } = engine.rules.create(cliPrincipal, projectId, {
    name: 'bench chain',
    trigger: { event: 'custom.bench' },
    actions: [
      { id: 'cutout', type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: '${event.subject.id}' } } },
      { id: 'atlas', type: 'enqueue_job', config: { type: 'pack_atlas', input: { frames: '${steps.cutout.output.alphaPaths}' } } },
    ],
  });
  engine.rules.dryRun(cliPrincipal, projectId, row.id, { event: { type: 'custom.bench', payload: {} } });
  engine.rules.setEnabled(cliPrincipal, projectId, row.id, true);
  // Every run may hold a slot: let the bench measure latency, not the concurrency cap.
  const { store } = testDoor(engine);
  const project = store.projects.get(projectId)!;
  store.projects.updateSettings(
    projectId,
    { ...project.settings, limits: { ...project.settings.limits, maxConcurrentRuns: 1000 } },
    'bench',
  );
}

/** Wait until the events queue is empty (the intake bench leaves thousands of events for the consumer). */
async function quiet(running: Running): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const c = await testDoor(running.engine).queues!.events.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    if (Object.values(c).every((n) => n === 0)) break;
  }
}

/** The load side in a process of its own; its last stdout line is the JSON it measured. */
function runClient(args: Record<string, unknown>): Promise<string> {
  const client = fileURLToPath(new URL('./chain-client.ts', import.meta.url));
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', client, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d) => (buf += d));
    child.on('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`chain client exited ${code}`))));
  });
}

/**
 * The highest rate each of the engine and the plain-BullMQ chain sustains with chained step p99 ≤ 100 ms:
 * a short ramp of 3 s phases, rising until the p99 goes over (or chains stop completing).
 */
export async function benchRamp(o: { running: Running; token: string; projectId: string; rates: number[]; seconds: number }) {
  // The project benchChain prepared (its rule and asset): run that first.
  await quiet(o.running);
  const out = await runClient({
    url: `${o.running.url}/api/projects/${o.projectId}/automation/events`,
    token: o.token,
    redisUrl: o.running.redisUrl,
    prefix: o.running.config.queuePrefix,
    rate: 0,
    seconds: o.seconds,
    projectId: o.projectId,
    ramp: o.rates,
    rampP99Ms: 100,
  });
  type Phase = { rate: number; stepP99: number; completed: number; posted: number };
  const { ramp } = JSON.parse(out.trim().split('\n').pop()!) as { ramp: { plain: Phase[]; engine: Phase[] } };
  const sustained = (phases: Phase[]) => {
    const ok = phases.filter((p) => p.stepP99 <= 100 && p.completed === p.posted);
    const best = ok.at(-1)?.rate ?? 0;
    return { best, capped: ok.length === o.rates.length };
  };
  const plain = sustained(ramp.plain);
  const engine = sustained(ramp.engine);
  const trace = (phases: Phase[]) => phases.map((p) => `${p.rate}/s ${fmt(p.stepP99, 0)} ms`).join(', ');
  const ratio = plain.best > 0 ? engine.best / plain.best : 0;
  return [
    [
      `highest rate with chained step p99 ≤ 100 ms (${o.seconds} s phases)`,
      `engine ${engine.best}/s${engine.capped ? '+' : ''}`,
      `plain BullMQ ${plain.best}/s${plain.capped ? '+' : ''}`,
      `ratio ${fmt(ratio, 2)}${plain.capped ? ' (plain not saturated: at most)' : ''}`,
      `target ≥ 0.6: ${verdict(ratio >= 0.6)}`,
    ],
    [`  ramp, step p99 per phase: engine`, trace(ramp.engine), '', '', ''],
    [`  ramp, step p99 per phase: plain BullMQ`, trace(ramp.plain), '', '', ''],
  ];
}

export async function benchChain(o: { running: Running; token: string; projectId: string; rate: number; seconds: number }) {
  await prepareChain(o.running, o.projectId);
  await quiet(o.running);
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
  const out = await profiled('chain', () => runClient(args));
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
