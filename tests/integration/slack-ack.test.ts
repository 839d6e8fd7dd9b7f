// Ack first: with roles given only to Slack user groups, a press must be acked
// (within Slack's 3 s) before any Web API call, even when usergroups.users.list
// is slow; the press is decided after the ack and recorded exactly once. The
// real Bolt app over HTTP, requests built from the platform fixtures and signed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { actionIds, haltDialogId } from '../../bot/views/ids.js';
import { stopTestRedis, waitFor } from '../helpers/engine.js';
import { fixture } from '../helpers/slack.js';
import { press, startSlackHarness, type SlackHarness } from '../helpers/slack-bot.js';

const LOOKUP_DELAY_MS = 5000;
/** Binds channels the way the CLI does, so no chat user (and no group lookup) is involved. */
const OPERATOR = { kind: 'cli', id: 'test-operator', projectId: null, role: 'admin' } as const;
let h: SlackHarness;

const approvals = (variantId: string): number =>
  (
    h.t.door.sql.prepare(`SELECT count(*) AS n FROM events WHERE type = 'variant.approved' AND subject_id = ?`).get(variantId) as {
      n: number;
    }
  ).n;
const lookups = (group: string) => h.fake.of('usergroups.users.list').filter((c) => c.args.usergroup === group);
const ephemeralsTo = (user: string) => h.fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const settled = () => h.bots.slack!.settled();

/** A project whose only roles are user groups', with one variant, its review channel bound (without the bot, so no lookup). */
async function groupProject(id: string, roles: Record<string, string>, channel: string): Promise<string> {
  assert.equal((await h.t.call('POST', '/api/projects', { id, name: id, settings: { roles } })).status, 201);
  assert.equal(
    (await h.t.call('POST', `/api/projects/${id}/assets`, { id: `${id}-hero`, type: 'character', variants: [{ id: `${id}-v1` }] })).status,
    201,
  );
  h.t.engine.chat.bind(OPERATOR, 'slack', channel, id, 'review');
  return `${id}-v1`;
}

const approve = (user: string, channel: string, projectId: string, variantId: string) =>
  press(h, { actionId: actionIds.review('approve'), value: `${projectId}|${variantId}`, user, channel, messageTs: '1700000001.000100' });

