// The `Engine` interface: the use cases a face may call, each authorizing its
// principal inside the engine. Published by engine/index.ts (the one door faces
// import); declared here so engine-side modules can name it without importing the
// door's own re-exports (which would close a cycle through compose / runtime).
import type { Principal } from './auth/principal.js';
import type { Change, ChangeFilter } from './store/changes.js';
import type { ApprovalRow } from './store/approvals.js';
import type { BindingRow, ChatMessageKind, ChatMessageRow, Platform } from './store/chat.js';
import type { AssetRow, OverridableKind, VariantRow } from './store/entities.js';
import type { EventRow } from './store/events.js';
import type { HaltRow, HaltScope } from './store/halts.js';
import type { ProjectRow, TokenRow } from './store/projects.js';
import type { RuleRow } from './store/rules.js';
import type { RunRow, RunStatus, StepRow } from './store/runs.js';
import type { ChainStepFact } from './services/chat-facts.js';
import type { RuleCheck, RuleWarning, SampleEvent, toApiRule } from './services/rules.js';
import type { Vocabulary } from './rules/vocabulary.js';
import type { Plan } from './rules/planner.js';
import type { ChainGraph } from './rules/graph.js';
import type { ApprovalNotice, ChatNotifier } from './runs/ports.js';
import type { toApiEvent } from './events/intake.js';
import type { ApiSpec } from './services/specs.js';
import type { Catalog } from './specs/catalog.js';
import type { Question } from './specs/spec.js';
import type { CatalogRow, SpecListRow } from './store/specs.js';

export type ApiEvent = ReturnType<typeof toApiEvent>;
export type ApiRule = ReturnType<typeof toApiRule>;
export type HaltStatus = HaltRow & { held: number };
export interface RunFilter {
  ruleId?: string;
  status?: RunStatus;
  subjectId?: string;
  limit?: number;
}
export interface Health {
  ok: boolean;
  database: boolean;
  redis: boolean;
  outbox: { failing: boolean };
}

/** The use cases a face may call. Bodies are `unknown`: the engine validates them and names the field on error. */
export interface Engine {
  /** Resolve a bearer token to a principal, or null when unknown or revoked. */
  authenticate(token: string): Principal | null;
  /** The engine's clock (ms since the epoch), so faces and the engine agree on time (tests drive it). */
  now(): number;
  health(): Promise<Health>;

  entities: {
    createProject(p: Principal, body: unknown): ProjectRow;
    getProject(p: Principal, projectId: string): ProjectRow;
    createToken(p: Principal, projectId: string, body: unknown): { token: string; row: TokenRow };
    /** Change settings (`{limits?, policies?, roles?, tagGroups?}`): limits and policies merge, roles and tag groups replace. */
    updateSettings(p: Principal, projectId: string, body: unknown): ProjectRow;
    /** Record what a job run outside the engine made (`greenlight job run`): generate's asset and variants, an atlas, an export. */
    registerJobOutput(p: Principal, projectId: string, jobType: string, input: Record<string, unknown>, output: unknown): boolean;
    /** Every project for a global admin (and the local CLI), else the principal's own. */
    listProjects(p: Principal): ProjectRow[];
    /** A project's tokens (revoked ones too), never the token itself. */
    listTokens(p: Principal, projectId: string): Omit<TokenRow, 'tokenHash'>[];
    /** Revoke a token at once (API calls and web sessions signed in with it stop). */
    revokeToken(p: Principal, projectId: string, tokenId: string): Omit<TokenRow, 'tokenHash'>;
    createAsset(p: Principal, projectId: string, body: unknown): { asset: AssetRow; variants: VariantRow[] };
    createSpec(p: Principal, projectId: string, body: unknown): unknown;
    getAsset(p: Principal, projectId: string, assetId: string): { asset: AssetRow; variants: VariantRow[] };
    getVariant(p: Principal, projectId: string, variantId: string): VariantRow;
    /** A project's assets, newest first, each with its variants. */
    listAssets(p: Principal, projectId: string): { asset: AssetRow; variants: VariantRow[] }[];
    /** The newest review decisions (variant.* events) in a project. */
    recentDecisions(p: Principal, projectId: string, limit?: number): EventRow[];
    setOverride(
      p: Principal,
      projectId: string,
      kind: OverridableKind,
      id: string,
      body: unknown,
    ): { kind: OverridableKind; id: string; manualOverride: boolean };
  };

