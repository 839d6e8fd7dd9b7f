// Debian's headless Chromium through playwright-core (no browser is ever downloaded), and the
// folder the browser tests save their screenshots in.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const SHOTS = path.join('.tmp', 'screenshots');

/**
 * WebGL without a GPU: ANGLE on SwiftShader (the CPU rasteriser bundled with Chromium), asked for by
 * name and allowed explicitly — Chromium is retiring the silent fallback to it, after which headless
 * WebGL without these flags is gone (156 still falls back on its own, with a deprecation warning).
 */
const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

export async function launchChromium(options: { webgl?: boolean } = {}): Promise<Browser> {
  if (!fs.existsSync('/usr/bin/chromium'))
    throw new Error("These tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install -y chromium (.ci/run installs it).");
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', ...(options.webgl ? WEBGL_ARGS : [])] });
}
