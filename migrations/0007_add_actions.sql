ALTER TYPE "public"."history_event_type" ADD VALUE 'action_called';--> statement-breakpoint
ALTER TYPE "public"."history_event_type" ADD VALUE 'action_completed';--> statement-breakpoint
CREATE TABLE "actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"method" text NOT NULL,
	"url_template" text NOT NULL,
	"headers" text,
	"header_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"parameters" jsonb NOT NULL,
	"run_by" jsonb DEFAULT '["agent","admin"]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "actions" ADD CONSTRAINT "actions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "actions_org_name_uq" ON "actions" USING btree ("org_id","name");