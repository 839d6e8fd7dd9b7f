// Every view the bot renders stays inside Block Kit's limits, however large
// its input; and the validator itself catches each kind of violation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Plan } from '../../../engine/index.js';
import { checkMessage, checkModal } from '../../../bot/slack/limits.js';
import { haltDialog, renderMessage } from '../../../bot/slack/render.js';
import { dryRunView, failureLines, firingsOf } from '../../../bot/views/dry-run.js';
import { plan as planRules } from '../../../engine/rules/planner.js';
import { ruleInputSchema, type RuleRecord } from '../../../engine/rules/schema.js';
import { tagChoices, variantCard } from '../../../bot/views/variant.js';
import { largestViews } from '../../helpers/views.js';
import { parseGreenlight, parseHaltScope, parseRule } from '../../../bot/commands/parse.js';

const long = (n: number) => 'x'.repeat(n);

/** A plan with `n` firings in a chain, each with a long rule name and steps. */
function bigPlan(n: number): Plan {
  const root = { id: 'e0', type: 'variant.approved', subject: { kind: 'variant', id: 'v1' }, payload: {}, depth: 0, firings: [] as any[] };
  let ev = root;
  for (let i = 0; i < n; i++) {
    const child = {
      id: `e${i + 1}`,
      type: 'job.completed',
      subject: { kind: 'job', id: `j${i}` },
      payload: {},
      depth: i + 1,
      firings: [] as any[],
    };
    ev.firings.push({
      ruleId: `r${i}`,
      ruleVersion: 1,
      ruleName: `Rule ${i} ${long(200)}`,
      depth: i,
      decision: 'fire',
      chain: [],
      steps: [
        {
          id: 'cutout',
          type: 'enqueue_job',
          jobType: 'bg_remove',
          jobId: 'x',
          config: {},
          jobs: 1,
          cost: 0.2,
          needsApproval: false,
          emits: [child],
        },
      ],
    });
    ev = child;
  }
  return {
    hash: 'h'.repeat(32),
    root,
    summary: { firings: n, skips: 0, jobs: n, approvals: 0, stops: 0, cost: n * 0.2, costByJobType: {}, truncated: false },
    stops: [],
    cycles: [],
    reads: {},
  } as unknown as Plan;
}