  /** Catalogs, spec lists (wishlists) and the AssetSpecs they are refined into. */
  specs: {
    /** The catalog in force (version 0 before the first import) and every version's who/when. */
    getCatalog(p: Principal, projectId: string): { version: number; catalog: Catalog; versions: Omit<CatalogRow, 'body'>[] };
    /** A new catalog version (admin): the whole catalog, validated (problems by path, nothing changed); mirrored to files. */
    importCatalog(p: Principal, projectId: string, body: unknown): { version: number; catalog: Catalog; files: string[] };
    /** Write the catalog in force in the seed's layout (project.json + catalogs/*.json) to `dir` (default: the project folder). */
    exportCatalog(p: Principal, projectId: string, dir?: string): { version: number; catalog: Catalog; dir: string; files: string[] };
    /**
     * Store a wishlist (`{text, references?, style?, scenario?}`) and refine it: one spec per asset and one
     * `spec.refined` each, together; what could not be read comes back as questions.
     */
    addSpecList(
      p: Principal,
      projectId: string,
      body: unknown,
      source?: string,
    ): Promise<{ specList: SpecListRow; specs: ApiSpec[]; questions: Question[]; events: string[] }>;
    getSpecList(p: Principal, projectId: string, id: string): { specList: SpecListRow; specs: ApiSpec[] };
    listSpecLists(p: Principal, projectId: string): SpecListRow[];
    /** A Generate press on a spec: stores `spec.generate_requested` ({count?, note?, idempotencyKey?}); a rule makes the job. */
    requestGenerate(p: Principal, projectId: string, specId: string, body: unknown, source?: string): { event: EventRow; created: boolean };
    getSpec(p: Principal, projectId: string, specId: string): ApiSpec;
    listSpecs(p: Principal, projectId: string): ApiSpec[];
  };

  events: {
    /** Store an event (the outbox), queued as soon as Redis has it. */
    emit(p: Principal, projectId: string, body: unknown, source?: string): { row: EventRow; created: boolean };
    get(p: Principal, projectId: string, eventId: string): ApiEvent;
  };

  /** A review decision on a variant: the variant changes and its event is stored, together. */
  review(p: Principal, projectId: string, variantId: string, body: unknown, source?: string): { event: EventRow; created: boolean };
  /**
   * A lead's decision on an asset as a whole (`{"decision": "approve"}` once its variants are chosen): the asset
   * becomes approved and `asset.approved` is stored with the approved variants' ids, together (409 if none is).
   */
  reviewAsset(p: Principal, projectId: string, assetId: string, body: unknown, source?: string): { event: EventRow; created: boolean };

  rules: {
    list(p: Principal, projectId: string): RuleRow[];
    /** The rules with their runs and failures (since `since`, ms; default all) and last run. */
    listWithStats(p: Principal, projectId: string, since?: number): ApiRule[];
    get(p: Principal, projectId: string, ruleId: string): RuleRow;
    create(p: Principal, projectId: string, body: unknown): { row: RuleRow; warnings: RuleWarning[] };
    update(p: Principal, projectId: string, ruleId: string, body: unknown): { row: RuleRow; warnings: RuleWarning[] };
    remove(p: Principal, projectId: string, ruleId: string): void;
    setEnabled(p: Principal, projectId: string, ruleId: string, enabled: boolean): RuleRow;
    dryRun(p: Principal, projectId: string, ruleId: string, body: unknown): Plan;
    /**
     * The event a preview of this rule should dry-run: its trigger on a variant or asset (or the project).
     * For a decision trigger on a variant, exactly what pressing that decision would emit (one builder).
     */
    previewEvent(p: Principal, projectId: string, ruleId: string, target: string | null): SampleEvent;
    dryRunAll(p: Principal, projectId: string, body: unknown): Plan;
    /** Run exactly what a dry-run showed (409 if its hash changed). */
    run(p: Principal, projectId: string, ruleId: string, body: unknown): { eventId: string; hash: string; summary: Plan['summary'] };
    /** The rules as a static graph: event types → rules → (approval gate) → actions → emitted events, with cycles. */
    graph(p: Principal, projectId: string): ChainGraph;
    // For builders (the review web's rule builder, a CLI wizard): nothing here saves anything.
    /** previewEvent for a trigger not saved yet. */
    sampleEvent(p: Principal, projectId: string, trigger: unknown, target: string | null): SampleEvent;
    /** Event types (one line each, payload fields), action and job types with their input fields and defaults, operators. */
    vocabulary(): Vocabulary;
    /** Validate a rule without saving it: the definition with defaults (and a schedule's next times), or each problem by path. */
    check(p: Principal, projectId: string, body: unknown): RuleCheck;
    /** Dry-run an unsaved draft (`{draft, ruleId?, event | eventId}`): the draft alone at the root, standing in for `ruleId`. */
    dryRunDraft(p: Principal, projectId: string, body: unknown): Plan;
    /** The newest stored events of one type (to dry-run on, and the payload fields they carry). */
    recentEvents(p: Principal, projectId: string, type: string, limit?: number): EventRow[];
  };

