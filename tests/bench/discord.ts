// Discord interaction ack latency: signed HTTP-mode button presses (Approve on
// a variant card, from Discord's published button sample) at a steady rate
// against Greenlight with the real Discord bot mounted, from press to HTTP
// answer (the interaction response). Baseline in the same run: a signed PING on
// the same endpoint (signature check and answer, no engine).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createBots, type Bots } from '../../bot/index.js';
import { defaultDiscordReactions } from '../../bot/discord/config.js';
import { cliPrincipal, loadConfig, startGreenlight } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { fixture } from '../helpers/discord-bot.js';
import { startFakeDiscord } from '../helpers/discord-fake.js';
import { fmt, paced, summarize, verdict } from './stats.js';

export async function benchDiscord(o: { rate: number; seconds: number }): Promise<string[][]> {
  const dataDir = path.join(os.tmpdir(), `gl-bench-discord-${randomBytes(4).toString('hex')}`);
  const fake = await startFakeDiscord();
  const config = loadConfig({ GREENLIGHT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' }, process.cwd());
  const logger = pino({ level: 'warn' });
  const keys = generateKeyPairSync('ed25519');
  const discord = {
    token: 'fake-discord-bench-token-0123456789',
    appId: fake.appId,
    guildId: fake.guildId,
    apiUrl: fake.apiUrl,
    reactions: { ...defaultDiscordReactions },
    publicKey: (keys.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('hex'),
    publicUrl: null,
  };
  const held: { bots: Bots | null } = { bots: null };
  const running = await startGreenlight(config, {
    logger,
    mount: (app, engine) => void (held.bots = createBots({ slack: { off: 'Slack bot off' }, discord }, engine, app, logger)),
  });
  try {
    await held.bots!.start();
    const { engine } = running;
    const user = '100000000000000009';
    engine.entities.createProject(cliPrincipal, {
      id: 'discbench',
      name: 'Discord bench',
      settings: { roles: { [`discord:${user}`]: 'artist' } },
    });
    engine.entities.createAsset(cliPrincipal, 'discbench', { id: 'dhero', type: 'character', variants: [{ id: 'dhero-1' }] });
    engine.chat.bind(cliPrincipal, 'discord', fake.channels.review, 'discbench', 'review');
    const approve = engine.chat.controlId('discord', 'gl.review.approve', 'discbench|dhero-1');
    const url = `${running.url}/discord/interactions`;
    const send = async (body: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), keys.privateKey).toString('hex'),
          'x-signature-timestamp': timestamp,
        },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`discord endpoint answered ${res.status}`);
      return performance.now() - t0;
    };
    const ping = JSON.stringify(fixture('http_ping.discord-interactions-js.json'));
    const press = (i: number) => {
      const p = fixture('interaction_create.button.discord-docs.json');
      p.id = String(1_200_000_000_000_000_000n + BigInt(i));
      p.token = `bench-${i}`;
      p.channel_id = fake.channels.review;
      p.member = { ...p.member, user: { ...p.member.user, id: user }, roles: [] };
      p.data = { custom_id: approve, component_type: 2 };
      return JSON.stringify(p);
    };
    for (let i = 0; i < 20; i++) await send(ping); // warm-up
    const base: number[] = [];
    await paced(o.rate, o.seconds, async () => base.push(await send(ping)));
    const acks: number[] = [];
    await paced(o.rate, o.seconds, async (i) => acks.push(await send(press(i))));
    const recorded = (
      testDoor(engine)
        .sql.prepare(`SELECT count(*) AS n FROM events WHERE type = 'variant.approved' AND project_id = 'discbench'`)
        .get() as { n: number }
    ).n;
    const a = summarize(acks);
    const b = summarize(base);
    return [
      [
        `discord interaction ack p50 @${o.rate}/s (${a.n} presses, ${recorded} events)`,
        `${fmt(a.p50, 2)} ms`,
        `signed PING ${fmt(b.p50, 2)} ms`,
        `ratio ${fmt(a.p50 / b.p50, 2)}`,
        '',
      ],
      [
        `discord interaction ack p99 @${o.rate}/s`,
        `${fmt(a.p99, 2)} ms`,
        `signed PING ${fmt(b.p99, 2)} ms`,
        `ratio ${fmt(a.p99 / b.p99, 2)}`,
        `target ≤ 300 ms: ${verdict(a.p99 <= 300)}`,
      ],
      [`discord interaction ack max @${o.rate}/s`, `${fmt(a.max, 2)} ms`, `signed PING ${fmt(b.max, 2)} ms`, '', ''],
    ];
  } finally {
    await held.bots?.stop();
    await running.stop();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
