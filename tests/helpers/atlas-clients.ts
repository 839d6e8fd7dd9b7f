// Real engines in real Chromium for the atlas tests: a loopback HTTP server that serves the engines'
// own ES module builds from node_modules (PixiJS 8, Phaser 4), the in-page drivers under
// atlas-clients/ and a project's files, and a call that has one engine draw a list of frames.
//
// The drivers are TypeScript compiled here with ts.transpileModule and loaded by the page as modules,
// not passed to page.evaluate as functions: under tsx every function carries esbuild's `__name(...)`
// helper, which does not exist in the page.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import ts from 'typescript';
import type { ClientJob, ClientResult } from './atlas-clients/job.js';

export type { AtlasRef, Cell, ClientJob, ClientResult } from './atlas-clients/job.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/** The engines' ES module builds, by the URL the jobs name them with. */
export const LIBS = {
  pixi: { url: '/lib/pixi.mjs', file: 'node_modules/pixi.js/dist/pixi.min.mjs' },
  phaser: { url: '/lib/phaser.mjs', file: 'node_modules/phaser/dist/phaser.esm.min.js' },
} as const;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.png': 'image/png',
};

const HARNESS = `<!doctype html><meta charset="utf-8"><body style="margin:0"><script type="module">
import { drawAtlas as pixi } from '/client/pixi.js';
import { drawAtlas as phaser } from '/client/phaser.js';
window.drawAtlas = (job) => ({ pixi, phaser })[job.engine](job);
window.harnessReady = true;
</script>`;

function transpile(name: string): string {
  const src = fs.readFileSync(path.join(here, 'atlas-clients', name.replace(/\.js$/, '.ts')), 'utf8');
  return ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

export interface AtlasServer {
  base: string;
  /** Bodies served instead of the file at that path (under /files/), e.g. a JSON with one frame edited. */
  overrides: Map<string, Buffer>;
  close(): Promise<void>;
}

/** Serves `root` (a project folder) under /files/, the engines under /lib/ and the drivers under /client/. */
export async function startAtlasServer(root: string): Promise<AtlasServer> {
  const clients = new Map(['job.js', 'pixi.js', 'phaser.js'].map((n) => [n, transpile(n)]));
  const libs = new Map<string, string>(Object.values(LIBS).map((l) => [l.url, path.join(repo, l.file)]));
  const overrides = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, type: string, body: string | Buffer, cache = false) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': cache ? 'max-age=3600' : 'no-store' });
      res.end(body);
    };
    if (url === '/') return send(200, 'text/html', HARNESS);
    if (url.startsWith('/client/') && clients.has(url.slice(8))) return send(200, TYPES['.js']!, clients.get(url.slice(8))!);
    const lib = libs.get(url);
    if (lib) return send(200, TYPES['.js']!, fs.readFileSync(lib), true);
    if (url.startsWith('/files/')) {
      const rel = url.slice(7);
      const file = path.resolve(root, rel);
      const type = TYPES[path.extname(rel)] ?? 'application/octet-stream';
      if (overrides.has(rel)) return send(200, type, overrides.get(rel)!);
      if (file.startsWith(`${root}${path.sep}`) && fs.existsSync(file)) return send(200, type, fs.readFileSync(file));
    }
    send(404, 'text/plain', `not found: ${url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, overrides, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface Drawn extends ClientResult {
  data: Buffer;
}

/** One engine draws `job` in a fresh page (its own loader cache); a page error or a 404 fails with the engine's words. */
export async function drawInBrowser(browser: Browser, base: string, job: ClientJob): Promise<Drawn> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  try {
    await page.goto(base);
    await page.waitForFunction('window.harnessReady === true');
    const out = (await page.evaluate(`window.drawAtlas(${JSON.stringify(job)})`)) as ClientResult;
    if (problems.length) throw new Error(problems.join('\n'));
    return { ...out, data: Buffer.from(out.rgba, 'base64') };
  } catch (e) {
    throw new Error(`${job.engine} (${job.renderer}) failed: ${(e as Error).message}${problems.length ? `\n${problems.join('\n')}` : ''}`, {
      cause: e,
    });
  } finally {
    await page.close();
  }
}
