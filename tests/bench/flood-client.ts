// The flood side of the fairness bench, in its own process (a noisy project's
// clients are other machines): POST events at a steady rate to one project
// during each of the given windows (wall clock, ms), then print one JSON line
// (sent, refused, ms spent).
import { Pool } from 'undici';
import { paced, until } from './stats.js';

const args = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  projectId: string;
  type: string;
  rate: number;
  windows: [number, number][];
};
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 32, pipelining: 1 });
let [sent, refused] = [0, 0];
const started = performance.now();
for (const [from, to] of args.windows) {
  await until(from);
  const first = sent;
  const seconds = Math.max(0, to - Date.now()) / 1000;
  sent += Math.round(args.rate * seconds);
  await paced(args.rate, seconds, async (i) => {
    const res = await pool.request({
      method: 'POST',
      path: `/api/projects/${args.projectId}/automation/events`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
      body: JSON.stringify({ type: args.type, payload: { n: first + i } }),
    });
    await res.body.arrayBuffer();
    if (res.statusCode !== 202) refused++;
  });
}
console.log(JSON.stringify({ sent, refused, ms: performance.now() - started }));
await pool.close();
