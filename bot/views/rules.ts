// Replies to /rule list, show and log, and usage help.
import { packLines } from './dry-run.js';
import { when, type Block, type View } from './view.js';

export interface RuleSummary {
  id: string;
  name: string;
  version: number;
  enabled: boolean;
  trigger: string;
  stats?: { runs: number; failures: number; lastRunAt: string | null; lastStatus: string | null };
}

export function ruleListView(projectId: string, rules: RuleSummary[]): View {
  if (rules.length === 0)
    return {
      fallback: 'No rules yet',
      blocks: [
        { kind: 'text', text: `Project \`${projectId}\` has no rules yet. Create them through the API or \`greenlight rule import\`.` },
      ],
    };
  const lines = rules.map(
    (r) =>
      `${r.enabled ? '🟢' : '⚪'} *${r.name}* \`${r.id}\` v${r.version} — on ${r.trigger}${r.stats ? ` · ${r.stats.runs} runs, ${r.stats.failures} failed${r.stats.lastStatus ? `, last ${r.stats.lastStatus}` : ''}` : ''}`,
  );
  const blocks: Block[] = [
    { kind: 'heading', text: `Rules of ${projectId}` },
    ...packLines(lines)
      .slice(0, 45)
      .map((text) => ({ kind: 'text' as const, text })),
  ];
  return { fallback: `${rules.length} rules`, blocks };
}

export function ruleShowView(rule: RuleSummary, definition: unknown): View {
  const json = JSON.stringify(definition, null, 2);
  const body = json.length > 2700 ? `${json.slice(0, 2700)}\n…` : json;
  return {
    fallback: `Rule ${rule.name}`,
    blocks: [
      { kind: 'heading', text: rule.name },
      { kind: 'text', text: `\`${rule.id}\` v${rule.version}, ${rule.enabled ? 'enabled' : 'disabled'}, on ${rule.trigger}` },
      { kind: 'text', text: '```' + body + '```' },
    ],
  };
}

export interface RunSummary {
  id: string;
  status: string;
  subject: string;
  reason: string | null;
  error: string | null;
  createdAt: number;
}

export function ruleLogView(rule: RuleSummary, runs: RunSummary[]): View {
  if (runs.length === 0) return { fallback: 'No runs', blocks: [{ kind: 'text', text: `*${rule.name}* has not run yet.` }] };
  const icon: Record<string, string> = {
    succeeded: '✅',
    failed: '❌',
    running: '▶',
    planned: '⏳',
    awaiting_approval: '🔒',
    cancelled: '🚫',
    halted: '🛑',
    skipped: '⏭',
  };
  const lines = runs.map(
    (r) =>
      `${icon[r.status] ?? '•'} ${when(r.createdAt)} \`${r.id}\` ${r.status} — ${r.subject}${r.error ? `: ${r.error}` : r.reason ? ` (${r.reason})` : ''}`,
  );
  return {
    fallback: `${runs.length} recent runs of ${rule.name}`,
    blocks: [
      { kind: 'heading', text: `Recent runs: ${rule.name}` },
      ...packLines(lines)
        .slice(0, 45)
        .map((text) => ({ kind: 'text' as const, text })),
    ],
  };
}
