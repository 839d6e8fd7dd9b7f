// A dry-run plan and what ran, as comparable facts: each event by its path from
// the root (rule / step / type at every hop), each firing with how its run ended
// or why it was skipped, each step that ended with its status.
import assert from 'node:assert/strict';
import type { PlannedEvent } from '../../engine/index.js';
import { waitFor, type TestEngine } from './engine.js';

export type Fact = string;

/** The plan's tree as facts: events by their path from the root, firings, steps, recorded skips. */
export function plannedFacts(root: PlannedEvent): Fact[] {
  const out: Fact[] = [];
  const visit = (ev: PlannedEvent, sig: string) => {
    for (const f of ev.firings) {
      if (f.decision === 'skip') {
        if (['depth_limit', 'debounced', 'manual_override', 'halted'].includes(f.reason!))
          out.push(`F ${sig} | ${f.ruleId} skip:${f.reason}`);
        continue;
      }
      out.push(`F ${sig} | ${f.ruleId} fire:${f.outcome}`);
      for (const s of f.steps ?? []) {
        out.push(`S ${sig} | ${f.ruleId} ${s.id} ${s.wouldFail ? 'failed' : 'succeeded'}`);
        for (const c of s.emits) child(c, `${sig} > ${f.ruleId}/${s.id}/${c.type}`);
      }
      for (const c of f.runEvents ?? []) child(c, `${sig} > ${f.ruleId}/-/${c.type}`);
    }
  };
  const child = (c: PlannedEvent, sig: string) => {
    out.push(`E ${sig}`);
    visit(c, sig);
  };
  visit(root, 'root');
  return out.sort();
}

interface EventRow {
  id: string;
  causation_id: string | null;
  idempotency_key: string;
  type: string;
}
interface RunRow {
  id: string;
  rule_id: string;
  event_id: string;
  status: string;
  reason: string | null;
}

/** The same facts, read from what ran: events by causation and idempotency key, runs, steps. */
export function ranFacts(t: TestEngine, projectId: string, rootId: string): Fact[] {
  const events = t.door.sql
    .prepare('SELECT id, causation_id, idempotency_key, type FROM events WHERE project_id = ? AND correlation_id = ?')
    .all(projectId, rootId) as EventRow[];
  const runs = t.door.sql
    .prepare('SELECT id, rule_id, event_id, status, reason FROM runs WHERE project_id = ? AND correlation_id = ?')
    .all(projectId, rootId) as RunRow[];
  const steps = t.door.sql
    .prepare(
      `SELECT s.run_id, s.step_id, s.status FROM run_steps s JOIN runs r ON r.id = s.run_id
       WHERE r.project_id = ? AND r.correlation_id = ? AND s.status IN ('succeeded', 'failed')`,
    )
    .all(projectId, rootId) as { run_id: string; step_id: string; status: string }[];
  const runById = new Map(runs.map((r) => [r.id, r]));
  const byId = new Map(events.map((e) => [e.id, e]));
  const sigs = new Map<string, string>();
  const sigOf = (e: EventRow): string => {
    if (e.id === rootId) return 'root';
    const known = sigs.get(e.id);
    if (known) return known;
    const m = /^(run_[^.]+)\.(?:(step\d+(?:-next\d+)?)\.)?(.+)$/.exec(e.idempotency_key);
    assert.ok(m, `engine event key ${e.idempotency_key}`);
    const sig = `${sigOf(byId.get(e.causation_id!)!)} > ${runById.get(m[1]!)!.rule_id}/${m[2] ?? '-'}/${e.type}`;
    sigs.set(e.id, sig);
    return sig;
  };
  const out: Fact[] = [];
  for (const e of events) if (e.id !== rootId) out.push(`E ${sigOf(e)}`);
  for (const r of runs) {
    const at = sigOf(byId.get(r.event_id)!);
    const what = r.status === 'skipped' ? `skip:${r.reason!.split(':')[0]}` : r.status === 'halted' ? 'skip:halted' : `fire:${r.status}`;
    out.push(`F ${at} | ${r.rule_id} ${what}`);
  }
  for (const s of steps) {
    const r = runById.get(s.run_id)!;
    out.push(`S ${sigOf(byId.get(r.event_id)!)} | ${r.rule_id} ${s.step_id} ${s.status}`);
  }
  return out.sort();
}

/** Wait until nothing is unpublished, no run is going or waiting and no queue holds work: three polls in a row. */
export async function settle(
  t: TestEngine,
  queues: { getJobCounts(...types: string[]): Promise<Record<string, number>> }[],
  onPoll: () => Promise<void> = async () => {},
  timeoutMs = 30_000,
): Promise<void> {
  let quiet = 0;
  await waitFor(
    async () => {
      await onPoll();
      const count = (q: string) => (t.door.sql.prepare(q).get() as { n: number }).n;
      const busy =
        count('SELECT count(*) AS n FROM events WHERE published_at IS NULL') +
        count("SELECT count(*) AS n FROM runs WHERE status IN ('planned', 'running', 'awaiting_approval')");
      const counts = await Promise.all(
        queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized')),
      );
      const queued = counts.reduce((s, c) => s + Object.values(c).reduce((a, b) => a + b, 0), 0);
      quiet = busy + queued === 0 ? quiet + 1 : 0;
      return quiet >= 3;
    },
    timeoutMs,
    'the engine to settle',
  );
}