  /** Runs (the trigger log). Reads work without Redis. */
  runs: {
    list(p: Principal, projectId: string, filter: RunFilter): RunRow[];
    get(
      p: Principal,
      projectId: string,
      runId: string,
    ): { run: RunRow; steps: StepRow[]; event: ApiEvent | null; approval: ApprovalRow | null; downstream: RunRow[] };
    cancel(p: Principal, projectId: string, runId: string): Promise<RunRow>;
  };

  approvals: {
    /** The pending approvals, oldest first. */
    list(p: Principal, projectId: string): ApprovalRow[];
    /** The newest decided ones (approved, denied, expired). */
    decided(p: Principal, projectId: string, limit?: number): ApprovalRow[];
    decide(p: Principal, projectId: string, approvalId: string, decision: 'approve' | 'deny'): Promise<ApprovalRow>;
    /** What an approval's request says (rule, cause, the steps it gates and their job types, estimated cost); null when its run is gone. */
    notice(p: Principal, projectId: string, approvalId: string): ApprovalNotice | null;
  };

  halts: {
    halt(p: Principal, scope: HaltScope, reason: string, cancelInFlight: boolean): Promise<{ halt: HaltRow; cancelled: number }>;
    resume(p: Principal, scope: HaltScope, discard: boolean): Promise<{ halt: HaltRow; replayed: number; discarded: number }>;
    /** Active halts with their held counts; `projectId` null: every one (global admins). */
    status(p: Principal, projectId: string | null): HaltStatus[];
  };

  /** What the chat bots need: who a chat user is, bindings, the messages they posted, facts to render. */
  chat: {
    principalFor(platform: Platform, userId: string, projectId: string, groupIds?: string[]): Principal | null;
    groupsWithRoles(platform: Platform, projectId: string): string[];
    bind(p: Principal, platform: Platform, channelId: string, projectId: string, purpose: 'review' | 'admin'): BindingRow;
    setRole(p: Principal, projectId: string, body: unknown): { member: string; role: string | null };
    projectOfChannel(platform: Platform, channelId: string): string | null;
    /** Projects with a channel bound on this platform. */
    boundProjects(platform: Platform): string[];
    channelOf(projectId: string, platform: Platform, purpose: 'review' | 'admin'): string | null;
    recordMessage(row: Omit<ChatMessageRow, 'createdAt'>): void;
    findMessage(platform: Platform, channelId: string, messageId: string): ChatMessageRow | undefined;
    messagesOf(platform: Platform, kind: ChatMessageKind, refId: string): ChatMessageRow[];
    /** The opaque id a control carries (Discord's custom_id holds ≤ 100 characters): the same action and value, the same id. */
    controlId(platform: Platform, actionId: string, value: string): string;
    /** What a control id means, or null when it is not one of ours. */
    control(platform: Platform, id: string): { actionId: string; value: string } | null;
    /** Active halts that concern a project (its own, its rules', global), with held counts. */
    halts(projectId: string): HaltStatus[];
    facts: {
      variant(projectId: string, variantId: string): VariantRow;
      asset(
        projectId: string,
        assetId: string,
      ): { asset: AssetRow; variants: VariantRow[]; assetType: string; tagGroups: Record<string, string[]> };
      chain(
        projectId: string,
        correlationId: string,
      ): {
        root: { type: string; subject: { kind: string; id: string }; assetId: string | null } | null;
        runs: { id: string; status: string; error: string | null }[];
        steps: ChainStepFact[];
      };
    };
  };

  files: {
    /** The absolute path of a file the engine names (relative to its project's folder); refused if it leaves the folder. */
    path(projectId: string, relativePath: string): string;
  };

  /** The change feed: stored events and run / step / approval / halt changes, after commit, asynchronously. */
  changes: {
    subscribe(listener: (change: Change) => void, filter?: ChangeFilter): () => void;
  };

  /** Connect a chat bot's deliveries (notify actions, approval requests and outcomes). Returns detach. */
  attachNotifier(notifier: ChatNotifier): () => void;

  /** The review web's trust: signed links from the chat cards, sealed session cookies (the secret stays here). */
  web: {
    /** A link token for a chat user's principal in one project that opens `path`: 15 minutes, once. */
    reviewLink(p: Principal, path: string): string;
    /** Redeem a link token once; AuthError (401) saying why when it is forged, expired or used. */
    redeemLink(token: string): { principal: Principal; path: string };
    /** A sealed session value for the web's cookie, with the CSRF token its forms carry. */
    sealSession(p: Principal): { value: string; csrf: string; expiresAt: number };
    /** The session a cookie value holds, or null (forged, expired). */
    openSession(value: string): { principal: Principal; csrf: string } | null;
  };
}
