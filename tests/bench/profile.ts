// GREENLIGHT_BENCH_PROFILE=<dir>: write a V8 CPU profile of this process for
// one bench phase (open it in Chrome DevTools or speedscope). Off by default.
import { Session } from 'node:inspector/promises';
import fs from 'node:fs';
import path from 'node:path';

export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.GREENLIGHT_BENCH_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`  profile: ${file}\n`);
    session.disconnect();
  }
}
