// `/spec add` and the preview's Generate buttons in Discord (issue "Chat"): the real discord.js client on
// the loopback gateway and REST API, interactions built from Discord's published samples, and the
// signed HTTP interactions endpoint, against a real engine on real Redis. The project's catalog is
// the seed's (tests/fixtures/catalog).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createInteractionHandler, fromRaw } from '../../bot/discord/interactions.js';
import { checkDiscordMessage } from '../../bot/discord/limits.js';
import { catalogFromFiles, cliPrincipal, GreenlightError, type Engine } from '../../engine/index.js';
import { stopTestRedis, waitFor } from '../helpers/engine.js';
import { enabledRule, generateOnRequest } from '../helpers/rules.js';
import { startDiscordHarness, type DiscordHarness } from '../helpers/discord-bot.js';
import type { RestCall } from '../helpers/discord-fake.js';

const P = '/api/projects/art';
const U = { admin: '100000000000000001', lead: '100000000000000002', artist: '100000000000000003' };
const LEADS_ROLE = '290926798626358000';
const catalogDir = path.resolve('tests/fixtures/catalog');
const catalog = () =>
  catalogFromFiles((rel) =>
    fs.existsSync(path.join(catalogDir, rel)) ? JSON.parse(fs.readFileSync(path.join(catalogDir, rel), 'utf8')) : undefined,
  );
// A Discord text option has no line breaks: items are split by ';'.
const wishlist = '3 knight characters, side view, 64 px, warm palette; 1 health potion prop; a glowing thing';

let h: DiscordHarness;
let leadToken: string;

/** What a person reads in a Components V2 message: text displays, buttons as [label]. */
export function seen(body: { components: any[] }): string {
  const out: string[] = [];
  const walk = (c: any) => {
    if (c.type === 10) out.push(c.content);
    else if (c.type === 14) out.push('———');
    else if (c.type === 1) out.push(c.components.map((b: any) => `[${b.label}]`).join(' '));
    else for (const x of c.components ?? []) walk(x);
  };
  for (const c of body.components) walk(c);
  return out.join('\n');
}
/** The Generate button's custom_id under the spec named `name`. */
function generateId(body: { components: any[] }, name: string): string {
  const parts: any[] = body.components[0].components;
  const i = parts.findIndex((c) => c.type === 10 && c.content.startsWith(`**${name}**`));
  assert.ok(i >= 0, `a block for ${name}`);
  const button = parts[i + 1].components[0];
  assert.equal(button.label, 'Generate');
  return button.custom_id;
}
const generateRequests = () =>
  h.t.door.sql.prepare(`SELECT id, subject_id AS specId FROM events WHERE type = 'spec.generate_requested'`).all() as {
    id: string;
    specId: string;
  }[];
const original = (token: string) => (c: RestCall) =>
  c.method === 'PATCH' && c.path === `/webhooks/${h.fake.appId}/${token}/messages/@original`;
const specAdd = (user: string, text: string, roles: string[] = []) =>
  h.slash({
    name: 'spec',
    options: [{ type: 1, name: 'add', options: [{ type: 3, name: 'text', value: text }] }],
    user,
    channel: h.fake.channels.review,
    roles,
  });
/** A lead's /spec add over the gateway: deferred at once, then the "thinking…" message becomes the preview. */
async function preview(text: string) {
  const slash = specAdd(U.lead, text, [LEADS_ROLE]);
  const answer = await h.interact(slash);
  assert.equal(answer.type, 5, 'deferred: refining may take longer than Discord’s 3 s');
  assert.ok(!((answer.data?.flags ?? 0) & 64), 'the preview is for the channel');
  await h.fake.waitFor((calls) => calls.some(original(slash.token)), 5000, 'the preview');
  return h.fake.calls.find(original(slash.token))!.body;
}

