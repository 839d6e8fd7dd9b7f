// What a dry-run plan is: the tree of events, firings and steps the planner
// (planner.ts) predicts, and the options that steer it. Types only.
import type { ActionDefaults } from './actions.js';
import type { Outcome, Start } from './machine.js';
import type { SkipReason } from './matching.js';
import type { Missing } from './templates.js';

export interface PlanOptions {
  /** Cost units per job type (GREENLIGHT_JOB_COSTS). */
  costs: Record<string, number>;
  /** Rules considered for the root event; default: every enabled rule. */
  rootRuleIds?: string[];
  /** Stop expanding after this many firing nodes (each one past it is a 'truncated' stop). */
  maxFirings?: number;
  /** Project defaults actions fall back on. */
  defaults?: ActionDefaults;
  /**
   * What the world will answer, where it is known or asked about ("what if this job fails"): the
   * decision on a rule's approval (default: approved) and a started step's outcome (default: it succeeds
   * with an output unknown until it runs). The differential test injects the same answers into a real run.
   */
  predict?: {
    approval?: (ruleId: string) => 'approved' | 'denied' | 'expired' | undefined;
    step?: (start: Start, ruleId: string) => Outcome | undefined;
  };
  /** Plan, for each step, what its failure would emit and fire (default true). */
  failureBranches?: boolean;
}

export interface PlannedEvent {
  id: string;
  type: string;
  subject: { kind: string; id: unknown };
  payload: Record<string, unknown>;
  depth: number;
  firings: FiringNode[];
  /** Set on events that only happen if a step fails (a step's onFailure branch). */
  branch?: 'failure';
}

export interface StepNode {
  id: string;
  type: string;
  jobType: string | null;
  jobId: string;
  config: unknown;
  jobs: number;
  cost: number;
  needsApproval: boolean;
  missing?: Missing[];
  wouldFail?: string;
  /** What its success emits (or, when it would fail, what that failure emits). */
  emits: PlannedEvent[];
  /** What would be emitted, and fire, if this step failed instead: job.failed, run.failed. */
  onFailure?: PlannedEvent[];
}

export interface FiringNode {
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  depth: number;
  decision: 'fire' | 'skip';
  reason?: SkipReason;
  detail?: string;
  uncertain?: boolean;
  cycle?: string[];
  chain: string[];
  /** `decision`: what the plan assumes the admin decides (approved unless told otherwise). */
  approval?: {
    required: true;
    reason: 'always' | 'costly';
    steps: string[];
    decision: 'approved' | 'denied' | 'expired';
    assumed: boolean;
  };
  mode?: 'sequential' | 'parallel';
  steps?: StepNode[];
  /** The run's own events: run.started, run.step.completed per step, run.completed or run.failed. */
  runEvents?: PlannedEvent[];
  /** How the run ends: as the step machine ends it, or cancelled by a denied approval. */
  outcome?: 'succeeded' | 'failed' | 'cancelled';
  /** Why it ends so, when not succeeded. */
  outcomeDetail?: string;
}

export interface PlanStop {
  reason: SkipReason;
  ruleId: string;
  eventType: string;
  depth: number;
  chain: string[];
  detail?: string;
}

export interface Plan {
  hash: string;
  root: PlannedEvent;
  summary: {
    firings: number;
    skips: number;
    jobs: number;
    approvals: number;
    stops: number;
    /** Firings that happen only on some step's failure (not counted in firings, jobs or cost). */
    failureFirings: number;
    cost: number;
    costByJobType: Record<string, number>;
    truncated: boolean;
  };
  stops: PlanStop[];
  cycles: string[][];
  reads: Record<string, unknown>;
}
