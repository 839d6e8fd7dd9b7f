// The `/spec add` preview and the Generate answer as views: what they say, and that the longest
// spec list fits Slack's 50 blocks and Discord's message limits; the /spec parser.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FiringNode } from '../../../engine/index.js';
import { parseSpec } from '../../../bot/commands/parse.js';
import { checkDiscordMessage } from '../../../bot/discord/limits.js';
import { renderDiscord } from '../../../bot/discord/render.js';
import { checkMessage } from '../../../bot/slack/limits.js';
import { renderMessage } from '../../../bot/slack/render.js';
import { actionIds } from '../../../bot/views/ids.js';
import { generateAnswerView, MAX_PREVIEW_SPECS, specPreviewView } from '../../../bot/views/specs.js';
import { largestSpecPreview, longestSpec } from '../../helpers/views.js';

const ids = (actionId: string, value: string) =>
  `c${createHash('sha256').update(`${actionId}\n${value}`).digest('base64url').slice(0, 24)}`;
const firing = (over: Partial<FiringNode>): FiringNode => ({
  ruleId: 'r1',
  ruleVersion: 1,
  ruleName: 'Gen',
  depth: 0,
  decision: 'fire',
  chain: [],
  ...over,
});
const answer = (firings: FiringNode[], created = true) =>
  generateAnswerView({ specId: 'knight-1-abc', name: 'knight 1', count: 4, eventId: 'evt_1', created, firings }).fallback;

describe('spec views', () => {
  it('GIVEN the longest spec list (200 specs, 200 questions, every text at its longest) THEN one Slack message and one Discord message, inside every limit', () => {
    const view = largestSpecPreview();
    const buttons = view.blocks.filter((b) => b.kind === 'actions');
    assert.ok(buttons.length >= 1 && buttons.length <= MAX_PREVIEW_SPECS, `${buttons.length} buttons`);
    assert.ok(
      buttons.every((b) => b.kind === 'actions' && b.controls[0]!.kind === 'button' && b.controls[0]!.actionId === actionIds.specGenerate),
    );
    assert.ok(view.blocks.length <= 50, `${view.blocks.length} blocks`);
    assert.deepEqual(checkMessage(renderMessage(view)), []);
    const msgs = renderDiscord(view, ids);
    for (const m of msgs) assert.deepEqual(checkDiscordMessage(m, []), []);
    assert.equal(msgs.length, 1, 'one Discord message: every Generate button on the preview itself');
    const text = JSON.stringify(view.blocks);
    assert.match(text, new RegExp(`…and ${200 - buttons.length} more: see \`greenlight spec list --project x+\``));
    assert.match(
      text,
      /…and 19\d more questions: the list keeps them all \(`GET \/api\/projects\/x+\/spec-lists\/sl_x+`\)/,
      'questions past the cap are counted',
    );
    assert.ok(!/\*{3}|``/.test(view.blocks.map((b) => ('text' in b ? b.text : '')).join('\n')), 'markup in names cannot break out');
  });

  it('GIVEN a spec list with no spec THEN it says to answer the questions, with no button', () => {
    const view = specPreviewView({
      projectId: 'art',
      specListId: 'sl_1',
      specs: [],
      questions: [{ line: 1, text: 'a glowing thing', field: 'assetType', question: 'Which asset type is this?' }],
      by: '<@U1>',
    });
    assert.equal(view.blocks.filter((b) => b.kind === 'actions').length, 0);
    assert.match(
      JSON.stringify(view.blocks),
      /0 specs, 1 question.*Nothing could be read as an asset yet.*line 1 “a glowing thing”: Which asset type is this\?/,
    );
    assert.match(
      specPreviewView({ projectId: 'art', specListId: 'sl_2', specs: [longestSpec(0)], questions: [], by: '<@U1>' }).fallback,
      /^Spec list sl_2: 1 spec, 0 questions\./,
    );
  });

  it('GIVEN the dry-run of a Generate press THEN the answer names the rule and the admin gate, or what is missing', () => {
    const gated = firing({ approval: { required: true, reason: 'costly', steps: ['gen'], decision: 'approved', assumed: true } });
    assert.equal(
      answer([gated]),
      "🎨 Asked for 4 variants of *knight 1* (`knight-1-abc`): rule 'Gen' will generate them once an admin approves.",
    );
    assert.match(
      answer([gated, firing({ ruleName: 'Log it' })], false),
      /^☑️ Already asked .*: rule 'Gen' will generate them once an admin approves\. Also acting on it: 'Log it'\.$/,
    );
    assert.match(answer([firing({})]), /: rule 'Gen' acts on it now, no approval asked\.$/);
    assert.match(
      answer([firing({ decision: 'skip', reason: 'halted', detail: 'project halted' })]),
      /\. No rule acts on it now: 'Gen' is skipped \(halted: project halted\)\.$/,
    );
    assert.match(
      answer([]),
      /\. No enabled rule acts on spec\.generate_requested yet: a lead adds one that enqueues generate with `\{"specId": "\$\{event\.payload\.specId\}"/,
    );
  });

  it('GIVEN /spec text THEN add keeps the wishlist’s lines; anything else gets the usage', () => {
    assert.deepEqual(parseSpec('add 3 knights\n1 potion prop '), { ok: true, command: { sub: 'add', text: '3 knights\n1 potion prop' } });
    assert.deepEqual(parseSpec('add\n3 knights'), { ok: true, command: { sub: 'add', text: '3 knights' } });
    for (const text of ['', 'help', 'add', 'add   ', 'remove x']) {
      const out = parseSpec(text);
      assert.equal(out.ok, false, text);
      if (!out.ok) assert.match(out.usage, /`\/spec add <wishlist>`/);
    }
    assert.match((parseSpec('remove x') as { problem: string }).problem, /Unknown subcommand `remove`/);
  });
});
