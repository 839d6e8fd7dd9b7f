// `/spec add` and the preview's Generate buttons in Slack (issue "Chat"): the real Bolt app over HTTP,
// requests built from Slack's published payloads (bolt-python's slash command form and block_actions)
// and signed as Slack signs them, against a real engine on real Redis; the loopback Slack records
// what a person is shown. The project's catalog is the seed's (tests/fixtures/catalog).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { slashCommands } from '../../bot/slack/app.js';
import { checkMessage } from '../../bot/slack/limits.js';
import { actionIds } from '../../bot/views/ids.js';
import { catalogFromFiles, cliPrincipal } from '../../engine/index.js';
import { enabledRule, generateOnRequest } from '../helpers/rules.js';
import { stopTestRedis, waitFor } from '../helpers/engine.js';
import { press, slash, startSlackHarness, type SlackHarness } from '../helpers/slack-bot.js';

const P = '/api/projects/art';
const REVIEW = 'C111';
const U = { admin: 'UADMIN', lead: 'ULEAD', artist: 'UART' };
const catalogDir = path.resolve('tests/fixtures/catalog');
const catalog = () =>
  catalogFromFiles((rel) =>
    fs.existsSync(path.join(catalogDir, rel)) ? JSON.parse(fs.readFileSync(path.join(catalogDir, rel), 'utf8')) : undefined,
  );
const wishlist =
  '3 knight characters, side view, 64 px, warm palette; 1 health potion prop\na glowing thing\n4x sword icon 32x32, icy palette';

let h: SlackHarness;
let leadToken: string;

/** What a person reads in a Block Kit message: each block's text, buttons as [label]. */
export function seen(blocks: any[]): string {
  return blocks
    .map((b) => {
      if (b.type === 'header' || b.type === 'section')
        return [b.text?.text, ...(b.fields ?? []).map((f: any) => f.text)].filter(Boolean).join('\n');
      if (b.type === 'actions') return b.elements.map((e: any) => `[${e.text.text}]`).join(' ');
      if (b.type === 'context') return b.elements.map((e: any) => e.text).join(' ');
      if (b.type === 'divider') return '———';
      return `(${b.type})`;
    })
    .join('\n');
}
const generateRequests = () =>
  h.t.door.sql.prepare(`SELECT id, subject_id AS specId, payload FROM events WHERE type = 'spec.generate_requested'`).all() as {
    id: string;
    specId: string;
    payload: string;
  }[];
const responsesSince = async (n: number, what: string, more = 1) => {
  await waitFor(() => h.fake.responses.length >= n + more, 5000, what);
  return h.fake.responses.slice(n).map((r) => r.body);
};
const addSpecs = async (user: string, text: string) => {
  const n = h.fake.responses.length;
  const res = await h.command(slash(h, { command: '/spec', text, user, channel: REVIEW }));
  assert.equal(res.status, 200);
  return (await responsesSince(n, `the answer to /spec ${text.slice(0, 20)}`))[0];
};
/** The preview's Generate button for the spec named `name`, and the message it sits on. */
function generateButton(preview: any, name: string): { value: string } {
  const i = preview.blocks.findIndex((b: any) => b.type === 'section' && b.text.text.startsWith(`*${name}*`));
  assert.ok(i >= 0, `a block for ${name}`);
  const button = preview.blocks[i + 1].elements[0];
  assert.equal(button.action_id, actionIds.specGenerate);
  return button;
}

