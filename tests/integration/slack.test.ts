// The real Bolt app over HTTP, with requests built from Slack's published
// payloads and signed as Slack signs them, against a real engine, Redis and
// gpu-worker; a loopback Slack Web API records what the bot sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { firingsOf, firingLine } from '../../bot/views/dry-run.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { checkMessage, checkModal } from '../../bot/slack/limits.js';
import { actionIds, haltDialogId } from '../../bot/views/ids.js';
import { stopTestRedis, waitFor } from '../helpers/engine.js';
import { enabledRule as enabled, generateOnRefine, generateSample, mvpChain, mvpSample } from '../helpers/rules.js';
import { fixture, sign } from '../helpers/slack.js';
import { press, reaction, slash, startSlackHarness, type SlackHarness } from '../helpers/slack-bot.js';

const P = '/api/projects/art';
const REVIEW = 'C111';
const ADMINS = 'CADMIN';
const U = { admin: 'UADMIN', admin2: 'UADMIN2', lead: 'ULEAD', artist: 'UART', stranger: 'USTRANGER' };
let h: SlackHarness;
let leadToken: string;
let mvpRuleId: string;
const cards: { variantId: string; ts: string }[] = [];

const allText = (blocks: any[]): string => JSON.stringify(blocks);
const eventsOf = (type: string, subjectId?: string) =>
  h.t.door.sql
    .prepare(`SELECT * FROM events WHERE type = ? ${subjectId ? 'AND subject_id = ?' : ''}`)
    .all(...(subjectId ? [type, subjectId] : [type])) as { id: string; actor: string }[];
