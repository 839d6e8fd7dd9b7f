// Shutdown as an operator sees it: the real `greenlight start` / `greenlight worker` processes on a
// redis-server of the test's own (never the machine's 6379), SIGTERM / SIGINT with Redis up and with it
// killed. With Redis gone a stop gives up at GREENLIGHT_SHUTDOWN_TIMEOUT_MS, says what it abandoned and
// exits non-zero; meanwhile the log says "Redis unreachable" once, not once per reconnect attempt.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startPrivateRedis, type PrivateRedis } from '../../engine/testing.js';

const bin = path.resolve('bin/greenlight.mjs');
const DEADLINE_MS = 2000;
/** Start-up of the process under test is not timed; its exit after the signal is, with this much slack. */
const MARGIN_MS = 3000;
/** How long the log is watched while Redis is down. */
const DOWN_WINDOW_MS = 3000;

interface Proc {
  child: ChildProcess;
  /** stdout and stderr, interleaved, one entry per line, each stamped with when it arrived. */
  lines: { at: number; text: string }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A redis-server for one test, with its files in a temp dir, stopped (killed) by the test. */
async function ownRedis(): Promise<PrivateRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-shutdown-redis-'));
  const redis = await startPrivateRedis(dir);
  cleanups.push(async () => {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return redis;
}

/** `greenlight <args>` on a fresh data dir; resolves once it printed `ready`. */
async function startProcess(args: string[], redisUrl: string, ready: RegExp): Promise<Proc> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-shutdown-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: os.tmpdir(),
    GREENLIGHT_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    PORT: '0',
    GREENLIGHT_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
    GREENLIGHT_WORKER_CONCURRENCY: '1',
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Proc['lines'] = [];
  const take = (chunk: Buffer) => {
    for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push({ at: Date.now(), text });
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ready line: ${lines.map((l) => l.text).join('\n')}`)), 30_000);
    const check = setInterval(() => {
      if (lines.some((l) => ready.test(l.text))) {
        clearTimeout(t);
        clearInterval(check);
        resolve();
      }
    }, 20);
    void exited.then(({ code }) => {
      clearTimeout(t);
      clearInterval(check);
      reject(new Error(`exited (${code}) before ready: ${lines.map((l) => l.text).join('\n')}`));
    });
  });
  return { child, lines, exited };
}

/** Resolves with the exit, or with 'still running' after `ms`. */
const exitWithin = (p: Proc, ms: number) =>
  Promise.race([p.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), ms).unref())]);

const redisLines = (p: Proc, from: number, to: number) =>
  p.lines.filter((l) => l.at >= from && l.at < to && /redis|ECONNREFUSED|ECONNRESET|Connection is closed/i.test(l.text));

const show = (p: Proc) =>
  `${p.lines.length} lines; first 30:\n${p.lines
    .slice(0, 30)
    .map((l) => l.text.slice(0, 160))
    .join('\n')}`;

const kinds = [
  { name: 'greenlight start --no-worker', args: ['start', '--no-worker'], ready: /running at http/ },
  { name: 'greenlight start', args: ['start'], ready: /Worker: / },
  { name: 'greenlight worker', args: ['worker'], ready: /Greenlight worker: / },
] as const;

describe('shutdown', () => {
  for (const [kind, signal] of [
    [kinds[0], 'SIGTERM'],
    [kinds[1], 'SIGINT'],
    [kinds[2], 'SIGTERM'],
  ] as const)
    it(`GIVEN \`${kind.name}\` and Redis killed THEN the log says so once (not per reconnect) and ${signal} gives up after the deadline, names what it abandoned and exits non-zero`, async () => {
      const redis = await ownRedis();
      const p = await startProcess([...kind.args], redis.url, kind.ready);
      const killedAt = Date.now();
      await redis.stop();
      await new Promise((r) => setTimeout(r, DOWN_WINDOW_MS));
      const down = redisLines(p, killedAt, Date.now());
      // One line per state change ("unreachable"), perhaps one from the outbox: a handful, not ~35 a second.
      assert.ok(down.length >= 1, `Redis going away is reported at least once: ${show(p)}`);
      assert.ok(down.length <= 4, `${down.length} Redis lines in ${DOWN_WINDOW_MS} ms: ${show(p)}`);

      const sentAt = Date.now();
      p.child.kill(signal);
      const exit = await exitWithin(p, DEADLINE_MS + MARGIN_MS);
      assert.notEqual(exit, 'still running', `still running ${DEADLINE_MS + MARGIN_MS} ms after ${signal}: ${show(p)}`);
      if (exit === 'still running') return;
      assert.equal(exit.code, 1, `exit code (signal ${exit.signal})`);
      const took = exit.at - sentAt;
      assert.ok(took >= DEADLINE_MS - 200, `gave up after the deadline, not before it (${took} ms)`);
      const abandoned = p.lines.find((l) => /abandoned: \S/.test(l.text));
      assert.ok(abandoned, `a line says what was abandoned: ${show(p)}`);
      assert.match(abandoned.text, new RegExp(`${DEADLINE_MS} ms`), 'and names the deadline');
      // Between the signal and the exit, too, Redis is reported by state, not by attempt.
      assert.ok(redisLines(p, sentAt, exit.at).length <= 4, `Redis lines while stopping: ${show(p)}`);
      console.log(`${kind.name} with Redis down: ${signal} → exit ${exit.code} after ${took} ms`);
    });

  for (const [kind, signal] of [
    [kinds[1], 'SIGTERM'],
    [kinds[0], 'SIGINT'],
    [kinds[2], 'SIGINT'],
  ] as const)
    it(`GIVEN \`${kind.name}\` and Redis up THEN ${signal} stops it cleanly: exit 0 well inside the deadline, nothing abandoned`, async () => {
      const redis = await ownRedis();
      const p = await startProcess([...kind.args], redis.url, kind.ready);
      const sentAt = Date.now();
      p.child.kill(signal);
      const exit = await exitWithin(p, DEADLINE_MS + MARGIN_MS);
      assert.notEqual(exit, 'still running', `still running after ${signal}: ${show(p)}`);
      if (exit === 'still running') return;
      assert.equal(exit.code, 0, `exit code (signal ${exit.signal}): ${show(p)}`);
      const took = exit.at - sentAt;
      assert.ok(took < DEADLINE_MS, `stopped in ${took} ms`);
      assert.ok(!p.lines.some((l) => /abandoned/.test(l.text)), show(p));
      console.log(`${kind.name} with Redis up: ${signal} → exit 0 after ${took} ms`);
    });
});
