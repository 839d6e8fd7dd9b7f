// Greenlight on a temporary data dir with the real Slack bot mounted, talking to
// a loopback Slack (tests/helpers/slack.ts): what the Slack and fairness benches
// both start. `stop` takes it all down and removes the data dir.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createBots, type Bots } from '../../bot/index.js';
import { defaultReactionMap } from '../../bot/commands/control.js';
import { loadConfig, startGreenlight } from '../../engine/index.js';
import { SIGNING_SECRET, startFakeSlack } from '../helpers/slack.js';

export async function greenlightWithSlack(name: string) {
  const dataDir = path.join(os.tmpdir(), `gl-bench-${name}-${randomBytes(4).toString('hex')}`);
  const fake = await startFakeSlack();
  const config = loadConfig({ GREENLIGHT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, process.cwd());
  const logger = pino({ level: 'warn' });
  const held: { bots: Bots | null } = { bots: null };
  const slack = {
    botToken: 'xoxb-bench',
    signingSecret: SIGNING_SECRET,
    appToken: null,
    apiUrl: fake.apiUrl,
    reactions: { ...defaultReactionMap },
    publicUrl: null,
  };
  const running = await startGreenlight(config, {
    logger,
    mount: (app, engine) => void (held.bots = createBots({ slack }, engine, app, logger)),
  });
  await held.bots!.start();
  return {
    running,
    fake,
    config,
    async stop() {
      await held.bots?.stop();
      await running.stop();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