const eventCount = () => (h.t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
const lastResponse = () => h.fake.responses.at(-1)!.body;
const count = (sql: string, ...args: unknown[]): number =>
  (h.t.door.sql.prepare(`SELECT count(*) AS n FROM ${sql}`).get(...args) as { n: number }).n;

const enabledRule = (body: unknown, sample: unknown) => enabled((...a) => h.t.call(...a), P, leadToken, body, sample);

describe('Slack bot (real Bolt over HTTP, loopback Slack)', () => {
  before(async () => {
    h = await startSlackHarness();
    // The review web on the same server (before the first request: Hono builds its router then).
    mountReviewWeb(h.t.app, h.t.engine, { dataDir: h.dataDir, publicUrl: 'http://greenlight.test', logger: pino({ level: 'silent' }) });
    const roles = {
      [`slack:${U.admin}`]: 'admin',
      [`slack:${U.admin2}`]: 'admin',
      [`slack:${U.lead}`]: 'lead',
      [`slack:${U.artist}`]: 'artist',
    };
    assert.equal(
      (await h.t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: { roles, tagGroups: { quality: ['high', 'low'] } } }))
        .status,
      201,
    );
    leadToken = (await h.t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    await enabledRule(generateOnRefine, generateSample);
    mvpRuleId = await enabledRule(mvpChain, mvpSample);
    await enabledRule(
      {
        name: 'Atlas ready → export',
        trigger: { event: 'atlas.ready' },
        actions: [{ id: 'bundle', type: 'export', config: { atlasIds: ['${event.payload.atlasId}'] } }],
      },
      { type: 'atlas.ready', subject: { kind: 'atlas', id: 'atl-1' }, payload: { atlasId: 'atl-1' } },
    );
  });
  after(async () => {
    await h?.close();
    await stopTestRedis();
  });

  it('GIVEN Slack’s url_verification payload, signed THEN the challenge is answered', async () => {
    const body = fixture('url_verification.slack-docs.json');
    const res = await h.event(body);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).challenge, body.challenge);
  });

  it('GIVEN a bad signature, a stale or a future timestamp THEN 401, no Content-Length 411, and nothing is recorded or sent', async () => {
    const before = { events: eventCount(), calls: h.fake.calls.length };
    const body = JSON.stringify(reaction({ user: U.admin, channel: REVIEW, ts: '1.1', reaction: 'white_check_mark' }));
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, Record<string, string>> = {
      'bad signature': { ...sign(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
      'signed with another secret': sign(body, now, 'another-secret-123'),
      'stale (6 min old)': sign(body, now - 360),
      'future (6 min ahead)': sign(body, now + 360),
      'no timestamp': { 'x-slack-signature': sign(body)['x-slack-signature']! },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      assert.equal(res.status, 401, name);
    }
    // Correctly signed but streamed without Content-Length (Slack never does): refused before Bolt reads it.
    const chunked = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode(body));
        ctrl.close();
      },
    });
    const streamed = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 411);
    assert.equal(eventCount(), before.events);
    assert.equal(h.fake.calls.length, before.calls);
  });

  it('GIVEN /greenlight bind by a project admin THEN the channel is bound; an artist is refused', async () => {
    await h.command(slash(h, { command: '/greenlight', text: 'bind art', user: U.artist, channel: REVIEW }));
    await waitFor(() => h.fake.responses.length >= 1, 3000, 'refusal');
    assert.match(lastResponse().text, /admin/);
    assert.equal(h.t.engine.chat.projectOfChannel('slack', REVIEW), null);
    await h.command(slash(h, { command: '/greenlight', text: 'bind art', user: U.admin, channel: REVIEW }));
    await h.command(slash(h, { command: '/greenlight', text: 'bind art admin', user: U.admin, channel: ADMINS }));
    await waitFor(() => h.t.engine.chat.channelOf('art', 'slack', 'admin') === ADMINS, 3000, 'admin binding');
    assert.equal(h.t.engine.chat.projectOfChannel('slack', REVIEW), 'art');
    await h.command(slash(h, { command: '/greenlight', text: 'panel', user: U.admin, channel: ADMINS }));
    await waitFor(
      () => h.fake.of('chat.postMessage').some((c) => c.args.channel === ADMINS && /Emergency halt/.test(allText(c.args.blocks))),
      3000,
      'halt panel',
    );
  });

  it('GIVEN a costly generate rule THEN the approval request goes to admins; a lead’s press is refused, an admin’s approves it and the grid is posted', async () => {
    assert.equal(
      (await h.t.call('POST', `${P}/automation/events`, { type: 'spec.refined', payload: { assetId: 'knight' } }, leadToken)).status,
      202,
    );
    await waitFor(
      () => h.fake.of('chat.postMessage').some((c) => c.args.channel === ADMINS && /Approval needed/.test(allText(c.args.blocks))),
      5000,
      'approval request',
    );
    const request = h.fake.of('chat.postMessage').find((c) => /Approval needed/.test(allText(c.args.blocks)))!;
    const approve = request.args.blocks
      .find((b: any) => b.type === 'actions')
      .elements.find((e: any) => e.action_id === 'gl.approval.approve');
    assert.match(allText(request.args.blocks), /Generate on spec refined/);
    assert.match(allText(request.args.blocks), /gen \(generate\)/);
    const ts = (await waitForTs(request)).ts;

    const ephemerals = h.fake.of('chat.postEphemeral').length;
    const refused = await h.action(
      press(h, { actionId: approve.action_id, value: approve.value, user: U.lead, channel: ADMINS, messageTs: ts }),
    );
    assert.equal(refused.status, 200);
    await waitFor(() => h.fake.of('chat.postEphemeral').length > ephemerals, 3000, 'refusal');
    assert.match(h.fake.of('chat.postEphemeral').at(-1)!.args.text, /admin/);
    assert.equal(
      (await h.t.call('GET', `${P}/approvals`)).body.approvals?.length ?? (await h.t.call('GET', `${P}/approvals`)).body.length,
      1,
    );

    await h.action(press(h, { actionId: approve.action_id, value: approve.value, user: U.admin, channel: ADMINS, messageTs: ts }));
    await waitFor(
      () => h.fake.of('chat.update').some((c) => c.args.ts === ts && /Approved by <@UADMIN>/.test(allText(c.args.blocks))),
      5000,
      'approval message updated',
    );

    await waitFor(
      async () => {
        await h.idle();
        return h.fake.of('chat.postMessage').filter((c) => c.args.thread_ts && /Variant \d/.test(allText(c.args.blocks))).length === 3;
      },
      20000,
      'three variant cards',
    );
    const header = h.fake.of('chat.postMessage').find((c) => c.args.channel === REVIEW && /variants to review/.test(c.args.text))!;
    assert.ok(header);
    const threadTs = h.t.engine.chat.messagesOf('slack', 'asset_thread', 'knight')[0]!.messageId;
    const sheet = h.fake.of('files.completeUploadExternal').find((c) => c.args.channel_id === REVIEW);
    assert.ok(sheet, 'contact sheet shared in the channel');
    assert.equal(sheet!.args.thread_ts, threadTs);
    for (const c of h.fake
      .of('chat.postMessage')
      .filter((x) => x.args.thread_ts === threadTs && /Variant \d/.test(allText(x.args.blocks)))) {
      const kinds = c.args.blocks.map((b: any) => b.type);
      assert.ok(kinds.includes('image'), 'card shows the uploaded image');
      assert.ok(c.args.blocks.find((b: any) => b.type === 'image').slack_file.id.startsWith('F'));
      const ids = allText(c.args.blocks);
      for (const a of ['approve', 'reject', 'regenerate', 'select']) assert.ok(ids.includes(`gl.review.${a}`));
      assert.ok(ids.includes('Open in review'));
    }
    for (const m of h.t.engine.chat.facts.asset('art', 'knight').variants)
      cards.push({ variantId: m.id, ts: h.t.engine.chat.messagesOf('slack', 'variant', m.id)[0]!.messageId });
    assert.equal(cards.length, 3);
  });

  it('GIVEN an artist presses Approve (and Slack retries the delivery) THEN exactly one variant.approved, the MVP chain runs and its progress is posted in the thread, ending with the atlas preview and the bundle', async () => {
    const card = cards[0]!;
    const payload = press(h, {
      actionId: actionIds.review('approve'),
      value: `art|${card.variantId}`,
      user: U.artist,
      channel: REVIEW,
      messageTs: card.ts,
    });
    const first = await h.action(payload);
    assert.equal(first.status, 200);
    const again = await h.action(payload, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    assert.equal(again.status, 200);
    assert.equal(eventsOf('variant.approved', card.variantId).length, 1);
    await waitFor(
      () => count(`runs WHERE rule_id = ? AND subject_id = ? AND status = 'succeeded'`, mvpRuleId, card.variantId) === 1,
      20000,
      'MVP chain succeeded',
    );
    await h.idle();
    assert.equal(count('runs WHERE rule_id = ? AND subject_id = ?', mvpRuleId, card.variantId), 1);
    await waitFor(
      () => h.fake.of('chat.update').some((c) => c.args.ts === card.ts && /approved by <@UART>/.test(allText(c.args.blocks))),
      5000,
      'card edited',
    );
    const progress = h.t.engine.chat.messagesOf('slack', 'progress', eventsOf('variant.approved', card.variantId)[0]!.id)[0]!;
    assert.equal(progress.threadId, h.t.engine.chat.messagesOf('slack', 'asset_thread', 'knight')[0]!.messageId);
    await waitFor(
      async () => {
        await h.idle();
        return h.fake
          .of('chat.update')
          .some((c) => c.args.ts === progress.messageId && /bg removal ✓ → packing ✓ → export ✓/.test(c.args.text));
      },
      15000,
      'progress edited to done',
    );
    const final = h.fake
      .of('chat.update')
      .filter((c) => c.args.ts === progress.messageId)
      .at(-1)!;
    assert.ok(
      final.args.blocks.some((b: any) => b.type === 'image'),
      'atlas preview shown',
    );
    assert.match(allText(final.args.blocks), /Bundle: `data\/projects\/art\/exports\/[^`]+\/bundle\.zip`/);
  });

  it('GIVEN "Open in review" pressed on a card THEN the presser alone gets a signed link that signs them in once and opens that variant’s card; a stranger gets none', async () => {
    const card = cards[2]!;
    const n = h.fake.responses.length;
    await h.action(
      press(h, { actionId: actionIds.openReview, value: `art|${card.variantId}`, user: U.artist, channel: REVIEW, messageTs: card.ts }),
    );
    await waitFor(() => h.fake.responses.length > n, 3000, 'review link answer');
    const answer = lastResponse();
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(answer.text, /works once, for 15 minutes/);
    const button = answer.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.url)!;
    assert.equal(button.text.text, 'Open in review');
    const link = new URL(button.url);
    assert.equal(link.origin, 'http://greenlight.test');
    assert.equal(link.pathname, '/review/link');

    const redeemed = await h.t.app.request(link.pathname + link.search);
    assert.equal(redeemed.status, 303);
    assert.equal(redeemed.headers.get('location'), `/review/projects/art/variants/${card.variantId}`);
    const cookie = redeemed.headers.get('set-cookie')!.split(';')[0]!;
    const variant = await h.t.app.request(redeemed.headers.get('location')!, { headers: { cookie } });
    assert.equal(variant.status, 302);
    assert.equal(variant.headers.get('location'), `/review/projects/art/assets/knight#v-${card.variantId}`);
    const page = await h.t.app.request('/review/projects/art/assets/knight', { headers: { cookie } });
    const html = await page.text();
    assert.ok(html.includes(`id="v-${card.variantId}"`), 'the variant’s card');
    assert.ok(html.includes(`slack:${U.artist} · artist · art`), 'signed in as the presser');
    assert.equal((await h.t.app.request(link.pathname + link.search)).status, 401, 'a link works once');

    const m = h.fake.responses.length;
    await h.action(
      press(h, { actionId: actionIds.openReview, value: `art|${card.variantId}`, user: U.stranger, channel: REVIEW, messageTs: card.ts }),
    );
    await waitFor(() => h.fake.responses.length > m, 3000, 'stranger refused');
    assert.match(lastResponse().text, /You have no role in project `art`/);
    assert.doesNotMatch(JSON.stringify(lastResponse()), /review\/link/);
  });

  it('GIVEN "Approve asset" on the grid header THEN an artist is refused (the lead’s call); a lead’s press (retried) is one asset.approved with the approved variants', async () => {
    const header = h.fake.of('chat.postMessage').find((c) => c.args.channel === REVIEW && /variants to review/.test(c.args.text))!;
    const button = header.args.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === actionIds.assetApprove);
    assert.equal(button?.text.text, 'Approve asset', 'the header offers "Approve asset"');
    assert.equal(button.value, 'art|knight');
    const ts = h.t.engine.chat.messagesOf('slack', 'asset_thread', 'knight')[0]!.messageId;
    const n = h.fake.responses.length;
    await h.action(press(h, { actionId: button.action_id, value: button.value, user: U.artist, channel: REVIEW, messageTs: ts }));
    await waitFor(() => h.fake.responses.length > n, 3000, 'artist refused');
    assert.match(lastResponse().text, /lead/);
    assert.equal(eventsOf('asset.approved', 'knight').length, 0);

    const payload = press(h, { actionId: button.action_id, value: button.value, user: U.lead, channel: REVIEW, messageTs: ts });
    const m = h.fake.responses.length;
    await h.action(payload);
    await h.action(payload, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    await waitFor(() => h.fake.responses.length >= m + 2, 3000, 'both answered');
    const approved = h.t.door.sql.prepare(`SELECT payload FROM events WHERE type = 'asset.approved' AND subject_id = 'knight'`).all() as {
      payload: string;
    }[];
    assert.equal(approved.length, 1, 'a retried delivery records nothing new');
    const expected = h.t.engine.chat.facts
      .asset('art', 'knight')
      .variants.filter((v) => v.status === 'approved')
      .map((v) => v.id);
    assert.ok(expected.length >= 1);
    assert.deepEqual(JSON.parse(approved[0]!.payload).variantIds.sort(), expected.sort());
    assert.match(h.fake.responses[m]!.body.text, new RegExp(`\`knight\` approved with ${expected.length} variant`));
  });

  it('GIVEN an artist reacts ✅ on a card (and Slack retries the event) THEN exactly one variant.approved; removing the reaction is ignored and logged', async () => {
    const card = cards[1]!;
    const body = reaction({ user: U.artist, channel: REVIEW, ts: card.ts, reaction: 'white_check_mark', eventId: 'EvReact1' });
    assert.equal((await h.event(body)).status, 200);
    assert.equal((await h.event(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status, 200);
    await waitFor(() => eventsOf('variant.approved', card.variantId).length === 1, 3000, 'approval from reaction');
    await waitFor(() => count('runs WHERE rule_id = ? AND subject_id = ?', mvpRuleId, card.variantId) === 1, 5000, 'MVP chain started');
    // Both deliveries handled (the bot's queued work is out): still exactly one.
    await h.idle();
    assert.equal(eventsOf('variant.approved', card.variantId).length, 1);
    const before = eventCount();
    await h.event(reaction({ user: U.artist, channel: REVIEW, ts: card.ts, reaction: 'white_check_mark', type: 'reaction_removed' }));
    await waitFor(() => h.logs.some((l) => /reaction removed: ignored/.test(l.msg)), 3000, 'log line');
    assert.equal(eventCount(), before);
    assert.equal(h.t.engine.chat.facts.variant('art', card.variantId).status, 'approved');
  });

  it('GIVEN /rule dry-run THEN the ephemeral preview shows exactly the planner’s plan, and "Run exactly this" is tied to its hash', async () => {
    const card = cards[2]!;
    await h.command(slash(h, { command: '/rule', text: `dry-run ${mvpRuleId} ${card.variantId}`, user: U.lead, channel: REVIEW }));
    await waitFor(() => /Dry-run/.test(JSON.stringify(lastResponse())), 3000, 'preview');
    const preview = lastResponse();
    assert.equal(preview.response_type, 'ephemeral');
    // The preview's event comes from the engine's one event builder (what an approve press would emit):
    // its rendering must show exactly that plan. Whether the prediction holds is the next test's job.
    const lead = h.t.engine.chat.principalFor('slack', U.lead, 'art')!;
    const event = h.t.engine.rules.previewEvent(lead, 'art', mvpRuleId, card.variantId);
    assert.equal(event.payload.status, 'approved', 'previewed as pressed, not as the variant is now');
    const plan = (await h.t.call('POST', `${P}/rules/${mvpRuleId}/dry-run`, { event }, leadToken)).body;
    const text = allText(preview.blocks);
    assert.ok(text.includes(`plan ${plan.hash}`), 'same plan hash');
    const fields = preview.blocks.find((b: any) => b.fields).fields.map((f: any) => f.text);
    for (const [label, value] of [
      ['Firings', plan.summary.firings],
      ['Skips', plan.summary.skips],
      ['Jobs', plan.summary.jobs],
      ['Approval gates', plan.summary.approvals],
    ])
      assert.ok(fields.includes(`*${label}*\n${value}`), `${label} = ${value}`);
    const lines = preview.blocks
      .filter((b: any) => b.type === 'section' && b.text)
      .map((b: any) => b.text.text)
      .join('\n');
    const firings = firingsOf(plan);
    assert.ok(firings.length >= 1);
    for (const f of firings) {
      assert.ok(lines.includes(firingLine(f, 0)), `line for ${f.ruleName} at depth ${f.depth}`);
      for (const s of f.steps ?? []) assert.ok(lines.includes(`${s.id}: ${s.jobType}`));
    }
    const run = preview.blocks.find((b: any) => b.type === 'actions').elements.find((e: any) => e.action_id === actionIds.ruleRun);
    assert.ok(run.value.includes(plan.hash));
  });

  it('GIVEN a rule on the approved status AND /rule dry-run on a variant THEN the preview predicts what pressing Approve then does', async () => {
    const ruleId = await enabledRule(
      {
        name: 'Approved by someone → tag',
        trigger: { event: 'variant.approved' },
        scope: { entityId: cards[1]!.variantId },
        conditions: {
          all: [
            { field: 'payload.status', op: 'eq', value: 'approved' },
            { field: 'payload.decidedBy', op: 'exists' },
          ],
        },
        actions: [{ id: 'tag', type: 'apply_tags', config: { variantId: '${event.subject.id}', add: ['seen:approved'] } }],
      },
      { type: 'variant.approved', payload: {} },
    );
    const n = h.fake.responses.length;
    await h.command(slash(h, { command: '/rule', text: `dry-run ${ruleId} ${cards[1]!.variantId}`, user: U.lead, channel: REVIEW }));
    await waitFor(() => h.fake.responses.length > n, 3000, 'preview');
    const preview = allText(lastResponse().blocks);
    assert.match(preview, /Approved by someone → tag\* \(depth 0\) fires/, 'the preview says it fires');
    // Now press Approve on that variant for real: the rule fires, as predicted.
    await h.action(
      press(h, {
        actionId: actionIds.review('approve'),
        value: `art|${cards[1]!.variantId}`,
        user: U.artist,
        channel: REVIEW,
        messageTs: cards[1]!.ts,
      }),
    );
    await waitFor(
      () => count(`runs WHERE rule_id = ? AND status = 'succeeded'`, ruleId) === 1,
      10_000,
      'the press fired the rule the preview said would fire',
    );
    assert.ok(h.t.engine.chat.facts.variant('art', cards[1]!.variantId).tags.includes('seen:approved'));
  });

  it('GIVEN /rule list, log, enable and unknown input THEN each answers the asker; an artist cannot enable; "Run exactly this" runs the plan until something changes', async () => {
    const ask = async (text: string, user = U.lead) => {
      const n = h.fake.responses.length;
      await h.command(slash(h, { command: '/rule', text, user, channel: REVIEW }));
      await waitFor(() => h.fake.responses.length > n, 3000, `/rule ${text}`);
      return allText(lastResponse().blocks ?? []);
    };
    const list = await ask('list');
    for (const name of ['Generate on spec refined', 'Approved → cut-out → atlas', 'Atlas ready → export'])
      assert.ok(list.includes(name), name);
    assert.match(await ask(`log ${mvpRuleId}`), /succeeded/);
    assert.match(await ask('frobnicate'), /Unknown subcommand.*Usage/s);
    assert.match(await ask(''), /Usage/);
    assert.match(await ask('show no-such-rule'), /No rule `no-such-rule`/);
    // Roles given to a Slack user group apply to its members (usergroups.users.list); a stranger has none.
    assert.equal((await h.t.call('PUT', `${P}/chat-roles`, { member: 'slack:group:SLEADS', role: 'lead' })).status, 200);
    h.fake.groups.SLEADS = ['UGROUPIE'];
    assert.match(await ask(`dry-run ${mvpRuleId}`, 'UGROUPIE'), /Dry-run/);
    assert.ok(h.fake.of('usergroups.users.list').some((c) => c.args.usergroup === 'SLEADS'));
    assert.match(await ask(`dry-run ${mvpRuleId}`, U.stranger), /no role in project/);
    const ruleOff = (
      await h.t.call(
        'POST',
        `${P}/rules`,
        { name: 'Off rule', trigger: { event: 'custom.thing' }, actions: [{ id: 'n', type: 'notify', config: { text: 'hi' } }] },
        leadToken,
      )
    ).body.id;
    assert.match(await ask(`enable ${ruleOff}`, U.artist), /lead/);
    assert.match(await ask(`enable ${ruleOff}`), /dry-run/i);
    const preview = await ask(`dry-run ${ruleOff}`);
    assert.match(preview, /Enable rule/);
    const enable = (JSON.parse(JSON.stringify(lastResponse().blocks)) as any[])
      .find((b) => b.type === 'actions')
      .elements.find((e: any) => e.action_id === actionIds.ruleEnable);
    const n = h.fake.responses.length;
    await h.action(press(h, { actionId: enable.action_id, value: enable.value, user: U.lead, channel: REVIEW, messageTs: '1.1' }));
    await waitFor(() => h.fake.responses.length > n, 3000, 'enable answer');
    assert.match(JSON.stringify(lastResponse()), /Enabled/);
    assert.equal((await h.t.call('GET', `${P}/rules/${ruleOff}`)).body.enabled, true);

    await ask(`dry-run ${mvpRuleId} ${cards[2]!.variantId}`);
    const run = (lastResponse().blocks as any[])
      .find((b) => b.type === 'actions')
      .elements.find((e: any) => e.action_id === actionIds.ruleRun);
    const runs = () => count('runs WHERE rule_id = ? AND subject_id = ?', mvpRuleId, cards[2]!.variantId);
    const before = runs();
    const m = h.fake.responses.length;
    await h.action(press(h, { actionId: run.action_id, value: run.value, user: U.lead, channel: REVIEW, messageTs: '1.2' }));
    await waitFor(() => h.fake.responses.length > m, 3000, 'run answer');
    assert.match(JSON.stringify(lastResponse()), /Running the previewed plan/);
    await waitFor(() => runs() === before + 1, 5000, 'the previewed run');
    await h.t.call('PUT', `${P}/rules/${mvpRuleId}`, (await h.t.call('GET', `${P}/rules/${mvpRuleId}`)).body.definition, leadToken);
    const k = h.fake.responses.length;
    await h.action(press(h, { actionId: run.action_id, value: run.value, user: U.lead, channel: REVIEW, messageTs: '1.3' }));
    await waitFor(() => h.fake.responses.length > k, 3000, 'refusal');
    assert.match(JSON.stringify(lastResponse()), /plan changed/);
    // Put the rule back on for the halt case below: dry-run the new version, then enable it.
    await h.t.call(
      'POST',
      `${P}/rules/${mvpRuleId}/dry-run`,
      { event: { type: 'variant.approved', payload: { assetId: 'knight', variantId: 'v' } } },
      leadToken,
    );
    assert.equal((await h.t.call('POST', `${P}/rules/${mvpRuleId}/enable`, undefined, leadToken)).status, 200);
  });

  it('GIVEN an artist or a lead THEN /halt and the halt button are refused; an admin halts through the dialog, events are held, and /resume replays them', async () => {
    await h.command(slash(h, { command: '/halt', text: 'project testing', user: U.lead, channel: REVIEW }));
    await waitFor(() => /admin/.test(JSON.stringify(lastResponse())), 3000, 'refusal');
    assert.equal(h.t.engine.chat.halts('art').length, 0);
    const panel = h.t.engine.chat.messagesOf('slack', 'halt_panel', 'art')[0]!;
    const eph = h.fake.of('chat.postEphemeral').length;
    await h.action(press(h, { actionId: actionIds.haltOpen, value: 'art', user: U.artist, channel: ADMINS, messageTs: panel.messageId }));
    await waitFor(() => h.fake.of('chat.postEphemeral').length > eph, 3000, 'refusal');
    assert.equal(h.fake.of('views.open').length, 0);

    await h.action(press(h, { actionId: actionIds.haltOpen, value: 'art', user: U.admin, channel: ADMINS, messageTs: panel.messageId }));
    await waitFor(() => h.fake.of('views.open').length === 1, 3000, 'halt dialog');
    const dialog = h.fake.of('views.open')[0]!.args.view;
    assert.deepEqual(checkModal(dialog), []);
    const submission = fixture('view_submission.bolt-python.json');
    submission.user = { ...submission.user, id: U.admin };
    submission.view = {
      ...submission.view,
      callback_id: haltDialogId,
      private_metadata: 'art',
      blocks: dialog.blocks,
      state: { values: { reason: { reason: { type: 'plain_text_input', value: 'bad outputs' } } } },
    };
    const submitted = await h.action(submission);
    assert.equal(submitted.status, 200);
    await waitFor(() => h.t.engine.chat.halts('art').length === 1, 3000, 'halted');
    assert.equal(h.t.engine.chat.halts('art')[0]!.reason, 'bad outputs');

    const card = cards[2]!;
    const live = () => count(`runs WHERE subject_id = ? AND rule_id = ? AND status IN ('running','succeeded')`, card.variantId, mvpRuleId);
    const liveBefore = live();
    await h.action(
      press(h, {
        actionId: actionIds.review('approve'),
        value: `art|${card.variantId}`,
        user: U.artist,
        channel: REVIEW,
        messageTs: card.ts,
      }),
    );
    await waitFor(() => count(`runs WHERE subject_id = ? AND status = 'halted'`, card.variantId) === 1, 5000, 'held run');
    await waitFor(
      async () => {
        await h.idle();
        return h.fake.of('chat.update').some((c) => c.args.ts === panel.messageId && /Held firings: 1/.test(allText(c.args.blocks)));
      },
      5000,
      'panel shows the hold',
    );

    await h.command(slash(h, { command: '/resume', text: '', user: U.admin, channel: REVIEW }));
    await waitFor(() => /Resumed/.test(JSON.stringify(lastResponse())), 5000, 'resumed');
    assert.match(JSON.stringify(lastResponse()), /1 held firings replayed/);
    await waitFor(() => live() === liveBefore + 1, 5000, 'replayed run');
  });

  it('GIVEN an approval nobody answers before it expires THEN its message shows it expired and the run is not started', async () => {
    assert.equal(
      (
        await h.t.call('POST', '/api/projects', {
          id: 'exp',
          name: 'Expiring',
          settings: { roles: { [`slack:${U.admin}`]: 'admin' }, policies: { approvalExpiryMs: 300 } },
        })
      ).status,
      201,
    );
    const lead = (await h.t.call('POST', '/api/projects/exp/tokens', { role: 'lead' })).body.token;
    await h.command(slash(h, { command: '/greenlight', text: 'bind exp admin', user: U.admin, channel: 'CEXP' }));
    await waitFor(() => h.t.engine.chat.channelOf('exp', 'slack', 'admin') === 'CEXP', 3000, 'binding');
    const rule = (
      await h.t.call(
        'POST',
        '/api/projects/exp/rules',
        {
          name: 'Costly',
          trigger: { event: 'spec.refined' },
          actions: [
            { id: 'gen', type: 'enqueue_job', config: { type: 'generate', input: { assetId: 'slime', count: 1, width: 32, height: 32 } } },
          ],
        },
        lead,
      )
    ).body.id;
    await h.t.call(
      'POST',
      `/api/projects/exp/rules/${rule}/dry-run`,
      { event: { type: 'spec.refined', payload: { assetId: 'slime' } } },
      lead,
    );
    assert.equal((await h.t.call('POST', `/api/projects/exp/rules/${rule}/enable`, undefined, lead)).status, 200);
    await h.t.call('POST', '/api/projects/exp/automation/events', { type: 'spec.refined', payload: { assetId: 'slime' } }, lead);
    await waitFor(
      () => h.fake.of('chat.postMessage').some((c) => c.args.channel === 'CEXP' && /Approval needed/.test(allText(c.args.blocks))),
      5000,
      'approval request',
    );
    await waitFor(
      async () => {
        await h.idle();
        return h.fake.of('chat.update').some((c) => c.args.channel === 'CEXP' && /Expired at/.test(allText(c.args.blocks)));
      },
      6000,
      'expired message',
    );
    const expired = h.fake.of('chat.update').find((c) => c.args.channel === 'CEXP')!;
    assert.ok(!expired.args.blocks.some((b: any) => b.type === 'actions'), 'no buttons left on an expired request');
    assert.equal(count(`runs WHERE project_id = 'exp' AND status = 'cancelled'`), 1);
  });

  it('GIVEN malformed but signed payloads THEN each is logged and answered, the process lives on and the next request works', async () => {
    const bad = [
      await h.post('payload=%7Bnot-json', 'application/x-www-form-urlencoded'),
      await h.action({ type: 'block_actions' }),
      await h.action({
        ...press(h, { actionId: actionIds.review('approve'), value: 'no-pipes', user: U.artist, channel: REVIEW, messageTs: cards[0]!.ts }),
      }),
      await h.event({ type: 'event_callback', event: { type: 'reaction_added' } }),
    ];
    // Not JSON → 400 (Bolt: malformed body); no action in it → no listener, 404 after Bolt's wait;
    // a value that is not ours → acked, and the presser is told the button is stale; an event without its fields → acked, nothing recorded.
    assert.deepEqual(
      bad.map((r) => r.status),
      [400, 404, 200, 200],
    );
    await waitFor(() => h.fake.of('chat.postEphemeral').some((c) => /old or altered/.test(c.args.text)), 3000, 'stale-button reply');
    await waitFor(() => h.logs.some((l) => /Malformed|Failed to parse/i.test(l.msg ?? '')), 3000, 'logged');
    const ok = await h.event(fixture('url_verification.slack-docs.json'));
    assert.equal(ok.status, 200);
  });

  it('GIVEN everything the bot sent in these tests THEN every message and modal is within Block Kit limits', async () => {
    await h.idle();
    const sent = h.fake.calls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method));
    assert.ok(sent.length > 10);
    for (const c of sent) assert.deepEqual(checkMessage(c.args), [], `${c.method}: ${JSON.stringify(c.args).slice(0, 200)}`);
    for (const r of h.fake.responses) assert.deepEqual(checkMessage(r.body), [], `respond: ${JSON.stringify(r.body).slice(0, 200)}`);
    for (const c of h.fake.of('views.open')) assert.deepEqual(checkModal(c.args.view), []);
  });
});

async function waitForTs(call: { args: any }): Promise<{ ts: string }> {
  let found: string | undefined;
  await waitFor(
    () => {
      found = h.t.engine.chat.messagesOf(
        'slack',
        'approval',
        (h.t.door.sql.prepare('SELECT id FROM approvals ORDER BY created_at DESC LIMIT 1').get() as { id: string }).id,
      )[0]?.messageId;
      return Boolean(found);
    },
    3000,
    `recorded message for ${call.args.channel}`,
  );
  return { ts: found! };
}
