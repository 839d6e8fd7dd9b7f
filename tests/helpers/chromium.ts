// Debian's headless Chromium through playwright-core (no browser is ever downloaded), and the
// folder the browser tests save their screenshots in.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const SHOTS = path.join('.tmp', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync('/usr/bin/chromium'))
    throw new Error("These tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install -y chromium (.ci/run installs it).");
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}