describe('Block Kit limits', () => {
  it('GIVEN a project with 300 tags and 200-character ids THEN a variant card stays within limits', () => {
    const tags = tagChoices({ style: Array.from({ length: 300 }, (_, i) => `t${i}-${long(60)}`) });
    const v = {
      projectId: 'p'.repeat(60),
      assetId: 'a'.repeat(128),
      variantId: 'v'.repeat(128),
      index: 1,
      status: 'approved' as const,
      primary: true,
      tags: tags.slice(0, 40),
      decidedBy: 'slack:U1',
      decidedAt: 1,
      image: { projectId: 'p', path: 'x.png' },
    };
    const msg = renderMessage(variantCard(v, { tagChoices: tags, review: true }), new Map([['x.png', 'F1']]));
    assert.deepEqual(checkMessage(msg), []);
  });

  it('GIVEN a dry-run of a 400-firing chain THEN the preview is split into blocks that fit, and says the chain goes on', () => {
    const plan = bigPlan(400);
    assert.equal(firingsOf(plan).length, 400);
    const msg = renderMessage(
      dryRunView({ projectId: 'art', rule: { id: 'r0', name: long(300), enabled: false }, plan, canEnable: true, runValue: long(1990) }),
    );
    assert.deepEqual(checkMessage(msg), []);
    assert.ok(msg.blocks.length <= 50);
    assert.match(JSON.stringify(msg.blocks), /the chain goes on/);
  });

  it('GIVEN a plan whose step fires a rule only if it fails THEN the preview says so, within limits', () => {
    const rules: RuleRecord[] = [
      {
        trigger: { event: 'variant.tagged' },
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { variantId: 'v1' } } }],
      },
      { trigger: { event: 'job.failed' }, actions: [{ type: 'notify', config: { text: 'cut-out failed' } }] },
    ].map((r, i) => ({
      id: `r${i}`,
      projectId: 'p',
      version: 1,
      enabled: true,
      definition: ruleInputSchema.parse({ name: `rule ${i}`, ...r }),
    }));
    const world = { halt: () => null, entity: () => null, recentlyFired: () => false };
    const event = { projectId: 'p', type: 'variant.tagged', subject: { kind: 'variant', id: 'v1' }, payload: {}, depth: 0 };
    const plan = planRules(rules, event, world, { costs: {} });
    assert.deepEqual(failureLines(plan), ['↯ if *rule 0* step step1 fails: `job.failed` → *rule 1* fires']);
    const msg = renderMessage(
      dryRunView({ projectId: 'p', rule: { id: 'r0', name: 'rule 0', enabled: true }, plan, canEnable: false, runValue: null }),
    );
    assert.deepEqual(checkMessage(msg), []);
    assert.match(JSON.stringify(msg.blocks), /if \*rule 0\* step step1 fails/);
  });

  it('GIVEN approvals, halt panels, rule lists and logs at their largest THEN all stay within limits', () => {
    const views = largestViews();
    for (const v of views) {
      assert.ok(v.blocks.length <= 50, 'the view itself fits: the renderer never has to drop blocks');
      assert.deepEqual(checkMessage(renderMessage(v)), []);
    }
    assert.equal(views[2]!.blocks.at(-1)!.kind, 'actions', 'the panel keeps its button however many halts it lists');
    assert.deepEqual(checkModal(haltDialog('p'.repeat(63), 'gl.halt.submit')), []);
  });

  it('GIVEN messages that break the limits THEN the validator names each problem', () => {
    const button = (over: Record<string, unknown> = {}) => ({
      type: 'button',
      action_id: 'a',
      text: { type: 'plain_text', text: 'ok' },
      value: 'v',
      ...over,
    });
    const cases: [string, unknown[]][] = [
      ['blocks: 51 blocks, limit 50', Array.from({ length: 51 }, () => ({ type: 'divider' }))],
      [
        'elements: 26 elements, limit 25',
        [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })) }],
      ],
      ['text.text: 3001 characters, limit 3000', [{ type: 'section', text: { type: 'mrkdwn', text: long(3001) } }]],
      ['text.text: 76 characters, limit 75', [{ type: 'actions', elements: [button({ text: { type: 'plain_text', text: long(76) } })] }]],
      ['value: 2001 characters, limit 2000', [{ type: 'actions', elements: [button({ value: long(2001) })] }]],
      ['text.text: 151 characters, limit 150', [{ type: 'header', text: { type: 'plain_text', text: long(151) } }]],
      ["'a' repeats", [{ type: 'actions', elements: [button(), button()] }]],
      [
        'options: 101 options',
        [
          {
            type: 'actions',
            elements: [
              {
                type: 'static_select',
                action_id: 's',
                options: Array.from({ length: 101 }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `${i}` })),
              },
            ],
          },
        ],
      ],
      [
        'value: 151 characters, limit 150',
        [
          {
            type: 'actions',
            elements: [{ type: 'static_select', action_id: 's', options: [{ text: { type: 'plain_text', text: 'o' }, value: long(151) }] }],
          },
        ],
      ],
      ['an image needs', [{ type: 'image', alt_text: 'x' }]],
      ['fields: at most 10', [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }]],
    ];
    for (const [problem, blocks] of cases) {
      const problems = checkMessage({ text: 'fallback', blocks });
      assert.ok(
        problems.some((p) => p.includes(problem)),
        `${problem}: got ${JSON.stringify(problems)}`,
      );
    }
  });
});

