// The /rule dry-run preview: the whole chain the planner predicts (firings,
// skips with reasons, approval gates, cost, depth), with "Enable rule" and
// "Run exactly this" (tied to the plan hash).
import type { FiringNode, Plan, PlannedEvent } from '../../engine/index.js';
import { actionIds, packValue } from './ids.js';
import type { Block, Control, View } from './view.js';

/** The longest text one block may carry in any renderer (Slack section: 3000). */
export const TEXT_BLOCK_LIMIT = 2900;
/** Text blocks a preview may use; the rest of a huge chain is summarised. */
const MAX_TREE_BLOCKS = 30;

export function firingLine(f: FiringNode, rootDepth: number): string {
  const indent = '\u2003'.repeat(Math.max(0, f.depth - rootDepth));
  const arrow = f.depth > rootDepth ? '↳ ' : '';
  if (f.decision === 'skip')
    return `${indent}${arrow}⏭ *${f.ruleName}* (depth ${f.depth}) skipped: ${f.reason}${f.detail ? ` — ${f.detail}` : ''}`;
  const steps = (f.steps ?? [])
    .map((s) => `${s.id}: ${s.jobType ?? s.type}${s.cost ? ` (${s.cost})` : ''}${s.wouldFail ? ` ⚠ would fail: ${s.wouldFail}` : ''}`)
    .join(', ');
  const gate = f.approval ? ' 🔒 needs admin approval' : '';
  const cycle = f.cycle ? ` 🔁 cycle ${f.cycle.join(' → ')}` : '';
  return `${indent}${arrow}▶ *${f.ruleName}* (depth ${f.depth}) fires${f.uncertain ? ' (if the earlier steps' + "'" + ' outputs match)' : ''}: ${steps || 'no steps'}${gate}${cycle}`;
}

/** Every firing node in the order the planner expanded them (breadth first). */
export function firingsOf(plan: Plan): FiringNode[] {
  const out: FiringNode[] = [];
  const queue: PlannedEvent[] = [plan.root];
  while (queue.length > 0) {
    const ev = queue.shift()!;
    for (const f of ev.firings) {
      out.push(f);
      for (const s of f.steps ?? []) queue.push(...s.emits);
      queue.push(...(f.runEvents ?? []));
    }
  }
  return out;
}

/**
 * What a failure would set off, one line per rule it fires: for each firing on the expected path, each
 * step whose `onFailure` branch (job.failed, run.failed) fires a rule.
 */
export function failureLines(plan: Plan): string[] {
  const out: string[] = [];
  for (const f of firingsOf(plan))
    for (const s of f.steps ?? [])
      for (const e of s.onFailure ?? [])
        for (const g of e.firings)
          if (g.decision === 'fire') out.push(`↯ if *${f.ruleName}* step ${s.id} fails: \`${e.type}\` → *${g.ruleName}* fires`);
  return out;
}

/** Pack lines into as few text blocks as fit the per-block limit. */
export function packLines(lines: string[], limit = TEXT_BLOCK_LIMIT): string[] {
  const chunks: string[] = [];
  let cur = '';
  for (const raw of lines) {
    const line = raw.length > limit ? `${raw.slice(0, limit - 1)}…` : raw;
    if (cur && cur.length + 1 + line.length > limit) {
      chunks.push(cur);
      cur = line;
    } else cur = cur ? `${cur}\n${line}` : line;
  }
  if (cur) chunks.push(cur);
  return chunks;
}

export interface DryRunViewInput {
  projectId: string;
  rule: { id: string; name: string; enabled: boolean };
  plan: Plan;
  /** Offer "Enable rule" (the asker is lead or more and the rule is off). */
  canEnable: boolean;
  /** The value "Run exactly this" carries, or null when the event is too large to carry. */
  runValue: string | null;
}

export function dryRunView(input: DryRunViewInput): View {
  const { plan, rule } = input;
  const s = plan.summary;
  const root = plan.root;
  const blocks: Block[] = [
    { kind: 'heading', text: `Dry-run: ${rule.name}` },
    {
      kind: 'text',
      text: `Event \`${root.type}\` on ${root.subject.kind} \`${String(root.subject.id)}\` (depth ${root.depth}). Nothing was run.`,
    },
    {
      kind: 'fields',
      fields: [
        { label: 'Firings', value: String(s.firings) },
        { label: 'Skips', value: String(s.skips) },
        { label: 'Jobs', value: String(s.jobs) },
        { label: 'Approval gates', value: String(s.approvals) },
        { label: 'Estimated cost', value: String(Number(s.cost.toFixed(4))) },
        { label: 'Stops', value: `${s.stops}${s.truncated ? ' (truncated)' : ''}` },
      ],
    },
  ];
  const lines = firingsOf(plan).map((f) => firingLine(f, root.depth));
  if (lines.length === 0) lines.push('No rule fires for this event.');
  const chunks = packLines(lines);
  for (const c of chunks.slice(0, MAX_TREE_BLOCKS)) blocks.push({ kind: 'text', text: c });
  if (chunks.length > MAX_TREE_BLOCKS)
    blocks.push({
      kind: 'context',
      text: `…the chain goes on (${chunks.length - MAX_TREE_BLOCKS} more parts); dry-run it through the API for the whole plan.`,
    });
  const ifFailing = failureLines(plan);
  if (ifFailing.length > 0)
    blocks.push({
      kind: 'context',
      text: packLines([...ifFailing.slice(0, 10), ...(ifFailing.length > 10 ? [`…and ${ifFailing.length - 10} more`] : [])])[0]!,
    });
  for (const st of plan.stops.slice(0, 5))
    blocks.push({
      kind: 'context',
      text: `Stop: ${st.reason} at depth ${st.depth} (${st.chain.join(' → ')})${st.detail ? ` — ${st.detail}` : ''}`,
    });
  if (plan.cycles.length > 0) blocks.push({ kind: 'context', text: `Cycles: ${plan.cycles.map((c) => c.join(' → ')).join('; ')}` });
  blocks.push({ kind: 'context', text: `plan ${plan.hash}` });
  const controls: Control[] = [];
  if (input.canEnable && !rule.enabled)
    controls.push({
      kind: 'button',
      actionId: actionIds.ruleEnable,
      label: 'Enable rule',
      value: packValue(input.projectId, rule.id),
      tone: 'primary',
    });
  if (input.runValue)
    controls.push({
      kind: 'button',
      actionId: actionIds.ruleRun,
      label: 'Run exactly this',
      value: input.runValue,
      confirm: {
        title: 'Run this plan?',
        text: `Runs ${rule.name} for this event, exactly as previewed (refused if anything changed since).`,
        confirm: 'Run',
        deny: 'Cancel',
      },
    });
  if (controls.length > 0) blocks.push({ kind: 'actions', controls });
  return { fallback: `Dry-run of ${rule.name}: ${s.firings} firings, ${s.jobs} jobs, cost ${s.cost}`, blocks };
}
