// Read-only facts the bots render without a user behind them (a chain moved
// on, a variant was decided): the engine reports on its own state here, so
// no bot builds a principal of its own.
import type { ProjectRow } from '../store/projects.js';
import type { Store } from '../store/store.js';
import { actionOfStep, jobTypeOf } from '../rules/actions.js';

export interface ChainStepFact {
  runId: string;
  ruleId: string;
  stepId: string;
  type: string;
  /** The job the step submits (bg_remove, pack_atlas …), or null for engine-side actions. */
  jobType: string | null;
  status: string;
  output: unknown;
  error: string | null;
}

export function createChatFacts(deps: { store: Store; requireProject: (id: string) => ProjectRow }) {
  const { entities, runs, events, rules } = deps.store;
  return {
    variant(projectId: string, variantId: string) {
      return entities.getVariant(projectId, variantId);
    },
    /** An asset, its variants (oldest first), its prompt and the project's tag groups. */
    asset(projectId: string, assetId: string) {
      const asset = entities.getAsset(projectId, assetId);
      const facts = asset.specId ? entities.facts(projectId, 'spec', asset.specId) : null;
      return {
        asset,
        variants: entities.variantsOf(assetId).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)),
        assetType: facts?.assetType ?? asset.type,
        tagGroups: deps.requireProject(projectId).settings.tagGroups,
      };
    },
    /** Every step of every run in one chain, in order, and the chain's root event. */
    chain(projectId: string, correlationId: string) {
      const root = events.get(projectId, correlationId) ?? null;
      const steps: ChainStepFact[] = [];
      const list = runs.byCorrelation(projectId, correlationId);
      for (const r of list) {
        const def = rules.version(r.ruleId, r.ruleVersion);
        for (const s of runs.steps(r.id)) {
          const jobType = def ? jobTypeOf(actionOfStep(def.actions, s)) : null;
          steps.push({
            runId: r.id,
            ruleId: r.ruleId,
            stepId: s.stepId,
            type: s.type,
            jobType,
            status: s.status,
            output: s.output,
            error: s.error,
          });
        }
      }
      let assetId: string | null = null;
      if (root?.subjectKind === 'variant') assetId = entities.facts(projectId, 'variant', root.subjectId)?.assetId ?? null;
      else if (root?.subjectKind === 'asset') assetId = root.subjectId;
      return {
        root: root && { type: root.type, subject: { kind: root.subjectKind, id: root.subjectId }, assetId },
        runs: list.map((r) => ({ id: r.id, status: r.status, error: r.error })),
        steps,
      };
    },
  };
}
