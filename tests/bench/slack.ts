// Slack ack latency: signed block_actions presses (Approve on a variant card,
// the bolt-python fixture) at a steady rate against Greenlight with the real
// Bolt app mounted, from press to HTTP answer. Baseline in the same run:
// Slack's url_verification (signature check and answer, no listener, no engine).
import { cliPrincipal } from '../../engine/index.js';
import { testDoor } from '../../engine/testing.js';
import { fixture, sign } from '../helpers/slack.js';
import { fmt, paced, summarize, verdict } from './stats.js';
import { greenlightWithSlack } from './with-slack.js';

export async function benchSlack(o: { rate: number; seconds: number }): Promise<string[][]> {
  const gl = await greenlightWithSlack('slack');
  const { running, fake } = gl;
  try {
    const { engine } = running;
    engine.entities.createProject(cliPrincipal, {
      id: 'slackbench',
      name: 'Slack bench',
      settings: { roles: { 'slack:UBENCH': 'artist', 'slack:UADMIN': 'admin' } },
    });
    engine.entities.createAsset(cliPrincipal, 'slackbench', { id: 'hero', type: 'character', variants: [{ id: 'hero-1' }] });
    engine.chat.bind(cliPrincipal, 'slack', 'CBENCH', 'slackbench', 'review');
    const url = `${running.url}/slack/events`;
    const send = async (body: string, type: string) => {
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...sign(body) }, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`slack endpoint answered ${res.status}`);
      return performance.now() - t0;
    };
    const verification = JSON.stringify(fixture('url_verification.slack-docs.json'));
    const press = (i: number) => {
      const p = fixture('block_actions.bolt-python.json');
      p.user.id = 'UBENCH';
      p.channel.id = 'CBENCH';
      p.container = { ...p.container, channel_id: 'CBENCH', message_ts: '1.000001', is_ephemeral: false };
      p.response_url = fake.responseUrl(`bench-${i}`);
      p.actions = [
        {
          ...p.actions[0],
          action_id: 'gl.review.approve',
          value: 'slackbench|hero-1',
          action_ts: `1700000000.${String(i).padStart(6, '0')}`,
        },
      ];
      return `payload=${encodeURIComponent(JSON.stringify(p))}`;
    };
    for (let i = 0; i < 20; i++) await send(verification, 'application/json'); // warm-up
    const base: number[] = [];
    await paced(o.rate, o.seconds, async () => base.push(await send(verification, 'application/json')));
    const acks: number[] = [];
    await paced(o.rate, o.seconds, async (i) => acks.push(await send(press(i), 'application/x-www-form-urlencoded')));
    const recorded = (
      testDoor(engine)
        .sql.prepare(`SELECT count(*) AS n FROM events WHERE type = 'variant.approved' AND project_id = 'slackbench'`)
        .get() as {
        n: number;
      }
    ).n;
    const a = summarize(acks);
    const b = summarize(base);
    return [
      [
        `slack button ack p50 @${o.rate}/s (${a.n} presses, ${recorded} events)`,
        `${fmt(a.p50, 2)} ms`,
        `url_verification ${fmt(b.p50, 2)} ms`,
        `ratio ${fmt(a.p50 / b.p50, 2)}`,
        '',
      ],
      [
        `slack button ack p99 @${o.rate}/s`,
        `${fmt(a.p99, 2)} ms`,
        `url_verification ${fmt(b.p99, 2)} ms`,
        `ratio ${fmt(a.p99 / b.p99, 2)}`,
        `target ≤ 300 ms: ${verdict(a.p99 <= 300)}`,
      ],
      [`slack button ack max @${o.rate}/s`, `${fmt(a.max, 2)} ms`, `url_verification ${fmt(b.max, 2)} ms`, '', ''],
    ];
  } finally {
    await gl.stop();
  }
}
