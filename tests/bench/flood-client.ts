// The flood side of the fairness bench, in its own process (a noisy project's
// clients are other machines): POST events at a steady rate to one project,
// then print one JSON line (sent, refused, ms spent).
import { Pool } from 'undici';
import { paced } from './stats.js';

const args = JSON.parse(process.argv[2]!) as { url: string; token: string; projectId: string; type: string; rate: number; seconds: number };
const target = new URL(args.url);
const pool = new Pool(target.origin, { connections: 32, pipelining: 1 });
let refused = 0;
const started = performance.now();
await paced(args.rate, args.seconds, async (i) => {
  const res = await pool.request({
    method: 'POST',
    path: `/api/projects/${args.projectId}/automation/events`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
    body: JSON.stringify({ type: args.type, payload: { n: i } }),
  });
  await res.body.arrayBuffer();
  if (res.statusCode !== 202) refused++;
});
console.log(JSON.stringify({ sent: Math.round(args.rate * args.seconds), refused, ms: performance.now() - started }));
await pool.close();