describe('Slack bot acks before it looks up user groups', () => {
  before(async () => {
    h = await startSlackHarness({ worker: false });
  });
  after(async () => {
    await h?.close();
    await stopTestRedis();
  });

  it(`GIVEN a role given only to a user group AND usergroups.users.list answering ${LOOKUP_DELAY_MS / 1000} s late THEN a member’s press, and Slack’s retry of it, are acked in < 3 s and recorded once`, async (t) => {
    const variant = await groupProject('slow', { 'slack:group:SSLOW': 'artist' }, 'CSLOW');
    h.fake.groups.SSLOW = ['UMEMBER'];
    h.fake.delay('usergroups.users.list', LOOKUP_DELAY_MS);
    try {
      const payload = approve('UMEMBER', 'CSLOW', 'slow', variant);
      const first = await h.action(payload);
      const retried = await h.action(payload, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
      for (const [name, res] of Object.entries({ first, retried })) {
        assert.equal(res.status, 200, `${name} acked`);
        assert.ok(res.ms < 3000, `${name} acked in ${Math.round(res.ms)} ms`);
        t.diagnostic(`${name} delivery acked in ${res.ms.toFixed(1)} ms (lookup delayed ${LOOKUP_DELAY_MS} ms)`);
      }
      // Both acks are back while Slack still holds the lookup: nothing was recorded before it answered.
      assert.equal(lookups('SSLOW').length, 1, 'one lookup, shared by both deliveries');
      assert.equal(approvals(variant), 0);
      await waitFor(() => approvals(variant) === 1, LOOKUP_DELAY_MS + 5000, 'the press, recorded after the lookup');
      await settled();
      assert.equal(approvals(variant), 1);
      assert.equal(lookups('SSLOW').length, 1);
      assert.equal(h.t.engine.chat.facts.variant('slow', variant).decidedBy, 'slack:UMEMBER');
    } finally {
      h.fake.delay('usergroups.users.list', 0);
    }
  });

  it('GIVEN a cold group cache THEN a member’s press is recorded once, and a user with no role is told so privately and nothing is recorded', async () => {
    const member = await groupProject('cold', { 'slack:group:SCOLD': 'artist' }, 'CCOLD');
    const other = await groupProject('none', { 'slack:group:SNONE': 'artist' }, 'CNONE');
    h.fake.groups.SCOLD = ['UCOLD'];
    h.fake.groups.SNONE = ['USOMEONE'];

    assert.equal((await h.action(approve('UCOLD', 'CCOLD', 'cold', member))).status, 200);
    await waitFor(() => approvals(member) === 1, 5000, 'the member’s press');
    assert.equal((await h.action(approve('USTRANGER', 'CNONE', 'none', other))).status, 200);
    await waitFor(() => ephemeralsTo('USTRANGER').length === 1, 5000, 'the refusal');
    await settled();
    assert.match(ephemeralsTo('USTRANGER')[0]!.args.text, /no role in project `none`/);
    assert.equal(lookups('SNONE').length, 1, 'the refusal waited for the lookup');
    assert.equal(approvals(other), 0);
    assert.equal(approvals(member), 1);
    assert.equal(ephemeralsTo('UCOLD').length, 0);
  });

  it(`GIVEN an admin only through a group AND a ${LOOKUP_DELAY_MS / 1000} s lookup THEN the halt button is acked in < 3 s and the dialog opens after the lookup`, async (t) => {
    await groupProject('halt', { 'slack:group:SHALT': 'admin' }, 'CHALT');
    h.fake.groups.SHALT = ['UHALT'];
    h.fake.delay('usergroups.users.list', LOOKUP_DELAY_MS);
    try {
      const res = await h.action(
        press(h, { actionId: actionIds.haltOpen, value: 'halt', user: 'UHALT', channel: 'CHALT', messageTs: '1.1' }),
      );
      assert.equal(res.status, 200);
      assert.ok(res.ms < 3000, `acked in ${Math.round(res.ms)} ms`);
      t.diagnostic(`halt button acked in ${res.ms.toFixed(1)} ms (lookup delayed ${LOOKUP_DELAY_MS} ms)`);
      assert.equal(h.fake.of('views.open').length, 0, 'no dialog before the lookup answers');
      await waitFor(() => h.fake.of('views.open').length === 1, LOOKUP_DELAY_MS + 5000, 'halt dialog');
      assert.ok(h.fake.of('views.open')[0]!.at >= lookups('SHALT')[0]!.at + LOOKUP_DELAY_MS - 50);
    } finally {
      h.fake.delay('usergroups.users.list', 0);
    }
  });

  it('GIVEN a halt dialog submitted by a group admin on a cold cache THEN the ack asks for a resubmit, and the resubmit halts', async () => {
    await groupProject('dialog', { 'slack:group:SDIALOG': 'admin' }, 'CDIALOG');
    h.fake.groups.SDIALOG = ['UDIALOG'];
    const submission = fixture('view_submission.bolt-python.json');
    submission.user = { ...submission.user, id: 'UDIALOG' };
    submission.view = {
      ...submission.view,
      callback_id: haltDialogId,
      private_metadata: 'dialog',
      state: { values: { reason: { reason: { type: 'plain_text_input', value: 'bad outputs' } } } },
    };
    const first = await h.action(submission);
    assert.equal(first.status, 200);
    assert.match(JSON.parse(first.text).errors.reason, /Still checking your Slack user groups/);
    assert.equal(h.t.engine.chat.halts('dialog').length, 0);
    await settled();
    const again = await h.action(submission);
    assert.equal(again.status, 200);
    assert.equal(again.text, '');
    await waitFor(() => h.t.engine.chat.halts('dialog').length === 1, 3000, 'halted');
    assert.equal(lookups('SDIALOG').length, 1);
  });
});
