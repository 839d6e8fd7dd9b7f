// The README's quickstart, run as written: its `sh` blocks are read from README.md (each after a
// `<!-- quickstart:<step> -->` marker) and run by bash in a folder that looks like a fresh clone (the
// repository's files linked in, no data/), with `npm start` running for the act and look steps. So the
// quickstart cannot drift from what Greenlight does: a renamed flag, a rule that no longer imports or a
// changed output folder fails here. The outcome is checked as a newcomer would look at it: one atlas of
// the approved variants, one Godot bundle of it, an eval sheet labelled with the prompts.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { waitFor } from '../helpers/engine.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The quickstart's blocks by step, in README order. */
function quickstartBlocks(): { step: string; script: string }[] {
  const md = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  return [...md.matchAll(/<!-- quickstart:(\w+) -->\n```sh\n([\s\S]*?)```/g)].map((m) => ({ step: m[1]!, script: m[2]! }));
}

// The test's own environment must not leak in: the quickstart runs on the embedded defaults (./data, a
// private redis-server). PORT=0 only keeps it off a port another test may hold.
const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0' };
for (const k of ['REDIS_URL', 'GREENLIGHT_DATA_DIR', 'GREENLIGHT_ADMIN_TOKEN', 'GREENLIGHT_QUEUE_PREFIX', 'LOG_LEVEL']) delete env[k];

function sh(cwd: string, script: string): string {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(
    r.status,
    0,
    `this quickstart block failed (exit ${r.status}):\n${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  );
  return r.stdout;
}

/** The value `fn` gives once it gives one (polled with the suite's waitFor), or a timeout naming `what`. */
async function until<T>(what: string, fn: () => T | null, ms = 90_000): Promise<T> {
  let value: T | null = null;
  await waitFor(() => (value = fn()) !== null, ms, what);
  return value as T;
}

describe('README quickstart, run as written', { timeout: 300_000 }, () => {
  const blocks = quickstartBlocks();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-quickstart-'));
  let server: ChildProcess | null = null;
  let serverOut = '';

  before(() => {
    // A fresh clone: the tracked top-level files and folders (linked), node_modules from `npm ci`, no data/.
    for (const name of fs.readdirSync(repo))
      if (!['data', '.git'].includes(name)) fs.symlinkSync(path.join(repo, name), path.join(dir, name));
  });
  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('GIVEN the README THEN it has the setup, start, act and look steps, in that order', () => {
    assert.deepEqual([...new Set(blocks.map((b) => b.step))], ['setup', 'start', 'act', 'look']);
  });

  it('GIVEN a fresh clone WHEN the quickstart runs THEN one atlas of the approved variants, its Godot bundle and a labelled eval sheet come out', async () => {
    const of = (step: string) => blocks.filter((b) => b.step === step).map((b) => b.script);
    const setup = of('setup')
      .map((s) => sh(dir, s))
      .join('');
    assert.match(setup, /approved-character-atlas \(rule_\w+\) version 1 is enabled/);
    assert.doesNotMatch(setup, /would fail|unresolved/, 'the dry-runs show every step able to run');

    const [start] = of('start');
    server = spawn('bash', ['-c', start!], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (serverOut += d));
    server.stderr!.on('data', (d) => (serverOut += d));
    await until('npm start to say it is running', () => (/Greenlight is running at/.test(serverOut) ? true : null), 60_000).catch(
      (err: Error) => assert.fail(`${err.message}:\n${serverOut}`),
    );

    const acted = of('act')
      .map((s) => sh(dir, s))
      .join('');
    const approved = /hero is approved with 2 variant\(s\): (\S+), (\S+) /.exec(acted);
    assert.ok(approved, `asset approve names the two approved variants:\n${acted}`);

    // The outputs appear (cheap to poll), then the look step is run until the three runs have ended.
    const projectDir = path.join(dir, 'data/projects/art');
    const exists = (rel: string) => fs.existsSync(path.join(projectDir, rel));
    await until('the bundle and the eval sheet', () =>
      exists('files/evals/r1/sheet.png') &&
      exists('exports') &&
      fs.readdirSync(path.join(projectDir, 'exports')).some((e) => exists(`exports/${e}/bundle.zip`))
        ? true
        : null,
    ).catch((err: Error) => assert.fail(`${err.message}\n--- server\n${serverOut.slice(-4000)}`));
    const look = await until('the three runs to end', () => {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', of('look')[0]!], { cwd: dir, env, encoding: 'utf8' });
      const runs = r.stdout.split('\n').filter((l) => l.startsWith('run_'));
      return r.status === 0 && runs.length === 3 && runs.every((l) => /succeeded|failed/.test(l)) ? r.stdout : null;
    }).catch((err: Error) => assert.fail(`${err.message}\n--- server\n${serverOut.slice(-4000)}`));
    assert.equal(look.split('\n').filter((l) => /^run_\w+\s+succeeded/.test(l)).length, 3, look);

    const atlases = fs.readdirSync(path.join(projectDir, 'atlases'));
    assert.equal(atlases.length, 1, `one atlas for the asset: ${atlases}`);
    assert.match(atlases[0]!, /^hero-[0-9a-f]{8}$/, 'a readable atlas id');
    const atlas = JSON.parse(fs.readFileSync(path.join(projectDir, 'atlases', atlases[0]!, 'atlas.greenlight.json'), 'utf8'));
    assert.deepEqual(
      atlas.frames.map((f: { name: string }) => f.name).sort(),
      [approved[1], approved[2]].sort(),
      'the atlas holds exactly the approved variants',
    );

    const exportsDir = path.join(projectDir, 'exports');
    const bundles = fs.readdirSync(exportsDir);
    assert.equal(bundles.length, 1, `one bundle: ${bundles}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(exportsDir, bundles[0]!, 'manifest.json'), 'utf8'));
    assert.equal(manifest.profile.id ?? manifest.profile, 'godot', 'the project default profile (godot) was used');
    const entries = Object.keys(unzipSync(fs.readFileSync(path.join(exportsDir, bundles[0]!, 'bundle.zip'))));
    assert.ok(
      entries.some((e) => e.endsWith('.tres')),
      `the Godot bundle holds .tres resources: ${entries.join(', ')}`,
    );
    assert.ok(
      entries.some((e) => e.endsWith('.png')),
      `and the atlas page: ${entries.join(', ')}`,
    );

    const grid = JSON.parse(fs.readFileSync(path.join(projectDir, 'files/evals/r1/grid.json'), 'utf8'));
    assert.deepEqual(
      grid.cells.map((c: { label: string }) => c.label.split('\n')[0]),
      ['knight, side view', 'knight, front view'],
      'each cell labelled with its prompt',
    );
    assert.ok(fs.statSync(path.join(projectDir, 'files/evals/r1/sheet.png')).size > 0);
  });
});
