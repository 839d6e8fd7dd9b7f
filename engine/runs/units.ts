// Units of runner work. A unit's database writes commit together (one SQLite
// transaction, not one per row); what must wait for the commit — the outbox
// and hooks hearing of stored events, job submits, engine actions — runs after
// it, in order.
import type { WorkJobData } from '../jobs/contracts.js';
import type { StepQueue } from '../queue/jobs.js';
import type { Action } from '../rules/schema.js';
import type { Store } from '../store/store.js';
import type { EventRow } from '../store/events.js';

/** Work a unit leaves until its transaction has committed. */
export type Effect =
  /** `ensure`: a resubmit after a crash — nothing is added if the step's flow is already in Redis. */
  | { kind: 'submit'; runId: string; stepId: string; jobType: StepQueue; jobId: string; data: WorkJobData; ensure?: boolean }
  | { kind: 'engine'; runId: string; stepId: string; jobId: string; action: Action; projectId: string; config: Record<string, unknown> }
  | { kind: 'later'; run: () => void | Promise<void> };

export interface Effects {
  /** Events stored by the unit: the outbox and the hooks hear of them once they are committed. */
  stored: EventRow[];
  after: Effect[];
}

export interface UnitDeps {
  store: Store;
  onStored: (source: string, row?: EventRow) => void;
  submit: (jobType: StepQueue, jobId: string, data: WorkJobData, ensure: boolean) => Promise<void>;
  /** Several new steps' jobs in one Redis transaction (see JobQueues.submitMany). */
  submitMany: (items: { jobType: StepQueue; jobId: string; data: WorkJobData }[]) => Promise<void>;
  /** Run an engine-side action; its output, or throws. */
  runAction: (e: Extract<Effect, { kind: 'engine' }>) => Promise<unknown>;
  /** An engine action ended: record it and go on (a unit of its own). */
  stepFinished: (runId: string, stepId: string, jobId: string, output: unknown, error?: string) => Promise<void>;
  /** A step whose submit failed goes back to pending. */
  backToPending: (runId: string, stepId: string, why: string) => void;
  /** Test-only fault injection (crash tests): called after a unit commits, before its effects. */
  afterCommit?: (effects: readonly Effect[]) => void;
  /** Test-only fault injection (crash tests): called once a submit is in Redis. */
  afterSubmit?: (effect: Effect) => void;
}

/** Errors a unit's effects threw after its transaction had committed (its rows stay: nothing rolled back). */
const afterCommitFailures = new WeakSet<object>();
export const failedAfterCommit = (err: unknown): boolean => typeof err === 'object' && err !== null && afterCommitFailures.has(err);

const isFresh = (e: Effect): e is Extract<Effect, { kind: 'submit' }> => e.kind === 'submit' && e.ensure !== true;

export function createUnits(deps: UnitDeps) {
  const transaction = deps.store.transaction;

  async function perform(after: Effect[]): Promise<void> {
    for (let i = 0; i < after.length; i++) {
      const e = after[i]!;
      if (e.kind === 'later') {
        await e.run();
        continue;
      }
      if (e.kind === 'engine') {
        let output: unknown;
        let error: string | undefined;
        try {
          output = await deps.runAction(e);
        } catch (err) {
          error = (err as Error).message;
        }
        await deps.stepFinished(e.runId, e.stepId, e.jobId, output, error);
        continue;
      }
      // A run of new submits (an events job's runs, a parallel step's jobs) goes to Redis in one transaction.
      let end = i + 1;
      if (!e.ensure) while (end < after.length && isFresh(after[end]!)) end++;
      const group = after.slice(i, end) as Extract<Effect, { kind: 'submit' }>[];
      try {
        if (group.length === 1) await deps.submit(e.jobType, e.jobId, e.data, e.ensure === true);
        else await deps.submitMany(group.map((g) => ({ jobType: g.jobType, jobId: g.jobId, data: g.data })));
        for (const g of group) deps.afterSubmit?.(g);
      } catch (err) {
        // These steps and every one marked running after them go back to pending, so a retry of whatever
        // called us (an event or a step end, redelivered by BullMQ) submits them (same job ids: never twice).
        transaction(() => {
          for (const rest of after.slice(i))
            if (rest.kind !== 'later') deps.backToPending(rest.runId, rest.stepId, `submit failed, will retry: ${(err as Error).message}`);
        });
        throw err;
      }
      i = end - 1;
    }
  }

  return {
    /** Run `work` as one unit: its writes in one transaction, then its effects. */
    async unit(work: (fx: Effects) => void): Promise<void> {
      const fx: Effects = { stored: [], after: [] };
      transaction(() => work(fx));
      deps.afterCommit?.(fx.after);
      for (const row of fx.stored) deps.onStored('engine', row);
      try {
        await perform(fx.after);
      } catch (err) {
        if (typeof err === 'object' && err !== null) afterCommitFailures.add(err);
        throw err;
      }
    },
  };
}
