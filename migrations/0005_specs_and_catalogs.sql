CREATE TABLE `project_catalogs` (
	`project_id` text NOT NULL,
	`version` integer NOT NULL,
	`body` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `version`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `spec_lists` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`text` text NOT NULL,
	`references` text NOT NULL,
	`status` text NOT NULL,
	`questions` text NOT NULL,
	`spec_ids` text NOT NULL,
	`refiner` text NOT NULL,
	`catalog_version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `spec_lists_project_idx` ON `spec_lists` (`project_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `specs` ADD `spec_list_id` text;--> statement-breakpoint
ALTER TABLE `specs` ADD `name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `specs` ADD `body` text;