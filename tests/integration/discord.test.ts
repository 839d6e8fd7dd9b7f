// The real discord.js client on a loopback gateway and REST API (Discord's
// documented protocol and payloads), against a real engine, Redis and
// gpu-worker; the signed HTTP interactions endpoint on the engine's server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createDiscordBot } from '../../bot/discord/bot.js';
import { checkDiscordMessage } from '../../bot/discord/limits.js';
import { firingLine, firingsOf } from '../../bot/views/dry-run.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { stopTestRedis, waitFor } from '../helpers/engine.js';
import { enabledRule as enabled, generateOnRefine, generateSample, mvpChain, mvpSample } from '../helpers/rules.js';
import { fixture, startDiscordHarness, type DiscordHarness } from '../helpers/discord-bot.js';
import type { RestCall } from '../helpers/discord-fake.js';

const P = '/api/projects/art';
const U = { admin: '100000000000000001', lead: '100000000000000002', artist: '100000000000000003', stranger: '100000000000000004' };
const LEADS_ROLE = '290926798626358000';
let h: DiscordHarness;
let leadToken: string;
let mvpRuleId: string;
const cards: { variantId: string; channelId: string; messageId: string }[] = [];

const text = (v: unknown) => JSON.stringify(v);
const eventsOf = (type: string, subjectId: string) =>
  h.t.door.sql.prepare('SELECT * FROM events WHERE type = ? AND subject_id = ?').all(type, subjectId) as { id: string; actor: string }[];
const count = (sql: string, ...args: unknown[]): number =>
  (h.t.door.sql.prepare(`SELECT count(*) AS n FROM ${sql}`).get(...args) as { n: number }).n;
const posts = (channel?: string) =>
  h.fake.calls.filter((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path) && (!channel || c.path.includes(channel)));
