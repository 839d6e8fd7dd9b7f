// Review web: time to first byte of a 64-variant asset page and of a cached
// variant thumbnail (200 from the disk cache, and 304 by If-None-Match), the
// page's weight without images (HTML + the CSS and JS it links), against
// Greenlight with the review web mounted, over real HTTP (node:http, one
// keep-alive connection, requests one at a time). Baseline in the same run:
// /healthz on the same server, interleaved with the others.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import sharp from 'sharp';
import { loadConfig, startGreenlight, cliPrincipal } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { manyRules } from '../helpers/rules.js';
import { profiled } from './profile.js';
import { fmt, percentile, verdict } from './stats.js';

const VARIANTS = 64;

/** One GET: milliseconds from the request's start to its response headers, and the body. */
function get(agent: http.Agent, url: string, headers: Record<string, string> = {}) {
  return new Promise<{ ttfb: number; status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers }, (res) => {
      const ttfb = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ ttfb, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export async function benchReview(o: { requests: number }): Promise<string[][]> {
  const dataDir = path.join(os.tmpdir(), `gl-bench-review-${randomBytes(4).toString('hex')}`);
  const config = loadConfig({ GREENLIGHT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, process.cwd());
  const logger = pino({ level: 'warn' });
  const running = await startGreenlight(config, {
    logger,
    mount: (app, engine) => mountReviewWeb(app, engine, { dataDir, publicUrl: null, logger }),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const { engine } = running;
    engine.entities.createProject(cliPrincipal, {
      id: 'review',
      name: 'Review bench',
      settings: { roles: { 'slack:ULEAD': 'lead' }, tagGroups: { quality: ['high', 'low'], pose: ['idle'] } }, // the browser test's: 3 tag chips a card
    });
    engine.entities.createAsset(cliPrincipal, 'review', { id: 'hero', type: 'character', name: 'Hero', variants: VARIANTS });
    const { variants } = engine.entities.getAsset(cliPrincipal, 'review', 'hero');
    const rels: string[] = [];
    for (const [i, v] of variants.entries()) {
      const rel = `files/images/hero/original/${v.id}.png`;
      const abs = engine.files.path('review', rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const background = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256, alpha: 1 };
      await sharp({ create: { width: 256, height: 256, channels: 4, background } })
        .png()
        .toFile(abs);
      testDoor(engine).store.entities.updateVariant(v.id, { files: { original: rel } });
      rels.push(rel);
    }
    // Signed in as a chat lead through an "Open in review" link, as a chat card would.
    const lead = engine.chat.principalFor('slack', 'ULEAD', 'review')!;
    const pagePath = '/review/projects/review/assets/hero';
    const link = await get(agent, `${running.url}/review/link?t=${encodeURIComponent(engine.web.reviewLink(lead, pagePath))}`);
    const cookie = /gl_review=([^;]+)/.exec(String(link.headers['set-cookie'] ?? ''))?.[1];
    if (link.status !== 303 || !cookie) throw new Error(`review link answered ${link.status} without a session`);
    const auth = { cookie: `gl_review=${cookie}` };
    const pageUrl = `${running.url}${pagePath}`;
    const healthUrl = `${running.url}/healthz`;
    const thumbUrls = rels.map((r) => `${running.url}/review/thumbs/review/${r.split('/').map(encodeURIComponent).join('/')}`);

    // Page weight: the HTML and the CSS and JS it links, without images.
    const page = await get(agent, pageUrl, auth);
    if (page.status !== 200) throw new Error(`asset page answered ${page.status}`);
    const html = page.body.toString('utf8');
    const shown = (html.match(/<img\b/g) ?? []).length;
    if (shown !== VARIANTS) throw new Error(`asset page shows ${shown} images, not ${VARIANTS}`);
    const linked = [
      ...[...html.matchAll(/<link\b[^>]*>/g)].filter((m) => /rel="stylesheet"/.test(m[0])).map((m) => /href="([^"]+)"/.exec(m[0])?.[1]),
      ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
    ].filter((u): u is string => !!u);
    const parts = [{ name: 'html', body: page.body }];
    for (const u of linked) {
      const r = await get(agent, new URL(u, pageUrl).href, auth);
      if (r.status !== 200) throw new Error(`${u} answered ${r.status}`);
      parts.push({ name: path.extname(new URL(u, pageUrl).pathname).slice(1), body: r.body });
    }
    const bytes = parts.reduce((a, p) => a + p.body.length, 0);
    const gzipped = parts.reduce((a, p) => a + gzipSync(p.body).length, 0);

    // Every thumbnail made once (sharp, then the disk cache), and their ETags for the 304s.
    const etags: string[] = [];
    for (const u of thumbUrls) {
      const r = await get(agent, u, auth);
      if (r.status !== 200 || r.headers['content-type'] !== 'image/webp') throw new Error(`thumbnail answered ${r.status}`);
      etags.push(String(r.headers.etag));
    }
    const cacheDir = path.join(dataDir, 'cache', 'thumbs');
    const cachedFiles = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).length : 0;
    if (cachedFiles < VARIANTS) throw new Error(`only ${cachedFiles} thumbnails cached on disk`);

    // Two loops, each with /healthz interleaved as its baseline: the page's renders (and their garbage)
    // do not land on the thumbnails' figures, nor the thumbnails' on the page's.
    const times = async (n: number, steps: (() => Promise<{ ttfb: number; status: number }>)[], want: number[]) => {
      const out = steps.map(() => [] as number[]);
      for (let i = 0; i < n; i++)
        for (const [k, step] of steps.entries()) {
          const r = await step();
          if (r.status !== want[k]) throw new Error(`step ${k} answered ${r.status}, not ${want[k]}`);
          out[k]!.push(r.ttfb);
        }
      return out.map((v) => {
        const sorted = [...v].sort((a, b) => a - b);
        return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
      });
    };
    let t = 0; // the thumbnail of this round: the 64 in turn
    const pageSteps = [() => get(agent, healthUrl), () => get(agent, pageUrl, auth)];
    const thumbSteps = [
      () => get(agent, healthUrl),
      () => get(agent, thumbUrls[t % VARIANTS]!, auth),
      () => get(agent, thumbUrls[t % VARIANTS]!, { ...auth, 'if-none-match': etags[t++ % VARIANTS]! }),
    ];
    // The chain graph of a 60-rule project: laid out (dagre) and drawn as SVG on each request.
    for (const body of manyRules(60)) engine.rules.create(cliPrincipal, 'review', body);
    const graphUrl = `${running.url}/review/projects/review/rules/graph`;
    const graphSteps = [() => get(agent, healthUrl), () => get(agent, graphUrl, auth)];
    await times(5, graphSteps, [200, 200]);
    await times(30, pageSteps, [200, 200]); // warm-up
    await times(30, thumbSteps, [200, 200, 304]);
    const [pageHealth, pageTimes, thumbHealth, thumbTimes, notModified, graphHealth, graphTimes] = await profiled('review', async () => [
      ...(await times(o.requests, pageSteps, [200, 200])),
      ...(await times(o.requests, thumbSteps, [200, 200, 304])),
      ...(await times(Math.max(20, o.requests / 5), graphSteps, [200, 200])),
    ]);
    type Stat = NonNullable<typeof pageTimes>;
    const kb = (n: number) => `${fmt(n / 1000, 1)} KB`; // 1 KB = 1000 bytes here: the stricter reading of the target
    const row = (label: string, x: Stat, base: Stat, q: 'p50' | 'p95', target?: number) => [
      `${label} TTFB ${q}`,
      `${fmt(x[q], 2)} ms`,
      `/healthz ${fmt(base[q], 2)} ms`,
      `ratio ${fmt(x[q] / base[q], 2)}`,
      target === undefined ? '' : `target ≤ ${target} ms: ${verdict(x[q] <= target)}`,
    ];
    return [
      row(`review asset page, ${VARIANTS} variants (${pageTimes!.n} GETs)`, pageTimes!, pageHealth!, 'p50'),
      row(`review asset page, ${VARIANTS} variants`, pageTimes!, pageHealth!, 'p95', 50),
      row(`review thumbnail, cached on disk (200; ${thumbTimes!.n} GETs)`, thumbTimes!, thumbHealth!, 'p50'),
      row('review thumbnail, cached on disk (200)', thumbTimes!, thumbHealth!, 'p95', 5),
      row('review thumbnail, If-None-Match (304)', notModified!, thumbHealth!, 'p50'),
      row('review thumbnail, If-None-Match (304)', notModified!, thumbHealth!, 'p95', 5),
      row(`review chain graph of 60 rules, laid out and drawn (${graphTimes!.n} GETs)`, graphTimes!, graphHealth!, 'p50'),
      row('review chain graph of 60 rules, laid out and drawn', graphTimes!, graphHealth!, 'p95', 200),
      [
        `review asset page weight without images (${parts.map((p) => `${p.name} ${kb(p.body.length)}`).join(', ')})`,
        kb(bytes),
        `if gzipped ${kb(gzipped)}`,
        '',
        `target ≤ 100 KB: ${verdict(bytes <= 100_000)}`,
      ],
    ];
  } finally {
    agent.destroy();
    await running.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
