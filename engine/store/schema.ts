// The drizzle schema: every table Greenlight keeps. Timestamps are epoch
// milliseconds; JSON columns hold data whose shape zod checks at the edges.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export type Role = 'artist' | 'lead' | 'admin';

export interface ProjectSettings {
  limits: { maxConcurrentRuns: number; maxChainDepth: number; debounceMs: number };
  policies: { allowSelfApproval: boolean; defaultExportProfile: string; approvalExpiryMs: number | null };
  /** Chat user id → role, e.g. { "slack:U123": "admin", "discord:42": "lead" }. */
  roles: Record<string, Role>;
  tagGroups: Record<string, string[]>;
}

const createdAt = () => integer('created_at').notNull();

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  settings: text('settings', { mode: 'json' }).$type<ProjectSettings>().notNull(),
  createdAt: createdAt(),
});

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    /** null = every project (the bootstrap admin token). */
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    tokenHash: text('token_hash').notNull(),
    label: text('label').notNull().default(''),
    createdAt: createdAt(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash)],
);

export const chatBindings = sqliteTable(
  'chat_bindings',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<'slack' | 'discord'>().notNull(),
    channelId: text('channel_id').notNull(),
    purpose: text('purpose').$type<'review' | 'admin'>().notNull().default('review'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('chat_bindings_channel_uq').on(t.platform, t.channelId, t.purpose)],
);

/**
 * Messages the bots posted, so a reaction or a later edit finds what a message
 * shows: a variant card, an approval request, the halt panel, a chain's progress.
 */
