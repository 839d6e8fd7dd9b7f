// A private redis-server for the embedded defaults (REDIS_URL unset): started
// from PATH on a free loopback port, files under the data dir, stopped with us.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { GreenlightError } from '../errors.js';

export const redisInstallHint =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`) or set REDIS_URL=redis://host:6379 to use a running Redis.';

export function findRedisServer(): string | null {
  const res = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return res.status === 0 ? 'redis-server' : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new GreenlightError('unavailable', `redis-server exited with code ${child.exitCode} before accepting connections`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.write('PING\r\n');
      });
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new GreenlightError('unavailable', `redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Start redis-server with append-only persistence under `dir`. */
export async function startPrivateRedis(dir: string, options: { port?: number } = {}): Promise<PrivateRedis> {
  if (!findRedisServer()) throw new GreenlightError('unavailable', redisInstallHint);
  fs.mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      path.resolve(dir),
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      'redis.log',
      '--daemonize',
      'no',
    ],
    // A process group of its own: a terminal's Ctrl-C (SIGINT to the foreground group) must reach only the
    // process that started it, which closes its queues on a live Redis and then stops it (below).
    { stdio: 'ignore', detached: true },
  );
  // Never outlive the process that started it; and do not keep that process alive.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.unref();
  await waitForPort(port, child, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.ref(); // keep the loop alive until redis has really exited
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
