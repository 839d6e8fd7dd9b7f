DROP INDEX `events_unpublished_idx`;--> statement-breakpoint
CREATE INDEX `events_pending_idx` ON `events` (`seq`) WHERE "events"."published_at" IS NULL;