// What the engine does to runs from outside their steps: cancel one (a unit: its steps, the run and a
// pending approval's denial commit together), and carry on after a start what a killed engine left
// half-way (running runs, interrupted resumes, approvals never requested).
import type { Logger } from 'pino';
import type { Clock } from '../ids.js';
import type { JobQueues } from '../queue/jobs.js';
import { actionOfStep, approvalGate, jobTypeOf } from '../rules/actions.js';
import type { RuleDefinition } from '../rules/schema.js';
import type { ApprovalRow } from '../store/approvals.js';
import type { EventRow } from '../store/events.js';
import type { RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import type { Effects } from './units.js';

export interface RunControlDeps<L extends { def: RuleDefinition; cause: EventRow }> {
  store: Store;
  clock: Clock;
  logger: Logger;
  jobs: JobQueues;
  unit: (work: (fx: Effects) => void) => Promise<void>;
  load: (runId: string) => L | null;
  resumeNow: (fx: Effects, loaded: L | null) => void;
  promoteWaiting: (fx: Effects, projectId: string) => void;
  applyDecision: (approval: ApprovalRow) => Promise<void>;
  requestApproval: (run: RunRow, def: RuleDefinition, cause: EventRow, steps: string[]) => Promise<void>;
  replay: (runId: string) => Promise<RunRow>;
}

export function createRunControl<L extends { def: RuleDefinition; cause: EventRow }>(deps: RunControlDeps<L>) {
  const { clock, logger, jobs, unit, load, resumeNow, promoteWaiting, applyDecision, requestApproval } = deps;
  const { runs, rules, approvals, world } = deps.store;

  /**
   * Stop one run: pending steps never start, the run ends cancelled, a pending approval is denied — one
   * unit. After its commit, jobs not yet started are removed (best effort: a job that runs anyway, or
   * one left by a crash here, finishes and its result is ignored, since its step reads cancelled).
   */
  async function cancel(runId: string, reason: string): Promise<RunRow> {
    let denied: ApprovalRow | null = null;
    await unit((fx) => {
      const run = runs.get(runId)!;
      if (['succeeded', 'failed', 'cancelled', 'skipped'].includes(run.status)) return;
      const def = rules.version(run.ruleId, run.ruleVersion);
      for (const s of runs.steps(runId)) {
        if (s.status !== 'pending' && s.status !== 'running') continue;
        const action = def ? actionOfStep(def.actions, s) : undefined;
        const jt = action ? jobTypeOf(action) : null;
        const jobId = s.jobIds[0];
        if (jt && s.status === 'running' && jobId)
          fx.after.push({
            kind: 'later',
            run: () =>
              jobs
                .cancel(jt, jobId)
                .then((removed) =>
                  logger.info(
                    { runId, jobId, removed },
                    removed ? 'cancelled job removed before it started' : 'cancelled job was already running; its result is ignored',
                  ),
                )
                .catch((err: unknown) =>
                  logger.warn({ err, runId, jobId }, 'could not remove a cancelled job; its result is ignored when it ends'),
                ),
          });
        runs.updateStep(
          runId,
          s.stepId,
          { status: 'cancelled', finishedAt: clock.now() },
          s.status === 'running'
            ? 'cancelled; a job not started yet is removed, one already running finishes and its result is ignored'
            : 'cancelled',
        );
      }
      runs.setStatus(runId, 'cancelled', { reason });
      const pendingApproval = approvals.byRun(runId);
      if (pendingApproval?.status === 'pending') denied = approvals.decide(run.projectId, pendingApproval.id, 'denied', 'cancel');
      promoteWaiting(fx, run.projectId);
    });
    // The run is cancelled already: this only tells the chat the approval's outcome.
    if (denied) await applyDecision(denied);
    return runs.get(runId)!;
  }

  /**
   * After a start, carry on what a killed engine left half-way: every running run's started steps are
   * performed again (see resumeNow), held firings whose halt is gone are replayed, and a run left awaiting
   * an approval that was never requested gets its request.
   */
  async function recover(): Promise<{ resumed: number; requested: number }> {
    let resumed = 0;
    let requested = 0;
    for (const run of runs.byStatus('running')) {
      await unit((fx) => resumeNow(fx, load(run.id)));
      resumed++;
    }
    // Held firings whose halt was lifted while a killed engine was replaying them.
    for (const run of runs.byStatus('halted')) if (!world.halt(run.projectId, run.ruleId)) await deps.replay(run.id);
    for (const run of runs.byStatus('awaiting_approval')) {
      const loaded = approvals.byRun(run.id) ? null : load(run.id);
      const gate = loaded ? approvalGate(loaded.def) : null;
      if (!loaded || !gate) continue;
      await requestApproval(run, loaded.def, loaded.cause, gate.steps);
      requested++;
    }
    return { resumed, requested };
  }

  return { cancel, recover };
}
