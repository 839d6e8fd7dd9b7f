// The poster against the loopback Slack with the real WebClient: about one
// post per second per channel, edits of one message coalesced to one per
// 2 s (newest state wins), and a 429's Retry-After honoured.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { createPoster } from '../../bot/slack/poster.js';
import { startFakeSlack, type FakeSlack } from '../helpers/slack.js';

let fake: FakeSlack;
const msg = (text: string) => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
const client = () =>
  new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } });

describe('Slack poster', () => {
  before(async () => {
    fake = await startFakeSlack();
  });
  after(async () => {
    await fake.close();
  });

  it('GIVEN four posts to one channel and one to another THEN the channel gets them ≥ 1 s apart, in order, and the other channel does not wait', async () => {
    const poster = createPoster({ client: client(), logger: pino({ level: 'silent' }) });
    const start = Date.now();
    await Promise.all([...['1', '2', '3', '4'].map((n) => poster.post('CA', msg(n))), poster.post('CB', msg('b'))]);
    const a = fake.of('chat.postMessage').filter((c) => c.args.channel === 'CA');
    assert.deepEqual(
      a.map((c) => c.args.text),
      ['1', '2', '3', '4'],
    );
    for (let i = 1; i < a.length; i++) assert.ok(a[i]!.at - a[i - 1]!.at >= 990, `gap ${a[i]!.at - a[i - 1]!.at} ms`);
    const b = fake.of('chat.postMessage').find((c) => c.args.channel === 'CB')!;
    assert.ok(b.at - start < 500, 'another channel is not held up');
  });

  it('GIVEN ten edits of one message within a second THEN at most one chat.update per 2 s goes out, carrying the newest state', async () => {
    const poster = createPoster({ client: client(), logger: pino({ level: 'silent' }) });
    const before = fake.of('chat.update').length;
    for (let i = 1; i <= 10; i++) {
      poster.edit('CA', '1.0001', () => msg(`state ${i}`));
      await new Promise((r) => setTimeout(r, 100));
    }
    await poster.flush();
    const updates = fake.of('chat.update').slice(before);
    assert.ok(updates.length <= 2, `${updates.length} updates`);
    assert.equal(updates.at(-1)!.args.text, 'state 10');
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i]!.at - updates[i - 1]!.at >= 1990);
  });

  it('GIVEN Slack answers 429 with Retry-After: 1 THEN the post waits that long and then goes out once', async () => {
    const poster = createPoster({ client: client(), logger: pino({ level: 'silent' }) });
    fake.rateLimit(1);
    const start = Date.now();
    await poster.post('CC', msg('after the limit'));
    const limited = fake.calls.find((c) => c.method === 'chat.postMessage (429)')!;
    const sent = fake.of('chat.postMessage').filter((c) => c.args.channel === 'CC');
    assert.ok(limited);
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.at - limited.at >= 990, `retried after ${sent[0]!.at - limited.at} ms`);
    assert.ok(Date.now() - start >= 1000);
  });
});
