// The specs' side tables: a project's catalog versions and its spec lists (wishlists as
// written). Kept apart from schema.ts, which drizzle-kit reads with this file (drizzle.config.ts).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { projects } from './schema.js';

const createdAt = () => integer('created_at').notNull();

/** A project's catalogs (asset types, tag groups, palettes, models, defaults, policy), versioned: the newest is in force. */
export const projectCatalogs = sqliteTable(
  'project_catalogs',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    body: text('body', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.version] })],
);

/** A wishlist as a person wrote it, and what refining it gave: spec ids and questions. */
export const specLists = sqliteTable(
  'spec_lists',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    references: text('references', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status').$type<'refined' | 'needs_answers'>().notNull(),
    questions: text('questions', { mode: 'json' }).$type<Record<string, unknown>[]>().notNull(),
    specIds: text('spec_ids', { mode: 'json' }).$type<string[]>().notNull(),
    /** builtin, or the external refiner's URL. */
    refiner: text('refiner').notNull(),
    catalogVersion: integer('catalog_version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('spec_lists_project_idx').on(t.projectId, t.createdAt)],
);
