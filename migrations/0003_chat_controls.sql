CREATE TABLE `chat_controls` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`action_id` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL
);
