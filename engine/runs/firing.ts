// Firing: which rules a stored event fires (the planner's own decide()), as a durable run per
// firing — held while halted, skipped with its reason, waiting for approval, or admitted — and
// the re-decision of a held run on resume. The runner owns what happens to a run after that.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { newId } from '../ids.js';
import { approvalGate } from '../rules/actions.js';
import { decide, triggersOn, type EventView } from '../rules/matching.js';
import type { RuleDefinition } from '../rules/schema.js';
import type { EventRow } from '../store/events.js';
import type { RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { failedAfterCommit, type Effects } from './units.js';

/** Reasons worth a durable 'skipped' run; the rest (conditions, scope) only go to the log. */
const recordedSkips = new Set(['depth_limit', 'debounced', 'manual_override', 'halted']);

/** Some events of a run could not be handled: these are the ones a retry must handle (the others are done). */
export class EventsFailed extends Error {
  constructor(
    readonly eventIds: string[],
    cause: Error,
  ) {
    super(cause.message, { cause });
    this.name = 'EventsFailed';
  }
}

/** Events fired in one unit (one transaction): ~0.3 ms each here, so a unit holds the thread ~2-3 ms at most. */
const EVENTS_PER_UNIT = 8;

export function runIdempotencyKey(ruleId: string, version: number, eventKey: string): string {
  return createHash('sha256').update(`${ruleId}\n${version}\n${eventKey}`).digest('hex').slice(0, 40);
}

export function eventView(ev: EventRow): EventView {
  return {
    id: ev.id,
    projectId: ev.projectId,
    type: ev.type,
    subject: { kind: ev.subjectKind, id: ev.subjectId },
    payload: ev.payload,
    depth: ev.depth,
    actor: ev.actor,
    source: ev.source,
    correlationId: ev.correlationId,
  };
}

export interface FiringDeps<L> {
  store: Store;
  logger: Logger;
  unit: (work: (fx: Effects) => void) => Promise<void>;
  eventById: (projectId: string, id: string) => EventRow | undefined;
  manualRuleOf: (ev: EventRow) => { manual: string | null; isRoot: boolean };
  /** A run as the step code needs it, and carrying it on (a redelivery of a run a crash stopped half-way). */
  load: (runId: string) => L;
  resumeNow: (fx: Effects, loaded: L) => void;
  admitNow: (fx: Effects, runId: string, reason: string | null) => void;
  requestApproval: (run: RunRow, def: RuleDefinition, cause: EventRow, steps: string[]) => Promise<void>;
}

export function createFiring<L>(deps: FiringDeps<L>) {
  const { logger, unit, eventById, manualRuleOf, load, resumeNow, admitNow, requestApproval } = deps;
  const { rules, runs, world, approvals } = deps.store;

  /** Fire, within the caller's unit, every enabled rule the event triggers; the runs it started go to `started`. */
  function fire(fx: Effects, ev: EventRow, started: RunRow[]): void {
    const projectId = ev.projectId;
    const view = eventView(ev);
    const { manual, isRoot } = manualRuleOf(ev);
    for (const rule of rules.records(projectId)) {
      const candidate = manual && isRoot ? rule.id === manual : rule.enabled || rule.id === manual;
      if (!candidate || !triggersOn(rule, ev)) continue;
      const d = decide(rule, view, world);
      const base = {
        projectId,
        ruleId: rule.id,
        ruleVersion: rule.version,
        eventId: ev.id,
        subjectKind: ev.subjectKind,
        subjectId: ev.subjectId,
        idempotencyKey: runIdempotencyKey(rule.id, rule.version, `${ev.projectId}/${ev.idempotencyKey}`),
        correlationId: ev.correlationId,
        depth: ev.depth,
        planHash: null,
      };
      if (!d.fires && d.reason === 'halted' && decide(rule, view, { ...world, halt: () => null }).fires) {
        // Held, not dropped: the firing waits as a 'halted' run and is replayed (or discarded) on resume.
        const held = runs.create(
          { ...base, id: newId('run'), status: 'halted', reason: `held: ${d.detail ?? 'halted'}` },
          rule.definition.actions.map((a) => ({ stepId: a.id, type: a.type })),
        );
        // The change feed tells subscribers (the halt panels' held counts) once this commits.
        if (held.created) started.push(held.run);
        continue;
      }
      if (!d.fires) {
        logger.info({ ruleId: rule.id, eventId: ev.id, reason: d.reason, detail: d.detail }, 'rule did not fire');
        if (recordedSkips.has(d.reason!))
          runs.create({ ...base, id: newId('run'), status: 'skipped', reason: `${d.reason}: ${d.detail ?? ''}` }, []);
        continue;
      }
      const gate = approvalGate(rule.definition);
      const { run, created } = runs.create(
        {
          ...base,
          id: newId('run'),
          status: gate ? 'awaiting_approval' : 'planned',
          reason: gate ? `needs admin approval (${gate.reason}: ${gate.steps.join(', ')})` : null,
        },
        rule.definition.actions.map((a) => ({ stepId: a.id, type: a.type })),
      );
      if (!created) {
        // A redelivery: the run exists; if an earlier attempt stopped half-way (a crash, a failed submit
        // beside it in its unit), carry it on, or ask for the approval it never asked for.
        if (run.status === 'running') resumeNow(fx, load(run.id));
        if (run.status === 'awaiting_approval' && gate && !approvals.byRun(run.id))
          fx.after.push({ kind: 'later', run: () => requestApproval(run, rule.definition, ev, gate.steps) });
        continue;
      }
      started.push(run);
      if (gate) fx.after.push({ kind: 'later', run: () => requestApproval(run, rule.definition, ev, gate.steps) });
      else admitNow(fx, run.id, null);
    }
  }

  /** Fire every enabled rule the event triggers. Safe to call again for the same event. */
  async function processEvent(projectId: string, eventId: string): Promise<RunRow[]> {
    return processEvents(projectId, [eventId]);
  }

  /**
   * Fire a run of one project's events, in order, a few per unit: each unit's rows commit in one transaction
   * and its submits go out together; short units keep the thread free for other projects' work between them.
   * Safe to call again for the same events (a redelivery carries on what a crash left half-way).
   */
  async function processEvents(projectId: string, eventIds: readonly string[]): Promise<RunRow[]> {
    const started: RunRow[] = [];
    // One event that cannot be handled must not hold the others: the rest of its unit goes again one event per
    // unit and later units go on. A failure after a unit committed (a submit: Redis is away) stops here. Either
    // way the error names only the events still to do, so a retry handles those and nothing twice.
    let failed: Error | undefined;
    const retry: string[] = [];
    const note = (err: unknown) => void (failed ??= err instanceof Error ? err : new Error(String(err)));
    // What a unit started counts once it has committed.
    const fireAll = async (list: EventRow[]) => {
      const mine: RunRow[] = [];
      await unit((fx) => list.forEach((ev) => fire(fx, ev, mine)));
      started.push(...mine);
    };
    chunks: for (let i = 0; i < eventIds.length; i += EVENTS_PER_UNIT) {
      // Between units, a turn of the event loop: other projects' requests and Redis replies run here. A unit
      // without effects resolves at once, and awaiting it alone yields to promises only, not to I/O.
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const evs: EventRow[] = [];
      for (const id of eventIds.slice(i, i + EVENTS_PER_UNIT)) {
        const ev = eventById(projectId, id);
        if (ev) evs.push(ev);
        else logger.warn({ eventId: id }, 'runner: event not found');
      }
      if (evs.length === 0) continue;
      try {
        await fireAll(evs);
        continue;
      } catch (err) {
        note(err);
        if (failedAfterCommit(err)) {
          retry.push(...eventIds.slice(i));
          break;
        }
        if (evs.length === 1) {
          retry.push(evs[0]!.id);
          continue;
        }
      }
      for (const [k, ev] of evs.entries()) {
        try {
          await fireAll([ev]);
        } catch (err) {
          note(err);
          if (failedAfterCommit(err)) {
            retry.push(...evs.slice(k).map((x) => x.id), ...eventIds.slice(i + EVENTS_PER_UNIT));
            break chunks;
          }
          retry.push(ev.id);
        }
      }
    }
    if (failed) throw new EventsFailed(retry, failed);
    return started;
  }

  /** Re-decide a held or replayed run against the current rules and world; start it if it still fires. */
  // One unit: the re-decision and what it starts commit together; an approval request follows the commit.
  async function replay(runId: string): Promise<RunRow> {
    await unit((fx) => {
      const run = runs.get(runId)!;
      if (run.status !== 'halted') return; // replayed already (a second resume, or recovery after a crash)
      const ev = eventById(run.projectId, run.eventId)!;
      const rule = rules.records(run.projectId).find((r) => r.id === run.ruleId) ?? null;
      const manual = manualRuleOf(ev).manual === run.ruleId;
      if (!rule || (!rule.enabled && !manual) || rule.version !== run.ruleVersion) {
        runs.setStatus(run.id, 'skipped', {
          reason: rule
            ? `rule changed or disabled since it was held (now version ${rule.version}, ${rule.enabled ? 'enabled' : 'disabled'})`
            : 'rule deleted since it was held',
        });
        return;
      }
      const d = decide(rule, eventView(ev), world);
      if (!d.fires) {
        if (d.reason !== 'halted') runs.setStatus(run.id, 'skipped', { reason: `${d.reason}: ${d.detail ?? ''}` });
        return;
      }
      const gate = approvalGate(rule.definition);
      if (gate) {
        runs.setStatus(run.id, 'awaiting_approval', { reason: 'replayed after resume' });
        fx.after.push({ kind: 'later', run: () => requestApproval(runs.get(runId)!, rule.definition, ev, gate.steps) });
      } else admitNow(fx, run.id, 'replayed after resume');
    });
    return runs.get(runId)!;
  }

  return { processEvent, processEvents, replay };
}
