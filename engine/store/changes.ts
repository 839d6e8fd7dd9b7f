// The change feed's vocabulary: what a subscriber (the bots' notifiers, the review
// web's live view) hears once a write has committed. Delivered asynchronously, in
// commit order; a rolled-back transaction delivers nothing.
/** A stored event as the change feed sees it. */
export interface StoredEvent {
  id: string;
  projectId: string;
  type: string;
  subject: { kind: string; id: string };
  payload: Record<string, unknown>;
  actor: { kind: string; id: string };
  correlationId: string;
  depth: number;
  occurredAt: number;
}

export type Change =
  | { kind: 'event'; projectId: string; event: StoredEvent }
  | { kind: 'run'; projectId: string; runId: string; ruleId: string; status: string }
  | { kind: 'step'; projectId: string; runId: string; stepId: string; status: string }
  | { kind: 'approval'; projectId: string; approvalId: string; runId: string; status: string }
  /** A halt set or lifted; `projectId` null is the global scope. */
  | { kind: 'halt'; projectId: string | null; ruleId: string | null; halted: boolean };

export interface ChangeFilter {
  /** Only this project's changes (global halts included). */
  projectId?: string;
  kinds?: Change['kind'][];
}

export type ChangeListener = (change: Change) => void;
