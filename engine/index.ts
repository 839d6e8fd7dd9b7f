// The engine's one door. Faces (bot/*, review-web/, bin/) compile against what this
// file exports and nothing else of engine/: the `Engine` interface (door.ts), the
// boot functions, config and the types its use cases speak in. No database, queues,
// outbox, runner or repositories leave this folder. `createEngine` (compose.ts)
// builds it from resources; `startGreenlight` / `openEngine` (runtime.ts) boot it.
export type { Engine, ApiEvent, ApiRule, HaltStatus, RunFilter, Health } from './door.js';
export { createEngine, type EngineHost, type EngineResources } from './compose.js';
export { startGreenlight, openEngine, migrateDatabase, type Running } from './runtime.js';
export { loadConfig, type EngineConfig } from './config.js';
export { cliPrincipal, type Principal } from './auth/principal.js';
export type { Change, ChangeFilter } from './store/changes.js';
export type { ApprovalNotice, ApprovalOutcome, ChatNotifier, StoredEvent } from './runs/ports.js';
export type { Platform, ChatMessageKind } from './store/chat.js';
export type { HaltScope } from './store/halts.js';
export type { RuleRow } from './store/rules.js';
export type { AssetRow, VariantRow } from './store/entities.js';
export type { EventRow } from './store/events.js';
export type { ApprovalRow } from './store/approvals.js';
export type { SpecListRow, CatalogRow } from './store/specs.js';
export type { ApiSpec } from './services/specs.js';
export { catalogFromFiles, type Catalog } from './specs/catalog.js';
export type { AssetSpec, Question } from './specs/spec.js';
export type { SampleEvent, RuleCheck } from './services/rules.js';
export type { Vocabulary, FieldSpec, ActionTypeInfo, EventTypeInfo, OperatorInfo } from './rules/vocabulary.js';
export type { RunRow, StepRow, RunStatus } from './store/runs.js';
export type { Plan, FiringNode, PlannedEvent, StepNode } from './rules/planner.js';
export { isGreenlightError, GreenlightError } from './errors.js';
export { jsonText } from './validation.js';
export { toApiRule } from './services/rules.js';
export { jobInputProblems } from './jobs/strict-inputs.js';
export { ruleVocabulary } from './rules/vocabulary.js';
export { MAX_JSON_DEPTH, textBoundsProblem as jsonTextProblem } from './json-bounds.js';
export type { ChainGraph, GraphEdge, GraphNode } from './rules/graph.js';
