// /rule list | show | dry-run | enable | disable | log, and the preview's
// "Enable rule" and "Run exactly this" buttons.
import type { Principal } from '../../engine/index.js';
import { dryRunView } from '../views/dry-run.js';
import { packValue, unpackValue } from '../views/ids.js';
import { ruleListView, ruleLogView, ruleShowView, type RuleSummary } from '../views/rules.js';
import { textView, type View } from '../views/view.js';
import { CommandRefusal, principalOf, projectOf, type ChatContext } from './context.js';
import { parseRule, type RuleCommand } from './parse.js';

type RuleRow = ReturnType<ChatContext['engine']['rules']['list']>[number];

const triggerOf = (r: RuleRow): string => {
  const t = (r.definition as { trigger?: { event?: string; schedule?: string } }).trigger ?? {};
  return t.event ? `\`${t.event}\`` : `schedule \`${t.schedule}\``;
};
const summary = (r: RuleRow): RuleSummary => ({ id: r.id, name: r.name, version: r.version, enabled: r.enabled, trigger: triggerOf(r) });

/** A rule by id, exact name (any case) or a name prefix only one rule has. */
export function findRule(rows: RuleRow[], ref: string): RuleRow {
  const lower = ref.toLowerCase();
  const hit = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name.toLowerCase() === lower);
  if (hit) return hit;
  const prefixed = rows.filter((r) => r.name.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1)
    throw new CommandRefusal(`\`${ref}\` matches ${prefixed.length} rules (${prefixed.map((r) => `\`${r.id}\``).join(', ')}); use the id.`);
  throw new CommandRefusal(`No rule \`${ref}\` in this project; \`/rule list\` shows them.`);
}

export async function ruleCommand(ctx: ChatContext, text: string): Promise<View> {
  const parsed = parseRule(text);
  if (!parsed.ok) return textView(parsed.problem ? `${parsed.problem}\n${parsed.usage}` : parsed.usage);
  const projectId = projectOf(ctx);
  const p = await principalOf(ctx, projectId);
  return runRule(ctx, p, projectId, parsed.command);
}

async function runRule(ctx: ChatContext, p: Principal, projectId: string, cmd: RuleCommand): Promise<View> {
  const rules = ctx.engine.rules;
  if (cmd.sub === 'list') {
    const stats = new Map(rules.listWithStats(p, projectId).map((r) => [r.id, r.stats]));
    return ruleListView(
      projectId,
      rules.list(p, projectId).map((r) => ({ ...summary(r), ...(stats.get(r.id) ? { stats: stats.get(r.id)! } : {}) })),
    );
  }
  const rule = findRule(rules.list(p, projectId), cmd.rule);
  switch (cmd.sub) {
    case 'show':
      return ruleShowView(summary(rule), rule.definition);
    case 'enable':
    case 'disable': {
      const row = rules.setEnabled(p, projectId, rule.id, cmd.sub === 'enable');
      return textView(`${row.enabled ? '🟢 Enabled' : '⚪ Disabled'} *${row.name}* (v${row.version}) — by <@${ctx.userId}>.`);
    }
    case 'log': {
      const runs = ctx.engine.runs.list(p, projectId, { ruleId: rule.id }).slice(0, 15);
      return ruleLogView(
        summary(rule),
        runs.map((r) => ({
          id: r.id,
          status: r.status,
          subject: `${r.subjectKind} ${r.subjectId}`,
          reason: r.reason,
          error: r.error,
          createdAt: r.createdAt,
        })),
      );
    }
    case 'dry-run': {
      const event = rules.previewEvent(p, projectId, rule.id, cmd.target);
      const plan = rules.dryRun(p, projectId, rule.id, { event });
      const runValue = packValue(projectId, rule.id, plan.hash, Buffer.from(JSON.stringify(event)).toString('base64url'));
      return dryRunView({
        projectId,
        rule: { id: rule.id, name: rule.name, enabled: rule.enabled },
        plan,
        canEnable: p.role !== 'artist',
        runValue: runValue.length <= 2000 ? runValue : null,
      });
    }
  }
}

/** "Enable rule" on a preview. */
export async function enableFromPreview(ctx: ChatContext, value: unknown): Promise<View> {
  const [projectId, ruleId] = unpackValue(value, 2) ?? [];
  if (!projectId || !ruleId) throw new CommandRefusal('This button is from an old or altered message; run the dry-run again.');
  const p = await principalOf(ctx, projectId);
  const row = ctx.engine.rules.setEnabled(p, projectId, ruleId, true);
  return textView(`🟢 Enabled *${row.name}* (v${row.version}) — by <@${ctx.userId}>.`);
}

/** "Run exactly this": the plan runs only if it still hashes the same (else the engine answers 409). */
export async function runFromPreview(ctx: ChatContext, value: unknown): Promise<View> {
  const [projectId, ruleId, hash, encoded] = unpackValue(value, 4) ?? [];
  if (!projectId || !ruleId || !hash || !encoded)
    throw new CommandRefusal('This button is from an old or altered message; run the dry-run again.');
  const p = await principalOf(ctx, projectId);
  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new CommandRefusal('This button is from an old or altered message; run the dry-run again.');
  }
  const out = await Promise.resolve(ctx.engine.rules.run(p, projectId, ruleId, { hash, event }));
  return textView(
    `▶ Running the previewed plan (event \`${out.eventId}\`, ${out.summary.firings} firings, ${out.summary.jobs} jobs) — by <@${ctx.userId}>.`,
  );
}