describe('Slack: /spec add and Generate (real Bolt over HTTP, loopback Slack)', () => {
  let preview: any;
  before(async () => {
    h = await startSlackHarness({ worker: false });
    const roles = { [`slack:${U.admin}`]: 'admin', [`slack:${U.lead}`]: 'lead', [`slack:${U.artist}`]: 'artist' };
    assert.equal((await h.t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: { roles } })).status, 201);
    leadToken = (await h.t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    h.t.engine.specs.importCatalog(cliPrincipal, 'art', catalog());
    h.t.engine.chat.bind(cliPrincipal, 'slack', REVIEW, 'art', 'review');
  });
  after(async () => {
    for (const r of h?.fake.responses ?? [])
      if (r.body.blocks) assert.deepEqual(checkMessage(r.body), [], 'every answer fits Slack’s limits');
    await h?.close();
    await stopTestRedis();
  });

  it('GIVEN the app manifest THEN it declares every slash command the bot answers, /spec among them', () => {
    const manifest = JSON.parse(fs.readFileSync('bot/slack/manifest.json', 'utf8'));
    assert.deepEqual(manifest.features.slash_commands.map((c: { command: string }) => c.command).sort(), [...slashCommands].sort());
    assert.ok(slashCommands.includes('/spec'));
  });

  it('GIVEN a lead’s /spec add THEN the refined specs are posted in the channel with a Generate button each, and the questions by line', async (t) => {
    preview = await addSpecs(U.lead, `add ${wishlist}`);
    t.diagnostic(`Slack, in the channel:\n${seen(preview.blocks)}`);
    assert.equal(preview.response_type, 'in_channel', 'the team sees the preview');
    const list = h.t.engine.specs.listSpecLists(cliPrincipal, 'art')[0]!;
    const text = seen(preview.blocks);
    assert.match(
      text,
      new RegExp(`^Spec list ${list.id}\n\\*8 specs, 1 question\\* in \`art\` — added by <@${U.lead}>\\. Press \\*Generate\\*`),
    );
    assert.match(
      text,
      /\n\*knight 1\* `knight-1-\w+` · character · 64×64 · 4 variants\n“knight, character, side view, Warm palette \(#ff8844 #cc4422 #ffd9a0\), hand-painted pixel art, dark …”\npalette Warm · camera side view · LoRA `chars-baseline` \(\+1\)\n\[Generate\]\n/,
    );
    assert.match(text, /\*sword 4\* `sword-4-\w+` · ui_icon · 32×32 · /);
    assert.match(
      text,
      /———\n\*Questions\* — fix these lines and add them again with `\/spec add`:\n• line 2 “a glowing thing”: Which asset type is this\? The catalog has: character, prop, ui_icon, tile, vfx_frame\.$/,
    );
    assert.equal(text.match(/\[Generate\]/g)?.length, 8);
  });

  it('GIVEN a wishlist of more specs than fit THEN ten are shown and the rest counted, within Slack’s 50 blocks', async () => {
    const big = await addSpecs(U.lead, 'add 14 coin props');
    assert.ok(big.blocks.length <= 50);
    const text = seen(big.blocks);
    assert.equal(text.match(/\[Generate\]/g)?.length, 10);
    assert.match(text, /…and 4 more: see `greenlight spec list --project art`/);
  });

  it('GIVEN an artist’s /spec add THEN it is refused politely, to the artist alone, and nothing is stored', async () => {
    const lists = h.t.engine.specs.listSpecLists(cliPrincipal, 'art').length;
    const answer = await addSpecs(U.artist, 'add 2 slime props');
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(
      answer.text,
      /^🚫 Only a lead or an admin of `art` can add specs; you are an artist here\. Ask a lead to do it, or an admin to make you one/,
    );
    assert.equal(h.t.engine.specs.listSpecLists(cliPrincipal, 'art').length, lists);
    const usage = await addSpecs(U.lead, 'add');
    assert.match(usage.text, /`\/spec add` needs the wishlist/);
  });

  it('GIVEN Generate pressed while no rule acts on it THEN the request is kept and the presser is told a rule is missing', async () => {
    const n = h.fake.responses.length;
    const button = generateButton(preview, 'knight 3');
    await h.action(
      press(h, { actionId: actionIds.specGenerate, value: button.value, user: U.lead, channel: REVIEW, messageTs: '1700000001.000100' }),
    );
    const [answer] = await responsesSince(n, 'the answer to Generate');
    assert.equal(answer.response_type, 'ephemeral');
    assert.match(
      answer.text,
      /^🎨 Asked for 4 variants of \*knight 3\* \(`knight-3-\w+`\)\. No enabled rule acts on spec\.generate_requested yet: a lead adds one/,
    );
  });

  it('GIVEN a generate rule and a lead’s Generate press, delivered twice THEN one spec.generate_requested, the run waits for an admin, and the reply names the rule', async (t) => {
    const knight = h.t.engine.specs.listSpecs(cliPrincipal, 'art').find((s) => s.name === 'knight 1')!;
    const rule = generateOnRequest;
    const sample = { type: 'spec.generate_requested', subject: { kind: 'spec', id: knight.id }, payload: { specId: knight.id, count: 4 } };
    const ruleId = await enabledRule((...a) => h.t.call(...a), P, leadToken, rule, sample);

    const before = generateRequests().length;
    const payload = press(h, {
      actionId: actionIds.specGenerate,
      value: generateButton(preview, 'knight 1').value,
      user: U.lead,
      channel: REVIEW,
      messageTs: '1700000001.000100',
    });
    const n = h.fake.responses.length;
    const first = await h.action(payload);
    const again = await h.action(payload, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    assert.deepEqual([first.status, again.status], [200, 200]);
    assert.ok(first.ms < 3000, `acked in ${first.ms} ms`);
    const answers = await responsesSince(n, 'both answers', 2);
    const requests = generateRequests().filter((r) => r.specId === knight.id);
    assert.equal(generateRequests().length, before + 1, 'a retried delivery records nothing new');
    assert.equal(JSON.parse(requests[0]!.payload).count, 4);
    t.diagnostic(`Slack, to the presser:\n${answers.map((a) => seen(a.blocks)).join('\n')}`);
    assert.match(
      answers[0].text,
      new RegExp(
        `^🎨 Asked for 4 variants of \\*knight 1\\* \\(\`${knight.id}\`\\): rule 'Generate on request' will generate them once an admin approves\\.$`,
      ),
    );
    assert.match(answers[1].text, /^☑️ Already asked for 4 variants of \*knight 1\*/);
    await waitFor(
      () =>
        (
          h.t.door.sql.prepare(`SELECT count(*) AS n FROM runs WHERE rule_id = ? AND status = 'awaiting_approval'`).get(ruleId) as {
            n: number;
          }
        ).n === 1,
      10_000,
      'the generate run to wait for an admin',
    );
    assert.equal(h.t.engine.approvals.list(cliPrincipal, 'art').length, 1, 'one approval asked of the admins');
  });

  it('GIVEN an artist presses Generate THEN they are refused politely and nothing is stored', async () => {
    const before = generateRequests().length;
    const n = h.fake.responses.length;
    await h.action(
      press(h, {
        actionId: actionIds.specGenerate,
        value: generateButton(preview, 'knight 2').value,
        user: U.artist,
        channel: REVIEW,
        messageTs: '1700000001.000100',
      }),
    );
    const [answer] = await responsesSince(n, 'the refusal');
    assert.match(answer.text, /^🚫 Only a lead or an admin of `art` can ask for generation; you are an artist here\./);
    assert.equal(generateRequests().length, before);
  });
});
