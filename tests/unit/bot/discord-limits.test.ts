// Every view the Discord bot renders fits Discord's limits, however large its
// input (split into several messages where one cannot hold it); and the
// validator itself catches each kind of violation.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ButtonStyle, checkDiscordMessage, ComponentType as T, discordLimits, MessageFlag } from '../../../bot/discord/limits.js';
import { countComponents, markdown, renderDiscord, type DiscordMessage } from '../../../bot/discord/render.js';
import { tagChoices, variantCard } from '../../../bot/views/variant.js';
import type { View } from '../../../bot/views/view.js';
import { largestViews } from '../../helpers/views.js';

const long = (n: number) => 'x'.repeat(n);
/** Opaque ids as the engine makes them: 25 characters whatever the value. */
const ids = (actionId: string, value: string) =>
  `c${createHash('sha256').update(`${actionId}\n${value}`).digest('base64url').slice(0, 24)}`;
const check = (m: DiscordMessage) =>
  checkDiscordMessage(
    m,
    m.files.map((f) => ({ name: f.name, bytes: 1000 })),
  );

describe('Discord limits', () => {
  it('GIVEN a variant card with 300 tags, long ids and an image THEN it renders as a section with a thumbnail, a row of buttons and a 25-option tag menu, within limits', () => {
    const tags = tagChoices({ style: Array.from({ length: 300 }, (_, i) => `t${i}-${long(60)}`) });
    const card = variantCard(
      {
        projectId: 'p'.repeat(60),
        assetId: 'a'.repeat(128),
        variantId: 'v'.repeat(128),
        index: 1,
        status: 'approved',
        primary: true,
        tags: tags.slice(0, 40),
        decidedBy: 'discord:123',
        decidedAt: 1,
        image: { projectId: 'p', path: 'files/images/hero/thumb/hero 1.png' },
      },
      { tagChoices: tags, review: true },
    );
    const [msg, ...rest] = renderDiscord(card, ids);
    assert.equal(rest.length, 0);
    assert.deepEqual(check(msg!), []);
    const container = msg!.components[0]!;
    assert.equal(container.type, T.Container);
    const inner = container.components as Record<string, any>[];
    assert.equal(inner[0]!.type, T.Section);
    assert.equal(inner[0]!.accessory.type, T.Thumbnail);
    assert.equal(inner[0]!.accessory.media.url, 'attachment://1_hero_1.png');
    assert.deepEqual(
      msg!.files.map((f) => f.name),
      ['1_hero_1.png'],
    );
    const rows = inner.filter((c) => c.type === T.ActionRow);
    assert.deepEqual(
      rows[0]!.components.map((b: { label: string }) => b.label),
      ['Approve', 'Reject', 'Regenerate', 'Primary ⭐'],
    );
    assert.equal(rows[1]!.components[0].type, T.StringSelect);
    assert.equal(rows[1]!.components[0].options.length, 25);
    // "Open in review" is a press (answered with the presser's own signed link), not a link that would last forever.
    assert.equal(rows[2]!.components[0].label, 'Open in review');
    assert.notEqual(rows[2]!.components[0].style, ButtonStyle.Link);
    assert.equal(typeof rows[2]!.components[0].custom_id, 'string');
    assert.match(JSON.stringify(inner[0]), /\*\*Variant 1\*\*/, 'Slack-style *bold* becomes **bold**');
  });

  it('GIVEN views larger than one message holds THEN they are split into messages that each fit', () => {
    const manyImages: View = {
      fallback: 'grid',
      blocks: Array.from({ length: 45 }, (_, i) => [
        { kind: 'text' as const, text: `*Variant ${i}*` },
        { kind: 'image' as const, file: { projectId: 'p', path: `v${i}.png` }, alt: `v${i}` },
        {
          kind: 'actions' as const,
          controls: [{ kind: 'button' as const, actionId: 'gl.review.approve', label: 'Approve', value: `p|v${i}` }],
        },
      ]).flat(),
    };
    const views: View[] = [...largestViews(), manyImages];
    for (const v of views) {
      const msgs = renderDiscord(v, ids);
      for (const m of msgs) assert.deepEqual(check(m), [], JSON.stringify(m).slice(0, 300));
      if (v === manyImages) {
        assert.ok(msgs.length > 1, 'split');
        assert.equal(msgs.flatMap((m) => m.files).length, 45, 'every image is sent once');
        assert.ok(msgs.every((m) => m.components.reduce((s, c) => s + countComponents(c), 0) <= discordLimits.components));
      }
    }
  });

  it('GIVEN messages that break the limits THEN the validator names each problem', () => {
    const v2 = (...components: Record<string, unknown>[]) => ({ flags: MessageFlag.IsComponentsV2, components });
    const btn = (over: Record<string, unknown> = {}) => ({
      type: T.Button,
      style: ButtonStyle.Primary,
      label: 'ok',
      custom_id: 'a',
      ...over,
    });
    const row = (...components: Record<string, unknown>[]) => ({ type: T.ActionRow, components });
    const text = (content: string) => ({ type: T.TextDisplay, content });
    const cases: [string, Record<string, unknown>, RegExp, { name: string; bytes: number }[]?][] = [
      ['41 components', v2(...Array.from({ length: 41 }, () => text('a'))), /41 in all, limit 40/],
      ['over 4000 characters of text', v2(text(long(3000)), text(long(1001))), /4001 characters of text, limit 4000/],
      ['content beside V2', { ...v2(text('a')), content: 'hi' }, /content: not allowed with IsComponentsV2/],
      ['six buttons in a row', v2(row(...Array.from({ length: 6 }, (_, i) => btn({ custom_id: `b${i}` })))), /6 buttons, limit 5/],
      [
        'a select sharing its row',
        v2(row(btn(), { type: T.StringSelect, custom_id: 's', options: [{ label: 'a', value: 'a' }] })),
        /fills its row alone/,
      ],
      ['custom_id over 100', v2(row(btn({ custom_id: long(101) }))), /custom_id: 101 characters, limit 100/],
      ['a repeated custom_id', v2(row(btn(), btn())), /custom_id: 'a' is also used/],
      ['label over 80', v2(row(btn({ label: long(81) }))), /label: 81 characters, limit 80/],
      [
        'a link button without url',
        v2(row(btn({ style: ButtonStyle.Link, custom_id: undefined }))),
        /a link button needs an http\(s\) url/,
      ],
      [
        '26 select options',
        v2(
          row({ type: T.StringSelect, custom_id: 's', options: Array.from({ length: 26 }, (_, i) => ({ label: `${i}`, value: `${i}` })) }),
        ),
        /1 to 25 options/,
      ],
      [
        'an 11-item gallery',
        v2({ type: T.MediaGallery, items: Array.from({ length: 11 }, () => ({ media: { url: 'https://x/a.png' } })) }),
        /1 to 10 items/,
      ],
      ['a section without accessory', v2({ type: T.Section, components: [text('a')] }), /needs a thumbnail or a button/],
      [
        'a section with four texts',
        v2({ type: T.Section, components: [text('a'), text('b'), text('c'), text('d')], accessory: btn() }),
        /1 to 3 text displays/,
      ],
      ['a button at the top level', v2(btn()), /is not allowed here \(top\)/],
      [
        'a container in a container',
        v2({ type: T.Container, components: [{ type: T.Container, components: [text('a')] }] }),
        /is not allowed here \(container\)/,
      ],
      [
        'an attachment not sent',
        v2({ type: T.MediaGallery, items: [{ media: { url: 'attachment://missing.png' } }] }),
        /no file of that name/,
      ],
      ['a file over 10 MiB', v2(text('a')), /limit 10485760/, [{ name: 'big.png', bytes: 11 * 1024 * 1024 }]],
      [
        'over 25 MiB in one request',
        v2(text('a')),
        /bytes in one request, limit 26214400/,
        Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, bytes: 9 * 1024 * 1024 })),
      ],
      ['11 files', v2(text('a')), /11 files, limit 10/, Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, bytes: 1 }))],
      ['a legacy message with 2001 characters', { content: long(2001) }, /content: 2001 characters, limit 2000/],
      [
        'a legacy message with six rows',
        { content: 'a', components: Array.from({ length: 6 }, (_, i) => row(btn({ custom_id: `r${i}` }))) },
        /6 rows, limit 5/,
      ],
    ];
    for (const [what, msg, problem, files] of cases) {
      const found = checkDiscordMessage(msg, files ?? []);
      assert.ok(
        found.some((p) => problem.test(p)),
        `${what}: expected ${problem}, got ${JSON.stringify(found)}`,
      );
    }
    assert.deepEqual(checkDiscordMessage(v2(text('fine'), row(btn()))), []);
  });

  it('GIVEN Slack-style markup THEN bold becomes Discord bold, code and mentions stay', () => {
    assert.equal(markdown('*Variant 1* `v_*x*` by <@123>'), '**Variant 1** `v_*x*` by <@123>');
  });
});