describe('Discord: /spec add and Generate (real discord.js, loopback gateway and REST)', () => {
  let shown: { components: any[] };
  before(async () => {
    h = await startDiscordHarness({ worker: false });
    const roles = { [`discord:${U.admin}`]: 'admin', [`discord:${U.artist}`]: 'artist', [`discord:role:${LEADS_ROLE}`]: 'lead' };
    assert.equal((await h.t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: { roles } })).status, 201);
    leadToken = (await h.t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    h.t.engine.specs.importCatalog(cliPrincipal, 'art', catalog());
    h.t.engine.chat.bind(cliPrincipal, 'discord', h.fake.channels.review, 'art', 'review');
  });
  after(async () => {
    if (h) {
      for (const c of h.fake.calls.filter((x) => x.path.startsWith('/webhooks/') && x.body?.components))
        assert.deepEqual(checkDiscordMessage(c.body, []), [], `${c.method} ${c.path}`);
      for (const c of h.fake.calls.filter((x) => /\/callback$/.test(x.path) && x.body?.data?.components))
        assert.deepEqual(checkDiscordMessage(c.body.data, []), [], c.path);
      await h.close();
    }
    await stopTestRedis();
  });

  it('GIVEN the registered commands THEN /spec add is one of them, with its wishlist text', () => {
    const put = h.fake.calls.find((c) => c.method === 'PUT' && c.path.endsWith('/commands'))!;
    const spec = put.body.find((c: any) => c.name === 'spec');
    assert.deepEqual(
      spec.options.map((o: any) => [o.name, o.options.map((x: any) => [x.name, x.required])]),
      [['add', [['text', true]]]],
    );
  });

  it('GIVEN a lead’s /spec add THEN the deferred answer becomes the preview: specs with a Generate button each, then the questions', async (t) => {
    shown = await preview(wishlist);
    const list = h.t.engine.specs.listSpecLists(cliPrincipal, 'art')[0]!;
    const text = seen(shown);
    t.diagnostic(`Discord, in the channel:\n${text}`);
    assert.match(text, new RegExp(`^## Spec list ${list.id}\n\\*\\*4 specs, 1 question\\*\\* in \`art\` — added by <@${U.lead}>\\.`));
    assert.match(
      text,
      /\n\*\*knight 1\*\* `knight-1-\w+` · character · 64×64 · 4 variants\n“knight, character, side view, Warm palette .*”\npalette Warm · camera side view · LoRA `chars-baseline` \(\+1\)\n\[Generate\]\n/,
    );
    assert.match(text, /\*\*health potion\*\* `health-potion-\w+` · prop · 64×64/);
    assert.match(
      text,
      /———\n\*\*Questions\*\* — fix these lines and add them again with `\/spec add`:\n• line 1 “a glowing thing”: Which asset type is this\?/,
    );
    assert.equal(text.match(/\[Generate\]/g)?.length, 4);
  });

  it('GIVEN a wishlist of more specs than fit THEN ten are shown with buttons and the rest counted, in one message', async () => {
    const big = await preview('14 coin props');
    const text = seen(big);
    assert.equal(text.match(/\[Generate\]/g)?.length, 10);
    assert.match(text, /…and 4 more: see `greenlight spec list --project art`/);
    assert.deepEqual(checkDiscordMessage(big, []), []);
  });

  it('GIVEN an artist’s /spec add THEN an ephemeral polite refusal at once, nothing deferred and nothing stored', async () => {
    const lists = h.t.engine.specs.listSpecLists(cliPrincipal, 'art').length;
    const answer = await h.interact(specAdd(U.artist, '2 slime props'));
    assert.equal(answer.type, 4);
    assert.ok(answer.data.flags & 64, 'told in private');
    assert.match(seen(answer.data), /^🚫 Only a lead or an admin of `art` can add specs; you are an artist here\./);
    assert.equal(h.t.engine.specs.listSpecLists(cliPrincipal, 'art').length, lists);
  });

  it('GIVEN a generate rule and a lead’s Generate press delivered twice THEN one spec.generate_requested, the run waits for an admin, the reply names the rule', async (t) => {
    const knight = h.t.engine.specs.listSpecs(cliPrincipal, 'art').find((s) => s.name === 'knight 1' && s.specListId)!;
    const rule = generateOnRequest;
    const sample = { type: 'spec.generate_requested', subject: { kind: 'spec', id: knight.id }, payload: { specId: knight.id, count: 4 } };
    const ruleId = await enabledRule((...a) => h.t.call(...a), P, leadToken, rule, sample);
    const customId = generateId(shown, 'knight 1');
    assert.ok(customId.length <= 100);
    const press = h.press({
      customId,
      user: U.lead,
      roles: [LEADS_ROLE],
      channel: h.fake.channels.review,
      messageId: '900000000000000042',
    });
    const first = await h.interact(press);
    const again = await h.interact(press);
    assert.ok(first.ms < 3000, `answered in ${first.ms} ms`);
    assert.deepEqual(
      generateRequests().map((r) => r.specId),
      [knight.id],
      'a second delivery of the same interaction records nothing new',
    );
    t.diagnostic(`Discord, to the presser:\n${seen(first.data)}\n${seen(again.data)}`);
    assert.ok(first.data.flags & 64, 'told in private');
    assert.match(
      seen(first.data),
      new RegExp(
        `^🎨 Asked for 4 variants of \\*\\*knight 1\\*\\* \\(\`${knight.id}\`\\): rule 'Generate on request' will generate them once an admin approves\\.`,
      ),
    );
    assert.match(seen(again.data), /^☑️ Already asked for 4 variants of \*\*knight 1\*\*/);
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
  });

  it('GIVEN an artist presses Generate THEN an ephemeral polite refusal, nothing stored', async () => {
    const before = generateRequests().length;
    const answer = await h.interact(
      h.press({
        customId: generateId(shown, 'knight 2'),
        user: U.artist,
        channel: h.fake.channels.review,
        messageId: '900000000000000042',
      }),
    );
    assert.ok(answer.data.flags & 64);
    assert.match(seen(answer.data), /^🚫 Only a lead or an admin of `art` can ask for generation; you are an artist here\./);
    assert.equal(generateRequests().length, before);
  });

  it('GIVEN /spec add on the signed HTTP interactions endpoint THEN the response is the deferral and the preview follows', async () => {
    const slash = specAdd(U.lead, '2 health potion props, warm palette', [LEADS_ROLE]);
    const raw = JSON.stringify(slash);
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', ...h.sign(raw) }, body: raw });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { type: 5 });
    await h.fake.waitFor((calls) => calls.some(original(slash.token)), 5000, 'the preview');
    assert.match(
      seen(h.fake.calls.find(original(slash.token))!.body),
      /\*\*2 specs, 0 questions\*\*[\s\S]*\*\*health potion 1\*\*[\s\S]*palette Warm/,
    );
  });

  it('GIVEN refining fails after the deferral THEN the public "thinking…" message goes and the asker alone is told why', async () => {
    const sent: { what: string; token: string; body?: any }[] = [];
    const failing: Engine = {
      ...h.t.engine,
      specs: {
        ...h.t.engine.specs,
        addSpecList: async () => {
          throw new GreenlightError('unavailable', 'The spec refiner (SPEC_REFINER_URL) did not answer; nothing was stored.');
        },
      },
    };
    const handler = createInteractionHandler({
      engine: failing,
      logger: pino({ level: 'silent' }),
      postPanel: async () => {},
      publicUrl: null,
      webhook: {
        editOriginal: async (token, body) => void sent.push({ what: 'edit', token, body }),
        deleteOriginal: async (token) => void sent.push({ what: 'delete', token }),
        followUp: async (token, body) => void sent.push({ what: 'follow-up', token, body }),
      },
    });
    const i = fromRaw(specAdd(U.lead, '2 slime props', [LEADS_ROLE]))!;
    const answer = await handler.handle(i);
    assert.deepEqual(answer.response, { type: 5 });
    assert.equal(sent.length, 0, 'nothing is sent before the deferral');
    await answer.after!();
    assert.deepEqual(
      sent.map((x) => [x.what, x.token]),
      [
        ['delete', i.token],
        ['follow-up', i.token],
      ],
    );
    assert.ok(sent[1]!.body.flags & 64, 'the reason is for the asker alone');
    assert.match(seen(sent[1]!.body), /^⚠️ The spec refiner \(SPEC_REFINER_URL\) did not answer; nothing was stored\./);
  });
});