const edits = (messageId: string) => h.fake.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/messages/${messageId}`));
/** The custom_id of the control labelled `label` in a message body. */
function customIdOf(body: any, label: RegExp): string {
  let found: string | undefined;
  const walk = (c: any) => {
    if (c?.label && label.test(c.label) && c.custom_id) found ??= c.custom_id;
    for (const x of c?.components ?? []) walk(x);
    if (c?.accessory) walk(c.accessory);
  };
  for (const c of body.components) walk(c);
  assert.ok(found, `a control labelled ${label}`);
  return found!;
}

const enabledRule = (body: unknown, sample: unknown) => enabled((...a) => h.t.call(...a), P, leadToken, body, sample);

describe('Discord bot (real discord.js on a loopback gateway and REST)', () => {
  before(async () => {
    h = await startDiscordHarness();
    mountReviewWeb(h.t.app, h.t.engine, { dataDir: h.dataDir, publicUrl: 'http://greenlight.test', logger: pino({ level: 'silent' }) });
    const roles = {
      [`discord:${U.admin}`]: 'admin',
      [`discord:${U.artist}`]: 'artist',
      [`discord:role:${LEADS_ROLE}`]: 'lead',
    };
    assert.equal(
      (await h.t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: { roles, tagGroups: { quality: ['high', 'low'] } } }))
        .status,
      201,
    );
    leadToken = (await h.t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    await enabledRule(generateOnRefine, generateSample);
    mvpRuleId = await enabledRule(mvpChain, mvpSample);
  });
  after(async () => {
    // Every message the bot sent fits Discord's limits.
    if (h) {
      for (const c of h.fake.calls.filter((x) => /^\/channels\/\d+\/messages(\/\d+)?$/.test(x.path) && x.body && !x.body.rateLimited)) {
        const keep = (c.body.attachments ?? []).filter((a: any) => typeof a.id === 'string').map((a: any) => a.filename);
        assert.deepEqual(checkDiscordMessage(c.body, c.files, keep), [], `${c.method} ${c.path}`);
      }
      for (const c of h.fake.calls.filter((x) => /\/callback$/.test(x.path) && x.body?.data?.components && x.body.type !== 9))
        assert.deepEqual(checkDiscordMessage(c.body.data, []), [], c.path);
      await h.close();
    }
    await stopTestRedis();
  });

  it('GIVEN a first start THEN the commands are registered by one bulk overwrite; a second start with the same set registers nothing', async () => {
    const puts = h.fake.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/commands'));
    assert.equal(puts.length, 1);
    assert.deepEqual(puts[0]!.body.map((c: { name: string }) => c.name).sort(), ['greenlight', 'halt', 'resume', 'rule', 'spec']);
    assert.equal(h.fake.sessions.identified, 1, 'logged in to the gateway once');
    const second = createDiscordBot({ engine: h.t.engine, config: h.config, logger: pino({ level: 'silent' }) });
    assert.equal(await second.registerCommands(), 'unchanged');
    assert.equal(h.fake.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/commands')).length, 1);
    await second.stop();
  });

  it('GIVEN /greenlight bind THEN an artist is refused in private, an admin binds review and admin channels, and panel posts the halt panel', async () => {
    const refused = await h.interact(
      h.slash({
        name: 'greenlight',
        options: [{ type: 1, name: 'bind', options: [{ type: 3, name: 'project', value: 'art' }] }],
        user: U.artist,
        channel: h.fake.channels.review,
      }),
    );
    assert.equal(refused.type, 4);
    assert.ok(refused.data.flags & 64, 'ephemeral');
    assert.match(text(refused.data), /admin/);
    assert.equal(h.t.engine.chat.projectOfChannel('discord', h.fake.channels.review), null);
    const bind = (channel: string, purpose?: string) =>
      h.interact(
        h.slash({
          name: 'greenlight',
          options: [
            {
              type: 1,
              name: 'bind',
              options: [{ type: 3, name: 'project', value: 'art' }, ...(purpose ? [{ type: 3, name: 'purpose', value: purpose }] : [])],
            },
          ],
          user: U.admin,
          channel,
        }),
      );
    assert.match(text((await bind(h.fake.channels.review)).data), /review channel of/);
    assert.match(text((await bind(h.fake.channels.admin, 'admin')).data), /admin channel of/);
    assert.equal(h.t.engine.chat.channelOf('art', 'discord', 'admin'), h.fake.channels.admin);
    await h.interact(h.slash({ name: 'greenlight', options: [{ type: 1, name: 'panel' }], user: U.admin, channel: h.fake.channels.admin }));
    await h.fake.waitFor(() => posts(h.fake.channels.admin).some((c) => /Emergency halt/.test(text(c.body))), 3000, 'halt panel');
  });

  it('GIVEN a costly generate rule THEN the approval goes to the admin channel; a lead (by server role) is refused, an admin approves, the message shows who, and the grid is posted in a thread with images', async () => {
    assert.equal(
      (await h.t.call('POST', `${P}/automation/events`, { type: 'spec.refined', payload: { assetId: 'knight' } }, leadToken)).status,
      202,
    );
    await h.fake.waitFor(() => posts(h.fake.channels.admin).some((c) => /Approval needed/.test(text(c.body))), 5000, 'approval request');
    const request = posts(h.fake.channels.admin).find((c) => /Approval needed/.test(text(c.body)))!;
    assert.match(text(request.body), /Generate on spec refined/);
    const approve = customIdOf(request.body, /^Approve/);
    assert.ok(approve.length <= 100);
    const approvalId = (await h.t.call('GET', `${P}/approvals`)).body.approvals[0].id as string;
    // The bot records the message once Discord has answered the post.
    await waitFor(() => h.t.engine.chat.messagesOf('discord', 'approval', approvalId).length === 1, 3000, 'approval message recorded');
    const messageId = h.t.engine.chat.messagesOf('discord', 'approval', approvalId)[0]!.messageId;

    const refused = await h.interact(
      h.press({ customId: approve, user: U.lead, roles: [LEADS_ROLE], channel: h.fake.channels.admin, messageId }),
    );
    assert.equal(refused.type, 4);
    assert.match(text(refused.data), /admin/);
    assert.equal((await h.t.call('GET', `${P}/approvals`)).body.approvals.length, 1, 'still pending');

    const ok = await h.interact(h.press({ customId: approve, user: U.admin, channel: h.fake.channels.admin, messageId }));
    assert.equal(ok.type, 6, 'deferred update');
    await h.fake.waitFor(
      () => edits(messageId).some((c) => new RegExp(`Approved by <@${U.admin}>`, 'i').test(text(c.body))),
      5000,
      'approval message edited',
    );
    assert.ok(!/custom_id/.test(text(edits(messageId).at(-1)!.body)), 'a decided approval has no buttons');

    await waitFor(
      async () => {
        await h.idle();
        return (
          count("variants WHERE asset_id = 'knight'") === 3 && count("chat_messages WHERE platform = 'discord' AND kind = 'variant'") === 3
        );
      },
      20000,
      'three variant cards',
    );
    const thread = h.t.engine.chat.messagesOf('discord', 'asset_thread', 'knight')[0]!;
    assert.equal(thread.channelId, h.fake.channels.review);
    assert.ok(
      h.fake.calls.some((c) => c.path === `/channels/${h.fake.channels.review}/messages/${thread.messageId}/threads`),
      'a thread opened on the header',
    );
    const inThread = posts(thread.threadId!);
    assert.ok(
      inThread.some((c) => /Contact sheet/.test(text(c.body)) && c.files.length === 1),
      'contact sheet in the thread',
    );
    for (const v of h.t.engine.chat.facts.asset('art', 'knight').variants) {
      const m = h.t.engine.chat.messagesOf('discord', 'variant', v.id)[0]!;
      assert.equal(m.channelId, thread.threadId);
      cards.push({ variantId: v.id, channelId: m.channelId, messageId: m.messageId });
    }
    const card = inThread.find((c) => /Variant 1/.test(text(c.body)))!;
    assert.equal(card.files.length, 1, 'the variant image is attached');
    assert.match(text(card.body), /attachment:\/\/1_/);
    assert.ok(card.body.flags & (1 << 15), 'Components V2');
  });

  it('GIVEN an artist presses Approve (and the interaction is delivered twice) THEN exactly one variant.approved, a deferred update inside 3 s, the MVP chain runs, the card and the progress are edited', async () => {
    const card = cards[0]!;
    const body = posts(card.channelId).find((c) => c.body && text(c.body).includes(card.variantId))!.body;
    const approve = customIdOf(body, /^Approve$/);
    const press = h.press({ customId: approve, user: U.artist, channel: card.channelId, messageId: card.messageId });
    const first = await h.interact(press);
    assert.equal(first.type, 6);
    assert.ok(first.ms < 3000, `answered in ${first.ms} ms`);
    const again = await h.interact(press);
    assert.equal(again.type, 6);
    assert.equal(eventsOf('variant.approved', card.variantId).length, 1);
    await waitFor(
      () => count(`runs WHERE rule_id = ? AND subject_id = ? AND status = 'succeeded'`, mvpRuleId, card.variantId) === 1,
      20000,
      'MVP chain succeeded',
    );
    await h.idle();
    assert.equal(count('runs WHERE rule_id = ? AND subject_id = ?', mvpRuleId, card.variantId), 1);
    await h.fake.waitFor(
      () => edits(card.messageId).some((c) => new RegExp(`approved by <@${U.artist}>`).test(text(c.body))),
      5000,
      'card edited',
    );
    const cardEdit = edits(card.messageId).at(-1)!;
    assert.ok(
      cardEdit.body.attachments.some((a: any) => typeof a.id === 'string'),
      'the edit keeps the image',
    );
    assert.equal(cardEdit.files.length, 0, 'and does not upload it again');
    const progress = h.t.engine.chat.messagesOf('discord', 'progress', eventsOf('variant.approved', card.variantId)[0]!.id)[0]!;
    assert.equal(progress.channelId, cards[0]!.channelId, 'progress in the asset thread');
    await waitFor(
      async () => {
        await h.idle();
        return edits(progress.messageId).some((c) => /bg removal ✓ → packing ✓/.test(text(c.body)));
      },
      15000,
      'progress edited to done',
    );
  });

  it('GIVEN "Open in review" pressed on a card THEN the presser alone gets a signed link button that signs them in once, to that variant', async () => {
    const card = cards[1]!;
    const body = posts(card.channelId).find((c) => c.body && text(c.body).includes(card.variantId))!.body;
    const open = customIdOf(body, /^Open in review$/);
    const answer = await h.interact(h.press({ customId: open, user: U.artist, channel: card.channelId, messageId: card.messageId }));
    assert.equal(answer.type, 4);
    assert.ok(answer.data.flags & 64, 'ephemeral');
    let url: string | undefined;
    const walk = (c: any) => {
      if (c?.style === 5) url ??= c.url;
      for (const x of c?.components ?? []) walk(x);
    };
    for (const c of answer.data.components) walk(c);
    const link = new URL(url!);
    assert.equal(`${link.origin}${link.pathname}`, 'http://greenlight.test/review/link');
    const redeemed = await h.t.app.request(link.pathname + link.search);
    assert.equal(redeemed.status, 303);
    assert.equal(redeemed.headers.get('location'), `/review/projects/art/variants/${card.variantId}`);
    const cookie = redeemed.headers.get('set-cookie')!.split(';')[0]!;
    const page = await h.t.app.request('/review/projects/art/assets/knight', { headers: { cookie } });
    assert.ok((await page.text()).includes(`discord:${U.artist} · artist · art`), 'signed in as the presser');
    assert.equal((await h.t.app.request(link.pathname + link.search)).status, 401, 'a link works once');
  });

  it('GIVEN "Approve asset" on the grid header THEN an artist is refused; a lead’s press (delivered twice) is one asset.approved with the approved variants', async () => {
    const thread = h.t.engine.chat.messagesOf('discord', 'asset_thread', 'knight')[0]!;
    const header = posts(h.fake.channels.review).find((c) => c.body && /variants to review/.test(text(c.body)))!.body;
    const approveAsset = customIdOf(header, /^Approve asset$/);
    const refused = await h.interact(
      h.press({ customId: approveAsset, user: U.artist, channel: h.fake.channels.review, messageId: thread.messageId }),
    );
    assert.ok(refused.data.flags & 64, 'told in private');
    assert.match(text(refused.data), /lead/);
    assert.equal(eventsOf('asset.approved', 'knight').length, 0);

    const press = h.press({
      customId: approveAsset,
      user: U.lead,
      roles: [LEADS_ROLE],
      channel: h.fake.channels.review,
      messageId: thread.messageId,
    });
    const answer = await h.interact(press);
    await h.interact(press);
    assert.equal(eventsOf('asset.approved', 'knight').length, 1, 'a second delivery records nothing new');
    const approved = h.t.engine.chat.facts
      .asset('art', 'knight')
      .variants.filter((v) => v.status === 'approved')
      .map((v) => v.id);
    assert.match(text(answer.data), new RegExp(`knight\`? approved with ${approved.length} variant`));
    for (const id of approved) assert.ok(text(answer.data).includes(id));
  });

  it('GIVEN an artist reacts ✅ on a card (delivered twice) THEN exactly one variant.approved; removing the reaction is ignored and logged', async () => {
    const card = cards[1]!;
    const reaction = {
      ...fixture('message_reaction_add.ASSEMBLED-from-docs.json'),
      user_id: U.artist,
      channel_id: card.channelId,
      message_id: card.messageId,
      guild_id: h.fake.guildId,
      emoji: { id: null, name: '✅' },
    };
    reaction.member = { ...reaction.member, user: { ...reaction.member.user, id: U.artist } };
    h.fake.dispatch('MESSAGE_REACTION_ADD', reaction);
    h.fake.dispatch('MESSAGE_REACTION_ADD', reaction);
    await waitFor(() => eventsOf('variant.approved', card.variantId).length === 1, 3000, 'approval from reaction');
    await waitFor(() => count('runs WHERE rule_id = ? AND subject_id = ?', mvpRuleId, card.variantId) === 1, 5000, 'MVP chain started');
    await h.idle();
    assert.equal(eventsOf('variant.approved', card.variantId).length, 1);
    assert.equal(eventsOf('variant.approved', card.variantId)[0]!.actor.includes(U.artist), true);
    const removal = {
      user_id: U.artist,
      channel_id: card.channelId,
      message_id: card.messageId,
      guild_id: h.fake.guildId,
      emoji: { id: null, name: '✅' },
      burst: false,
      type: 0,
    };
    h.fake.dispatch('MESSAGE_REACTION_REMOVE', removal);
    await waitFor(() => h.logs.some((l) => /reaction removed: ignored/.test(l.msg)), 3000, 'log line');
    assert.equal(h.t.engine.chat.facts.variant('art', card.variantId).status, 'approved');
  });

  it('GIVEN /rule dry-run on a variant THEN the ephemeral preview shows the planner’s plan, firing for firing', async () => {
    const card = cards[2]!;
    const answer = await h.interact(
      h.slash({
        name: 'rule',
        options: [
          {
            type: 1,
            name: 'dry-run',
            options: [
              { type: 3, name: 'rule', value: mvpRuleId },
              { type: 3, name: 'target', value: card.variantId },
            ],
          },
        ],
        user: U.lead,
        roles: [LEADS_ROLE],
        channel: h.fake.channels.review,
      }),
    );
    assert.equal(answer.type, 4);
    assert.ok(answer.data.flags & 64);
    const preview = h.t.engine.rules.previewEvent(
      h.t.engine.chat.principalFor('discord', U.lead, 'art', [LEADS_ROLE])!,
      'art',
      mvpRuleId,
      card.variantId,
    );
    const plan = (await h.t.call('POST', `${P}/rules/${mvpRuleId}/dry-run`, { event: preview }, leadToken)).body;
    const shown = text(answer.data).replaceAll('\\n', '\n');
    assert.ok(firingsOf(plan).length > 0);
    for (const f of firingsOf(plan)) {
      const line = firingLine(f, plan.root.depth).replace(/(^|[^*\w])\*([^*\n]+)\*(?=[^*\w]|$)/g, '$1**$2**');
      assert.ok(shown.includes(JSON.stringify(line).slice(1, -1)), `the preview shows: ${line}`);
    }
    assert.ok(customIdOf(answer.data, /Run exactly this/));
  });

  it('GIVEN the halt panel THEN an artist’s press is refused; an admin’s opens the reason dialog, submitting it halts, events are held, and /resume replays them', async () => {
    const panel = posts(h.fake.channels.admin).find((c) => /Emergency halt/.test(text(c.body)))!;
    const halt = customIdOf(panel.body, /halt/i);
    const messageId = h.t.engine.chat.messagesOf('discord', 'halt_panel', 'art')[0]!.messageId;
    const refused = await h.interact(h.press({ customId: halt, user: U.artist, channel: h.fake.channels.admin, messageId }));
    assert.equal(refused.type, 4);
    assert.match(text(refused.data), /Only admins/);
    const modal = await h.interact(h.press({ customId: halt, user: U.admin, channel: h.fake.channels.admin, messageId }));
    assert.equal(modal.type, 9);
    assert.equal(modal.data.components[0].components[0].custom_id, 'reason');
    const submit = h.press({ customId: modal.data.custom_id, user: U.admin, channel: h.fake.channels.admin, messageId });
    submit.type = 5;
    submit.data = {
      custom_id: modal.data.custom_id,
      components: [{ type: 1, components: [{ type: 4, custom_id: 'reason', value: 'bad batch' }] }],
    };
    const halted = await h.interact(submit);
    assert.match(text(halted.data), /Halted project `art`/);
    assert.equal((await h.t.call('GET', `${P}/halts`)).body.halts.length, 1);
    const card = cards[2]!;
    const body = posts(card.channelId).find((c) => c.body && text(c.body).includes(card.variantId))!.body;
    assert.equal(
      (
        await h.interact(
          h.press({ customId: customIdOf(body, /^Approve$/), user: U.artist, channel: card.channelId, messageId: card.messageId }),
        )
      ).type,
      6,
    );
    await waitFor(async () => (await h.t.call('GET', `${P}/halts`)).body.halts[0]?.held === 1, 5000, 'the firing held');
    const resumed = await h.interact(h.slash({ name: 'resume', user: U.admin, channel: h.fake.channels.admin }));
    assert.match(text(resumed.data), /1 held firings replayed/);
    await waitFor(
      () => count(`runs WHERE rule_id = ? AND subject_id = ? AND status IN ('running', 'succeeded')`, mvpRuleId, card.variantId) === 1,
      10000,
      'replayed run',
    );
  });

  it('GIVEN Discord’s own published samples, verbatim (no entitlements) THEN the bot answers them and stays up', async () => {
    const button = fixture('interaction_create.button.discord-docs.json');
    const chat = fixture('interaction_create.chat_input.discord-docs.json');
    const a = await h.interact(button);
    assert.equal(a.type, 4);
    assert.match(text(a.data), /old or altered/);
    const b = await h.interact(chat);
    assert.equal(b.type, 4);
    // The reaction sample, verbatim, on a message that is not ours: discord.js parses it, the bot ignores it.
    const decisions = () => count("events WHERE type LIKE 'variant.%'");
    const before = decisions();
    h.fake.dispatch('MESSAGE_REACTION_ADD', fixture('message_reaction_add.ASSEMBLED-from-docs.json'));
    await new Promise((r) => setImmediate(r));
    await h.idle();
    assert.equal(decisions(), before);
    assert.ok(h.bots.discord!.client.isReady(), 'still connected');
  });

  it('GIVEN a 429 with Retry-After on the interaction callback THEN the bot waits it out and answers', async () => {
    h.fake.rateLimit(/^POST \/interactions\//, 0.4);
    const started = Date.now();
    const answer = await h.interact(
      h.slash({ name: 'rule', options: [{ type: 1, name: 'list' }], user: U.lead, roles: [LEADS_ROLE], channel: h.fake.channels.review }),
    );
    assert.equal(answer.type, 4);
    const tries = h.fake.calls.filter((c: RestCall) => c.path.endsWith(`/callback`) && c.at >= started);
    const limited = tries.find((c) => c.body?.rateLimited)!;
    const retried = tries.find((c) => !c.body?.rateLimited && c.at >= limited.at)!;
    assert.ok(retried.at - limited.at >= 380, `retried ${retried.at - limited.at} ms after the 429`);
  });

  it('GIVEN the gateway’s heartbeat interval and a heartbeat request THEN discord.js heartbeats, each one acknowledged', async () => {
    const beats = () => h.fake.received.filter((f) => f.op === 1).length;
    await waitFor(() => beats() >= 2, 5000, 'two heartbeats at the 300 ms interval');
    const before = beats();
    h.fake.requestHeartbeat();
    await waitFor(() => beats() > before, 1000, 'a heartbeat at once when the gateway asks');
    assert.equal(h.fake.heartbeatAcks, beats());
    assert.ok(h.bots.discord!.client.ws.ping >= 0, 'the client measured the round trip');
  });

  it('GIVEN the gateway drops the socket THEN discord.js resumes the session and presses still work', async () => {
    h.fake.dropSocket(4000);
    await waitFor(() => h.fake.sessions.resumed === 1, 10000, 'RESUME');
    assert.equal(h.fake.received.filter((f) => f.op === 6).at(-1)!.d.session_id, 'fake-session-1');
    const answer = await h.interact(
      h.slash({ name: 'rule', options: [{ type: 1, name: 'list' }], user: U.lead, roles: [LEADS_ROLE], channel: h.fake.channels.review }),
    );
    assert.equal(answer.type, 4);
    assert.match(text(answer.data), /Approved → cut-out → atlas/);
  });

  it('GIVEN the HTTP interactions endpoint THEN a signed PING gets PONG, a bad or missing signature 401 with nothing recorded, and a signed press (from a DM) is handled', async () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const ping = JSON.stringify(fixture('http_ping.discord-interactions-js.json'));
    const pong = await post(ping, h.sign(ping));
    assert.equal(pong.status, 200);
    assert.deepEqual(await pong.json(), { type: 1 });
    const events = count('events');
    const card = cards[1]!;
    const body = posts(card.channelId).find((c) => c.body && text(c.body).includes(card.variantId))!.body;
    const press = h.press({ customId: customIdOf(body, /^Reject$/), user: U.artist, channel: card.channelId, messageId: card.messageId });
    // In a DM the user is at the top level, not in a member.
    press.user = press.member.user;
    delete press.member;
    delete press.guild_id;
    const raw = JSON.stringify(press);
    assert.equal((await post(raw, {})).status, 401);
    assert.equal((await post(raw, { ...h.sign(raw), 'x-signature-ed25519': '0'.repeat(128) })).status, 401);
    assert.equal((await post(raw.replace('"type":3', '"type": 3'), h.sign(raw))).status, 401, 'the signature covers the body');
    assert.equal(count('events'), events, 'nothing recorded');
    const ok = await post(raw, h.sign(raw));
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { type: 6 });
    await waitFor(() => eventsOf('variant.rejected', card.variantId).length === 1, 3000, 'recorded');
    assert.match(eventsOf('variant.rejected', card.variantId)[0]!.actor, new RegExp(U.artist));
  });
});
