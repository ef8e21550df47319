ALTER TABLE "sessions" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "summarize_on_close" boolean;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "closed_payload" jsonb;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "open_agent_id" integer;--> statement-breakpoint
CREATE INDEX "sessions_tags_idx" ON "sessions" USING gin ("tags");--> statement-breakpoint
CREATE UNIQUE INDEX "agents_org_open_id_uq" ON "agents" USING btree ("org_id","open_agent_id");