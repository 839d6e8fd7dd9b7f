// Socket Mode: with SLACK_APP_TOKEN the same Bolt app takes its requests over
// a websocket (apps.connections.open → ws URL → hello → envelopes, each acked)
// instead of /slack/events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createBots, type Bots } from '../../bot/index.js';
import { defaultReactionMap } from '../../bot/commands/control.js';
import { makeEngine, stopTestRedis, waitFor, type TestEngine } from '../helpers/engine.js';
import { fixture, SIGNING_SECRET, startFakeSlack, type FakeSlack } from '../helpers/slack.js';

let fake: FakeSlack;
let t: TestEngine;
let bots: Bots;

describe('Slack bot in Socket Mode', () => {
  before(async () => {
    fake = await startFakeSlack();
    t = await makeEngine({ consume: true });
    assert.equal(
      (
        await t.call('POST', '/api/projects', {
          id: 'art',
          name: 'Art',
          settings: { roles: { 'slack:UART': 'artist', 'slack:UADMIN': 'admin' } },
        })
      ).status,
      201,
    );
    assert.equal(
      (await t.call('POST', '/api/projects/art/assets', { id: 'hero', type: 'character', variants: [{ id: 'hero-v1' }] })).status,
      201,
    );
    bots = createBots(
      {
        slack: {
          botToken: 'xoxb-test',
          signingSecret: SIGNING_SECRET,
          appToken: 'xapp-test',
          apiUrl: fake.apiUrl,
          reactions: { ...defaultReactionMap },
          publicUrl: null,
        },
      },
      t.engine,
      t.app,
      pino({ level: 'silent' }),
      { retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 20 } },
    );
    assert.match(bots.status[0]!, /Socket Mode/);
    await bots.start();
    await waitFor(() => fake.connected(), 5000, 'socket connected');
  });
  after(async () => {
    await bots.stop();
    await t.close();
    await fake.close();
    await stopTestRedis();
  });

  it('GIVEN a slash command and a button press as envelopes THEN each is acked on the socket and the press becomes one variant.approved', async () => {
    const form = Object.fromEntries(new URLSearchParams(fixture('slash_command.bolt-python.form.txt') as string));
    fake.envelope({
      envelope_id: 'env-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        ...form,
        command: '/greenlight',
        text: 'bind art',
        user_id: 'UADMIN',
        channel_id: 'C111',
        response_url: fake.responseUrl('s1'),
      },
    });
    await waitFor(() => fake.acks.some((a) => a.envelope_id === 'env-1'), 5000, 'command ack');
    await waitFor(() => t.engine.chat.projectOfChannel('slack', 'C111') === 'art', 5000, 'bound over the socket');
    const p = fixture('block_actions.bolt-python.json');
    p.user.id = 'UART';
    p.channel.id = 'C111';
    p.container = { ...p.container, channel_id: 'C111', is_ephemeral: false };
    p.response_url = fake.responseUrl('s2');
    p.actions = [{ ...p.actions[0], action_id: 'gl.review.approve', value: 'art|hero-v1' }];
    fake.envelope({ envelope_id: 'env-2', type: 'interactive', accepts_response_payload: true, payload: p });
    await waitFor(() => fake.acks.some((a) => a.envelope_id === 'env-2'), 5000, 'press ack');
    const n = (
      t.door.sql.prepare(`SELECT count(*) AS n FROM events WHERE type = 'variant.approved' AND subject_id = 'hero-v1'`).get() as {
        n: number;
      }
    ).n;
    assert.equal(n, 1);
    assert.equal(t.engine.chat.facts.variant('art', 'hero-v1').decidedBy, 'slack:UART');
  });
});
