CREATE TABLE `chat_messages` (
	`platform` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`project_id` text NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL,
	`thread_id` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `channel_id`, `message_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chat_messages_ref_idx` ON `chat_messages` (`kind`,`ref_id`);