describe('slash command parsing', () => {
  it('GIVEN /rule input THEN subcommands parse and anything else gets usage help', () => {
    assert.deepEqual(parseRule('list'), { ok: true, command: { sub: 'list' } });
    assert.deepEqual(parseRule('dry-run Approved cut-out hero_a_1'), {
      ok: true,
      command: { sub: 'dry-run', rule: 'Approved cut-out', target: 'hero_a_1' },
    });
    assert.deepEqual(parseRule('dry-run rule_1'), { ok: true, command: { sub: 'dry-run', rule: 'rule_1', target: null } });
    assert.deepEqual(parseRule('log My rule'), { ok: true, command: { sub: 'log', rule: 'My rule' } });
    for (const bad of ['', 'help', 'frobnicate x', 'show', 'enable']) {
      const r = parseRule(bad);
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.match(r.usage, /\/rule dry-run/);
    }
  });
  it('GIVEN /halt and /greenlight input THEN scopes, reasons and purposes parse', () => {
    assert.deepEqual(parseHaltScope('all bad outputs'), { scope: 'global', rule: null, rest: 'bad outputs' });
    assert.deepEqual(parseHaltScope('rule r1 looping'), { scope: 'rule', rule: 'r1', rest: 'looping' });
    assert.deepEqual(parseHaltScope('GPU bill'), { scope: 'project', rule: null, rest: 'GPU bill' });
    assert.deepEqual(parseGreenlight('bind art admin'), { ok: true, command: { sub: 'bind', projectId: 'art', purpose: 'admin' } });
    assert.equal(parseGreenlight('bind art owners').ok, false);
    assert.equal(parseGreenlight('').ok, false);
  });
});

describe('Slack app manifest', () => {
  it('GIVEN bot/slack/manifest.json THEN it declares every slash command and event the bot listens to, all on /slack/events', async () => {
    const { readFileSync } = await import('node:fs');
    const m = JSON.parse(readFileSync('bot/slack/manifest.json', 'utf8'));
    const commands = m.features.slash_commands.map((c: { command: string }) => c.command).sort();
    const { slashCommands } = await import('../../../bot/slack/app.js');
    assert.deepEqual(commands, [...slashCommands].sort());
    for (const c of m.features.slash_commands) assert.match(c.url, /\/slack\/events$/);
    assert.match(m.settings.event_subscriptions.request_url, /\/slack\/events$/);
    assert.match(m.settings.interactivity.request_url, /\/slack\/events$/);
    assert.deepEqual([...m.settings.event_subscriptions.bot_events].sort(), ['reaction_added', 'reaction_removed']);
    for (const scope of ['chat:write', 'commands', 'files:write', 'reactions:read', 'usergroups:read'])
      assert.ok(m.oauth_config.scopes.bot.includes(scope), scope);
  });
});

describe('Slack configuration', () => {
  it('GIVEN no credentials THEN the bot is off and says what to set; bad values name the variable; Socket Mode needs no signing secret', async () => {
    const { loadSlackConfig } = await import('../../../bot/slack/config.js');
    const off = loadSlackConfig({});
    assert.ok('off' in off && /SLACK_BOT_TOKEN/.test(off.off));
    assert.throws(
      () => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123', SLACK_REACTIONS: '{nope' }),
      /SLACK_REACTIONS: must be JSON like/,
    );
    assert.throws(
      () => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123', SLACK_REACTIONS: '{"x":"delete"}' }),
      /SLACK_REACTIONS/,
    );
    const socket = loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    assert.ok(!('off' in socket) && socket.appToken === 'xapp-1' && socket.signingSecret === null);
    const on = loadSlackConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'secret-123',
      SLACK_REACTIONS: '{"thumbsup":"approve"}',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });
    assert.ok(!('off' in on));
    if (!('off' in on)) {
      assert.deepEqual(on.reactions, { thumbsup: 'approve' });
      assert.equal(on.apiUrl, 'http://127.0.0.1:9/api/');
    }
  });
});
