// Emergency halt and resume. While a scope is halted no run starts in it:
// firings are held (runs in status 'halted'), in-flight runs start no further
// step, and a global halt pauses every worker queue. Resume replays held
// firings in order through the same decision, or discards them.
import type { Logger } from 'pino';
import type { JobQueues } from '../queue/jobs.js';
import type { HaltScope } from '../store/halts.js';
import type { Store } from '../store/store.js';
import type { Runner } from './runner.js';

export function createHaltControl(deps: { store: Store; logger: Logger; jobs: JobQueues; runner: Runner }) {
  const { halts } = deps.store;
  return {
    async halt(scope: HaltScope, reason: string, cancelInFlight: boolean, by: string) {
      const row = halts.create(scope, reason, cancelInFlight, by);
      if (scope.scope === 'global') await deps.jobs.pauseAll();
      let cancelled = 0;
      if (cancelInFlight) {
        for (const run of halts.inFlight(scope)) {
          await deps.runner.cancel(run.id, `cancelled by halt: ${reason}`);
          cancelled++;
        }
      }
      deps.logger.warn({ scope, reason, by, cancelled }, 'emergency halt');
      return { halt: row, cancelled };
    },
    async resume(scope: HaltScope, by: string, discard: boolean) {
      const row = halts.resume(scope, by, discard);
      if (scope.scope === 'global') await deps.jobs.resumeAll();
      let replayed = 0;
      let discarded = 0;
      for (const run of halts.held(scope)) {
        if (discard) {
          await deps.runner.cancel(run.id, `discarded on resume by ${by}`);
          discarded++;
        } else if ((await deps.runner.replay(run.id)).status !== 'halted') replayed++;
      }
      for (const run of halts.inFlight(scope)) await deps.runner.advance(run.id);
      deps.logger.info({ scope, by, replayed, discarded }, 'resumed');
      return { halt: row, replayed, discarded };
    },
    /** Active halts, each with how many firings it holds. */
    status(projectId: string | null) {
      return halts
        .active()
        .filter((h) => projectId === null || h.scope === 'global' || h.projectId === projectId)
        .map((h) => ({ ...h, held: halts.held({ scope: h.scope, projectId: h.projectId, ruleId: h.ruleId }).length }));
    },
  };
}