export const chatMessages = sqliteTable(
  'chat_messages',
  {
    platform: text('platform').$type<'slack' | 'discord'>().notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id').notNull(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'variant' | 'approval' | 'halt_panel' | 'progress' | 'asset_thread'>().notNull(),
    refId: text('ref_id').notNull(),
    threadId: text('thread_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.channelId, t.messageId] }), index('chat_messages_ref_idx').on(t.kind, t.refId)],
);

/**
 * What a chat control (a Discord button or select, whose custom_id holds at most 100 characters) means:
 * the control carries only this opaque id; the action and its value stay here.
 */
export const chatControls = sqliteTable('chat_controls', {
  id: text('id').primaryKey(),
  platform: text('platform').$type<'slack' | 'discord'>().notNull(),
  actionId: text('action_id').notNull(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});

export const specs = sqliteTable('specs', {
  id: text('id').primaryKey(),
  projectId: text('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  assetType: text('asset_type').notNull(),
  prompt: text('prompt', { mode: 'json' }).$type<{ positive: string; negative?: string }>().notNull(),
  params: text('params', { mode: 'json' })
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'`),
  manualOverride: integer('manual_override', { mode: 'boolean' }).notNull().default(false),
  /** The spec list it was refined from (null: made through the API by hand). */
  specListId: text('spec_list_id'),
  name: text('name').notNull().default(''),
  /** The whole AssetSpec (engine/specs/spec.ts) of a refined spec; null for a hand-made one. */
  body: text('body', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});

export const assets = sqliteTable(
  'assets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    specId: text('spec_id').references(() => specs.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    name: text('name').notNull().default(''),
    status: text('status').notNull().default('draft'),
    manualOverride: integer('manual_override', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('assets_project_idx').on(t.projectId)],
);

export interface ChatMessageRef {
  platform: 'slack' | 'discord';
  channelId: string;
  messageId: string;
}

export const variants = sqliteTable(
  'variants',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    assetId: text('asset_id')
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
    status: text('status').$type<'pending' | 'approved' | 'rejected' | 'regenerate_requested'>().notNull().default('pending'),
    primary: integer('is_primary', { mode: 'boolean' }).notNull().default(false),
    tags: text('tags', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    notes: text('notes', { mode: 'json' })
      .$type<{ by: string; at: number; text: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    processing: text('processing', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
    files: text('files', { mode: 'json' })
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'`),
    messages: text('messages', { mode: 'json' })
      .$type<ChatMessageRef[]>()
      .notNull()
      .default(sql`'[]'`),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('variants_asset_idx').on(t.assetId)],
);

export const atlases = sqliteTable('atlases', {
  id: text('id').primaryKey(),
  projectId: text('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  assetIds: text('asset_ids', { mode: 'json' })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  meta: text('meta', { mode: 'json' })
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'`),
  manualOverride: integer('manual_override', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

export const exports = sqliteTable('exports', {
  id: text('id').primaryKey(),
  projectId: text('project_id')
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  profile: text('profile').notNull(),
  atlasIds: text('atlas_ids', { mode: 'json' })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  meta: text('meta', { mode: 'json' })
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'`),
  createdAt: createdAt(),
});

export const rules = sqliteTable(
  'rules',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
    definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [uniqueIndex('rules_id_uq').on(t.id), index('rules_project_idx').on(t.projectId)],
);

export const ruleVersions = sqliteTable(
  'rule_versions',
  {
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    definition: text('definition', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** When a dry-run of exactly this version was last shown; enabling needs one. */
    dryRunAt: integer('dry_run_at'),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.version] })],
);

export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    actor: text('actor', { mode: 'json' }).$type<{ kind: string; id: string }>().notNull(),
    source: text('source').notNull(),
    correlationId: text('correlation_id').notNull(),
    causationId: text('causation_id'),
    depth: integer('depth').notNull().default(0),
    idempotencyKey: text('idempotency_key').notNull(),
    occurredAt: integer('occurred_at').notNull(),
    /** Outbox: null until the event is on the BullMQ events queue. */
    publishedAt: integer('published_at'),
  },
  (t) => [
    uniqueIndex('events_id_uq').on(t.id),
    uniqueIndex('events_idem_uq').on(t.projectId, t.idempotencyKey),
    // Partial: only the outbox's pending rows are indexed. Most rows are stored already published
    // (engine events nobody listens to), and indexing them cost every insert an index write.
    index('events_pending_idx')
      .on(t.seq)
      .where(sql`${t.publishedAt} IS NULL`),
  ],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    eventId: text('event_id').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    status: text('status')
      .$type<'planned' | 'awaiting_approval' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'halted' | 'skipped'>()
      .notNull(),
    reason: text('reason'),
    idempotencyKey: text('idempotency_key').notNull(),
    correlationId: text('correlation_id').notNull(),
    depth: integer('depth').notNull(),
    planHash: text('plan_hash'),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    uniqueIndex('runs_idem_uq').on(t.idempotencyKey),
    index('runs_rule_subject_idx').on(t.ruleId, t.subjectKind, t.subjectId, t.createdAt),
    index('runs_project_status_idx').on(t.projectId, t.status),
    // A chain's runs (the chat progress message reads them at every run event): without it, every run of the project.
    index('runs_project_correlation_idx').on(t.projectId, t.correlationId),
  ],
);

export const runSteps = sqliteTable(
  'run_steps',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepId: text('step_id').notNull(),
    position: integer('position').notNull(),
    type: text('type').notNull(),
    status: text('status').$type<'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped'>().notNull(),
    config: text('config', { mode: 'json' }).$type<unknown>(),
    jobIds: text('job_ids', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    output: text('output', { mode: 'json' }).$type<unknown>(),
    error: text('error'),
    logs: text('logs', { mode: 'json' })
      .$type<{ at: number; msg: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId] })],
);

export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    status: text('status').$type<'pending' | 'approved' | 'denied' | 'expired'>().notNull(),
    requestedBy: text('requested_by').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    expiresAt: integer('expires_at'),
    defaultDecision: text('default_decision').$type<'approve' | 'deny'>().notNull().default('deny'),
    createdAt: createdAt(),
  },
  (t) => [index('approvals_project_status_idx').on(t.projectId, t.status)],
);

export const halts = sqliteTable(
  'halts',
  {
    id: text('id').primaryKey(),
    scope: text('scope').$type<'global' | 'project' | 'rule'>().notNull(),
    projectId: text('project_id'),
    ruleId: text('rule_id'),
    reason: text('reason').notNull(),
    cancelInFlight: integer('cancel_in_flight', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    resumedBy: text('resumed_by'),
    resumedAt: integer('resumed_at'),
  },
  (t) => [index('halts_active_idx').on(t.resumedAt, t.scope)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    projectId: text('project_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target').notNull(),
    details: text('details', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
    at: integer('at').notNull(),
  },
  (t) => [index('audit_project_idx').on(t.projectId, t.at)],
);
